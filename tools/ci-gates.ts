/**
 * CI gates: the two decisions the workflows make between jobs.
 *
 *   node dist/tools/ci-gates.js required --needs '<toJSON(needs)>'
 *   node dist/tools/ci-gates.js apply-matrix --matrix '<plan matrix>' --approved DIR
 *
 * `required` is the aggregate check branch protection requires: per-stack plan jobs only
 * exist for affected stacks, so no single "Plan <stack>" check can be required. It fails
 * when any job it needs failed or was cancelled, or when `check` did not succeed
 * (a skipped plan is fine: no stack affected, or a fork).
 * `apply-matrix` keeps the stacks whose approval plan (in the apply workflow) succeeded
 * with changes: DIR holds one `approved-<stack>/summary.txt` per planned stack, empty when
 * the plan has no changes, absent when the plan failed. So a production approval is asked
 * only when there is something to apply, and one stack's failed plan does not stop the others.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { optionOf } from './cli';

type Needs = Record<string, { result?: string }>;

/** The failed or cancelled needs, as messages; empty when the required check passes. */
export function requiredFailures(needs: Needs): string[] {
  const out = Object.entries(needs)
    .filter(([, n]) => n.result !== 'success' && n.result !== 'skipped')
    .map(([job, n]) => `${job}: ${n.result ?? 'no result'}`);
  if (needs.check && needs.check.result !== 'success' && !out.some((m) => m.startsWith('check:'))) out.push(`check: ${needs.check.result} (it must succeed)`);
  if (!needs.check) out.push('check: not among the needs of the required job');
  return out;
}

interface MatrixEntry {
  readonly stack: string;
  readonly [key: string]: unknown;
}

/** The matrix entries whose approval plan has changes to apply. */
export function applyMatrix(matrix: { include: MatrixEntry[] }, approvedDir: string): { include: MatrixEntry[] } {
  return {
    include: matrix.include.filter((m) => {
      const summary = join(approvedDir, `approved-${m.stack}`, 'summary.txt');
      return existsSync(summary) && readFileSync(summary, 'utf8').trim() !== '';
    }),
  };
}

/** The CLI; returns the exit code. */
export function main(args: string[], log: (s: string) => void = console.log, error: (s: string) => void = console.error): number {
  const at = (name: string) => optionOf(args, name);
  try {
    const needs = at('--needs');
    if (args[0] === 'required' && needs) {
      const failures = requiredFailures(JSON.parse(needs) as Needs);
      if (failures.length === 0) {
        log('Every required job passed.');
        return 0;
      }
      error(`Required checks failed:\n${failures.join('\n')}`);
      return 1;
    }
    const matrix = at('--matrix');
    const approved = at('--approved');
    if (args[0] === 'apply-matrix' && matrix && approved) {
      log(JSON.stringify(applyMatrix(JSON.parse(matrix) as { include: MatrixEntry[] }, approved)));
      return 0;
    }
    error('usage: ci-gates required --needs JSON | ci-gates apply-matrix --matrix JSON --approved DIR');
    return 1;
  } catch (e) {
    error((e as Error).message);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
