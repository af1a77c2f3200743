/**
 * Checks VCL before it is put into a stack, so a broken VCL never reaches a plan.
 *
 * Not a full VCL parser: it finds the mistakes that otherwise surface only when Fastly
 * refuses to compile a new version during apply.
 */
import { UserError } from '../core/validation';

/** A VCL file as it will be uploaded: its `vcl` block name and where it came from. */
export interface VclFile {
  /** The name `include "<name>";` refers to (the file name without `.vcl`). */
  readonly name: string;
  /** Path shown in messages, e.g. `accounts/production/vcl/hotel/main.vcl`. */
  readonly path: string;
  readonly content: string;
}

export interface VclProblem {
  readonly path: string;
  readonly line: number;
  readonly message: string;
}

/** The subroutines Fastly calls, each with the macro it must contain. */
export const FASTLY_SUBROUTINES = ['vcl_recv', 'vcl_hash', 'vcl_hit', 'vcl_miss', 'vcl_pass', 'vcl_fetch', 'vcl_error', 'vcl_deliver', 'vcl_log'] as const;

export class VclError extends UserError {
  constructor(public readonly problems: readonly VclProblem[]) {
    super(`VCL check failed:\n${problems.map((p) => `  ${p.path}:${p.line}: ${p.message}`).join('\n')}`);
    this.name = 'VclError';
  }
}

interface Token {
  readonly kind: 'open' | 'close' | 'word' | 'string' | 'macro';
  readonly text: string;
  readonly line: number;
}

/**
 * Splits VCL into the tokens the checks need, reporting unterminated strings and comments.
 * `complete` is false when an unterminated long string or comment swallowed the rest.
 */
function tokenize(file: VclFile, problems: VclProblem[]): { tokens: Token[]; complete: boolean } {
  const src = file.content;
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  const fail = (at: number, message: string) => problems.push({ path: file.path, line: at, message });
  while (i < src.length) {
    const c = src[i];
    if (c === '\n') {
      line++;
      i++;
    } else if (c === '#' || (c === '/' && src[i + 1] === '/')) {
      const end = src.indexOf('\n', i);
      const comment = src.slice(i, end === -1 ? src.length : end);
      const macro = /^#FASTLY\s+(\w+)/i.exec(comment);
      if (macro) tokens.push({ kind: 'macro', text: macro[1].toLowerCase(), line });
      i = end === -1 ? src.length : end;
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end === -1) {
        fail(line, 'unterminated /* comment');
        return { tokens, complete: false };
      }
      line += (src.slice(i, end).match(/\n/g) ?? []).length;
      i = end + 2;
    } else if (c === '{' && src[i + 1] === '"') {
      // A long string {"..."} may span lines and holds quotes.
      const end = src.indexOf('"}', i + 2);
      if (end === -1) {
        fail(line, 'unterminated long string {"...');
        return { tokens, complete: false };
      }
      tokens.push({ kind: 'string', text: src.slice(i + 2, end), line });
      line += (src.slice(i, end).match(/\n/g) ?? []).length;
      i = end + 2;
    } else if (c === '"') {
      // A plain string ends on the same line: VCL has no escapes in "...".
      let j = i + 1;
      while (j < src.length && src[j] !== '"' && src[j] !== '\n') j++;
      if (src[j] !== '"') {
        fail(line, 'unterminated string');
        i = j;
        continue;
      }
      tokens.push({ kind: 'string', text: src.slice(i + 1, j), line });
      i = j + 1;
    } else if (c === '{' || c === '}') {
      tokens.push({ kind: c === '{' ? 'open' : 'close', text: c, line });
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i;
      while (j < src.length && /[\w.-]/.test(src[j])) j++;
      tokens.push({ kind: 'word', text: src.slice(i, j), line });
      i = j;
    } else {
      i++;
    }
  }
  return { tokens, complete: true };
}

/**
 * Checks a set of VCL files that are uploaded together (the main file and its
 * includes). Throws one {@link VclError} listing every problem, as `file:line: message`.
 *
 * @param main whether each file is the service's main VCL: only there must every
 *   `vcl_*` subroutine carry its `#FASTLY <name>` macro.
 */
export function checkVcl(files: readonly VclFile[], isMain: (f: VclFile) => boolean): void {
  const problems: VclProblem[] = [];
  const names = new Set(files.map((f) => f.name));
  for (const file of files) {
    const { tokens, complete } = tokenize(file, problems);
    const opened: Token[] = [];
    let currentSub: { name: string; line: number; depth: number; macros: Set<string> } | undefined;
    tokens.forEach((t, k) => {
      const next = tokens[k + 1];
      if (t.kind === 'open') opened.push(t);
      if (t.kind === 'close') {
        if (opened.length === 0) problems.push({ path: file.path, line: t.line, message: "unbalanced '}': nothing to close" });
        else opened.pop();
        if (currentSub && opened.length === currentSub.depth) {
          const macro = currentSub.name.slice('vcl_'.length);
          if (isMain(file) && (FASTLY_SUBROUTINES as readonly string[]).includes(currentSub.name) && !currentSub.macros.has(macro)) {
            problems.push({ path: file.path, line: currentSub.line, message: `sub ${currentSub.name} is missing its "#FASTLY ${macro}" macro (Fastly inserts its generated code there)` });
          }
          currentSub = undefined;
        }
      }
      if (t.kind === 'macro' && currentSub) currentSub.macros.add(t.text);
      if (t.kind === 'word' && t.text === 'sub' && next?.kind === 'word') {
        const name = next.text;
        if (name.startsWith('vcl_') && !(FASTLY_SUBROUTINES as readonly string[]).includes(name)) {
          problems.push({ path: file.path, line: next.line, message: `Fastly has no subroutine ${name} (it has ${FASTLY_SUBROUTINES.join(', ')})` });
        }
        currentSub = { name, line: next.line, depth: opened.length, macros: new Set() };
      }
      if (t.kind === 'word' && t.text === 'include' && next?.kind === 'string') {
        if (!names.has(next.text)) {
          problems.push({ path: file.path, line: next.line, message: `include "${next.text}" names no VCL file of this service (it has ${[...names].map((n) => `"${n}"`).join(', ')})` });
        }
      }
    });
    // Past an unterminated long string the rest of the file is unread: no brace verdict.
    if (complete) for (const t of opened) problems.push({ path: file.path, line: t.line, message: "unbalanced '{': never closed" });
  }
  if (problems.length > 0) throw new VclError(problems);
}
