/**
 * A parser and checker for Fastly VCL, run before VCL is put into a stack, so that a VCL
 * Fastly would refuse (or one that would misbehave) never reaches a plan.
 *
 * The parser reads the whole grammar the repository needs: declarations (sub, acl,
 * backend, director, table, penaltybox, ratecounter, include, import), statements (set, unset, remove, add,
 * declare local, call, return, error, restart, esi, synthetic, synthetic.base64, log, if /
 * else if / elseif / elsif / else, goto and labels, function calls), and expressions
 * (operators, implicit string concatenation, function calls, regex matches, RTIME literals,
 * long strings with custom delimiters). The checks against Fastly's reference
 * (`vcl-reference.ts`) report `file:line:col: message`.
 */
import { UserError } from '../core/validation';
import {
  DIRECTOR_TYPES,
  FASTLY_SUBROUTINES,
  FUNCTIONS,
  FastlySubroutine,
  OBJECT_VARIABLES,
  READ_ONLY_VARIABLES,
  RETURN_STATES,
  STATEMENT_SCOPES,
  VARIABLE_ROOTS,
  VARIABLE_SCOPES,
} from './vcl-reference';

export { FASTLY_SUBROUTINES } from './vcl-reference';

/** A VCL file as it will be uploaded: its `vcl` block name and where it came from. */
export interface VclFile {
  /** The name `include "<name>";` refers to (the file name without `.vcl`). */
  readonly name: string;
  /** Path shown in messages, e.g. `vcl/hotel/main.vcl`. */
  readonly path: string;
  readonly content: string;
}

/** A snippet: statements Fastly inserts into `vcl_<type>` at its macro. */
export interface VclSnippet {
  readonly name: string;
  readonly type: string;
  readonly content: string;
}

export interface VclProblem {
  readonly path: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export class VclError extends UserError {
  constructor(public readonly problems: readonly VclProblem[]) {
    super(`VCL check failed:\n${problems.map((p) => `  ${p.path}:${p.line}:${p.column}: ${p.message}`).join('\n')}`);
    this.name = 'VclError';
  }
}

// ---------------------------------------------------------------- tokens

type Kind = 'ident' | 'string' | 'number' | 'rtime' | 'op' | 'macro' | 'eof';
interface Token {
  readonly kind: Kind;
  readonly text: string;
  readonly line: number;
  readonly column: number;
}

const OPERATORS = ['<<=', '>>=', '&&=', '||=', 'rol=', 'ror=', '==', '!=', '!~', '<=', '>=', '&&', '||', '+=', '-=', '*=', '/=', '%=', '|=', '&=', '^=', '~', '<', '>', '!', '=', '+', '-', '(', ')', '{', '}', ';', ',', '/', '*', '%', '.', ':'];
const RTIME_UNITS = /^(ms|s|m|h|d|y)(?![A-Za-z0-9_])/;

class Lexer {
  private i = 0;
  private line = 1;
  private column = 1;
  readonly tokens: Token[] = [];
  /** False when an unterminated long string or comment swallowed the rest of the file. */
  complete = true;

  constructor(
    private readonly src: string,
    private readonly report: (line: number, column: number, message: string) => void,
  ) {}

  run(): Token[] {
    const src = this.src;
    while (this.i < src.length) {
      const c = src[this.i];
      const line = this.line;
      const column = this.column;
      if (c === '\n' || c === ' ' || c === '\t' || c === '\r') {
        this.advance(1);
      } else if (c === '#' || (c === '/' && src[this.i + 1] === '/')) {
        const end = src.indexOf('\n', this.i);
        const comment = src.slice(this.i, end === -1 ? src.length : end);
        const macro = /^#FASTLY\s+(\w+)/i.exec(comment);
        if (macro) this.tokens.push({ kind: 'macro', text: macro[1].toLowerCase(), line, column });
        this.advance(comment.length);
      } else if (c === '/' && src[this.i + 1] === '*') {
        const end = src.indexOf('*/', this.i + 2);
        if (end === -1) return this.unterminated(line, column, 'unterminated /* comment');
        this.advance(end + 2 - this.i);
      } else if (c === '{' && /^\{[A-Za-z0-9_]*"/.test(src.slice(this.i, this.i + 66))) {
        // A long string: {"..."} or, with a delimiter, {xyz"..."xyz}; it may span lines and hold quotes.
        const delimiter = /^\{([A-Za-z0-9_]*)"/.exec(src.slice(this.i))![1];
        const close = `"${delimiter}}`;
        const start = this.i + delimiter.length + 2;
        const end = src.indexOf(close, start);
        if (end === -1) return this.unterminated(line, column, `unterminated long string {${delimiter}"... (expected ${close})`);
        this.tokens.push({ kind: 'string', text: src.slice(start, end), line, column });
        this.advance(end + close.length - this.i);
      } else if (c === '"') {
        // A plain string ends on its line: VCL has no backslash escapes in "..." (only %xx).
        let j = this.i + 1;
        while (j < src.length && src[j] !== '"' && src[j] !== '\n') j++;
        if (src[j] !== '"') {
          this.report(line, column, 'unterminated string: a "..." string ends on its line (use {"..."} for several lines)');
          this.advance(j - this.i);
          continue;
        }
        this.tokens.push({ kind: 'string', text: src.slice(this.i + 1, j), line, column });
        this.advance(j + 1 - this.i);
      } else if (c === "'") {
        const end = src.indexOf("'", this.i + 1);
        const stop = end === -1 || src.slice(this.i, end).includes('\n') ? src.indexOf('\n', this.i) : end + 1;
        const text = src.slice(this.i, stop === -1 ? src.length : stop);
        this.report(line, column, `single-quoted string ${text}: VCL strings use double quotes ("...") or {"..."}`);
        // Read on as a string so the rest of the statement parses.
        this.tokens.push({ kind: 'string', text: text.slice(1, -1), line, column });
        this.advance(text.length);
      } else if (/[0-9]/.test(c)) {
        // A number, a percentage (a director's .quorum = 50%), or an RTIME: 1s, 24h, 1.5m.
        const m = /^[0-9]+(\.[0-9]+)?%?/.exec(src.slice(this.i))!;
        const unit = RTIME_UNITS.exec(src.slice(this.i + m[0].length));
        const text = m[0] + (unit ? unit[1] : '');
        this.tokens.push({ kind: unit ? 'rtime' : 'number', text, line, column });
        this.advance(text.length);
      } else if (/[A-Za-z_]/.test(c)) {
        // Names include dots, dashes and a header subfield: req.http.X-Request-ID, req.http.Cookie:session.
        const m = /^[A-Za-z_][A-Za-z0-9_.-]*(:[A-Za-z0-9_.-]+)?/.exec(src.slice(this.i))!;
        let text = m[0];
        // rol= / ror= are operators; a label is "name:" followed by a space or line end.
        if ((text === 'rol' || text === 'ror') && src[this.i + 3] === '=') text += '=';
        this.tokens.push({ kind: OPERATORS.includes(text) ? 'op' : 'ident', text, line, column });
        this.advance(text.length);
      } else {
        const op = OPERATORS.find((o) => src.startsWith(o, this.i));
        if (op) {
          this.tokens.push({ kind: 'op', text: op, line, column });
          this.advance(op.length);
        } else {
          this.report(line, column, `unexpected character ${JSON.stringify(c)}`);
          this.advance(1);
        }
      }
    }
    this.tokens.push({ kind: 'eof', text: '', line: this.line, column: this.column });
    return this.tokens;
  }

  private unterminated(line: number, column: number, message: string): Token[] {
    this.report(line, column, message);
    this.complete = false;
    this.tokens.push({ kind: 'eof', text: '', line, column });
    return this.tokens;
  }

  private advance(n: number): void {
    for (let k = 0; k < n; k++) {
      if (this.src[this.i] === '\n') {
        this.line++;
        this.column = 1;
      } else {
        this.column++;
      }
      this.i++;
    }
  }
}

// ---------------------------------------------------------------- syntax tree

interface Node {
  readonly line: number;
  readonly column: number;
}
type Expr =
  | (Node & { kind: 'literal'; value: string })
  | (Node & { kind: 'name'; name: string })
  | (Node & { kind: 'call'; name: string; args: Expr[] })
  | (Node & { kind: 'unary'; op: string; operand: Expr })
  | (Node & { kind: 'binary'; op: string; left: Expr; right: Expr });
type Statement =
  | (Node & { kind: 'assign'; verb: 'set' | 'add'; target: string; op: string; value: Expr })
  | (Node & { kind: 'unset'; target: string })
  | (Node & { kind: 'declare'; name: string; type: string })
  | (Node & { kind: 'call'; name: string })
  | (Node & { kind: 'return'; state?: string; value?: Expr })
  | (Node & { kind: 'error'; args: Expr[] })
  | (Node & { kind: 'simple'; verb: string; args: Expr[] })
  | (Node & { kind: 'if'; branches: { condition: Expr; body: Statement[] }[]; otherwise?: Statement[] })
  | (Node & { kind: 'goto'; label: string })
  | (Node & { kind: 'label'; label: string })
  | (Node & { kind: 'function'; call: Expr })
  | (Node & { kind: 'block'; body: Statement[] });

interface Sub extends Node {
  readonly name: string;
  readonly body: Statement[];
  readonly macros: Set<string>;
  readonly file: string;
}

class ParseError extends Error {
  constructor(
    readonly token: Token,
    message: string,
  ) {
    super(message);
  }
}

const DECLARATION_WORDS = ['sub', 'acl', 'backend', 'director', 'table', 'penaltybox', 'ratecounter', 'include', 'import'];
const STATEMENT_WORDS = new Set(['set', 'unset', 'remove', 'add', 'declare', 'call', 'return', 'error', 'restart', 'esi', 'synthetic', 'synthetic.base64', 'log', 'if', 'else', 'elseif', 'elsif', 'goto', 'sub', 'acl', 'backend', 'director', 'table', 'include', 'import']);
const COMPARISONS = ['==', '!=', '~', '!~', '<', '>', '<=', '>='];
const ASSIGNMENTS = ['=', '+=', '-=', '*=', '/=', '%=', '|=', '&=', '^=', '<<=', '>>=', 'rol=', 'ror=', '&&=', '||='];
const TYPES = ['STRING', 'INTEGER', 'FLOAT', 'BOOL', 'TIME', 'RTIME', 'IP', 'BACKEND', 'ACL', 'ID', 'HEADER'];

/** The parse of one file: its subroutines, includes and the names it declares. */
interface ParsedFile {
  readonly subs: Sub[];
  readonly includes: { name: string; token: Token }[];
  readonly declared: Set<string>;
}

class Parser {
  private k = 0;
  private lastEnd: Token;

  constructor(
    private readonly tokens: Token[],
    private readonly file: string,
    private readonly report: (token: Token, message: string) => void,
  ) {
    this.lastEnd = tokens[0];
  }

  private get peek(): Token {
    return this.tokens[this.k];
  }
  private atEnd(): boolean {
    return this.tokens[this.k].kind === 'eof';
  }
  private at(text: string): boolean {
    return this.peek.kind !== 'string' && this.peek.text === text;
  }
  private next(): Token {
    const t = this.tokens[this.k];
    if (t.kind !== 'eof') this.k++;
    if (t.kind !== 'macro') this.lastEnd = t;
    return t;
  }
  private expect(text: string, what: string): Token {
    if (!this.at(text)) {
      // A missing ';' is reported where it belongs: after the last token read.
      const where = text === ';' ? this.lastEnd : this.peek;
      throw new ParseError(where, `expected '${text}' ${what}, found ${describe(this.peek)}`);
    }
    return this.next();
  }
  private ident(what: string): Token {
    if (this.peek.kind !== 'ident') throw new ParseError(this.peek, `expected ${what}, found ${describe(this.peek)}`);
    return this.next();
  }
  private skipMacros(into?: Set<string>): void {
    while (this.peek.kind === 'macro') into?.add(this.next().text);
  }

  /** Statements only (a snippet's content). */
  parseStatements(): Statement[] {
    const body: Statement[] = [];
    while (!this.atEnd()) {
      this.skipMacros();
      if (this.atEnd()) break;
      const s = this.statementOrRecover();
      if (s) body.push(s);
      if (this.at('}')) {
        this.report(this.peek, "unbalanced '}': nothing to close");
        this.next();
      }
    }
    return body;
  }

  parseFile(): ParsedFile {
    const out: ParsedFile = { subs: [], includes: [], declared: new Set() };
    while (!this.atEnd()) {
      this.skipMacros();
      if (this.atEnd()) break;
      const start = this.k;
      try {
        this.declaration(out);
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
        this.report(e.token, e.message);
        // Skip to the next top-level declaration keyword.
        if (this.k === start) this.next();
        while (!this.atEnd() && !(this.peek.column === 1 && DECLARATION_WORDS.includes(this.peek.text))) this.next();
      }
    }
    return out;
  }

  private declaration(out: ParsedFile): void {
    const t = this.peek;
    switch (t.text) {
      case 'include': {
        this.next();
        const name = this.peek;
        if (name.kind !== 'string') throw new ParseError(name, `expected a file name in quotes after include, found ${describe(name)}`);
        this.next();
        out.includes.push({ name: name.text, token: name });
        this.expect(';', 'after include');
        return;
      }
      case 'import':
        this.next();
        this.ident('a module name after import');
        this.expect(';', 'after import');
        return;
      case 'sub': {
        this.next();
        const name = this.ident('a subroutine name after sub');
        // A function subroutine declares the type it returns: sub name STRING { ... }
        if (this.peek.kind === 'ident' && TYPES.includes(this.peek.text)) this.next();
        const macros = new Set<string>();
        const body = this.block(macros);
        out.subs.push({ name: name.text, line: name.line, column: name.column, body, macros, file: this.file });
        return;
      }
      case 'acl':
        this.next();
        out.declared.add(this.ident('an ACL name').text);
        this.expect('{', 'to open the ACL');
        while (!this.at('}')) {
          if (this.atEnd()) throw new ParseError(t, "unbalanced '{': never closed");
          if (this.at('!')) this.next();
          const entry = this.next();
          if (entry.kind !== 'string') throw new ParseError(entry, `expected an address in quotes in the ACL, found ${describe(entry)}`);
          if (this.at('/')) {
            this.next();
            if (this.next().kind !== 'number') throw new ParseError(this.lastEnd, 'expected a prefix length after /');
          }
          this.expect(';', 'after an ACL entry');
        }
        this.next();
        return;
      case 'backend':
      case 'penaltybox':
      case 'ratecounter':
        this.next();
        out.declared.add(this.ident(`a ${t.text} name`).text);
        this.properties();
        return;
      case 'director': {
        this.next();
        out.declared.add(this.ident('a director name').text);
        const type = this.ident(`a director type (${DIRECTOR_TYPES.join(', ')})`);
        if (!(DIRECTOR_TYPES as readonly string[]).includes(type.text)) this.report(type, `unknown director type ${type.text} (expected ${DIRECTOR_TYPES.join(', ')})`);
        this.properties();
        return;
      }
      case 'table': {
        this.next();
        out.declared.add(this.ident('a table name').text);
        if (this.peek.kind === 'ident' && TYPES.includes(this.peek.text)) this.next();
        this.expect('{', 'to open the table');
        while (!this.at('}')) {
          if (this.atEnd()) throw new ParseError(t, "unbalanced '{': never closed");
          const key = this.next();
          if (key.kind !== 'string') throw new ParseError(key, `expected a key in quotes in the table, found ${describe(key)}`);
          this.expect(':', 'after a table key');
          this.expression();
          if (!this.at('}')) this.expect(',', 'between table entries');
        }
        this.next();
        return;
      }
      case '}':
        throw new ParseError(t, "unbalanced '}': nothing to close");
      default:
        throw new ParseError(t, `expected a declaration (${DECLARATION_WORDS.join(', ')}), found ${describe(t)}`);
    }
  }

  /** `{ .name = value; .probe = { ... } { .backend = F_x; } }` in backends and directors. */
  private properties(): void {
    const open = this.expect('{', 'to open the declaration');
    while (!this.at('}')) {
      if (this.atEnd()) throw new ParseError(open, "unbalanced '{': never closed");
      if (this.at('{')) {
        this.properties();
        continue;
      }
      this.expect('.', 'before a property name');
      this.ident('a property name');
      this.expect('=', 'after a property name');
      if (this.at('{')) {
        this.properties();
        if (this.at(';')) this.next();
      } else {
        this.expression();
        this.expect(';', 'after a property');
      }
    }
    this.next();
  }

  private block(macros?: Set<string>): Statement[] {
    const open = this.expect('{', 'to open a block');
    const body: Statement[] = [];
    for (;;) {
      this.skipMacros(macros);
      if (this.at('}')) break;
      if (this.atEnd()) throw new ParseError(open, "unbalanced '{': never closed");
      const s = this.statementOrRecover();
      if (s) body.push(s);
    }
    this.next();
    return body;
  }

  /** A statement; on a syntax error, reports it and skips past the next ';' (or to the '}'). */
  private statementOrRecover(): Statement | undefined {
    const start = this.k;
    try {
      return this.statement();
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      this.report(e.token, e.message);
      if (this.k === start && !this.at('}')) this.next();
      while (!this.atEnd() && !this.at('}')) {
        if (this.next().text === ';') break;
      }
      return undefined;
    }
  }

  private statement(): Statement {
    const t = this.peek;
    const node = { line: t.line, column: t.column };
    if (this.at('{')) return { ...node, kind: 'block', body: this.block() };
    if (t.kind !== 'ident') throw new ParseError(t, `expected a statement, found ${describe(t)}`);
    switch (t.text) {
      case 'set':
      case 'add': {
        this.next();
        const target = this.ident(`a variable after ${t.text}`).text;
        const op = this.peek;
        if (op.kind !== 'op' || !(t.text === 'add' ? ['='] : ASSIGNMENTS).includes(op.text)) throw new ParseError(op, `expected an assignment operator after ${t.text} ${target}, found ${describe(op)}`);
        this.next();
        const value = this.expression();
        this.expect(';', `after ${t.text} ${target}`);
        return { ...node, kind: 'assign', verb: t.text, target, op: op.text, value };
      }
      case 'unset':
      case 'remove': {
        this.next();
        const target = this.ident(`a variable after ${t.text}`).text;
        this.expect(';', `after ${t.text} ${target}`);
        return { ...node, kind: 'unset', target };
      }
      case 'declare': {
        this.next();
        const local = this.ident("'local' after declare");
        if (local.text !== 'local') throw new ParseError(local, `expected 'local' after declare, found ${describe(local)}`);
        const name = this.ident('a variable name (var.<name>)');
        if (!name.text.startsWith('var.')) throw new ParseError(name, `a local variable's name starts with var., got ${name.text}`);
        const type = this.ident(`a type (${TYPES.join(', ')})`);
        if (!TYPES.includes(type.text)) throw new ParseError(type, `unknown type ${type.text} (expected ${TYPES.join(', ')})`);
        if (this.at('=')) {
          this.next();
          this.expression();
        }
        this.expect(';', `after declare local ${name.text}`);
        return { ...node, kind: 'declare', name: name.text, type: type.text };
      }
      case 'call': {
        this.next();
        const name = this.ident('a subroutine name after call').text;
        this.expect(';', `after call ${name}`);
        return { ...node, kind: 'call', name };
      }
      case 'return': {
        this.next();
        if (this.at(';')) {
          this.next();
          return { ...node, kind: 'return' };
        }
        if (this.at('(') && this.tokens[this.k + 1].kind === 'ident' && this.tokens[this.k + 2].text === ')') {
          this.next();
          const state = this.next().text;
          this.next();
          this.expect(';', `after return(${state})`);
          return { ...node, kind: 'return', state };
        }
        const value = this.expression();
        this.expect(';', 'after return');
        return { ...node, kind: 'return', value };
      }
      case 'error': {
        this.next();
        const args: Expr[] = [];
        while (!this.at(';') && args.length < 2) args.push(this.primaryConcat());
        this.expect(';', 'after error');
        return { ...node, kind: 'error', args };
      }
      case 'restart':
      case 'esi':
        this.next();
        this.expect(';', `after ${t.text}`);
        return { ...node, kind: 'simple', verb: t.text, args: [] };
      case 'synthetic':
      case 'synthetic.base64':
      case 'log': {
        this.next();
        const value = this.expression();
        this.expect(';', `after ${t.text}`);
        return { ...node, kind: 'simple', verb: t.text, args: [value] };
      }
      case 'if':
        return this.ifStatement();
      case 'goto': {
        this.next();
        const label = this.ident('a label after goto').text;
        this.expect(';', `after goto ${label}`);
        return { ...node, kind: 'goto', label };
      }
      case 'else':
      case 'elseif':
      case 'elsif':
        throw new ParseError(t, `${t.text} without an if`);
      default:
        break;
    }
    // A label: "name:" on its own.
    if (t.text.endsWith(':') || (this.tokens[this.k + 1].text === ':' && this.tokens[this.k + 1].kind === 'op')) {
      this.next();
      if (!t.text.endsWith(':')) this.next();
      return { ...node, kind: 'label', label: t.text.replace(/:$/, '') };
    }
    if (this.tokens[this.k + 1].text === '(') {
      const call = this.primary();
      this.expect(';', `after ${t.text}(...)`);
      return { ...node, kind: 'function', call };
    }
    throw new ParseError(t, `unknown statement ${t.text}${t.text.startsWith('req.') || t.text.startsWith('resp.') || t.text.startsWith('beresp.') ? ` (did you mean "set ${t.text} = ..."?)` : ''}`);
  }

  private ifStatement(): Statement {
    const t = this.next();
    const branches: { condition: Expr; body: Statement[] }[] = [];
    let otherwise: Statement[] | undefined;
    const branch = () => {
      this.expect('(', 'after if');
      const condition = this.expression();
      this.expect(')', 'to close the if condition');
      branches.push({ condition, body: this.block() });
    };
    branch();
    for (;;) {
      this.skipMacros();
      if (this.at('elseif') || this.at('elsif')) {
        this.next();
        branch();
      } else if (this.at('else')) {
        this.next();
        if (this.at('if')) {
          this.next();
          branch();
        } else {
          otherwise = this.block();
          break;
        }
      } else {
        break;
      }
    }
    return { line: t.line, column: t.column, kind: 'if', branches, otherwise };
  }

  // Precedence, low to high: || && comparison concatenation unary primary.
  private expression(): Expr {
    return this.binary(0);
  }
  private binary(level: number): Expr {
    const levels = [['||'], ['&&'], COMPARISONS];
    if (level === levels.length) return this.unary();
    let left = this.binary(level + 1);
    while (this.peek.kind === 'op' && levels[level].includes(this.peek.text)) {
      const op = this.next();
      const right = this.binary(level + 1);
      left = { line: op.line, column: op.column, kind: 'binary', op: op.text, left, right };
    }
    return left;
  }
  private unary(): Expr {
    if (this.at('!')) {
      const op = this.next();
      return { line: op.line, column: op.column, kind: 'unary', op: '!', operand: this.unary() };
    }
    return this.primaryConcat();
  }
  /** Values side by side are concatenated ("a" req.http.X "b"), as is `+` between them. */
  private primaryConcat(): Expr {
    let left = this.primary();
    for (;;) {
      if (this.at('+')) {
        const op = this.next();
        left = { line: op.line, column: op.column, kind: 'binary', op: '+', left, right: this.primary() };
      } else if (this.startsValue()) {
        const right = this.primary();
        left = { line: right.line, column: right.column, kind: 'binary', op: '+', left, right };
      } else {
        return left;
      }
    }
  }
  private startsValue(): boolean {
    const t = this.peek;
    if (t.kind === 'string' || t.kind === 'number' || t.kind === 'rtime') return true;
    // After a value, "if(" (no space) continues the concatenation with the conditional
    // function; "if (" is taken as the next statement, so a missing ';' is reported there.
    const next = this.tokens[this.k + 1];
    const ifCall = t.text === 'if' && next.text === '(' && next.line === t.line && next.column === t.column + 2;
    return t.kind === 'ident' && (!STATEMENT_WORDS.has(t.text) || ifCall);
  }
  private primary(): Expr {
    const t = this.peek;
    if (t.kind === 'string' || t.kind === 'number' || t.kind === 'rtime') {
      this.next();
      return { line: t.line, column: t.column, kind: 'literal', value: t.text };
    }
    if (this.at('-') && ['number', 'rtime'].includes(this.tokens[this.k + 1].kind)) {
      this.next();
      const n = this.next();
      return { line: t.line, column: t.column, kind: 'literal', value: `-${n.text}` };
    }
    if (this.at('(')) {
      this.next();
      const inner = this.expression();
      this.expect(')', 'to close the parenthesis');
      return inner;
    }
    // if(cond, a, b) is the conditional expression; "if (" starting a statement never gets here.
    if (t.kind === 'ident' && (!STATEMENT_WORDS.has(t.text) || (t.text === 'if' && this.tokens[this.k + 1].text === '('))) {
      this.next();
      if (this.at('(')) {
        this.next();
        const args: Expr[] = [];
        while (!this.at(')')) {
          if (this.atEnd()) throw new ParseError(t, `unclosed call to ${t.text}(`);
          args.push(this.expression());
          if (!this.at(')')) this.expect(',', `between the arguments of ${t.text}`);
        }
        this.next();
        return { line: t.line, column: t.column, kind: 'call', name: t.text, args };
      }
      return { line: t.line, column: t.column, kind: 'name', name: t.text };
    }
    throw new ParseError(t, `expected a value, found ${describe(t)}`);
  }
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'the end of the file';
  if (t.kind === 'string') return `a string "${t.text.slice(0, 20)}"`;
  return `'${t.text}'`;
}

// ---------------------------------------------------------------- semantic checks

const isBuiltin = (name: string): name is FastlySubroutine => (FASTLY_SUBROUTINES as readonly string[]).includes(name);

/** Which built-in subroutines each subroutine runs in: itself if built-in, else every built-in that calls it (transitively). */
function contexts(subs: readonly Sub[]): Map<string, Set<FastlySubroutine>> {
  const calls = new Map<string, Set<string>>();
  for (const s of subs) {
    const out = calls.get(s.name) ?? new Set<string>();
    walk(s.body, (st) => {
      if (st.kind === 'call') out.add(st.name);
    });
    calls.set(s.name, out);
  }
  const result = new Map<string, Set<FastlySubroutine>>();
  for (const s of subs) if (!result.has(s.name)) result.set(s.name, new Set());
  for (const root of subs.filter((s) => isBuiltin(s.name))) {
    const seen = new Set<string>();
    const stack = [root.name];
    while (stack.length) {
      const name = stack.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      result.get(name)?.add(root.name as FastlySubroutine);
      for (const callee of calls.get(name) ?? []) stack.push(callee);
    }
  }
  return result;
}

function walk(body: readonly Statement[], visit: (s: Statement) => void): void {
  for (const s of body) {
    visit(s);
    if (s.kind === 'if') {
      for (const b of s.branches) walk(b.body, visit);
      if (s.otherwise) walk(s.otherwise, visit);
    }
    if (s.kind === 'block') walk(s.body, visit);
  }
}

function expressions(s: Statement): Expr[] {
  switch (s.kind) {
    case 'assign':
      return [s.value];
    case 'return':
      return s.value ? [s.value] : [];
    case 'error':
    case 'simple':
      return s.args;
    case 'if':
      return s.branches.map((b) => b.condition);
    case 'function':
      return [s.call];
    default:
      return [];
  }
}

function eachExpr(e: Expr, visit: (e: Expr) => void): void {
  visit(e);
  if (e.kind === 'call') e.args.forEach((a) => eachExpr(a, visit));
  if (e.kind === 'unary') eachExpr(e.operand, visit);
  if (e.kind === 'binary') {
    eachExpr(e.left, visit);
    eachExpr(e.right, visit);
  }
}

const list = (xs: Iterable<string>) => [...xs].join(', ');
const scopeOf = (variable: string) =>
  VARIABLE_SCOPES.filter(([name]) => (name.endsWith('.') ? variable.startsWith(name) : variable === name)).sort((a, b) => b[0].length - a[0].length)[0];
const isReadOnly = (variable: string) => READ_ONLY_VARIABLES.some((r) => (r.endsWith('.') ? variable.startsWith(r) : variable === r || variable.startsWith(`${r}:`)));

/** Everything a subroutine body may be checked against. */
interface Context {
  /** The built-in subroutines this code runs in (empty: unknown, e.g. a subroutine nobody calls). */
  readonly runsIn: ReadonlySet<FastlySubroutine>;
  readonly subs: ReadonlySet<string>;
  readonly declared: ReadonlySet<string>;
  readonly where: string;
}

function checkBody(body: readonly Statement[], ctx: Context, problem: (n: Node, message: string) => void): void {
  const locals = new Set<string>();
  const labels = new Set<string>();
  walk(body, (s) => {
    if (s.kind === 'declare') locals.add(s.name);
    if (s.kind === 'label') labels.add(s.label);
  });
  const outside = (allowed: readonly FastlySubroutine[]) => [...ctx.runsIn].filter((r) => !allowed.includes(r));
  const useVariable = (n: Node, name: string, write: boolean) => {
    if (name.startsWith('var.')) {
      if (!locals.has(name)) problem(n, `${name} is not declared in ${ctx.where} (declare local ${name} <TYPE>; first)`);
      return;
    }
    const [root, member] = name.split(':')[0].split('.');
    if (!VARIABLE_ROOTS.includes(root)) {
      problem(n, `unknown variable ${name}: Fastly has no ${root}.* (its variables are under ${list(VARIABLE_ROOTS)}; constructs/fastly/vcl-reference.ts)`);
      return;
    }
    if (OBJECT_VARIABLES[root] && !OBJECT_VARIABLES[root].includes(member)) {
      problem(n, `unknown variable ${name}: Fastly has no ${root}.${member} (${root}.* has ${list(OBJECT_VARIABLES[root])}; constructs/fastly/vcl-reference.ts)`);
      return;
    }
    if (write && isReadOnly(name)) problem(n, `${name} is read-only: it cannot be set, added or unset`);
    const scope = scopeOf(name);
    if (scope) {
      const bad = outside(scope[1]);
      if (bad.length) problem(n, `${name} is not available in ${list(bad)} (${scope[0]}${scope[0].endsWith('.') ? '*' : ''} exists only in ${list(scope[1])})`);
    }
  };
  walk(body, (s) => {
    switch (s.kind) {
      case 'assign':
      case 'unset':
        useVariable(s, s.target, true);
        break;
      case 'call':
        if (!ctx.subs.has(s.name)) problem(s, `call ${s.name}: no such subroutine in this service (it has ${list(ctx.subs) || 'none'})`);
        break;
      case 'return':
        if (s.state) {
          const bad = [...ctx.runsIn].filter((r) => !RETURN_STATES[r].includes(s.state!));
          for (const r of bad) problem(s, `return(${s.state}) is not allowed in ${r}${r === ctx.where ? '' : ` (${ctx.where} is called from it)`}: it allows ${list(RETURN_STATES[r])}`);
        }
        break;
      case 'error':
      case 'simple': {
        const verb = s.kind === 'error' ? 'error' : s.verb;
        const allowed = STATEMENT_SCOPES[verb];
        if (allowed) for (const r of outside(allowed)) problem(s, `${verb} is not allowed in ${r}${r === ctx.where ? '' : ` (${ctx.where} is called from it)`}: only in ${list(allowed)}`);
        break;
      }
      case 'goto':
        if (!labels.has(s.label)) problem(s, `goto ${s.label}: no label ${s.label}: in ${ctx.where}`);
        break;
      default:
        break;
    }
    for (const e of expressions(s)) {
      eachExpr(e, (x) => {
        if (x.kind === 'name' && /\./.test(x.name) && !ctx.declared.has(x.name)) useVariable(x, x.name, false);
        if (x.kind === 'call') {
          // A function subroutine of the service (sub name TYPE { ... }) takes no arguments.
          const arity = FUNCTIONS[x.name] ?? (ctx.subs.has(x.name) ? ([0, 0] as const) : undefined);
          if (!arity) problem(x, `unknown function ${x.name}() (not in Fastly's VCL reference table, constructs/fastly/vcl-reference.ts)`);
          else if (x.args.length < arity[0] || x.args.length > arity[1]) {
            const expected = arity[0] === arity[1] ? `${arity[0]}` : arity[1] === Infinity ? `${arity[0]} or more` : `${arity[0]} to ${arity[1]}`;
            problem(x, `${x.name}() takes ${expected} argument${expected === '1' ? '' : 's'}, got ${x.args.length}`);
          }
        }
      });
    }
  });
}

/**
 * Checks a set of VCL files that are uploaded together (the main file and its
 * includes). Throws one {@link VclError} listing every problem, as `file:line:col: message`.
 *
 * @param isMain whether a file is the service's main VCL: only there must every `vcl_*`
 *   subroutine carry its `#FASTLY <name>` macro.
 */
export function checkVcl(files: readonly VclFile[], isMain: (f: VclFile) => boolean): void {
  const problems: VclProblem[] = [];
  const names = new Set(files.map((f) => f.name));
  const parsed = files.map((file) => {
    const at = (line: number, column: number, message: string) => problems.push({ path: file.path, line, column, message });
    const lexer = new Lexer(file.content, at);
    const tokens = lexer.run();
    // Past an unterminated long string or comment the rest is unread: no verdict on it.
    return { file, ...new Parser(tokens, file.path, (t, m) => lexer.complete && at(t.line, t.column, m)).parseFile() };
  });
  const subs = parsed.flatMap((p) => p.subs);
  const declared = new Set(parsed.flatMap((p) => [...p.declared]));
  const runsIn = contexts(subs);
  const seen = new Map<string, Sub>();
  for (const { file, includes } of parsed) {
    for (const inc of includes) {
      if (!names.has(inc.name)) problems.push({ path: file.path, line: inc.token.line, column: inc.token.column, message: `include "${inc.name}" names no VCL file of this service (it has ${[...names].map((n) => `"${n}"`).join(', ')})` });
    }
  }
  // Fastly "will compile the main VCL file, and will ignore all others unless they are
  // explicitly included" (https://www.fastly.com/documentation/reference/vcl/statements/include/):
  // a file nothing includes (an account override added next to the shared files, say) would
  // be "tried" without ever running.
  const mains = parsed.filter((p) => isMain(p.file));
  if (mains.length > 0) {
    const reached = new Set(mains.map((p) => p.file.name));
    const queue = [...mains];
    for (let p = queue.shift(); p; p = queue.shift()) {
      for (const inc of p.includes.filter((i) => !reached.has(i.name))) {
        reached.add(inc.name);
        queue.push(...parsed.filter((q) => q.file.name === inc.name));
      }
    }
    for (const { file } of parsed.filter((q) => !reached.has(q.file.name))) {
      problems.push({ path: file.path, line: 1, column: 1, message: `${file.name} is never included (no include "${file.name}"; in the main file or what it includes): Fastly would upload it and never run it` });
    }
  }
  for (const { file, subs: fileSubs } of parsed) {
    for (const sub of fileSubs) {
      const problem = (n: Node, message: string) => problems.push({ path: file.path, line: n.line, column: n.column, message });
      const first = seen.get(sub.name);
      if (first) problem(sub, `sub ${sub.name} is defined twice (first at ${first.file}:${first.line})`);
      seen.set(sub.name, sub);
      if (sub.name.startsWith('vcl_') && !isBuiltin(sub.name)) problem(sub, `Fastly has no subroutine ${sub.name} (it has ${FASTLY_SUBROUTINES.join(', ')})`);
      const macro = sub.name.slice('vcl_'.length);
      if (isMain(file) && isBuiltin(sub.name) && !sub.macros.has(macro)) problem(sub, `sub ${sub.name} is missing its "#FASTLY ${macro}" macro (Fastly inserts its generated code there)`);
      checkBody(sub.body, { runsIn: runsIn.get(sub.name)!, subs: new Set(subs.map((s) => s.name)), declared, where: sub.name }, problem);
    }
  }
  if (problems.length > 0) throw new VclError(problems);
}

/** Checks snippets as the statements of `vcl_<type>` they become. */
export function checkSnippets(snippets: readonly VclSnippet[]): void {
  const problems: VclProblem[] = [];
  for (const snippet of snippets) {
    const path = `(generated snippet ${snippet.name})`;
    const at = (line: number, column: number, message: string) => problems.push({ path, line, column, message });
    const tokens = new Lexer(snippet.content, at).run();
    const body = new Parser(tokens, path, (t, m) => at(t.line, t.column, m)).parseStatements();
    const sub = `vcl_${snippet.type}`;
    const runsIn = new Set<FastlySubroutine>(isBuiltin(sub) ? [sub] : []);
    checkBody(body, { runsIn, subs: new Set(), declared: new Set(), where: sub }, (n, m) => at(n.line, n.column, m));
  }
  if (problems.length > 0) throw new VclError(problems);
}
