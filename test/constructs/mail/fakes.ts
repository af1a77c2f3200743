/**
 * Test doubles for the mail runtime: real AWS SDK clients whose `send` is replaced, and a
 * SendGrid v3 server on 127.0.0.1.
 */
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { AttributeValue, ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';

type Item = Record<string, AttributeValue>;

/**
 * An in-memory table behind a real DynamoDBClient: it evaluates the update and condition
 * expressions the history store uses (SET with if_not_exists and list_append, ADD, REMOVE;
 * the claim, invalid and exists conditions).
 */
export function fakeDynamo() {
  const items = new Map<string, Item>();
  const client = new DynamoDBClient({ region: 'ap-northeast-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const value = (v: string, values: Record<string, AttributeValue>) => values[v.trim()];
  const send = async (command: unknown) => {
    if (command instanceof GetItemCommand) return { Item: items.get(command.input.Key!.idempotencyKey.S!) };
    if (!(command instanceof UpdateItemCommand)) throw new Error(`unexpected command ${(command as object).constructor.name}`);
    const input = command.input;
    const key = input.Key!.idempotencyKey.S!;
    const values = input.ExpressionAttributeValues ?? {};
    const names = input.ExpressionAttributeNames ?? {};
    const current = items.get(key);
    const status = current?.status?.S;
    const condition = input.ConditionExpression ?? '';
    const allowed =
      condition === '' ||
      (condition.startsWith('attribute_not_exists(idempotencyKey) OR #status = :retrying')
        ? !current || status === 'retrying' || (status === 'sending' && Number(current.leaseUntil?.N) < Number(values[':nowSeconds'].N))
        : condition === 'attribute_not_exists(idempotencyKey) OR #status = :invalid'
          ? !current || status === 'invalid'
          : condition === 'attribute_exists(idempotencyKey)'
            ? !!current
            : (() => { throw new Error(`unknown condition ${condition}`); })());
    if (!allowed) throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    const item: Item = { ...(current ?? { idempotencyKey: { S: key } }) };
    const expr = input.UpdateExpression!;
    const [, setPart = '', addPart = ''] = /^SET (.*?)(?: ADD (.*?))?(?: REMOVE .*)?$/.exec(expr)!;
    for (const assignment of setPart.split(/,(?![^(]*\))/)) {
      const [lhs, rhs] = assignment.split('=').map((x) => x.trim());
      const attr = names[lhs] ?? lhs;
      let m: RegExpExecArray | null;
      if ((m = /^if_not_exists\((\w+), (:\w+)\)$/.exec(rhs))) item[attr] = item[m[1]] ?? value(m[2], values);
      else if ((m = /^list_append\(if_not_exists\((\w+), (:\w+)\), (:\w+)\)$/.exec(rhs))) item[attr] = { L: [...(item[m[1]]?.L ?? value(m[2], values).L!), ...value(m[3], values).L!] };
      else item[attr] = value(rhs, values);
    }
    if (addPart) {
      const [attr, v] = addPart.trim().split(' ');
      item[attr] = { N: String(Number(item[attr]?.N ?? 0) + Number(value(v, values).N)) };
    }
    for (const removed of / REMOVE (.*)$/.exec(expr)?.[1].split(',').map((x) => x.trim()) ?? []) delete item[removed];
    items.set(key, item);
    return {};
  };
  (client as unknown as { send: typeof send }).send = send;
  const get = (key: string) => {
    const item = items.get(key);
    return item && Object.fromEntries(Object.entries(item).map(([k, v]) => [k, v.S ?? (v.N !== undefined ? Number(v.N) : v.L?.map((e) => Object.fromEntries(Object.entries(e.M!).map(([a, b]) => [a, b.S ?? Number(b.N)]))))]));
  };
  return { client, items, get };
}

/** A real SQSClient that records what it would send. */
export function fakeSqs() {
  const sent: Array<{ name: string; input: Record<string, unknown> }> = [];
  const client = new SQSClient({ region: 'ap-northeast-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  (client as unknown as { send: (c: { constructor: { name: string }; input: Record<string, unknown> }) => Promise<unknown> }).send = async (c) => {
    sent.push({ name: c.constructor.name, input: c.input });
    return {};
  };
  return { client, sent };
}

export interface SendGridCall {
  readonly authorization?: string;
  readonly body: Record<string, unknown>;
}

/**
 * A SendGrid v3 mail send endpoint on 127.0.0.1: answers each request with the next
 * status from `statuses` (202 gives an X-Message-Id), and records every request.
 */
export async function sendGridServer(statuses: number[]): Promise<{ url: string; calls: SendGridCall[]; close: () => Promise<void> }> {
  const calls: SendGridCall[] = [];
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    calls.push({ authorization: req.headers.authorization, body: JSON.parse(raw) });
    const status = statuses.shift() ?? 500;
    if (req.method !== 'POST' || req.url !== '/v3/mail/send') {
      res.writeHead(404).end();
      return;
    }
    if (status === 202) {
      res.writeHead(202, { 'x-message-id': `sg-${calls.length}` }).end();
      return;
    }
    const message = { 400: 'The from address does not match a verified Sender Identity.', 401: 'The provided authorization grant is invalid, expired, or revoked', 429: 'too many requests', 500: 'internal error' }[status] ?? 'error';
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message, field: status === 400 ? 'from' : null }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, calls, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
