/**
 * Affected stacks: which stacks differ between two synth outputs.
 *
 *   node dist/tools/affected-stacks.js --base base/cdktf.out --head cdktf.out [--json | --names] [--only STACK]
 *
 * A stack is added, removed or changed; cdktf metadata ("//" keys: construct paths,
 * tool version) and the Fastly version comment (the commit id) are ignored, so a commit
 * that changes only a README affects nothing. --json prints the GitHub Actions matrix:
 * {"include":[{"stack":"production","status":"changed","account":"111111111111","region":"ap-northeast-1",
 * "planRole":"arn:...:role/infra-ci-plan","applyRole":"arn:...:role/infra-ci-apply"}]}, read from
 * each stack's pinned AWS provider. With a --base that does not exist, every stack is "added":
 * the drift workflow uses that to list all stacks. --names prints the stack names as a JSON
 * array. `--only STACK` keeps that one stack (the apply workflow's re-apply of one stack),
 * and fails when the head has no such stack.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { optionOf } from './cli';

export type Status = 'added' | 'removed' | 'changed';

export interface AffectedStack {
  readonly stack: string;
  readonly status: Status;
  readonly account?: string;
  readonly region?: string;
  /** The CI roles the stack's AWS provider assumes (see AccountStack). */
  readonly planRole?: string;
  readonly applyRole?: string;
}

/** Keys whose values change on every commit or with the tool, not with the infrastructure. */
const VOLATILE_KEYS = new Set(['//', 'version_comment']);

/** The stack's JSON without volatile keys, as a stable string. */
export function normalized(json: unknown): string {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>)
          .filter(([k]) => !VOLATILE_KEYS.has(k))
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, x]) => [k, strip(x)]),
      );
    }
    return v;
  };
  return JSON.stringify(strip(json));
}

export function readStacks(outdir: string): Map<string, unknown> {
  const dir = join(outdir, 'stacks');
  const stacks = new Map<string, unknown>();
  if (!existsSync(dir)) return stacks;
  for (const name of readdirSync(dir).sort()) {
    const file = join(dir, name, 'cdk.tf.json');
    if (!existsSync(file)) continue;
    try {
      stacks.set(name, JSON.parse(readFileSync(file, 'utf8')));
    } catch (error) {
      throw new Error(`${file}: not JSON (${(error as Error).message})`);
    }
  }
  return stacks;
}

/**
 * Account, region and CI roles of a stack, from its pinned AWS provider (the role map of its
 * `dynamic "assume_role"` block, see stacks/account-stack.ts, or a plain `assume_role`).
 */
export function whereOf(json: unknown): Pick<AffectedStack, 'account' | 'region' | 'planRole' | 'applyRole'> {
  type Aws = { allowed_account_ids?: string[]; region?: string; assume_role?: Array<{ role_arn?: string }>; dynamic?: { assume_role?: { content?: { role_arn?: string } } } };
  const aws = (json as { provider?: { aws?: Aws[] } }).provider?.aws?.[0];
  const roles = aws?.dynamic?.assume_role?.content?.role_arn ?? aws?.assume_role?.[0]?.role_arn ?? '';
  const role = (name: string) => new RegExp(`"${name}" = "(arn:aws:iam::\\d{12}:role/[\\w+=,.@/-]+)"`).exec(roles)?.[1];
  const where = { account: aws?.allowed_account_ids?.[0], region: aws?.region, planRole: role('plan'), applyRole: role('apply') };
  return Object.fromEntries(Object.entries(where).filter(([, v]) => v !== undefined));
}

/** The stacks that differ between `base` and `head` (both cdktf.out directories). */
export function affectedStacks(base: string, head: string): AffectedStack[] {
  if (!existsSync(join(head, 'stacks'))) throw new Error(`${head}: no stacks/ folder; run the synth first`);
  const before = readStacks(base);
  const after = readStacks(head);
  const out: AffectedStack[] = [];
  for (const [stack, json] of after) {
    if (!before.has(stack)) out.push({ stack, status: 'added', ...whereOf(json) });
    else if (normalized(before.get(stack)) !== normalized(json)) out.push({ stack, status: 'changed', ...whereOf(json) });
  }
  for (const [stack, json] of before) if (!after.has(stack)) out.push({ stack, status: 'removed', ...whereOf(json) });
  return out.sort((a, b) => a.stack.localeCompare(b.stack));
}

/** The CLI; returns the exit code. */
export function main(args: string[], log: (s: string) => void = console.log, error: (s: string) => void = console.error): number {
  const at = (name: string) => optionOf(args, name);
  const base = at('--base');
  const head = at('--head');
  const only = at('--only');
  if (!base || !head) {
    error('usage: affected-stacks --base BASE_OUTDIR --head HEAD_OUTDIR [--json | --names] [--only STACK]');
    return 1;
  }
  try {
    if (only !== undefined && !readStacks(head).has(only)) throw new Error(`--only "${only}": no such stack in ${head}; expected one of: ${[...readStacks(head).keys()].join(', ')}`);
    const affected = affectedStacks(base, head).filter((a) => only === undefined || only === '' || a.stack === only);
    if (args.includes('--json')) log(JSON.stringify({ include: affected }));
    else if (args.includes('--names')) log(JSON.stringify(affected.map((a) => a.stack)));
    else log(affected.length === 0 ? 'No stack is affected.' : affected.map((a) => `${a.stack}\t${a.status}`).join('\n'));
    return 0;
  } catch (e) {
    error((e as Error).message);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
