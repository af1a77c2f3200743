/**
 * Senders: SendGrid's v3 mail send API and SES v2, behind one result type so the worker
 * treats both alike: sent (with the provider's message id), retry later, or never.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { Address, MailMessage } from './contract';

export type SendResult =
  | { readonly kind: 'sent'; readonly providerMessageId: string }
  | { readonly kind: 'retry'; readonly error: string }
  | { readonly kind: 'permanent'; readonly error: string };

export interface Sender {
  readonly provider: 'sendgrid' | 'ses';
  send(message: MailMessage): Promise<SendResult>;
}

/** The SendGrid API key, read from Secrets Manager once per container and kept in memory. */
export class SecretKey {
  private value?: Promise<string>;
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretArn: string,
  ) {}

  get(): Promise<string> {
    this.value ??= this.client.send(new GetSecretValueCommand({ SecretId: this.secretArn })).then((r) => {
      if (!r.SecretString) throw new Error(`secret ${this.secretArn} has no string value: set it (outside Terraform) to the SendGrid API key`);
      return r.SecretString.trim();
    });
    this.value.catch(() => (this.value = undefined)); // a failed read is tried again next time
    return this.value;
  }
}

const sgAddress = (a: Address) => (a.name ? { email: a.email, name: a.name } : { email: a.email });

/** SendGrid v3 `POST /v3/mail/send`. */
export class SendGridSender implements Sender {
  readonly provider = 'sendgrid' as const;

  constructor(
    private readonly key: { get(): Promise<string> },
    /** @default 'https://api.sendgrid.com' (tests point it at a local server) */
    private readonly baseUrl = 'https://api.sendgrid.com',
    private readonly timeoutMs = 10_000,
  ) {}

  async send(m: MailMessage): Promise<SendResult> {
    const body = {
      personalizations: [
        {
          to: [sgAddress(m.to)],
          // Comes back on every event webhook call: how events find the history record.
          custom_args: { idempotency_key: m.idempotencyKey },
          ...(m.templateData ? { dynamic_template_data: m.templateData } : {}),
        },
      ],
      from: sgAddress(m.from),
      ...(m.replyTo ? { reply_to: sgAddress(m.replyTo) } : {}),
      ...(m.subject ? { subject: m.subject } : {}),
      ...(m.templateId
        ? { template_id: m.templateId }
        : { content: [...(m.text ? [{ type: 'text/plain', value: m.text }] : []), ...(m.html ? [{ type: 'text/html', value: m.html }] : [])] }),
      categories: [m.category],
    };
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/v3/mail/send`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await this.key.get()}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      return { kind: 'retry', error: `SendGrid unreachable: ${(error as Error).message}` };
    }
    if (response.status === 202) {
      return { kind: 'sent', providerMessageId: response.headers.get('x-message-id') ?? '(none returned)' };
    }
    const detail = await errorDetail(response);
    if (response.status === 429 || response.status >= 500) return { kind: 'retry', error: `SendGrid ${response.status}: ${detail}` };
    return { kind: 'permanent', error: `SendGrid ${response.status}: ${detail}` };
  }
}

/** The first error message SendGrid gives (never the request, which holds the address). */
async function errorDetail(response: Response): Promise<string> {
  try {
    const json = (await response.json()) as { errors?: Array<{ message?: string; field?: string }> };
    const first = json.errors?.[0];
    return first ? `${first.message ?? 'error'}${first.field ? ` (${first.field})` : ''}` : response.statusText;
  } catch {
    return response.statusText;
  }
}

/** RFC 5322 mailbox, with an encoded-word for a non-ASCII display name (SES needs it). */
export function mailbox(a: Address): string {
  if (!a.name) return a.email;
  const name = /^[\x20-\x7e]*$/.test(a.name) ? `"${a.name.replace(/(["\\])/g, '\\$1')}"` : `=?UTF-8?B?${Buffer.from(a.name, 'utf8').toString('base64')}?=`;
  return `${name} <${a.email}>`;
}

/** SES tag values allow only A-Z a-z 0-9 _ - (and a length of 256). */
const tagValue = (v: string) => v.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256);

const SES_RETRYABLE = new Set(['TooManyRequestsException', 'LimitExceededException', 'ThrottlingException', 'SendingPausedException', 'InternalFailure', 'ServiceUnavailable']);

/** SES v2 `SendEmail` through the path's configuration set (TLS required, events, suppression). */
export class SesSender implements Sender {
  readonly provider = 'ses' as const;

  constructor(
    private readonly client: SESv2Client,
    private readonly configurationSet: string,
  ) {}

  async send(m: MailMessage): Promise<SendResult> {
    try {
      const result = await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: mailbox(m.from),
          Destination: { ToAddresses: [mailbox(m.to)] },
          ...(m.replyTo ? { ReplyToAddresses: [mailbox(m.replyTo)] } : {}),
          ConfigurationSetName: this.configurationSet,
          // Come back on SES events: how bounces find the history record.
          EmailTags: [
            { Name: 'idempotency_key', Value: tagValue(m.idempotencyKey) },
            { Name: 'category', Value: tagValue(m.category) },
          ],
          Content: m.templateId
            ? { Template: { TemplateName: m.templateId, TemplateData: JSON.stringify(m.templateData ?? {}) } }
            : {
                Simple: {
                  Subject: { Data: m.subject!, Charset: 'UTF-8' },
                  Body: { ...(m.text ? { Text: { Data: m.text, Charset: 'UTF-8' } } : {}), ...(m.html ? { Html: { Data: m.html, Charset: 'UTF-8' } } : {}) },
                },
              },
        }),
      );
      return { kind: 'sent', providerMessageId: result.MessageId ?? '(none returned)' };
    } catch (error) {
      const e = error as Error & { $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
      const status = e.$metadata?.httpStatusCode ?? 0;
      const text = `SES ${e.name}${status ? ` (${status})` : ''}: ${e.message}`;
      return SES_RETRYABLE.has(e.name) || status >= 500 || status === 429 || e.$retryable ? { kind: 'retry', error: text } : { kind: 'permanent', error: text };
    }
  }
}
