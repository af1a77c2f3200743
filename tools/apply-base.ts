/**
 * Apply base: the commit the apply workflow compares main with, so that every change since
 * the last successful apply of each stack is planned again (a failed or cancelled apply
 * is retried by the next run, and a run that was dropped from the queue loses nothing).
 *
 *   node dist/tools/apply-base.js --applied '{"production":"<sha>","staging":""}'
 *
 * `--applied` maps each stack to its last applied commit (github.ts lastAppliedCommits;
 * "" when it was never applied). Prints the oldest of them, as the base for
 * affected-stacks, or nothing (every stack is affected) when a stack was never applied
 * or its commit is not an ancestor of HEAD (history rewritten, or the commit is unknown
 * here). A stack applied more recently than the base is planned again harmlessly: its
 * plan shows no changes and its apply is skipped.
 */
import { execFileSync } from 'node:child_process';

/**
 * @param applied stack -> last applied commit ("" = never)
 * @param distance how many commits HEAD is ahead of `sha`, or undefined when `sha` is not an ancestor of HEAD
 * @returns the base commit, or "" for "every stack"
 */
export function applyBase(applied: Readonly<Record<string, string>>, distance: (sha: string) => number | undefined): string {
  const commits = [...new Set(Object.values(applied))];
  if (commits.length === 0 || commits.includes('')) return '';
  let oldest = '';
  let farthest = -1;
  for (const sha of commits) {
    const d = distance(sha);
    if (d === undefined) return '';
    if (d > farthest) [oldest, farthest] = [sha, d];
  }
  return oldest;
}

/** Commits from `sha` to HEAD with git, or undefined when `sha` is not an ancestor of HEAD. */
export function gitDistance(sha: string, cwd = process.cwd()): number | undefined {
  if (!/^[0-9a-f]{40}$/.test(sha)) return undefined;
  try {
    execFileSync('git', ['merge-base', '--is-ancestor', sha, 'HEAD'], { cwd, stdio: 'ignore' });
    return Number(execFileSync('git', ['rev-list', '--count', `${sha}..HEAD`], { cwd, encoding: 'utf8' }).trim());
  } catch {
    return undefined;
  }
}

/** The CLI; returns the exit code. */
export function main(args: string[], log: (s: string) => void = console.log, error: (s: string) => void = console.error, distance = (sha: string) => gitDistance(sha)): number {
  const i = args.indexOf('--applied');
  const raw = i >= 0 ? args[i + 1] : undefined;
  if (raw === undefined) {
    error('usage: apply-base --applied \'{"<stack>":"<sha or empty>"}\'');
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
  log(applyBase(applied as Record<string, string>, distance));
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
