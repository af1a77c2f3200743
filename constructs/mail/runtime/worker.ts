/**
 * The mail worker: a Lambda function fed by the mail queue (SQS event source with partial
 * batch responses).
 *
 * For each message: check it against the contract (invalid: to the dead-letter queue
 * with the reasons, never retried); claim its idempotency key in the history table
 * (already sent: skip); send through SendGrid or SES; record the result. A transient
 * failure (429, 5xx, network) leaves the message on the queue with a growing delay; a
 * permanent one (other 4xx) is recorded and not retried.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { ChangeMessageVisibilityCommand, SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { validateMessage } from './contract';
import { HistoryStore } from './history';
import { SecretKey, SendGridSender, Sender, SesSender } from './senders';

export interface WorkerDeps {
  readonly history: HistoryStore;
  readonly sender: Sender;
  readonly sqs: SQSClient;
  /** Where refused messages go, with their reasons. */
  readonly deadLetterQueueUrl: string;
  /** The mail queue (for the retry delay). */
  readonly queueUrl: string;
  /** How long a claim holds before another attempt may take over, seconds. */
  readonly leaseSeconds: number;
  readonly now?: () => number;
  readonly log?: (entry: Record<string, unknown>) => void;
}

/** Retry delay after the n-th failed receive: 30 s, 60 s, 120 s... capped at 15 minutes. */
export const retryDelaySeconds = (receiveCount: number) => Math.min(900, 30 * 2 ** Math.max(0, receiveCount - 1));

type Outcome = 'sent' | 'duplicate' | 'invalid' | 'failed' | 'retry' | 'in-flight';

export function createWorker(deps: WorkerDeps): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const now = deps.now ?? (() => Math.floor(Date.now() / 1000));
  const log = deps.log ?? ((entry) => console.log(JSON.stringify(entry)));

  async function process(record: SQSRecord): Promise<Outcome> {
    const checked = validateMessage(record.body);
    if (!checked.ok) {
      await deps.sqs.send(
        new SendMessageCommand({
          QueueUrl: deps.deadLetterQueueUrl,
          MessageBody: record.body,
          MessageAttributes: { reason: { DataType: 'String', StringValue: checked.reasons.join('; ').slice(0, 1000) }, sourceMessageId: { DataType: 'String', StringValue: record.messageId } },
        }),
      );
      if (checked.idempotencyKey) await deps.history.recordInvalid(checked.idempotencyKey, checked.reasons, now());
      log({ level: 'warn', msg: 'invalid message moved to the dead-letter queue', messageId: record.messageId, idempotencyKey: checked.idempotencyKey, reasons: checked.reasons });
      return 'invalid';
    }
    const message = checked.message;
    const claim = await deps.history.claim(message, now(), deps.leaseSeconds);
    if (claim === 'duplicate') return 'duplicate';
    if (claim === 'in-flight') return 'in-flight';

    const result = await deps.sender.send(message);
    if (result.kind === 'sent') {
      await deps.history.markSent(message.idempotencyKey, result.providerMessageId, now());
      return 'sent';
    }
    if (result.kind === 'permanent') {
      await deps.history.markFailed(message.idempotencyKey, result.error, now());
      log({ level: 'error', msg: 'mail refused by the provider; not retried', idempotencyKey: message.idempotencyKey, error: result.error });
      return 'failed';
    }
    await deps.history.markRetry(message.idempotencyKey, result.error, now());
    const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? '1');
    await deps.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: deps.queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: retryDelaySeconds(receiveCount) }));
    log({ level: 'warn', msg: 'transient failure; will retry', idempotencyKey: message.idempotencyKey, error: result.error, receiveCount });
    return 'retry';
  }

  return async (event) => {
    const failures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      let outcome: Outcome;
      try {
        outcome = await process(record);
      } catch (error) {
        log({ level: 'error', msg: 'unexpected error; will retry', messageId: record.messageId, error: (error as Error).message });
        outcome = 'retry';
      }
      if (outcome === 'retry' || outcome === 'in-flight') failures.push({ itemIdentifier: record.messageId });
      else log({ level: 'info', msg: outcome, messageId: record.messageId });
    }
    return { batchItemFailures: failures };
  };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

let cached: ((event: SQSEvent) => Promise<SQSBatchResponse>) | undefined;

/** The Lambda entry point; configuration comes from the environment the construct sets. */
export const handler = (event: SQSEvent): Promise<SQSBatchResponse> => {
  cached ??= createWorker({
    history: new HistoryStore(new DynamoDBClient({}), required('HISTORY_TABLE'), Number(required('RETENTION_DAYS')), required('PROVIDER')),
    sender:
      required('PROVIDER') === 'sendgrid'
        ? new SendGridSender(new SecretKey(new SecretsManagerClient({}), required('SENDGRID_SECRET_ARN')), process.env.SENDGRID_API_URL)
        : new SesSender(new SESv2Client({}), required('SES_CONFIGURATION_SET')),
    sqs: new SQSClient({}),
    deadLetterQueueUrl: required('DEAD_LETTER_QUEUE_URL'),
    queueUrl: required('QUEUE_URL'),
    leaseSeconds: Number(required('LEASE_SECONDS')),
  });
  return cached(event);
};
