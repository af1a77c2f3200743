/**
 * A small schema kit for account config: each schema checks one value, records every
 * problem it finds (not only the first) and returns the value typed.
 *
 * Hand-written rather than a schema library so that every message has exactly the shape
 * `<field.path>: got <value>, expected <what>` that the account loader prints.
 */
import { isSecretPath } from '../constructs/core/validation';
import { looksLikeSecret } from '../policies/secret-scan';

/** One thing wrong with a config value. */
export interface Problem {
  /** Dotted path from the account root, e.g. `apps[0].instanceType`. */
  readonly path: string;
  /** The offending value, already formatted for printing (secrets redacted). */
  readonly got: string;
  /** What is allowed there. */
  readonly expected: string;
}

export interface Schema<T> {
  /** A short description of what is allowed, used in messages. */
  readonly expected: string;
  /** Whether a missing value is fine (see {@link optional}). */
  readonly isOptional?: boolean;
  /** Checks `value`; pushes problems and returns undefined when it is not valid. */
  check(value: unknown, path: string, problems: Problem[]): T | undefined;
}


/**
 * Formats a value for an error message. Never prints the value of a secret-looking field
 * (any path segment such as `secrets`, `apiKey`, `DB_PASSWORD`) nor a value that looks like
 * a credential wherever it sits (the patterns the synthesized-JSON scan uses).
 */
export function show(value: unknown, path = ''): string {
  if (value === undefined) return 'nothing';
  if (isSecretPath(path)) return '<redacted>';
  if (typeof value === 'string' && looksLikeSecret(value)) return '<redacted: looks like a credential>';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (key === '') return path;
  return path === '' ? key : `${path}.${key}`;
}

function problem(problems: Problem[], path: string, value: unknown, expected: string): undefined {
  problems.push({ path: path === '' ? '(root)' : path, got: show(value, path), expected });
  return undefined;
}

export interface StringRules {
  /** A regular expression the whole string must match. */
  readonly pattern?: RegExp;
  /** What the pattern means, for the message. @default - the pattern's source */
  readonly description?: string;
  /** Allow the empty string. @default false */
  readonly allowEmpty?: boolean;
  /** Longest allowed length. @default - no limit */
  readonly maxLength?: number;
}

export function string(rules: StringRules = {}): Schema<string> {
  const expected = rules.description ?? (rules.pattern ? `a string matching ${rules.pattern.source}` : 'a non-empty string');
  return {
    expected,
    check(value, path, problems) {
      if (typeof value !== 'string') return problem(problems, path, value, expected);
      if (value === '' && !rules.allowEmpty) return problem(problems, path, value, expected);
      if (rules.maxLength !== undefined && value.length > rules.maxLength) {
        return problem(problems, path, value, `${expected}, at most ${rules.maxLength} characters`);
      }
      if (rules.pattern && !rules.pattern.test(value)) return problem(problems, path, value, expected);
      return value;
    },
  };
}

export interface NumberRules {
  readonly min?: number;
  readonly max?: number;
  /** The value must be strictly greater. @default - no bound */
  readonly above?: number;
  /** The value must be strictly smaller. @default - no bound */
  readonly below?: number;
  /** Only whole numbers. @default true */
  readonly integer?: boolean;
}

export function number(rules: NumberRules = {}): Schema<number> {
  const integer = rules.integer ?? true;
  const range =
    rules.min !== undefined && rules.max !== undefined
      ? ` from ${rules.min} to ${rules.max}`
      : rules.min !== undefined
        ? ` of at least ${rules.min}`
        : rules.max !== undefined
          ? ` of at most ${rules.max}`
          : '';
  const strict = [rules.above !== undefined ? `above ${rules.above}` : '', rules.below !== undefined ? `below ${rules.below}` : ''].filter(Boolean).join(' and ');
  const expected = `${integer ? 'a whole number' : 'a number'}${range}${strict ? ` ${strict}` : ''}`;
  return {
    expected,
    check(value, path, problems) {
      const ok =
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (!integer || Number.isInteger(value)) &&
        (rules.min === undefined || value >= rules.min) &&
        (rules.max === undefined || value <= rules.max) &&
        (rules.above === undefined || value > rules.above) &&
        (rules.below === undefined || value < rules.below);
      return ok ? (value as number) : problem(problems, path, value, expected);
    },
  };
}

export function boolean(): Schema<boolean> {
  return {
    expected: 'true or false',
    check(value, path, problems) {
      return typeof value === 'boolean' ? value : problem(problems, path, value, 'true or false');
    },
  };
}

/** One of a fixed list of strings. */
export function oneOf<const T extends string>(values: readonly T[]): Schema<T> {
  const expected = `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
  return {
    expected,
    check(value, path, problems) {
      return values.includes(value as T) ? (value as T) : problem(problems, path, value, expected);
    },
  };
}

export function optional<T>(schema: Schema<T>): Schema<T | undefined> {
  return {
    expected: schema.expected,
    isOptional: true,
    check(value, path, problems) {
      return value === undefined ? undefined : schema.check(value, path, problems);
    },
  };
}

export interface ArrayRules {
  readonly minLength?: number;
  readonly maxLength?: number;
  /** A function giving each item's identity; duplicates are reported. @default - duplicates allowed */
  readonly uniqueBy?: (item: never) => string;
}

export function arrayOf<T>(item: Schema<T>, rules: ArrayRules = {}): Schema<T[]> {
  const count =
    rules.minLength !== undefined && rules.maxLength !== undefined
      ? ` of ${rules.minLength} to ${rules.maxLength} items`
      : rules.minLength !== undefined
        ? ` of at least ${rules.minLength} items`
        : '';
  const expected = `an array${count} of ${item.expected}`;
  return {
    expected,
    check(value, path, problems) {
      if (!Array.isArray(value)) return problem(problems, path, value, expected);
      if (
        (rules.minLength !== undefined && value.length < rules.minLength) ||
        (rules.maxLength !== undefined && value.length > rules.maxLength)
      ) {
        return problem(problems, path, value, expected);
      }
      const before = problems.length;
      const out = value.map((v, i) => item.check(v, join(path, i), problems));
      if (problems.length > before) return undefined;
      if (rules.uniqueBy) {
        const seen = new Map<string, number>();
        out.forEach((v, i) => {
          const id = rules.uniqueBy!(v as never);
          const first = seen.get(id);
          if (first !== undefined) {
            problem(problems, join(path, i), id, `a unique value (${path}[${first}] has it already)`);
          }
          seen.set(id, i);
        });
        if (problems.length > before) return undefined;
      }
      return out as T[];
    },
  };
}

/** A map from names to values of one schema, e.g. environment variables. */
export function recordOf<T>(item: Schema<T>, key: Schema<string> = string()): Schema<Record<string, T>> {
  const expected = `an object whose values are ${item.expected}`;
  return {
    expected,
    check(value, path, problems) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return problem(problems, path, value, expected);
      }
      const before = problems.length;
      const out: Record<string, T> = {};
      for (const [k, v] of Object.entries(value)) {
        key.check(k, join(path, k), problems);
        const checked = item.check(v, join(path, k), problems);
        if (checked !== undefined) out[k] = checked;
      }
      return problems.length > before ? undefined : out;
    },
  };
}

/** The shape of an object schema: one schema per key of `T`, optional keys via {@link optional}. */
export type Shape<T> = { readonly [K in keyof T]-?: Schema<T[K]> };

/**
 * A rule over a whole object (several fields at once): returns the problems it finds,
 * with paths relative to the object.
 */
export type ObjectRule<T> = (value: T) => Array<{ path: string; got: unknown; expected: string }>;

/**
 * An object with exactly the given keys: a missing required key and an unknown key
 * (a typo such as `regoin`) are both problems. `rules` run once every field is valid.
 */
export function object<T>(shape: Shape<T>, rules: ReadonlyArray<ObjectRule<T>> = []): Schema<T> {
  const keys = Object.keys(shape) as Array<keyof T & string>;
  const expected = 'an object';
  return {
    expected,
    check(value, path, problems) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return problem(problems, path, value, expected);
      }
      const input = value as Record<string, unknown>;
      const before = problems.length;
      for (const k of Object.keys(input)) {
        if (!keys.includes(k as keyof T & string)) {
          const near = closest(k, keys);
          problems.push({
            path: join(path, k),
            got: show(input[k], join(path, k)),
            expected: `no such key${near ? ` (did you mean "${near}"?)` : ''}; allowed keys: ${keys.join(', ')}`,
          });
        }
      }
      const out: Record<string, unknown> = {};
      for (const k of keys) {
        const field = shape[k] as Schema<unknown>;
        if (input[k] === undefined && !field.isOptional) {
          problem(problems, join(path, k), undefined, `${field.expected} (required)`);
          continue;
        }
        const checked = field.check(input[k], join(path, k), problems);
        if (checked !== undefined) out[k] = checked;
      }
      if (problems.length > before) return undefined;
      for (const rule of rules) {
        for (const p of rule(out as T)) problem(problems, join(path, p.path), p.got, p.expected);
      }
      return problems.length > before ? undefined : (out as T);
    },
  };
}

/** The key in `candidates` nearest to `key` by edit distance, if it is close enough to be a typo. */
function closest(key: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(key.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}
