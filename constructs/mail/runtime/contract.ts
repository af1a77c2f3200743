/**
 * The mail message contract: the one JSON document an app puts on the mail queue.
 * Published in constructs/mail/README.md; version 1.
 */

export interface Address {
  readonly email: string;
  /** @default - none */
  readonly name?: string;
}

export interface MailMessage {
  /** Contract version. Always 1. */
  readonly version: 1;
  /**
   * Unique per mail the app means to send once, e.g. `booking-8812-confirmation`: a
   * redelivered message with the same key is not sent again. 1-200 of A-Z a-z 0-9 . _ : -
   */
  readonly idempotencyKey: string;
  /** One recipient: transactional mail, looked up by recipient in the history. */
  readonly to: Address;
  readonly from: Address;
  /** @default - from */
  readonly replyTo?: Address;
  /** Required unless templateId is given. */
  readonly subject?: string;
  /** Plain-text body; with html or alone. */
  readonly text?: string;
  readonly html?: string;
  /** Provider template (SendGrid dynamic template id `d-...` or SES template name) instead of a body. */
  readonly templateId?: string;
  /** Data for the template. */
  readonly templateData?: Readonly<Record<string, unknown>>;
  /** What kind of mail this is, e.g. `booking-confirmation` (for reports and support). */
  readonly category: string;
}

export type Validation = { readonly ok: true; readonly message: MailMessage } | { readonly ok: false; readonly reasons: readonly string[]; readonly idempotencyKey?: string };

const EMAIL = /^[^\s@<>()",;]+@[^\s@<>()",;]+\.[^\s@<>()",;]+$/;
const KEY = /^[A-Za-z0-9._:-]{1,200}$/;
const CATEGORY = /^[a-z0-9][a-z0-9-]{0,63}$/;
const ALLOWED = new Set(['version', 'idempotencyKey', 'to', 'from', 'replyTo', 'subject', 'text', 'html', 'templateId', 'templateData', 'category']);
/** Bodies above this are refused: the queue holds 256 KiB per message anyway. */
const MAX_BODY = 200_000;

function address(value: unknown, field: string, reasons: string[]): Address | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    reasons.push(`${field}: expected { email, name? }`);
    return undefined;
  }
  const a = value as Record<string, unknown>;
  if (typeof a.email !== 'string' || !EMAIL.test(a.email)) reasons.push(`${field}.email: expected an email address`);
  if (a.name !== undefined && (typeof a.name !== 'string' || a.name.length > 200 || /[\r\n]/.test(a.name))) reasons.push(`${field}.name: expected a single-line string of at most 200 characters`);
  return { email: String(a.email), ...(typeof a.name === 'string' ? { name: a.name } : {}) };
}

/** Checks a message body against the contract; lists every reason it is refused. */
export function validateMessage(body: string): Validation {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return { ok: false, reasons: ['body: not JSON'] };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, reasons: ['body: expected a JSON object'] };
  const m = raw as Record<string, unknown>;
  const reasons: string[] = [];
  const key = typeof m.idempotencyKey === 'string' && KEY.test(m.idempotencyKey) ? m.idempotencyKey : undefined;
  for (const k of Object.keys(m)) if (!ALLOWED.has(k)) reasons.push(`${k}: unknown field`);
  if (m.version !== 1) reasons.push('version: expected 1');
  if (!key) reasons.push('idempotencyKey: expected 1-200 characters of A-Z a-z 0-9 . _ : -');
  const to = address(m.to, 'to', reasons);
  const from = address(m.from, 'from', reasons);
  const replyTo = m.replyTo === undefined ? undefined : address(m.replyTo, 'replyTo', reasons);
  if (typeof m.category !== 'string' || !CATEGORY.test(m.category)) reasons.push('category: expected a kebab-case name such as booking-confirmation');
  const hasBody = typeof m.text === 'string' || typeof m.html === 'string';
  const hasTemplate = typeof m.templateId === 'string' && m.templateId !== '';
  if (hasBody === hasTemplate) reasons.push('body: expected text and/or html, or templateId, and not both');
  if (!hasTemplate && (typeof m.subject !== 'string' || m.subject.trim() === '' || /[\r\n]/.test(m.subject))) reasons.push('subject: expected a single-line string (required without templateId)');
  if (m.templateData !== undefined && (typeof m.templateData !== 'object' || m.templateData === null || Array.isArray(m.templateData))) reasons.push('templateData: expected an object');
  for (const f of ['text', 'html'] as const) {
    if (m[f] !== undefined && typeof m[f] !== 'string') reasons.push(`${f}: expected a string`);
    if (typeof m[f] === 'string' && (m[f] as string).length > MAX_BODY) reasons.push(`${f}: longer than ${MAX_BODY} characters`);
  }
  if (reasons.length > 0) return { ok: false, reasons, idempotencyKey: key };
  return {
    ok: true,
    message: {
      version: 1,
      idempotencyKey: key!,
      to: to!,
      from: from!,
      ...(replyTo ? { replyTo } : {}),
      ...(typeof m.subject === 'string' ? { subject: m.subject } : {}),
      ...(typeof m.text === 'string' ? { text: m.text } : {}),
      ...(typeof m.html === 'string' ? { html: m.html } : {}),
      ...(hasTemplate ? { templateId: m.templateId as string } : {}),
      ...(m.templateData ? { templateData: m.templateData as Record<string, unknown> } : {}),
      category: m.category as string,
    },
  };
}
