/**
 * The mail history table: one item per idempotency key, so support can look up what was
 * sent to whom, and so a redelivered message is not sent twice.
 *
 * Item: idempotencyKey (hash key), recipient (lower-case; index "by-recipient" with
 * createdAt), category, subject, provider, status, providerMessageId, attempts,
 * leaseUntil, lastError, events (bounce, complaint, delivery...), expiresAt (TTL).
 */
import { AttributeValue, ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { MailMessage } from './contract';

export type Status = 'sending' | 'retrying' | 'sent' | 'failed' | 'invalid' | 'delivered' | 'deferred' | 'bounced' | 'complained' | 'dropped';

/** Statuses after which a message is never sent again. */
const FINAL: readonly Status[] = ['sent', 'failed', 'invalid', 'delivered', 'deferred', 'bounced', 'complained', 'dropped'];

export type Claim = 'claimed' | 'duplicate' | 'in-flight';

export interface MailEvent {
  readonly type: string;
  /** When it happened, epoch seconds. */
  readonly at: number;
  readonly detail?: string;
}

const s = (v: string): AttributeValue => ({ S: v });
const n = (v: number): AttributeValue => ({ N: String(v) });

export class HistoryStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    /** How long history is kept, days (the TTL). */
    private readonly retentionDays: number,
    private readonly provider: string,
  ) {}

  /**
   * Takes the right to send `message` now: the first delivery creates the item; a retry
   * after a transient failure, or after an attempt that died holding the lease, takes it
   * again. A message already sent (or refused for good) is a duplicate; one another
   * invocation is sending right now is in flight.
   */
  async claim(message: MailMessage, nowSeconds: number, leaseSeconds: number): Promise<Claim> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { idempotencyKey: s(message.idempotencyKey) },
          UpdateExpression:
            'SET #status = :sending, leaseUntil = :lease, recipient = :recipient, category = :category, subject = :subject, provider = :provider, ' +
            'createdAt = if_not_exists(createdAt, :now), updatedAt = :now, expiresAt = if_not_exists(expiresAt, :expires) ADD attempts :one',
          ConditionExpression: 'attribute_not_exists(idempotencyKey) OR #status = :retrying OR (#status = :sending AND leaseUntil < :nowSeconds)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':sending': s('sending'),
            ':retrying': s('retrying'),
            ':lease': n(nowSeconds + leaseSeconds),
            ':recipient': s(message.to.email.toLowerCase()),
            ':category': s(message.category),
            ':subject': s(message.subject ?? `(template ${message.templateId})`),
            ':provider': s(this.provider),
            ':now': s(new Date(nowSeconds * 1000).toISOString()),
            ':nowSeconds': n(nowSeconds),
            ':expires': n(nowSeconds + this.retentionDays * 86400),
            ':one': n(1),
          },
        }),
      );
      return 'claimed';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException) && (error as Error).name !== 'ConditionalCheckFailedException') throw error;
      const status = await this.status(message.idempotencyKey);
      return status !== undefined && FINAL.includes(status) ? 'duplicate' : 'in-flight';
    }
  }

  async status(key: string): Promise<Status | undefined> {
    const { Item } = await this.client.send(new GetItemCommand({ TableName: this.table, Key: { idempotencyKey: s(key) }, ConsistentRead: true, ProjectionExpression: '#status', ExpressionAttributeNames: { '#status': 'status' } }));
    return Item?.status?.S as Status | undefined;
  }

  markSent(key: string, providerMessageId: string, nowSeconds: number): Promise<unknown> {
    return this.set(key, nowSeconds, { status: 'sent', providerMessageId }, 'REMOVE leaseUntil');
  }

  markRetry(key: string, error: string, nowSeconds: number): Promise<unknown> {
    return this.set(key, nowSeconds, { status: 'retrying', lastError: error }, 'REMOVE leaseUntil');
  }

  markFailed(key: string, error: string, nowSeconds: number): Promise<unknown> {
    return this.set(key, nowSeconds, { status: 'failed', lastError: error }, 'REMOVE leaseUntil');
  }

  /** Records a message the contract refused (only possible when it had a usable key). */
  async recordInvalid(key: string, reasons: readonly string[], nowSeconds: number): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: { idempotencyKey: s(key) },
        UpdateExpression: 'SET #status = :invalid, lastError = :reasons, provider = :provider, createdAt = if_not_exists(createdAt, :now), updatedAt = :now, expiresAt = if_not_exists(expiresAt, :expires)',
        // Never overwrite the record of a real mail with the same key.
        ConditionExpression: 'attribute_not_exists(idempotencyKey) OR #status = :invalid',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':invalid': s('invalid'),
          ':reasons': s(reasons.join('; ')),
          ':provider': s(this.provider),
          ':now': s(new Date(nowSeconds * 1000).toISOString()),
          ':expires': n(nowSeconds + this.retentionDays * 86400),
        },
      }),
    ).catch((error: Error) => {
      if (error.name !== 'ConditionalCheckFailedException') throw error;
    });
  }

  /**
   * Adds a provider event (delivery, bounce, complaint...) to the message's record and
   * sets its status. Events for keys the table does not know are ignored.
   */
  async applyEvent(key: string, status: Status | undefined, event: MailEvent): Promise<boolean> {
    const entry: AttributeValue = { M: { type: s(event.type), at: n(event.at), ...(event.detail ? { detail: s(event.detail.slice(0, 500)) } : {}) } };
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { idempotencyKey: s(key) },
          UpdateExpression: `SET events = list_append(if_not_exists(events, :empty), :event), updatedAt = :now${status ? ', #status = :status' : ''}`,
          ConditionExpression: 'attribute_exists(idempotencyKey)',
          ...(status ? { ExpressionAttributeNames: { '#status': 'status' } } : {}),
          ExpressionAttributeValues: {
            ':empty': { L: [] },
            ':event': { L: [entry] },
            ':now': s(new Date(event.at * 1000).toISOString()),
            ...(status ? { ':status': s(status) } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  private async set(key: string, nowSeconds: number, fields: Record<string, string>, extra = ''): Promise<unknown> {
    const names: Record<string, string> = {};
    const values: Record<string, AttributeValue> = { ':now': s(new Date(nowSeconds * 1000).toISOString()) };
    const sets = ['updatedAt = :now'];
    for (const [k, v] of Object.entries(fields)) {
      names[`#${k}`] = k;
      values[`:${k}`] = s(v);
      sets.push(`#${k} = :${k}`);
    }
    return this.client.send(
      new UpdateItemCommand({ TableName: this.table, Key: { idempotencyKey: s(key) }, UpdateExpression: `SET ${sets.join(', ')} ${extra}`.trim(), ExpressionAttributeNames: names, ExpressionAttributeValues: values }),
    );
  }
}
