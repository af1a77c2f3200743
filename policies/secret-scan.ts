import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { UserError } from '../constructs/core/validation';

/** A secret-looking value in synthesized JSON. The value itself is never kept or printed. */
export interface SecretFinding {
  readonly file: string;
  /** JSON path of the value, e.g. `resource.aws_db_instance.x.password`. */
  readonly path: string;
  readonly kind: string;
  /**
   * The account config field the value came from, e.g.
   * `production: apps[0].environments[1].environmentVariables.LEGACY_ID`, when it is found there.
   */
  readonly field?: string;
}

/** Values that are secrets whatever attribute holds them. */
const VALUE_PATTERNS: ReadonlyArray<[kind: string, pattern: RegExp]> = [
  ['AWS access key id', /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
  // A secret access key is 40 base64 characters; alone it looks like any hash, so it is
  // recognized next to its usual names (env files, credentials files, SDK settings).
  ['AWS secret access key', /(aws_?secret_?access_?key|secret_?access_?key|SecretAccessKey)["'\s]*[:=]\s*["']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/i],
  ['private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  // Any "SG." token: a short or placeholder-looking SendGrid key is still a key in the wrong
  // place (and real keys are SG.<22>.<43>).
  ['SendGrid API key', /\bSG\.[\w-]{3,}/],
  ['Slack token', /\bxox[abprs]-[\w-]{10,}/],
  ['Slack webhook URL', /hooks\.slack\.com\/services\/T\w+\/B\w+\/\w+/],
  ['GitHub token', /\bgh[pousr]_[A-Za-z0-9]{36}\b/],
  ['Datadog API or application key', /\b(?:dd|datadog)[_-]?(?:api|app)[_-]?key\W+[0-9a-f]{32,40}\b/i],
];

/** `scheme://user:password@host`: a password inside a URL (a reference in its place is fine). */
const URL_CREDENTIALS = /\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:([^\s@/]+)@/gi;

/** Whether `value` looks like a credential (an access key, a private key, a token...). */
export function looksLikeSecret(value: string): boolean {
  return VALUE_PATTERNS.some(([, pattern]) => pattern.test(value));
}

/** Attribute names that must hold a reference (`${var.x}`, `${aws_...}`), never a literal. */
const SECRET_ATTRIBUTE = /(^|_)(password|passwd|secret|secret_key|access_key|api_key|app_key|token|private_key|client_key|auth_token|webhook_url)$/i;

/**
 * Environment variable names that say they hold a secret (Lambda `environment.variables`,
 * Beanstalk `aws:elasticbeanstalk:application:environment` settings). A public key is not one.
 */
const SECRET_VARIABLE = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CONNECTION_?STRING|CREDENTIAL)/i;
const PUBLIC_VARIABLE = /PUBLIC_?KEY/i;
/** Values that point at a secret rather than being one. */
const SECRET_REFERENCE = /^arn:aws[\w-]*:(secretsmanager|ssm|kms):/;

/** A string that is only Terraform references and no literal characters. */
const onlyReferences = (s: string) => s.replace(/\$\{[^}]*\}/g, '').trim() === '';

/** The kinds of secret `value` looks like, whatever holds it. */
function valueKinds(value: string): string[] {
  const kinds = VALUE_PATTERNS.filter(([, pattern]) => pattern.test(value)).map(([kind]) => kind);
  for (const m of value.matchAll(URL_CREDENTIALS)) if (!onlyReferences(m[1])) kinds.push('password in a URL');
  return [...new Set(kinds)];
}

/** A secret-named environment variable holding a literal. */
function secretVariable(name: string, value: string): boolean {
  return SECRET_VARIABLE.test(name) && !PUBLIC_VARIABLE.test(name) && value.trim() !== '' && !onlyReferences(value) && !SECRET_REFERENCE.test(value);
}

/** Where in an account config a string value came from. */
function configFieldOf(value: string, config: unknown): string | undefined {
  const found: string[] = [];
  const walk = (v: unknown, path: string) => {
    if (typeof v === 'string') {
      // The same string, or a secret-looking part of the value (user_data, a URL, ...).
      if (v === value || (v.length >= 8 && value.includes(v) && (valueKinds(v).length > 0 || v.length >= 16))) found.push(path);
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, path === '' ? k : `${path}.${k}`);
  };
  walk(config, '');
  return found.length > 0 ? found.join(', ') : undefined;
}

/**
 * Finds secret-looking values in one parsed JSON document. With `config` (the account
 * config the document was synthesized from), each finding names the config field the
 * value came from, when it is found there.
 */
export function scanJson(json: unknown, file: string, config?: { readonly name: string }): SecretFinding[] {
  const findings: SecretFinding[] = [];
  const add = (path: string[], kind: string, value: string) => {
    const field = config ? configFieldOf(value, config) : undefined;
    findings.push({ file, path: path.join('.'), kind, ...(field ? { field: `${config!.name}: ${field}` } : {}) });
  };
  const walk = (value: unknown, path: string[]) => {
    if (typeof value === 'string') {
      const key = path[path.length - 1] ?? '';
      for (const kind of valueKinds(value)) add(path, kind, value);
      // Lambda environment (environment.variables.<NAME>) first: its finding says more.
      if (path[path.length - 2] === 'variables' && secretVariable(key, value)) add(path, `literal value in secret-named variable "${key}"`, value);
      else if (SECRET_ATTRIBUTE.test(key) && value !== '' && !onlyReferences(value)) add(path, `literal value in "${key}"`, value);
      // A variable named like a secret must not carry a default: the value comes from the environment.
      if (path[0] === 'variable' && key === 'default' && SECRET_ATTRIBUTE.test(path[1] ?? '')) add(path, 'default value of a secret variable', value);
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, [...path, String(i)]));
    } else if (value !== null && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      // Beanstalk option setting: { namespace, name, value }; environment properties are plain text.
      if (o.namespace === 'aws:elasticbeanstalk:application:environment' && typeof o.name === 'string' && typeof o.value === 'string' && secretVariable(o.name, o.value)) {
        add([...path, 'value'], `literal value in secret-named variable "${o.name}"`, o.value);
      }
      for (const [k, v] of Object.entries(o)) walk(v, [...path, k]);
    }
  };
  walk(json, []);
  return findings;
}

/**
 * Scans every `*.json` file under `dir`. `configs` maps a stack name to its account config,
 * so that findings under `stacks/<name>/` name the config field.
 */
export function scanDirectory(dir: string, configs: Readonly<Record<string, { readonly name: string }>> = {}): SecretFinding[] {
  const files: string[] = [];
  const collect = (d: string) => {
    for (const entry of readdirSync(d)) {
      const full = join(d, entry);
      if (statSync(full).isDirectory()) collect(full);
      else if (entry.endsWith('.json')) files.push(full);
    }
  };
  collect(dir);
  return files.flatMap((f) => {
    const file = relative(dir, f);
    const [top, stack] = file.split(sep);
    return scanJson(JSON.parse(readFileSync(f, 'utf8')), file.split(sep).join('/'), top === 'stacks' ? configs[stack] : undefined);
  });
}

export class SecretFoundError extends UserError {
  constructor(public readonly findings: readonly SecretFinding[]) {
    super(
      `Secret scan: ${findings.length} secret-looking value${findings.length === 1 ? '' : 's'} in the synthesized JSON (values not shown):\n` +
        findings.map((f) => (f.field ? `  account ${f.field}: ${f.kind} (synthesized into ${f.file}: ${f.path})` : `  ${f.file}: ${f.path}: ${f.kind}`)).join('\n') +
        '\nSecrets come from Secrets Manager / SSM references, managed master passwords, or Terraform variables fed from the environment.',
    );
    this.name = 'SecretFoundError';
  }
}
