/**
 * Preview stacks per pull request (README, "Preview stacks"): which parts a PR's preview
 * contains, what CI does on each pull request event, which previews the daily sweep
 * destroys, and the PR comment.
 *
 *   node dist/tools/preview.js decide --event FILE            -> {"action":"apply"|"destroy"|"none","stack","reason"}
 *   node dist/tools/preview.js synth --pr N --labels FILE --files FILE [--now ISO] [--outdir cdktf.out.preview]
 *   node dist/tools/preview.js sweep --previews FILE [--now ISO] -> ["preview-12", ...]
 *   node dist/tools/preview.js comment --pr N --outputs FILE  -> the PR comment (Markdown)
 *   node dist/tools/preview.js settings                       -> {"accountId","region","bucket","roleArn"} for CI
 *
 * Only stack names `preview-<number>` ever come out of this tool: the workflow destroys
 * nothing else, and the role it uses cannot touch anything else (bootstrap, infra-ci-preview).
 */
import { readFileSync } from 'node:fs';
import { App } from 'cdktf';
import { loadAccounts } from '../accounts';
import type { AccountConfig } from '../accounts/schema';
import { preview as sandboxPreview } from '../accounts/sandbox/preview';
import { UserError } from '../constructs/core/validation';
import { PreviewParts, PreviewSettings, previewAccount, previewStack, previewStackName } from '../stacks/preview-stack';
import { optionOf } from './cli';

/** The label that asks for a preview; `preview:<app>` asks for one with that app. */
export const PREVIEW_LABEL = 'preview';
const PREVIEW_STACK = /^preview-([1-9]\d{0,8})$/;

/** The PR number of a preview stack name, or undefined for any other name. */
export function prOfStack(stack: string): number | undefined {
  const m = PREVIEW_STACK.exec(stack);
  return m ? Number(m[1]) : undefined;
}

/** Whether the labels ask for a preview, and which apps they name. */
export function requestOf(labels: readonly string[]): { readonly wanted: boolean; readonly apps: readonly string[] } {
  const apps = labels.filter((l) => l.startsWith(`${PREVIEW_LABEL}:`)).map((l) => l.slice(PREVIEW_LABEL.length + 1).trim()).filter(Boolean);
  return { wanted: labels.includes(PREVIEW_LABEL) || apps.length > 0, apps };
}

/**
 * Which construct folders build which parts of an account: a PR changing one of them gets
 * every part of that kind in its preview. Changes elsewhere (accounts, policies, tools)
 * build only the network and the budget, unless a label names an app.
 */
const CONSTRUCT_PARTS: ReadonlyArray<[folder: string, kinds: ReadonlyArray<keyof PreviewParts>]> = [
  ['constructs/beanstalk/', ['apps']],
  ['constructs/aurora/', ['aurora']],
  ['constructs/sqlserver/', ['sqlServer']],
  ['constructs/database/', ['aurora', 'sqlServer']],
];

/**
 * The parts of `source` a preview contains: the apps the labels name, every part of a kind
 * whose construct the PR changes, and the databases the chosen apps connect to (an app is
 * previewed with its database). An unknown app name is refused with the known ones.
 */
export function partsOf(source: AccountConfig, labels: readonly string[], changedFiles: readonly string[]): PreviewParts {
  const { apps: named } = requestOf(labels);
  const known = source.apps.map((a) => a.name);
  const unknown = named.filter((a) => !known.includes(a));
  if (unknown.length) throw new UserError(`preview: label ${unknown.map((a) => `"${PREVIEW_LABEL}:${a}"`).join(', ')}: expected ${PREVIEW_LABEL}:<app> with an app of ${source.name}: ${known.join(', ')}`);
  const kinds = new Set(CONSTRUCT_PARTS.filter(([folder]) => changedFiles.some((f) => f.startsWith(folder))).flatMap(([, k]) => k));
  const apps = kinds.has('apps') ? known : known.filter((a) => named.includes(a));
  const usedBy = (db: { clients?: readonly string[] }) => (db.clients ?? []).some((c) => apps.includes(c));
  return {
    apps,
    aurora: source.databases.aurora.filter((d) => kinds.has('aurora') || usedBy(d)).map((d) => d.name),
    sqlServer: source.databases.sqlServer.filter((d) => kinds.has('sqlServer') || usedBy(d)).map((d) => d.name),
  };
}

/** When a preview last pushed at `now` expires: `ttlDays` later, to the second (ISO 8601, UTC). */
export function expiryOf(now: Date, ttlDays: number): string {
  if (!(ttlDays > 0)) throw new UserError(`preview: ttlDays: got ${ttlDays}, expected a number of days above 0`);
  return new Date(now.getTime() + ttlDays * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The parts of a `pull_request` event this tool reads. */
export interface PullRequestEvent {
  readonly action: string;
  readonly number: number;
  readonly labels: readonly string[];
  /** Whether the PR comes from this repository (forks get no credentials, so no preview). */
  readonly sameRepository: boolean;
  /** The label added or removed (`labeled` / `unlabeled` events). @default - none */
  readonly label?: string;
}

export interface Decision {
  readonly action: 'apply' | 'destroy' | 'none';
  readonly stack: string;
  readonly reason: string;
}

/**
 * What CI does with the preview of a PR on one event: destroy when the PR closes or loses
 * its last preview label; apply (create or update) on every push while it has one; nothing
 * otherwise. Labels that are not preview labels change nothing.
 */
export function decide(event: PullRequestEvent): Decision {
  const stack = previewStackName(event.number);
  const { wanted } = requestOf(event.labels);
  if (!event.sameRepository) return { action: 'none', stack, reason: 'pull requests from forks get no preview (no cloud credentials)' };
  if (event.action === 'closed') return { action: 'destroy', stack, reason: 'the pull request was closed' };
  // Other labels (allow-destroy, plan:*) come and go on every PR: they change nothing here.
  if ((event.action === 'labeled' || event.action === 'unlabeled') && event.label !== undefined && !requestOf([event.label]).wanted) {
    return { action: 'none', stack, reason: `label "${event.label}" is not a preview label` };
  }
  if (event.action === 'unlabeled') return wanted ? { action: 'apply', stack, reason: 'a preview label was removed, others remain' } : { action: 'destroy', stack, reason: 'the preview label was removed' };
  if (['opened', 'reopened', 'synchronize', 'labeled'].includes(event.action) && wanted) return { action: 'apply', stack, reason: `${event.action}, labelled ${PREVIEW_LABEL}` };
  return { action: 'none', stack, reason: wanted ? `nothing to do on "${event.action}"` : `not labelled ${PREVIEW_LABEL}` };
}

/** One preview found in the state bucket, with what GitHub says of its PR. */
export interface FoundPreview {
  readonly stack: string;
  /** The state's `preview_expires` output. @default - unknown: destroyed as expired */
  readonly expires?: string;
  /** The PR's state and labels. @default - unknown (no such PR): destroyed */
  readonly pr?: { readonly state: 'open' | 'closed'; readonly labels: readonly string[] };
  /**
   * How many resources its state holds. Terraform keeps the state object after a destroy,
   * empty: 0 means there is nothing to destroy. @default - unknown: judged like the others
   */
  readonly resources?: number;
}

/**
 * The previews the daily sweep destroys: PR closed or gone, no preview label, or expired
 * (no push for `ttlDays`), each with why. Names that are not `preview-<number>` are never
 * returned, whatever the input holds; nor are states with no resource left (an earlier
 * destroy's), which would otherwise be destroyed again every day, more each day.
 */
export function sweep(found: readonly FoundPreview[], now: Date): Array<{ stack: string; reason: string }> {
  return found.flatMap((p) => {
    if (prOfStack(p.stack) === undefined || p.resources === 0) return [];
    const expires = p.expires === undefined ? NaN : Date.parse(p.expires);
    const reason =
      p.pr === undefined ? 'its pull request does not exist'
      : p.pr.state === 'closed' ? 'its pull request is closed'
      : !requestOf(p.pr.labels).wanted ? 'its pull request has no preview label'
      : Number.isNaN(expires) ? 'its expiry is unknown'
      : expires <= now.getTime() ? `it expired at ${p.expires}`
      : undefined;
    return reason ? [{ stack: p.stack, reason }] : [];
  });
}

/** The PR comment: the preview's endpoints (Terraform outputs) and when it expires. */
export function commentBody(pr: number, outputs: Readonly<Record<string, { value: unknown }>>): string {
  const rows = Object.entries(outputs)
    .filter(([k]) => k !== 'preview_expires')
    .map(([k, v]) => `| \`${k.replace(/^(url|db)_/, '')}\` | ${k.startsWith('url_') ? 'app' : 'database (from the VPC only)'} | \`${String(v.value)}\` |`);
  return [
    `<!-- preview:${previewStackName(pr)} -->`,
    `### Preview \`${previewStackName(pr)}\` (sandbox account)`,
    '',
    rows.length ? ['| name | what | endpoint |', '|---|---|---|', ...rows].join('\n') : 'Network and budget only: label the PR `preview:<app>` to add an app and its database.',
    '',
    `Expires ${String(outputs.preview_expires?.value ?? 'unknown')} unless pushed to again; destroyed when the PR closes or loses the \`${PREVIEW_LABEL}\` label.`,
  ].join('\n');
}

/** Synthesizes the preview of `pr` into `outdir`/stacks/preview-<pr>; returns the stack name and its parts. */
export function synthPreview(options: { pr: number; labels: readonly string[]; changedFiles: readonly string[]; now: Date; outdir: string; settings?: PreviewSettings; accounts?: readonly AccountConfig[] }): { stack: string; parts: PreviewParts } {
  const settings = options.settings ?? sandboxPreview;
  const accounts = options.accounts ?? loadAccounts();
  const find = (name: string, what: string) => accounts.find((a) => a.name === name) ?? (() => { throw new UserError(`preview: ${what}: got "${name}", expected an account in accounts/: ${accounts.map((a) => a.name).join(', ')}`); })();
  const source = find(settings.source, 'source');
  const parts = partsOf(source, options.labels, options.changedFiles);
  const account = previewAccount(find(settings.account, 'account'), source, settings, options.pr, parts);
  const app = new App({ outdir: options.outdir });
  previewStack(app, account, options.pr, expiryOf(options.now, settings.ttlDays));
  app.synth();
  return { stack: account.name, parts };
}

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);

/** The CLI; returns the exit code. */
export function main(args: string[], log: (s: string) => void = console.log, error: (s: string) => void = console.error): number {
  const at = (name: string) => optionOf(args, name);
  const now = at('--now') ? new Date(at('--now')!) : new Date();
  try {
    switch (args[0]) {
      case 'decide': {
        const event = JSON.parse(readFileSync(at('--event')!, 'utf8'));
        const pr = event.pull_request;
        log(JSON.stringify(decide({ action: event.action, number: pr.number, labels: pr.labels.map((l: { name: string }) => l.name), sameRepository: pr.head.repo?.full_name === event.repository.full_name, label: event.label?.name })));
        return 0;
      }
      case 'synth': {
        const pr = Number(at('--pr'));
        const result = synthPreview({ pr, labels: at('--labels') ? lines(at('--labels')!) : [], changedFiles: at('--files') ? lines(at('--files')!) : [], now, outdir: at('--outdir') ?? 'cdktf.out.preview' });
        log(JSON.stringify(result));
        return 0;
      }
      case 'sweep':
        log(JSON.stringify(sweep(JSON.parse(readFileSync(at('--previews')!, 'utf8')), now).map((s) => s.stack)));
        return 0;
      case 'settings': {
        const account = loadAccounts().find((a) => a.name === sandboxPreview.account)!;
        log(JSON.stringify({ accountId: account.accountId, region: account.region, bucket: account.state.bucket, roleArn: `arn:aws:iam::${account.accountId}:role/${sandboxPreview.role}` }));
        return 0;
      }
      case 'comment':
        log(commentBody(Number(at('--pr')), JSON.parse(readFileSync(at('--outputs')!, 'utf8'))));
        return 0;
      default:
        error('usage: preview decide --event FILE | synth --pr N [--labels FILE] [--files FILE] [--now ISO] [--outdir DIR] | sweep --previews FILE [--now ISO] | comment --pr N --outputs FILE | settings');
        return 1;
    }
  } catch (e) {
    error((e as Error).message);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
