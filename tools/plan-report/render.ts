/**
 * Renders a read plan into pull request comments. Every comment stays within GitHub's
 * limit; each block (CAUTION list, folded section per resource type) is split between
 * lines and closed and reopened across comments, so no fence or quote is left open.
 */
import { Action, Change, Diagnostic, Plan } from './plan';
import { code, cut, fenced, plain, shorten, visible, window } from './text';
import { AttributeChange, Shown } from './values';
import { INLINE_NODES, MAX_NODES, planDiagram } from '../diagram/plan';
import { StackJson } from '../diagram/account';

/**
 * GitHub refuses comment bodies longer than this many characters ("Body is too long
 * (maximum is 65536 characters)"). Lengths here are UTF-16 units, never fewer than
 * characters, so the check errs on the safe side.
 */
export const GITHUB_COMMENT_LIMIT = 65536;
/** At most this many comments per stack; past it the report points to the full plan. */
export const MAX_COMMENTS = 5;
/** Values longer than this are shown around the part that changed. */
export const MAX_VALUE = 120;
/** Lines of a multi-line value's diff shown before eliding the rest. */
export const MAX_DIFF_LINES = 12;
/** Attributes listed per resource before eliding the rest. */
export const MAX_ATTRIBUTES = 40;
/** A plan URL longer than this is left out (the pointer then names the run's artifacts). */
export const MAX_URL = 2000;

/** Labels the workflow puts on the PR (`--labels-out`), one per line. */
export type Label = 'plan:destroy' | 'plan:no-changes' | 'plan:error' | 'plan:changes';

export interface ReportOptions {
  /** The stack (account) name: letters, digits, `.`, `_`, `-`. */
  readonly stack: string;
  /**
   * The PR carries the `allow-destroy` label.
   * @default false
   */
  readonly allowDestroy?: boolean;
  /**
   * The commit planned, shown shortened in the title.
   * @default - no commit in the title
   */
  readonly commit?: string;
  /**
   * Link to the run with the uploaded plan.
   * @default - the pointer names "the run's artifacts" without a link
   */
  readonly planUrl?: string;
  /**
   * Characters per comment.
   * @default GITHUB_COMMENT_LIMIT
   */
  readonly limit?: number;
  /**
   * The synthesized stack (`cdk.tf.json`) the plan was made from: the diagram of the change
   * then groups and links resources as the account diagram does.
   * @default - the diagram groups every resource by the construct that made it, without edges
   */
  readonly stackJson?: StackJson;
}

export interface Counts {
  create: number;
  update: number;
  replace: number;
  delete: number;
  forget: number;
  move: number;
  import: number;
}

export interface Report {
  readonly comments: string[];
  readonly counts: Counts;
  /** Stateful resources that would be deleted or replaced. */
  readonly destructive: readonly Change[];
  /** Whether the check fails (destructive and not allowed). */
  readonly blocked: boolean;
  readonly labels: readonly Label[];
  /** Problems with the options that did not stop the report (e.g. a plan URL too long to show). */
  readonly notices: readonly string[];
}

/** The hidden marker that lets the workflow find and update this stack's comment. */
export const marker = (stack: string, part: number) => `<!-- cdktf-plan stack=${stack} part=${part} -->`;

const STACK = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const COMMIT = /^[0-9a-f]{7,64}$/i;

/** Checks the options, since they go into the marker, the title and a link. */
function checkedOptions(options: ReportOptions): { planUrl?: string; notices: string[] } {
  if (!STACK.test(options.stack)) throw new Error(`--stack ${JSON.stringify(options.stack)}: expected 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit`);
  if (options.commit !== undefined && !COMMIT.test(options.commit)) throw new Error(`--commit ${JSON.stringify(options.commit)}: expected a hexadecimal commit SHA`);
  const limit = options.limit ?? GITHUB_COMMENT_LIMIT;
  if (!Number.isInteger(limit) || limit < 4000) throw new Error(`limit ${limit}: expected an integer of at least 4000 characters`);
  if (options.planUrl === undefined) return { notices: [] };
  let url: URL;
  try {
    url = new URL(options.planUrl);
  } catch {
    throw new Error(`--plan-url ${JSON.stringify(shorten(options.planUrl, 200))}: not a URL; expected the https:// link to the workflow run`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`--plan-url: expected an https:// link, got the scheme ${JSON.stringify(url.protocol)}`);
  // Parentheses and spaces would end a Markdown link destination.
  const href = url.href.replace(/[()\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  if (href.length > MAX_URL) return { notices: [`--plan-url is ${href.length} characters (more than ${MAX_URL}): left out of the comment`] };
  return { planUrl: href, notices: [] };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const isDestroying = (a: Action) => a === 'delete' || a === 'replace' || a === 'create-forget';

/** What happens to the object, in words: the action, then moves, imports and reasons. */
function describe(c: Change): string {
  const words: Record<Action, string> = {
    create: 'create',
    update: 'update',
    delete: 'delete',
    replace: 'replace',
    'create-forget': 'replace, keeping the old object running but no longer managed',
    forget: 'forget: removed from the state, the object keeps running',
    read: 'read',
    'no-op': 'no change',
  };
  const parts = [words[c.action]];
  if (c.deposed !== undefined) parts.push(`deposed object ${c.deposed}`);
  if (c.previousAddress !== undefined) parts.push(`moved from ${c.previousAddress}`);
  if (c.importing) parts.push(c.importing.id !== undefined ? `imported from ID ${JSON.stringify(c.importing.id)}` : 'imported');
  if (c.reason !== undefined) parts.push(`because ${c.reason}`);
  return parts.join('; ');
}

/**
 * The first character of a resource's line in the diff block: `+`/`-` colour the line,
 * and none is a space, so plan text never starts a line (where it could close the fence).
 */
const SYMBOL: Record<Action, string> = { create: '+', update: '~', delete: '-', replace: '!', 'create-forget': '!', forget: '.', read: '→', 'no-op': '→' };

function shown(s: Shown | undefined): string {
  if (s === undefined) return 'null';
  if (s.kind === 'sensitive') return '(sensitive)';
  if (s.kind === 'unknown') return '(known after apply)';
  return fenced(s.text);
}

/** The diff lines of one attribute. */
function attributeLines(a: AttributeChange, symbol: string): string[] {
  const forced = a.forcesReplacement ? '  # forces replacement' : '';
  const path = fenced(a.path);
  if (a.before === undefined || a.after === undefined) {
    // A created or deleted resource's attribute: one value.
    const value = shown(a.after ?? a.before);
    return [`${symbol}     ${shorten(`${path} = ${value}`, MAX_VALUE + path.length + 3)}${forced}`];
  }
  const before = shown(a.before);
  const after = shown(a.after);
  if (before.length <= MAX_VALUE && after.length <= MAX_VALUE) return [`    ${path}: ${before} -> ${after}${forced}`];
  const b = a.before.kind === 'value' ? a.before.value : undefined;
  const f = a.after.kind === 'value' ? a.after.value : undefined;
  if (typeof b === 'string' && typeof f === 'string' && (b.includes('\n') || f.includes('\n'))) return [`    ${path}: (multi-line text)${forced}`, ...lineDiff(b, f)];
  const [wb, wa] = window(before, after, MAX_VALUE);
  return [`    ${path}:${forced}`, `-       ${wb}`, `+       ${wa}`];
}

/** The lines that differ between two texts (common first and last lines left out), capped. */
function lineDiff(before: string, after: string): string[] {
  const b = before.split('\n');
  const a = after.split('\n');
  let start = 0;
  while (start < b.length && start < a.length && b[start] === a[start]) start++;
  let end = 0;
  while (end < b.length - start && end < a.length - start && b[b.length - 1 - end] === a[a.length - 1 - end]) end++;
  const removed = b.slice(start, b.length - end);
  const added = a.slice(start, a.length - end);
  const lines: string[] = [`        @@ line ${start + 1} @@`];
  const take = (list: string[], sign: string) => {
    for (const l of list.slice(0, MAX_DIFF_LINES)) lines.push(`${sign}       ${shorten(visible(l), MAX_VALUE)}`);
    if (list.length > MAX_DIFF_LINES) lines.push(`${sign}       … ${list.length - MAX_DIFF_LINES} more lines`);
  };
  take(removed, '-');
  take(added, '+');
  return lines;
}

/** The lines of one resource change in a diff block. */
function changeLines(c: Change): string[] {
  const symbol = SYMBOL[c.action];
  const lines = [`${symbol} ${fenced(c.address)} (${fenced(describe(c))})`];
  const attributes = c.attributes();
  for (const a of attributes.slice(0, MAX_ATTRIBUTES)) lines.push(...attributeLines(a, symbol));
  if (attributes.length > MAX_ATTRIBUTES) lines.push(`      … ${attributes.length - MAX_ATTRIBUTES} more attributes in the full plan`);
  return lines;
}

/** A block of lines between an opening and a closing, which can be split between lines. */
interface Block {
  readonly open: string;
  /** What opens the rest of the block in the next comment. */
  readonly reopen: string;
  readonly lines: Iterable<string>;
  readonly close: string;
}

function* flat<T>(items: Iterable<T>, lines: (item: T) => string[]): Iterable<string> {
  for (const item of items) yield* lines(item);
}

function foldedDiff(summary: string, items: Iterable<string>): Block {
  return {
    open: `<details><summary>${summary}</summary>\n\n\`\`\`diff`,
    reopen: `<details><summary>${summary} (continued)</summary>\n\n\`\`\`diff`,
    lines: items,
    close: '```\n\n</details>',
  };
}

function typeSection(type: string, cs: Change[]): Block {
  const n = new Map<string, number>();
  for (const c of cs) n.set(SYMBOL[c.action], (n.get(SYMBOL[c.action]) ?? 0) + 1);
  const summary = [...n].map(([s, k]) => `${s}${k}`).join(' ');
  return foldedDiff(`${code(type)} (${summary})`, flat(cs, changeLines));
}

/**
 * The diagram of what the change touches (tools/diagram/plan.ts): open up to INLINE_NODES
 * resources, folded up to MAX_NODES, else a line saying why it is left out. The diagram is
 * one line of a block, so paginate() never splits it (half a diagram would not parse); it
 * is left out too when it would take more than a quarter of a comment, so it always fits
 * in the comment it starts (whose room is at least half the limit).
 */
function diagramBlock(changes: readonly Change[], limit: number, stack: StackJson | undefined): Block | string | undefined {
  if (changes.length === 0) return undefined;
  const diagram = planDiagram(changes, stack);
  if (!diagram) return `_No diagram: ${changes.length} resources change (drawn up to ${MAX_NODES})._`;
  const fold = diagram.nodes > INLINE_NODES;
  const open = fold ? `<details><summary>Diagram of the change (${diagram.nodes} resources)</summary>\n\n\`\`\`mermaid` : '```mermaid';
  const close = fold ? '```\n\n</details>' : '```';
  if (open.length + diagram.text.length + close.length > limit / 4) return `_No diagram: it would take more than a quarter of a comment (${diagram.nodes} resources)._`;
  return { open, reopen: open, lines: [diagram.text], close };
}

function diagnosticLine(d: Diagnostic): string {
  const where = d.where ? ` (${code(d.where)})` : '';
  const detail = d.detail ? `: ${code(shorten(d.detail, 1000))}` : '';
  return `> - **${d.severity === 'error' ? 'Error' : 'Warning'}**${where}: ${code(shorten(d.summary, 500))}${detail}`;
}

/** Packs blocks into at most MAX_COMMENTS comments, each within the limit. */
function paginate(stack: string, header: string, blocks: Block[], limit: number, pointer: string): string[] {
  const titleOf = (part: number, of: number) => `### Plan for ${code(stack)}, part ${part} of ${of}`;
  const continued = (part: number, of: number) => `\n\n_Continued in part ${part + 1} of ${of}._`;
  // Room for a comment's own content, reserving the longest title and tail it may get.
  const tail = Math.max(continued(MAX_COMMENTS, MAX_COMMENTS).length, pointer.length);
  const room = (part: number) =>
    limit - marker(stack, part).length - 1 - (part === 1 ? header.length : titleOf(MAX_COMMENTS, MAX_COMMENTS).length) - tail;
  const comments: string[][] = [[]];
  let used = 0;
  let truncated = false;
  const next = (): boolean => {
    if (comments.length === MAX_COMMENTS) return false;
    comments.push([]);
    used = 0;
    return true;
  };
  const fits = (n: number) => used + n <= room(comments.length);
  outer: for (const block of blocks) {
    let piece: string[] | undefined;
    let pieceLength = 0;
    const startPiece = (open: string) => {
      piece = [open];
      pieceLength = 2 + open.length + 1 + block.close.length;
    };
    const endPiece = () => {
      if (piece && piece.length > 1) {
        comments[comments.length - 1].push(`${piece.join('\n')}\n${block.close}`);
        used += pieceLength;
      }
      piece = undefined;
    };
    for (const raw of block.lines) {
      let line = raw;
      if (!piece) startPiece(block.open);
      if (!fits(pieceLength + line.length + 1)) {
        // Close what this comment holds of the block; go on in the next comment.
        const hadLines = piece!.length > 1;
        endPiece();
        if ((hadLines || used > 0) && !next()) {
          truncated = true;
          break outer;
        }
        startPiece(hadLines ? block.reopen : block.open);
        // A line longer than a whole comment is cut, never split across comments.
        if (!fits(pieceLength + line.length + 1)) {
          line = `${cut(line, room(comments.length) - used - pieceLength - 2)}…`;
          truncated = true;
        }
      }
      piece!.push(line);
      pieceLength += line.length + 1;
    }
    endPiece();
  }
  const n = comments.length;
  return comments.map((parts, i) => {
    const title = i === 0 ? header : titleOf(i + 1, n);
    const end = truncated && i === n - 1 ? pointer : i < n - 1 ? continued(i + 1, n) : '';
    return `${marker(stack, i + 1)}\n${[title, ...parts].join('\n\n')}${end}`;
  });
}

function emptyCounts(): Counts {
  return { create: 0, update: 0, replace: 0, delete: 0, forget: 0, move: 0, import: 0 };
}

/**
 * Counts as Terraform counts them: create-then-forget is one create and one forget
 * (hashicorp/terraform, ComponentInstanceChange.CountNewAction in internal/stacks).
 */
export function countChanges(changes: readonly Change[]): Counts {
  const counts = emptyCounts();
  for (const c of changes) {
    if (c.action === 'create-forget') {
      counts.create++;
      counts.forget++;
    } else if (c.action in counts) counts[c.action as keyof Counts]++;
    if (c.previousAddress !== undefined) counts.move++;
    if (c.importing) counts.import++;
  }
  return counts;
}

function countLine(counts: Counts): string {
  const main = `**${counts.create} to create, ${counts.update} to update, ${counts.replace} to replace, ${counts.delete} to destroy**`;
  const extra = [
    counts.import ? `${counts.import} to import` : '',
    counts.move ? `${counts.move} moved` : '',
    counts.forget ? `${counts.forget} to forget (removed from the state, kept running)` : '',
  ].filter(Boolean);
  return `${main}${extra.length ? `, ${extra.join(', ')}` : ''}.`;
}

/** Renders the report of a plan Terraform finished: one or more comment bodies, each within the limit. */
export function renderReport(plan: Plan, options: ReportOptions): Report {
  const { planUrl, notices } = checkedOptions(options);
  const limit = options.limit ?? GITHUB_COMMENT_LIMIT;
  const { changes } = plan;
  const counts = countChanges(changes);
  const destructive = changes.filter((c) => c.statefulReason !== undefined && isDestroying(c.action));
  const blocked = destructive.length > 0 && !options.allowDestroy;
  const nothing = changes.length === 0 && plan.outputs.length === 0 && plan.deferred.length === 0 && plan.actions.length === 0;
  const labels: Label[] = nothing ? ['plan:no-changes'] : ['plan:changes', ...(changes.some((c) => c.action === 'delete' || c.action === 'replace') ? (['plan:destroy'] as const) : [])];

  const icon = nothing ? '✅' : blocked ? '⛔' : destructive.length ? '⚠️' : '📝';
  const head = [`### ${icon} Plan for ${code(options.stack)}${options.commit ? ` at ${code(options.commit.slice(0, 12))}` : ''}`, ''];
  if (nothing) head.push(plan.drift.length ? '**No changes to apply.** The configuration already matches what is deployed.' : '**No changes.** Infrastructure matches the configuration.');
  else {
    head.push(countLine(counts) + (plan.outputs.length ? ` ${plural(plan.outputs.length, 'output')} changed.` : '') + (plan.actions.length ? ` ${plural(plan.actions.length, 'action')} to invoke.` : ''));
  }
  if (plan.drift.length) head.push('', `${plural(plan.drift.length, 'resource')} changed outside Terraform since the last apply (see below).`);
  if (!plan.complete) {
    const why = plan.deferred.length ? `${plural(plan.deferred.length, 'change')} deferred` : 'Terraform did not plan every resource (for example with -target)';
    head.push('', `> [!WARNING]\n> **This plan is incomplete**: ${why}. After it is applied, another plan is needed to finish.`);
  }
  if (planUrl) head.push('', `Full plan: [workflow run](${planUrl})`);
  const diagram = diagramBlock(changes, limit, options.stackJson);
  if (typeof diagram === 'string') head.push('', diagram);
  const header = head.join('\n');

  const blocks: Block[] = [];
  if (destructive.length > 0) {
    const title = `**${plural(destructive.length, 'stateful resource')} would be destroyed or replaced** (data or service loss):`;
    const close = blocked ? '>\n> This check fails until a reviewer adds the `allow-destroy` label to the PR.' : '>\n> The PR carries the `allow-destroy` label: a reviewer accepted this.';
    blocks.push({
      open: `> [!CAUTION]\n> ${title}`,
      reopen: '> [!CAUTION]\n> **Stateful resources destroyed or replaced (continued):**',
      lines: destructive.map((d) => {
        const forced = d.replacePaths.length ? `, forced by ${d.replacePaths.map(code).join(', ')}` : '';
        const reason = d.reason !== undefined ? `, because ${plain(d.reason)}` : '';
        const kind = d.action === 'create-forget' ? 'replace, old one kept unmanaged' : d.action;
        return `> - ${code(d.address)} (${kind}${forced}${reason}): ${code(d.statefulReason!)}`;
      }),
      close,
    });
  }
  if (plan.diagnostics.length) {
    blocks.push({ open: `> [!WARNING]\n> **${plural(plan.diagnostics.length, 'warning')} from Terraform:**`, reopen: '> [!WARNING]\n> **Warnings (continued):**', lines: plan.diagnostics.map(diagnosticLine), close: '>' });
  }
  if (diagram && typeof diagram !== 'string') blocks.push(diagram);
  if (plan.deferred.length) {
    blocks.push(foldedDiff(`Deferred to a later plan (${plan.deferred.length})`, flat(plan.deferred, (d) => [...changeLines(d.change), `      # deferred: ${fenced(d.reason)}`])));
  }
  const byType = new Map<string, Change[]>();
  for (const c of changes) {
    const list = byType.get(c.type);
    if (list) list.push(c);
    else byType.set(c.type, [c]);
  }
  const rank = (cs: Change[]) => (cs.some((c) => c.statefulReason !== undefined && isDestroying(c.action)) ? 0 : cs.some((c) => isDestroying(c.action)) ? 1 : 2);
  const ranked = [...byType.entries()].map(([type, cs]) => ({ type, cs, rank: rank(cs) }));
  ranked.sort((a, b) => a.rank - b.rank || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  for (const { type, cs } of ranked) blocks.push(typeSection(type, cs));
  if (plan.actions.length) {
    blocks.push(foldedDiff(`Actions to invoke (${plan.actions.length})`, plan.actions.map((a) => `» ${fenced(a.address)}${a.trigger ? ` (${fenced(a.trigger)})` : ''}`)));
  }
  if (plan.outputs.length) {
    blocks.push(foldedDiff(`Outputs (${plan.outputs.length})`, flat(plan.outputs, (o) => attributeLines({ ...o.attribute, path: o.name }, SYMBOL[o.action]))));
  }
  if (plan.drift.length) blocks.push(foldedDiff(`Changed outside Terraform (${plan.drift.length})`, flat(plan.drift, changeLines)));

  const pointer = `\n\n_…shortened to fit in GitHub comments. ${planUrl ? `Full plan: [workflow run](${planUrl})` : "The full plan is in the run's artifacts."}_`;
  return { comments: paginate(options.stack, header, blocks, limit, pointer), counts, destructive, blocked, labels, notices };
}

/** The comment for a plan that cannot be reported: Terraform's errors, or input that is not a plan. */
export function renderRefusal(message: string, diagnostics: readonly Diagnostic[], options: ReportOptions): Report {
  const { planUrl, notices } = checkedOptions(options);
  const head = [
    `### ❌ Plan for ${code(options.stack)}${options.commit ? ` at ${code(options.commit.slice(0, 12))}` : ''} failed`,
    '',
    code(shorten(message, 2000)),
  ];
  if (planUrl) head.push('', `Log: [workflow run](${planUrl})`);
  const blocks: Block[] = diagnostics.length ? [{ open: '> [!CAUTION]\n> **Terraform says:**', reopen: '> [!CAUTION]\n> **Terraform says (continued):**', lines: diagnostics.map(diagnosticLine), close: '>' }] : [];
  const pointer = "\n\n_…shortened to fit in GitHub comments. The full log is in the workflow run._";
  return {
    comments: paginate(options.stack, head.join('\n'), blocks, options.limit ?? GITHUB_COMMENT_LIMIT, pointer),
    counts: emptyCounts(),
    destructive: [],
    blocked: true,
    labels: ['plan:error'],
    notices,
  };
}
