/**
 * Apply stacks: which stacks the apply workflow plans, each compared with the last commit
 * applied to it successfully, not with the previous push. A failed or cancelled apply
 * leaves that commit where it was, so the next run plans the change again; a run GitHub
 * dropped from the queue loses nothing either.
 *
 *   node dist/tools/apply-stacks.js --applied '{"production":"<sha>","staging":""}' \
 *     --parent <sha> --head cdktf.out --workdir DIR
 *
 * `--applied` maps each stack to its last applied commit (github.ts lastAppliedCommits;
 * "" when never applied). Each of those commits and `--parent` (the previous main commit)
 * is synthesized once in DIR (git worktree, `npm ci --ignore-scripts`, `npm start`).
 * Prints the GitHub Actions matrix of affected-stacks, each entry with `caughtUp`: true
 * when the stack's code did not change between its last applied commit and the parent,
 * i.e. the only change to apply is this commit's, so the plan must be the one reviewed on
 * the merged pull request. A stack never applied, or whose commit cannot be synthesized
 * (not an ancestor, or it fails), counts as added and not caught up.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AffectedStack, normalized, readStacks, whereOf } from './affected-stacks';
import { optionOf } from './cli';

export interface ApplyStack extends AffectedStack {
  readonly caughtUp: boolean;
}

/** Synthesizes `sha` and returns its cdktf.out, or undefined when it cannot. */
export type SynthCommit = (sha: string) => string | undefined;

export function applyStacks(applied: Readonly<Record<string, string>>, parent: string, head: string, synth: SynthCommit): ApplyStack[] {
  const synths = new Map<string, Map<string, unknown>>();
  const stacksAt = (sha: string) => {
    if (!synths.has(sha)) {
      const out = sha === '' ? undefined : synth(sha);
      synths.set(sha, out === undefined ? new Map() : readStacks(out));
    }
    return synths.get(sha) as Map<string, unknown>;
  };
  const now = readStacks(head);
  if (now.size === 0) throw new Error(`${head}: no synthesized stack; run the synth first`);
  const out: ApplyStack[] = [];
  for (const [stack, json] of now) {
    const sha = applied[stack] ?? '';
    const before = stacksAt(sha).get(stack);
    const caughtUp = before !== undefined && (sha === parent || (stacksAt(parent).has(stack) && normalized(stacksAt(parent).get(stack)) === normalized(before)));
    if (before === undefined) out.push({ stack, status: 'added', ...whereOf(json), caughtUp });
    else if (normalized(before) !== normalized(json)) out.push({ stack, status: 'changed', ...whereOf(json), caughtUp });
  }
  for (const [stack, json] of stacksAt(parent)) if (!now.has(stack)) out.push({ stack, status: 'removed', ...whereOf(json), caughtUp: false });
  return out.sort((a, b) => a.stack.localeCompare(b.stack));
}

/** Synthesizes a commit of this repository in `workdir/<sha>` with git and npm. */
export function gitSynth(workdir: string, cwd = process.cwd()): SynthCommit {
  return (sha) => {
    if (!/^[0-9a-f]{40}$/.test(sha)) return undefined;
    const dir = join(workdir, sha);
    try {
      execFileSync('git', ['merge-base', '--is-ancestor', sha, 'HEAD'], { cwd, stdio: 'ignore' });
      if (!existsSync(dir)) execFileSync('git', ['worktree', 'add', '--detach', dir, sha], { cwd, stdio: 'ignore' });
      execFileSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
      execFileSync('npm', ['start'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, COMMIT_ID: sha } });
      return join(dir, 'cdktf.out');
    } catch {
      console.error(`::warning::${sha} does not synthesize here (or is not an ancestor of HEAD): its stacks count as never applied.`);
      return undefined;
    }
  };
}

/** The CLI; returns the exit code. */
export function main(args: string[], log: (s: string) => void = console.log, error: (s: string) => void = console.error, synth?: SynthCommit): number {
  const at = (name: string) => optionOf(args, name);
  const raw = at('--applied');
  const parent = at('--parent');
  const head = at('--head');
  const workdir = at('--workdir');
  if (raw === undefined || parent === undefined || !head || !workdir) {
    error('usage: apply-stacks --applied \'{"<stack>":"<sha or empty>"}\' --parent SHA --head cdktf.out --workdir DIR');
    return 1;
  }
  let applied: unknown;
  try {
    applied = JSON.parse(raw);
  } catch (e) {
    error(`--applied: not JSON (${(e as Error).message})`);
    return 1;
  }
  if (typeof applied !== 'object' || applied === null || Array.isArray(applied) || Object.values(applied).some((v) => typeof v !== 'string')) {
    error(`--applied: expected an object of stack name to commit sha (string), got ${raw}`);
    return 1;
  }
  try {
    log(JSON.stringify({ include: applyStacks(applied as Record<string, string>, parent, head, synth ?? gitSynth(workdir)) }));
    return 0;
  } catch (e) {
    error((e as Error).message);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
