import { Token } from 'cdktf';
import { Construct } from 'constructs';

/**
 * An error the developer fixes in config or code: its message is the whole story, so
 * `npm start` prints the message alone, without a stack trace.
 */
export class UserError extends Error {}

/** One broken rule: which prop, the value it had, and what is allowed. */
export interface PropProblem {
  readonly prop: string;
  readonly got: unknown;
  readonly expected: string;
}

/**
 * A construct refused its props. The message names the construct (kind and path, whose
 * first part is the account), every prop at fault, the value and what is allowed.
 */
export class PropsError extends UserError {
  constructor(
    public readonly constructKind: string,
    public readonly constructPath: string,
    public readonly problems: readonly PropProblem[],
  ) {
    super(
      `${constructKind} ${constructPath}: ` +
        (problems.length === 1 ? '' : `${problems.length} problems:\n  `) +
        problems.map((p) => `${p.prop}: got ${isSecretPath(p.prop) && !PLACEHOLDER.test(String(p.got)) ? '<redacted>' : showValue(p.got)}, expected ${p.expected}`).join('\n  '),
    );
    this.name = 'PropsError';
  }
}

// Names of fields whose values must never be echoed in an error. Any segment of the path
// counts: every entry of a `secrets` map is a secret's field, whatever its key.
const SECRET_FIELD = /(password|passwd|secret|token|api_?key|private_?key|credential)/i;

// What a construct passes instead of a secret value it already hid, e.g. "<hidden>".
const PLACEHOLDER = /^<[a-z]+>$/;

/** Whether a value at this path (`a.b[0].c`) is a secret's and must not be printed. */
export function isSecretPath(path: string): boolean {
  return path.split(/[.[\]]/).some((segment) => SECRET_FIELD.test(segment));
}

function showValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(showValue).join(', ')}]`;
  return String(v);
}

/**
 * A validation rule: `[broken, prop, got, expected]`. Rules whose value is an unresolved
 * token are skipped: its value is only known at apply time.
 */
export type Rule = readonly [broken: boolean, prop: string, got: unknown, expected: string];

/** Throws one {@link PropsError} listing every broken rule, or returns quietly. */
export function checkProps(scope: Construct, kind: string, rules: readonly Rule[]): void {
  const problems = rules
    .filter(([broken, , got]) => broken && !isUnresolved(got))
    .map(([, prop, got, expected]) => ({ prop, got, expected }));
  if (problems.length > 0) throw new PropsError(kind, scope.node.path, problems);
}

function isUnresolved(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(isUnresolved);
  return (typeof v === 'string' || typeof v === 'number') && Token.isUnresolved(v);
}

/** The distinct availability zones of a set of subnets. */
export function distinctZones(subnets: ReadonlyArray<{ readonly availabilityZone: string }>): string[] {
  return [...new Set(subnets.map((s) => s.availabilityZone))];
}
