import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { UserError } from '../constructs/core/validation';

/** A secret-looking value in synthesized JSON. The value itself is never kept or printed. */
export interface SecretFinding {
  readonly file: string;
  /** JSON path of the value, e.g. `resource.aws_db_instance.x.password`. */
  readonly path: string;
  readonly kind: string;
}

/** Values that are secrets whatever attribute holds them. */
const VALUE_PATTERNS: ReadonlyArray<[kind: string, pattern: RegExp]> = [
  ['AWS access key id', /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
  ['private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['SendGrid API key', /\bSG\.[\w-]{22}\.[\w-]{43}\b/],
  ['Slack token', /\bxox[abprs]-[\w-]{10,}/],
  ['Slack webhook URL', /hooks\.slack\.com\/services\/T\w+\/B\w+\/\w+/],
  ['GitHub token', /\bgh[pousr]_[A-Za-z0-9]{36}\b/],
  ['Datadog API or application key', /\b(?:dd|datadog)[_-]?(?:api|app)[_-]?key\W+[0-9a-f]{32,40}\b/i],
];

/** Whether `value` looks like a credential (an access key, a private key, a token...). */
export function looksLikeSecret(value: string): boolean {
  return VALUE_PATTERNS.some(([, pattern]) => pattern.test(value));
}

/** Attribute names that must hold a reference (`${var.x}`, `${aws_...}`), never a literal. */
const SECRET_ATTRIBUTE = /(^|_)(password|passwd|secret|secret_key|access_key|api_key|app_key|token|private_key|client_key|auth_token|webhook_url)$/i;

/** A string that is only Terraform references and no literal characters. */
const onlyReferences = (s: string) => s.replace(/\$\{[^}]*\}/g, '').trim() === '';

/** Finds secret-looking values in one parsed JSON document. */
export function scanJson(json: unknown, file: string): SecretFinding[] {
  const findings: SecretFinding[] = [];
  const walk = (value: unknown, path: string[]) => {
    if (typeof value === 'string') {
      const key = path[path.length - 1] ?? '';
      for (const [kind, pattern] of VALUE_PATTERNS) if (pattern.test(value)) findings.push({ file, path: path.join('.'), kind });
      if (SECRET_ATTRIBUTE.test(key) && value !== '' && !onlyReferences(value)) findings.push({ file, path: path.join('.'), kind: `literal value in "${key}"` });
      // A variable named like a secret must not carry a default: the value comes from the environment.
      if (path[0] === 'variable' && key === 'default' && SECRET_ATTRIBUTE.test(path[1] ?? '')) findings.push({ file, path: path.join('.'), kind: 'default value of a secret variable' });
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, [...path, String(i)]));
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
    }
  };
  walk(json, []);
  return findings;
}

/** Scans every `*.json` file under `dir`. */
export function scanDirectory(dir: string): SecretFinding[] {
  const files: string[] = [];
  const collect = (d: string) => {
    for (const entry of readdirSync(d)) {
      const full = join(d, entry);
      if (statSync(full).isDirectory()) collect(full);
      else if (entry.endsWith('.json')) files.push(full);
    }
  };
  collect(dir);
  return files.flatMap((f) => scanJson(JSON.parse(readFileSync(f, 'utf8')), relative(dir, f)));
}

export class SecretFoundError extends UserError {
  constructor(public readonly findings: readonly SecretFinding[]) {
    super(
      `Secret scan: ${findings.length} secret-looking value${findings.length === 1 ? '' : 's'} in the synthesized JSON (values not shown):\n` +
        findings.map((f) => `  ${f.file}: ${f.path}: ${f.kind}`).join('\n') +
        '\nSecrets come from Secrets Manager / SSM references, managed master passwords, or Terraform variables fed from the environment.',
    );
    this.name = 'SecretFoundError';
  }
}
