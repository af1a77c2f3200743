/**
 * Plan report: turns `terraform show -json <planfile>` into the pull request comment.
 *
 *   node dist/tools/plan-report.js --plan plan.json --stack production --out dir \
 *     [--allow-destroy] [--commit SHA] [--plan-url URL]
 *
 * Writes dir/comment-1.md (and -2, -3... when the plan is too long for one comment),
 * prints a one-line summary, and exits 2 when a stateful resource would be deleted or
 * replaced without --allow-destroy (the PR's `allow-destroy` label), 1 on bad input.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** GitHub refuses comment bodies longer than this. */
export const GITHUB_COMMENT_LIMIT = 65536;
/** At most this many comments per stack; past it the report points to the full plan. */
export const MAX_COMMENTS = 5;

/**
 * Resource types whose deletion loses data or takes the sites down: listed first, with a
 * warning, and they fail the check unless the PR carries the `allow-destroy` label.
 */
export const STATEFUL_TYPES = new Set([
  'aws_db_instance', 'aws_rds_cluster', 'aws_rds_cluster_instance', 'aws_dynamodb_table',
  'aws_s3_bucket', 'aws_sqs_queue', 'aws_ebs_volume', 'aws_instance', 'aws_fsx_windows_file_system',
  'aws_kms_key', 'aws_secretsmanager_secret', 'aws_cloudwatch_log_group', 'aws_elastic_beanstalk_environment',
  'fastly_service_vcl',
]);

export type Action = 'create' | 'update' | 'delete' | 'replace' | 'read' | 'no-op' | 'forget';

export interface Change {
  readonly address: string;
  readonly type: string;
  readonly action: Action;
  /** Changed attributes: path, before, after (already masked and shortened). */
  readonly attributes: ReadonlyArray<{ path: string; before: string; after: string }>;
  readonly replacedBecause: readonly string[];
  readonly stateful: boolean;
}

export class PlanFormatError extends Error {}

type Json = Record<string, unknown>;

/** Parses and checks a `terraform show -json` document; throws PlanFormatError with what is wrong. */
export function parsePlan(text: string, source = 'plan'): Json {
  let plan: unknown;
  try {
    plan = JSON.parse(text);
  } catch (error) {
    throw new PlanFormatError(`${source}: not JSON (${(error as Error).message}); expected the output of "terraform show -json <planfile>"`);
  }
  if (typeof plan !== 'object' || plan === null || Array.isArray(plan)) throw new PlanFormatError(`${source}: expected a JSON object, got ${Array.isArray(plan) ? 'an array' : typeof plan}`);
  const p = plan as Json;
  if (typeof p.format_version !== 'string') throw new PlanFormatError(`${source}: no "format_version": this is not "terraform show -json" output`);
  if (p.resource_changes !== undefined && !Array.isArray(p.resource_changes)) throw new PlanFormatError(`${source}: "resource_changes" must be an array`);
  return p;
}

function actionOf(actions: unknown, address: string): Action {
  const a = Array.isArray(actions) ? actions.join(',') : '';
  switch (a) {
    case 'create': return 'create';
    case 'update': return 'update';
    case 'delete': return 'delete';
    case 'delete,create':
    case 'create,delete': return 'replace';
    case 'read': return 'read';
    case 'no-op': return 'no-op';
    case 'forget': return 'forget';
    default: throw new PlanFormatError(`resource ${address}: unknown actions ${JSON.stringify(actions)}`);
  }
}

const MAX_VALUE = 120;

/** Shows a value for the report: sensitive and unknown values are never shown. */
function show(value: unknown, sensitive: unknown, unknown: unknown): string {
  if (sensitive === true) return '(sensitive)';
  if (unknown === true) return '(known after apply)';
  if (value === undefined || value === null) return 'null';
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

/** True when any value under a sensitive marker is sensitive. */
function anySensitive(marker: unknown): boolean {
  if (marker === true) return true;
  if (Array.isArray(marker)) return marker.some(anySensitive);
  if (marker && typeof marker === 'object') return Object.values(marker).some(anySensitive);
  return false;
}

/** The attributes that differ between before and after, one level into blocks. */
function changedAttributes(change: Json): Change['attributes'] {
  const before = (change.before ?? {}) as Json;
  const after = (change.after ?? {}) as Json;
  const afterUnknown = (change.after_unknown ?? {}) as Json;
  const beforeSensitive = (change.before_sensitive ?? {}) as Json;
  const afterSensitive = (change.after_sensitive ?? {}) as Json;
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {}), ...Object.keys(afterUnknown)])].sort();
  const out: Array<{ path: string; before: string; after: string }> = [];
  for (const key of keys) {
    if (key === 'tags_all') continue; // mirrors tags plus provider default_tags
    const b = before?.[key];
    const a = after?.[key];
    const unknown = afterUnknown[key];
    if (JSON.stringify(b) === JSON.stringify(a) && !anySensitive(unknown)) continue;
    if (a === undefined && unknown === undefined && b === undefined) continue;
    const sensitive = anySensitive(beforeSensitive[key]) || anySensitive(afterSensitive[key]);
    out.push({
      path: key,
      before: show(b, sensitive || undefined, undefined),
      after: show(a, sensitive || undefined, unknown === true || (anySensitive(unknown) && a === undefined) ? true : undefined),
    });
  }
  return out;
}

/** The resource changes of a plan, without no-ops and reads. */
export function changesOf(plan: Json): Change[] {
  const raw = (plan.resource_changes ?? []) as Json[];
  return raw
    .filter((rc) => rc.mode !== 'data')
    .map((rc, i) => {
      const address = typeof rc.address === 'string' ? rc.address : `resource_changes[${i}]`;
      if (typeof rc.type !== 'string' || typeof rc.change !== 'object' || rc.change === null) {
        throw new PlanFormatError(`${address}: expected "type" and "change" on every resource change`);
      }
      const change = rc.change as Json;
      const action = actionOf(change.actions, address);
      return {
        address,
        type: rc.type,
        action,
        attributes: action === 'update' || action === 'replace' ? changedAttributes(change) : [],
        replacedBecause: ((change.replace_paths ?? []) as unknown[][]).map((p) => p.join('.')),
        stateful: STATEFUL_TYPES.has(rc.type),
      };
    })
    .filter((c) => c.action !== 'no-op' && c.action !== 'read');
}

export interface ReportOptions {
  readonly stack: string;
  readonly allowDestroy?: boolean;
  readonly commit?: string;
  /** Link to the uploaded plan (run artifacts). */
  readonly planUrl?: string;
  /** @default GITHUB_COMMENT_LIMIT */
  readonly limit?: number;
}

export interface Report {
  readonly comments: string[];
  readonly counts: Record<'create' | 'update' | 'delete' | 'replace', number>;
  /** Stateful resources that would be deleted or replaced. */
  readonly destructive: readonly Change[];
  /** Whether the check fails (destructive and not allowed). */
  readonly blocked: boolean;
}

const ICON: Record<string, string> = { create: '+', update: '~', delete: '-', replace: '-/+', forget: '.' };

/** The hidden marker that lets the workflow find and update this stack's comment. */
export const marker = (stack: string, part: number) => `<!-- cdktf-plan stack=${stack} part=${part} -->`;

/** Renders the report: one or more comment bodies, each within GitHub's limit. */
export function renderReport(plan: Json, options: ReportOptions): Report {
  const limit = options.limit ?? GITHUB_COMMENT_LIMIT;
  const changes = changesOf(plan);
  const counts = { create: 0, update: 0, delete: 0, replace: 0 };
  for (const c of changes) if (c.action in counts) counts[c.action as keyof typeof counts]++;
  const destructive = changes.filter((c) => c.stateful && (c.action === 'delete' || c.action === 'replace'));
  const blocked = destructive.length > 0 && !options.allowDestroy;

  const head: string[] = [];
  const total = changes.length;
  head.push(`### ${total === 0 ? '✅' : blocked ? '⛔' : destructive.length ? '⚠️' : '📝'} Plan for \`${options.stack}\`${options.commit ? ` at \`${options.commit.slice(0, 12)}\`` : ''}`);
  head.push('');
  head.push(total === 0 ? '**No changes.** Infrastructure matches the configuration.' : `**${counts.create} to create, ${counts.update} to update, ${counts.replace} to replace, ${counts.delete} to destroy.**`);
  if (destructive.length > 0) {
    head.push('');
    head.push(`> [!CAUTION]\n> **${destructive.length} stateful resource${destructive.length === 1 ? '' : 's'} would be destroyed or replaced** (data or service loss):`);
    for (const d of destructive) head.push(`> - \`${d.address}\` (${d.action}${d.replacedBecause.length ? `, because of ${d.replacedBecause.map((p) => `\`${p}\``).join(', ')}` : ''})`);
    head.push('>');
    head.push(
      blocked
        ? '> This check fails until a reviewer adds the `allow-destroy` label to the PR.'
        : '> The PR carries the `allow-destroy` label: a reviewer accepted this.',
    );
  }
  if (options.planUrl) head.push('', `Full plan: ${options.planUrl}`);
  const header = head.join('\n');

  // One folded section per resource type, destructive types first.
  const byType = new Map<string, Change[]>();
  for (const c of changes) byType.set(c.type, [...(byType.get(c.type) ?? []), c]);
  const rank = (cs: Change[]) => (cs.some((c) => c.stateful && (c.action === 'delete' || c.action === 'replace')) ? 0 : cs.some((c) => c.action === 'delete' || c.action === 'replace') ? 1 : 2);
  const sections = [...byType.entries()]
    .sort(([ta, a], [tb, b]) => rank(a) - rank(b) || ta.localeCompare(tb))
    .map(([type, cs]) => renderSection(type, cs));

  return { comments: paginate(options.stack, header, sections, limit, options.planUrl), counts, destructive, blocked };
}

function renderSection(type: string, cs: Change[]): string {
  const summary = Object.entries(ICON)
    .map(([action, icon]) => [icon, cs.filter((c) => c.action === action).length] as const)
    .filter(([, n]) => n > 0)
    .map(([icon, n]) => `${icon}${n}`)
    .join(' ');
  const lines = [`<details><summary><code>${type}</code> (${summary})</summary>`, '', '```diff'];
  for (const c of cs) {
    lines.push(`${c.action === 'create' ? '+' : c.action === 'delete' ? '-' : c.action === 'replace' ? '!' : '~'} ${c.address} (${c.action})`);
    for (const a of c.attributes) lines.push(`    ${a.path}: ${a.before} -> ${a.after}${c.replacedBecause.includes(a.path) ? '  # forces replacement' : ''}`);
  }
  lines.push('```', '', '</details>');
  return lines.join('\n');
}

/** Packs sections into comments within the limit; a section too long alone is shortened. */
function paginate(stack: string, header: string, sections: string[], limit: number, planUrl?: string): string[] {
  const pointer = `\n\n_…shortened to fit in GitHub comments. ${planUrl ? `Full plan: ${planUrl}` : 'The full plan is in the run\'s artifacts.'}_`;
  const room = (part: number, first: boolean) => limit - marker(stack, part).length - 2 - (first ? header.length + 2 : 0) - 200;
  const comments: string[][] = [[]];
  let used = 0;
  let truncated = false;
  for (let s of sections) {
    let available = room(comments.length, comments.length === 1) - used;
    if (s.length + 2 > available && comments[comments.length - 1].length > 0) {
      if (comments.length === MAX_COMMENTS) {
        truncated = true;
        break;
      }
      comments.push([]);
      used = 0;
      available = room(comments.length, false);
    }
    if (s.length + 2 > available) {
      s = `${s.slice(0, Math.max(0, available - 40))}\n…\n\`\`\`\n\n</details>`;
      truncated = true;
    }
    comments[comments.length - 1].push(s);
    used += s.length + 2;
  }
  const n = comments.length;
  return comments.map((parts, i) => {
    const title = i === 0 ? header : `### Plan for \`${stack}\`, part ${i + 1} of ${n}`;
    const tail = truncated && i === n - 1 ? pointer : n > 1 && i < n - 1 ? `\n\n_Continued in part ${i + 2} of ${n}._` : '';
    return `${marker(stack, i + 1)}\n${[title, ...parts].join('\n\n')}${tail}`;
  });
}

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** The CLI; returns the exit code. */
export function main(args: string[], log: (s: string) => void = console.log, error: (s: string) => void = console.error): number {
  const planFile = argValue(args, '--plan');
  const stack = argValue(args, '--stack');
  const out = argValue(args, '--out');
  if (!planFile || !stack || !out) {
    error('usage: plan-report --plan plan.json --stack NAME --out DIR [--allow-destroy] [--commit SHA] [--plan-url URL]');
    return 1;
  }
  try {
    const plan = parsePlan(readFileSync(planFile, 'utf8'), planFile);
    const report = renderReport(plan, { stack, allowDestroy: args.includes('--allow-destroy'), commit: argValue(args, '--commit'), planUrl: argValue(args, '--plan-url') });
    mkdirSync(out, { recursive: true });
    report.comments.forEach((c, i) => writeFileSync(join(out, `comment-${i + 1}.md`), c));
    const { create, update, replace, delete: del } = report.counts;
    log(`${stack}: ${create} to create, ${update} to update, ${replace} to replace, ${del} to destroy; ${report.comments.length} comment(s) in ${out}`);
    if (report.blocked) {
      error(`${stack}: ${report.destructive.length} stateful resource(s) would be destroyed or replaced: ${report.destructive.map((d) => d.address).join(', ')}. Add the allow-destroy label if this is intended.`);
      return 2;
    }
    return 0;
  } catch (e) {
    error(e instanceof PlanFormatError ? e.message : `${planFile}: ${(e as Error).message}`);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
