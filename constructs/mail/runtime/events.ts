/**
 * Provider events back into the history: SendGrid's Event Webhook (a Lambda function URL,
 * every request signed with ECDSA) and SES events (SNS, then the events queue).
 */
import { createPublicKey, verify } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LambdaFunctionURLEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { HistoryStore, Status } from './history';

/** SendGrid signs `timestamp + body`; older timestamps than this are replays. */
export const MAX_SIGNATURE_AGE_SECONDS = 300;

/**
 * Verifies a SendGrid Event Webhook signature: ECDSA (P-256, SHA-256) over the timestamp
 * header followed by the raw body, with the public key from SendGrid's settings (base64
 * DER, as SendGrid shows it).
 */
export function verifySendGridSignature(publicKeyBase64: string, signatureBase64: string | undefined, timestamp: string | undefined, body: string, nowSeconds: number): boolean {
  if (!signatureBase64 || !timestamp || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > MAX_SIGNATURE_AGE_SECONDS) return false;
  try {
    const key = createPublicKey({ key: Buffer.from(publicKeyBase64, 'base64'), format: 'der', type: 'spki' });
    return verify('sha256', Buffer.from(timestamp + body, 'utf8'), { key, dsaEncoding: 'der' }, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}

/** What each SendGrid event means for the record; undefined keeps the status. */
const SENDGRID_STATUS: Record<string, Status | undefined> = {
  delivered: 'delivered',
  bounce: 'bounced',
  dropped: 'dropped',
  spamreport: 'complained',
  deferred: 'deferred',
};

interface SendGridEvent {
  event?: string;
  timestamp?: number;
  idempotency_key?: string;
  reason?: string;
  type?: string;
  sg_message_id?: string;
}

export function createSendGridWebhook(history: HistoryStore, publicKey: string, now: () => number = () => Math.floor(Date.now() / 1000)) {
  return async (request: LambdaFunctionURLEvent): Promise<{ statusCode: number; body?: string }> => {
    const body = request.isBase64Encoded ? Buffer.from(request.body ?? '', 'base64').toString('utf8') : (request.body ?? '');
    const headers = Object.fromEntries(Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    if (!verifySendGridSignature(publicKey, headers['x-twilio-email-event-webhook-signature'], headers['x-twilio-email-event-webhook-timestamp'], body, now())) {
      return { statusCode: 401, body: 'bad signature' };
    }
    let events: SendGridEvent[];
    try {
      events = JSON.parse(body);
      if (!Array.isArray(events)) throw new Error('not an array');
    } catch {
      return { statusCode: 400, body: 'expected a JSON array of events' };
    }
    for (const e of events) {
      if (!e.idempotency_key || !e.event) continue; // not one of ours (no custom arg)
      await history.applyEvent(e.idempotency_key, SENDGRID_STATUS[e.event], {
        type: e.event,
        at: e.timestamp ?? now(),
        detail: [e.type, e.reason, e.sg_message_id].filter(Boolean).join(' '),
      });
    }
    return { statusCode: 204 };
  };
}

/** What each SES event means for the record. */
function sesStatus(event: SesEvent): Status | undefined {
  switch (event.eventType) {
    case 'Delivery':
      return 'delivered';
    case 'Bounce':
      return event.bounce?.bounceType === 'Transient' ? 'deferred' : 'bounced';
    case 'Complaint':
      return 'complained';
    case 'Reject':
      return 'failed';
    default:
      return undefined;
  }
}

interface SesEvent {
  eventType?: string;
  mail?: { messageId?: string; timestamp?: string; tags?: Record<string, string[]> };
  bounce?: { bounceType?: string; bounceSubType?: string };
  complaint?: { complaintFeedbackType?: string };
}

/** SES events, as SNS notifications delivered to the events queue. */
export function createSesEventsHandler(history: HistoryStore, now: () => number = () => Math.floor(Date.now() / 1000)) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      try {
        const notification = JSON.parse(record.body) as { Message?: string };
        const ses = JSON.parse(notification.Message ?? record.body) as SesEvent;
        const key = ses.mail?.tags?.idempotency_key?.[0];
        if (!key || !ses.eventType) continue;
        await history.applyEvent(key, sesStatus(ses), {
          type: ses.eventType.toLowerCase(),
          at: ses.mail?.timestamp ? Math.floor(Date.parse(ses.mail.timestamp) / 1000) : now(),
          detail: [ses.bounce?.bounceType, ses.bounce?.bounceSubType, ses.complaint?.complaintFeedbackType, ses.mail?.messageId].filter(Boolean).join(' '),
        });
      } catch (error) {
        if (error instanceof SyntaxError) continue; // not an SES event: nothing to record, nothing to retry
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures: failures };
  };
}

const env = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`environment variable ${name} is not set`);
  return v;
};
const store = () => new HistoryStore(new DynamoDBClient({}), env('HISTORY_TABLE'), Number(env('RETENTION_DAYS')), env('PROVIDER'));

let webhook: ReturnType<typeof createSendGridWebhook> | undefined;
let sesEvents: ReturnType<typeof createSesEventsHandler> | undefined;

/** Lambda entry point of the SendGrid Event Webhook receiver. */
export const sendGridWebhookHandler = (request: LambdaFunctionURLEvent) => (webhook ??= createSendGridWebhook(store(), env('SENDGRID_WEBHOOK_PUBLIC_KEY')))(request);

/** Lambda entry point of the SES events consumer. */
export const sesEventsHandler = (event: SQSEvent) => (sesEvents ??= createSesEventsHandler(store()))(event);
