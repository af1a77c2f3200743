import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { validateMessage } from '../../../constructs/mail/runtime/contract';
import { SecretKey, SesSender, mailbox } from '../../../constructs/mail/runtime/senders';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

const valid = { version: 1, idempotencyKey: 'k-1', to: { email: 'a@example.com' }, from: { email: 'b@example.jp', name: 'Example' }, subject: 'Hi', text: 'Body', category: 'notice' };
const reasonsOf = (m: unknown) => {
  const r = validateMessage(JSON.stringify(m));
  return r.ok ? [] : r.reasons;
};

describe('message contract', () => {
  it('accepts a message with a body, and one with a template', () => {
    expect(validateMessage(JSON.stringify(valid))).toMatchObject({ ok: true, message: { idempotencyKey: 'k-1', to: { email: 'a@example.com' } } });
    const { subject: _s, text: _t, ...rest } = valid;
    expect(validateMessage(JSON.stringify({ ...rest, templateId: 'd-123', templateData: { name: 'Hanako' } })).ok).toBe(true);
  });

  it('lists every reason a message is refused', () => {
    expect(reasonsOf({ ...valid, version: 2, idempotencyKey: 'has space', category: 'Booking Confirmation', text: undefined })).toEqual([
      'version: expected 1',
      'idempotencyKey: expected 1-200 characters of A-Z a-z 0-9 . _ : -',
      'category: expected a kebab-case name such as booking-confirmation',
      'body: expected text and/or html, or templateId, and not both',
    ]);
  });

  it('refuses both a body and a template, a header injection in the subject, and non-JSON', () => {
    expect(reasonsOf({ ...valid, templateId: 'd-1' })).toEqual(['body: expected text and/or html, or templateId, and not both']);
    expect(reasonsOf({ ...valid, subject: 'Hi\r\nBcc: x@evil.example' })).toEqual(['subject: expected a single-line string (required without templateId)']);
    expect(validateMessage('{')).toEqual({ ok: false, reasons: ['body: not JSON'] });
  });

  it('keeps the idempotency key of a refused message when it is usable', () => {
    expect(validateMessage(JSON.stringify({ ...valid, to: {} }))).toMatchObject({ ok: false, idempotencyKey: 'k-1' });
  });
});

function sesClient(behaviour: (c: SendEmailCommand) => unknown) {
  const client = new SESv2Client({ region: 'ap-northeast-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } });
  const calls: SendEmailCommand[] = [];
  (client as unknown as { send: (c: SendEmailCommand) => Promise<unknown> }).send = async (c) => {
    calls.push(c);
    return behaviour(c);
  };
  return { client, calls };
}
const message = () => {
  const r = validateMessage(JSON.stringify({ ...valid, to: { email: 'a@example.com', name: '山田 花子' }, idempotencyKey: 'booking:12.confirm' }));
  if (!r.ok) throw new Error('fixture');
  return r.message;
};
const awsError = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

describe('SES sender', () => {
  it('sends through the configuration set, tagging the idempotency key for events', async () => {
    const { client, calls } = sesClient(() => ({ MessageId: 'ses-1' }));
    expect(await new SesSender(client, 'internal-mail').send(message())).toEqual({ kind: 'sent', providerMessageId: 'ses-1' });
    expect(calls[0].input).toMatchObject({
      ConfigurationSetName: 'internal-mail',
      FromEmailAddress: '"Example" <b@example.jp>',
      Destination: { ToAddresses: ['=?UTF-8?B?5bGx55SwIOiKseWtkA==?= <a@example.com>'] },
      EmailTags: [{ Name: 'idempotency_key', Value: 'booking_12_confirm' }, { Name: 'category', Value: 'notice' }],
      Content: { Simple: { Subject: { Data: 'Hi', Charset: 'UTF-8' }, Body: { Text: { Data: 'Body', Charset: 'UTF-8' } } } },
    });
  });

  it('retries throttling and server errors, and gives up on rejections', async () => {
    const sender = (e: Error) => new SesSender(sesClient(() => { throw e; }).client, 'c');
    expect((await sender(awsError('TooManyRequestsException', 429)).send(message())).kind).toBe('retry');
    expect((await sender(awsError('InternalFailure', 500)).send(message())).kind).toBe('retry');
    const rejected = await sender(awsError('MessageRejected', 400)).send(message());
    expect(rejected).toEqual({ kind: 'permanent', error: 'SES MessageRejected (400): MessageRejected' });
  });

  it('quotes ASCII display names and leaves bare addresses alone', () => {
    expect(mailbox({ email: 'a@b.jp', name: 'A "B"' })).toBe('"A \\"B\\"" <a@b.jp>');
    expect(mailbox({ email: 'a@b.jp' })).toBe('a@b.jp');
  });
});

describe('SendGrid key', () => {
  it('reads the secret once, and again after a failure', async () => {
    const client = new SecretsManagerClient({ region: 'ap-northeast-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } });
    const answers = [new Error('AccessDenied'), { SecretString: 'SG.key\n' }];
    let reads = 0;
    (client as unknown as { send: (c: GetSecretValueCommand) => Promise<unknown> }).send = async () => {
      reads++;
      const a = answers.shift();
      if (a instanceof Error) throw a;
      return a;
    };
    const key = new SecretKey(client, 'arn:secret');
    await expect(key.get()).rejects.toThrow('AccessDenied');
    expect(await key.get()).toBe('SG.key');
    expect(await key.get()).toBe('SG.key');
    expect(reads).toBe(2);
  });
});
