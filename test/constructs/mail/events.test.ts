import { generateKeyPairSync, sign } from 'node:crypto';
import type { LambdaFunctionURLEvent, SQSEvent } from 'aws-lambda';
import { validateMessage } from '../../../constructs/mail/runtime/contract';
import { createSendGridWebhook, createSesEventsHandler, verifySendGridSignature } from '../../../constructs/mail/runtime/events';
import { HistoryStore } from '../../../constructs/mail/runtime/history';
import { fakeDynamo } from './fakes';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const publicKeyBase64 = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const NOW = 1_800_000_000;

const signed = (body: string, timestamp = String(NOW), key = privateKey) => sign('sha256', Buffer.from(timestamp + body), key).toString('base64');
const request = (body: string, headers: Record<string, string>, base64 = false): LambdaFunctionURLEvent =>
  ({ body: base64 ? Buffer.from(body).toString('base64') : body, isBase64Encoded: base64, headers }) as unknown as LambdaFunctionURLEvent;

async function historyWith(key: string) {
  const dynamo = fakeDynamo();
  const history = new HistoryStore(dynamo.client, 't', 400, 'sendgrid');
  const m = validateMessage(JSON.stringify({ version: 1, idempotencyKey: key, to: { email: 'a@example.com' }, from: { email: 'b@example.jp' }, subject: 's', text: 't', category: 'c' }));
  if (!m.ok) throw new Error('fixture');
  await history.claim(m.message, NOW - 100, 60);
  await history.markSent(key, 'sg-1', NOW - 99);
  return { dynamo, history };
}

describe('SendGrid event webhook', () => {
  const events = JSON.stringify([
    { email: 'a@example.com', event: 'delivered', timestamp: NOW - 10, idempotency_key: 'booking-1', sg_message_id: 'sg-1.filter' },
    { email: 'a@example.com', event: 'open', timestamp: NOW - 5, idempotency_key: 'booking-1' },
    { email: 'x@example.com', event: 'bounce', timestamp: NOW - 5, idempotency_key: 'not-ours' },
    { email: 'y@example.com', event: 'delivered', timestamp: NOW - 5 },
  ]);

  it('verifies a correct signature', () => {
    expect(verifySendGridSignature(publicKeyBase64, signed(events), String(NOW), events, NOW)).toBe(true);
  });

  it('rejects a wrong key, a changed body, a changed timestamp, an old timestamp, and no signature', () => {
    expect(verifySendGridSignature(publicKeyBase64, signed(events, String(NOW), other.privateKey), String(NOW), events, NOW)).toBe(false);
    expect(verifySendGridSignature(publicKeyBase64, signed(events), String(NOW), events.replace('delivered', 'bounce'), NOW)).toBe(false);
    expect(verifySendGridSignature(publicKeyBase64, signed(events), String(NOW + 1), events, NOW)).toBe(false);
    expect(verifySendGridSignature(publicKeyBase64, signed(events, String(NOW - 301)), String(NOW - 301), events, NOW)).toBe(false);
    expect(verifySendGridSignature(publicKeyBase64, undefined, String(NOW), events, NOW)).toBe(false);
    expect(verifySendGridSignature(publicKeyBase64, 'bm90IGEgc2lnbmF0dXJl', String(NOW), events, NOW)).toBe(false);
  });

  it('records signed events on their history records, and ignores events for keys it does not know', async () => {
    const { dynamo, history } = await historyWith('booking-1');
    const webhook = createSendGridWebhook(history, publicKeyBase64, () => NOW);
    const response = await webhook(request(events, { 'X-Twilio-Email-Event-Webhook-Signature': signed(events), 'X-Twilio-Email-Event-Webhook-Timestamp': String(NOW) }, true));
    expect(response).toEqual({ statusCode: 204 });
    const record = dynamo.get('booking-1')!;
    expect(record.status).toBe('delivered'); // "open" records an event without changing the status
    expect(record.events).toEqual([
      { type: 'delivered', at: NOW - 10, detail: 'sg-1.filter' },
      { type: 'open', at: NOW - 5 },
    ]);
    expect(dynamo.get('not-ours')).toBeUndefined();
  });

  it('answers 401 to an unsigned or badly signed request and records nothing', async () => {
    const { dynamo, history } = await historyWith('booking-1');
    const webhook = createSendGridWebhook(history, publicKeyBase64, () => NOW);
    expect(await webhook(request(events, {}))).toEqual({ statusCode: 401, body: 'bad signature' });
    expect(await webhook(request(events, { 'x-twilio-email-event-webhook-signature': signed(events, String(NOW), other.privateKey), 'x-twilio-email-event-webhook-timestamp': String(NOW) }))).toEqual({ statusCode: 401, body: 'bad signature' });
    expect(dynamo.get('booking-1')!.events).toBeUndefined();
  });

  it('answers 400 to a signed body that is not a list of events', async () => {
    const { history } = await historyWith('booking-1');
    const body = '{"event":"delivered"}';
    const webhook = createSendGridWebhook(history, publicKeyBase64, () => NOW);
    expect((await webhook(request(body, { 'x-twilio-email-event-webhook-signature': signed(body), 'x-twilio-email-event-webhook-timestamp': String(NOW) }))).statusCode).toBe(400);
  });

  it('marks a bounce and a spam report on the record', async () => {
    const { dynamo, history } = await historyWith('booking-1');
    const webhook = createSendGridWebhook(history, publicKeyBase64, () => NOW);
    const body = JSON.stringify([{ event: 'bounce', type: 'bounce', reason: '550 5.1.1 unknown user', timestamp: NOW, idempotency_key: 'booking-1' }]);
    await webhook(request(body, { 'x-twilio-email-event-webhook-signature': signed(body), 'x-twilio-email-event-webhook-timestamp': String(NOW) }));
    expect(dynamo.get('booking-1')).toMatchObject({ status: 'bounced', events: [{ type: 'bounce', detail: 'bounce 550 5.1.1 unknown user' }] });
  });
});

describe('SES events', () => {
  const sns = (event: unknown) => JSON.stringify({ Type: 'Notification', Message: JSON.stringify(event) });
  const records = (...bodies: string[]): SQSEvent => ({ Records: bodies.map((body, i) => ({ messageId: `e${i}`, body })) }) as unknown as SQSEvent;

  it('records bounces and complaints on the message found by its tag', async () => {
    const { dynamo, history } = await historyWith('booking-1');
    const handler = createSesEventsHandler(history, () => NOW);
    const result = await handler(
      records(
        sns({ eventType: 'Bounce', bounce: { bounceType: 'Permanent', bounceSubType: 'General' }, mail: { messageId: 'ses-1', timestamp: '2027-01-15T08:00:00.000Z', tags: { idempotency_key: ['booking-1'] } } }),
        sns({ eventType: 'Complaint', complaint: { complaintFeedbackType: 'abuse' }, mail: { messageId: 'ses-1', tags: { idempotency_key: ['booking-1'] } } }),
        'not json at all',
      ),
    );
    expect(result).toEqual({ batchItemFailures: [] });
    expect(dynamo.get('booking-1')).toMatchObject({ status: 'complained', events: [{ type: 'bounce', detail: 'Permanent General ses-1' }, { type: 'complaint', detail: 'abuse ses-1' }] });
  });

  it('asks for a retry when the table fails', async () => {
    const { dynamo, history } = await historyWith('booking-1');
    (dynamo.client as unknown as { send: () => Promise<never> }).send = async () => {
      throw new Error('down');
    };
    const handler = createSesEventsHandler(history, () => NOW);
    expect(await handler(records(sns({ eventType: 'Delivery', mail: { tags: { idempotency_key: ['booking-1'] } } })))).toEqual({ batchItemFailures: [{ itemIdentifier: 'e0' }] });
  });
});
