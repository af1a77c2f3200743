import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { validateMessage } from '../../../constructs/mail/runtime/contract';
import { HistoryStore } from '../../../constructs/mail/runtime/history';
import { SendGridSender } from '../../../constructs/mail/runtime/senders';
import { createWorker, retryDelaySeconds } from '../../../constructs/mail/runtime/worker';
import { fakeDynamo, fakeSqs, sendGridServer } from './fakes';

const message = (key: string, changes: Record<string, unknown> = {}) =>
  JSON.stringify({
    version: 1,
    idempotencyKey: key,
    to: { email: 'Guest@Example.com', name: 'Hanako Yamada' },
    from: { email: 'noreply@example-hotel.jp', name: 'Example Hotel' },
    subject: 'Your booking is confirmed',
    text: 'See you on 3 December.',
    category: 'booking-confirmation',
    ...changes,
  });
const record = (body: string, id: string, receiveCount = 1): SQSRecord =>
  ({ messageId: id, receiptHandle: `rh-${id}`, body, attributes: { ApproximateReceiveCount: String(receiveCount) } }) as unknown as SQSRecord;
const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

/** A worker sending through a local SendGrid answering `statuses` in order. */
async function setup(statuses: number[]) {
  const server = await sendGridServer(statuses);
  const dynamo = fakeDynamo();
  const sqs = fakeSqs();
  let clock = 1_800_000_000;
  const logs: Array<Record<string, unknown>> = [];
  const worker = createWorker({
    history: new HistoryStore(dynamo.client, 'mail-history', 400, 'sendgrid'),
    sender: new SendGridSender({ get: async () => 'SG.test-key' }, server.url),
    sqs: sqs.client,
    deadLetterQueueUrl: 'https://sqs/dlq',
    queueUrl: 'https://sqs/queue',
    leaseSeconds: 60,
    now: () => clock,
    log: (e) => logs.push(e),
  });
  return { server, dynamo, sqs, worker, logs, advance: (s: number) => (clock += s) };
}

describe('mail worker against SendGrid v3 on 127.0.0.1', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  afterEach(() => env.server.close());

  it('sends a valid message and records it, with the provider message id', async () => {
    env = await setup([202]);
    expect(await env.worker(batch(record(message('booking-1'), 'm1')))).toEqual({ batchItemFailures: [] });
    const [call] = env.server.calls;
    expect(call.authorization).toBe('Bearer SG.test-key');
    expect(call.body).toMatchObject({
      personalizations: [{ to: [{ email: 'Guest@Example.com', name: 'Hanako Yamada' }], custom_args: { idempotency_key: 'booking-1' } }],
      from: { email: 'noreply@example-hotel.jp', name: 'Example Hotel' },
      subject: 'Your booking is confirmed',
      content: [{ type: 'text/plain', value: 'See you on 3 December.' }],
      categories: ['booking-confirmation'],
    });
    expect(env.dynamo.get('booking-1')).toMatchObject({ status: 'sent', providerMessageId: 'sg-1', recipient: 'guest@example.com', category: 'booking-confirmation', provider: 'sendgrid', attempts: 1 });
    expect(env.dynamo.get('booking-1')!.leaseUntil).toBeUndefined();
    expect(env.dynamo.get('booking-1')!.expiresAt).toBe(1_800_000_000 + 400 * 86400);
  });

  it('does not send a redelivered message twice', async () => {
    env = await setup([202, 202]);
    await env.worker(batch(record(message('booking-2'), 'm1')));
    expect(await env.worker(batch(record(message('booking-2'), 'm1-again', 2)))).toEqual({ batchItemFailures: [] });
    expect(env.server.calls).toHaveLength(1);
    expect(env.logs.map((l) => l.msg)).toEqual(['sent', 'duplicate']);
  });

  it.each([429, 500])('leaves the message for retry with backoff on %i, then sends it', async (status) => {
    env = await setup([status, 202]);
    expect(await env.worker(batch(record(message('booking-3'), 'm1', 3)))).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(env.dynamo.get('booking-3')).toMatchObject({ status: 'retrying', attempts: 1 });
    expect(String(env.dynamo.get('booking-3')!.lastError)).toContain(`SendGrid ${status}`);
    expect(env.sqs.sent).toEqual([{ name: 'ChangeMessageVisibilityCommand', input: { QueueUrl: 'https://sqs/queue', ReceiptHandle: 'rh-m1', VisibilityTimeout: 120 } }]);
    // The next delivery takes the claim again and sends.
    expect(await env.worker(batch(record(message('booking-3'), 'm1', 4)))).toEqual({ batchItemFailures: [] });
    expect(env.dynamo.get('booking-3')).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it.each([400, 401])('records a permanent %i as failed and does not retry it', async (status) => {
    env = await setup([status]);
    expect(await env.worker(batch(record(message('booking-4'), 'm1')))).toEqual({ batchItemFailures: [] });
    expect(env.dynamo.get('booking-4')).toMatchObject({ status: 'failed' });
    expect(String(env.dynamo.get('booking-4')!.lastError)).toMatch(new RegExp(`^SendGrid ${status}: `));
    expect(env.sqs.sent).toEqual([]);
    // Delivered again (say, by a manual redrive): still not sent.
    await env.worker(batch(record(message('booking-4'), 'm2')));
    expect(env.server.calls).toHaveLength(1);
  });

  it('moves an invalid message to the dead-letter queue with the reasons, without retrying or sending', async () => {
    env = await setup([]);
    const bad = message('booking-5', { to: { email: 'not-an-address' }, subject: undefined, extra: 1 });
    expect(await env.worker(batch(record(bad, 'm1')))).toEqual({ batchItemFailures: [] });
    expect(env.server.calls).toEqual([]);
    expect(env.sqs.sent).toHaveLength(1);
    const [dlq] = env.sqs.sent;
    expect(dlq.name).toBe('SendMessageCommand');
    expect(dlq.input).toMatchObject({ QueueUrl: 'https://sqs/dlq', MessageBody: bad });
    expect((dlq.input.MessageAttributes as Record<string, { StringValue: string }>).reason.StringValue).toBe('extra: unknown field; to.email: expected an email address; subject: expected a single-line string (required without templateId)');
    expect(env.dynamo.get('booking-5')).toMatchObject({ status: 'invalid' });
  });

  it('answers a mixed batch with exactly the messages to retry', async () => {
    env = await setup([202, 500, 400]);
    const response = await env.worker(batch(record(message('a'), 'ok'), record(message('b'), 'transient'), record(message('c'), 'permanent'), record('{nope', 'invalid'), record(message('a'), 'duplicate')));
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'transient' }] });
    expect(env.logs.filter((l) => l.level === 'info').map((l) => `${l.messageId}:${l.msg}`)).toEqual(['ok:sent', 'permanent:failed', 'invalid:invalid', 'duplicate:duplicate']);
  });

  it('leaves a message another invocation is sending in flight, and takes it over when the lease lapses', async () => {
    env = await setup([202]);
    const history = new HistoryStore(env.dynamo.client, 'mail-history', 400, 'sendgrid');
    const parsed = validateMessage(message('booking-6'));
    if (!parsed.ok) throw new Error('fixture invalid');
    expect(await history.claim(parsed.message, 1_800_000_000, 60)).toBe('claimed'); // another worker, still sending
    expect(await env.worker(batch(record(message('booking-6'), 'm1', 2)))).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(env.server.calls).toHaveLength(0);
    env.advance(61); // that worker died: its lease lapses
    expect(await env.worker(batch(record(message('booking-6'), 'm1', 3)))).toEqual({ batchItemFailures: [] });
    expect(env.dynamo.get('booking-6')).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('retries when the history table itself fails', async () => {
    env = await setup([202]);
    (env.dynamo.client as unknown as { send: () => Promise<never> }).send = async () => {
      throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
    };
    expect(await env.worker(batch(record(message('booking-7'), 'm1')))).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(env.server.calls).toHaveLength(0);
  });
});

describe('retry backoff', () => {
  it('doubles from 30 s and stops at 15 minutes', () => {
    expect([1, 2, 3, 4, 6, 10].map(retryDelaySeconds)).toEqual([30, 60, 120, 240, 900, 900]);
  });
});
