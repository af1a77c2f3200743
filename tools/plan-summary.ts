/**
 * Plan summary: the part of a plan a reviewer approves (which resource, which action),
 * used to prove that what is applied is what was reviewed, and to tell drift from noise.
 *
 *   node dist/tools/plan-summary.js summary --plan plan.json --out summary.txt
 *   node dist/tools/plan-summary.js compare --reviewed summary.txt --plan plan.json
 *   node dist/tools/plan-summary.js drift --plan plan.json
 *
 * `summary` writes one "action address" line per change, outputs included (no attribute values, so the
 * file holds no secret). `compare` exits 3 and lists every difference when the new plan
 * does not have exactly the reviewed addresses and actions, or when there is no reviewed
 * summary at all. `drift` prints "true" or
 * "false": a change whose only effect is the Fastly `version_comment` (set from the
 * commit at synth) is not drift.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Change, STATEFUL_TYPES, parsePlan, readPlan } from './plan-report';
import { optionOf } from './cli';

type Json = Record<string, unknown>;

/** The changes plan-report shows a reviewer (it refuses an errored plan). */
const changesOf = (plan: Json): readonly Change[] => readPlan(plan, STATEFUL_TYPES).changes;

/** One line per change: the action, the address, and a move or import, which a reviewer also approves. */
const lineOf = (c: Change) => `${c.action} ${c.address}${c.previousAddress ? ` (moved from ${c.previousAddress})` : ''}${c.importing ? ' (import)' : ''}`;

/**
 * "action address" lines, sorted: the reviewed content of a plan. Output changes count:
 * Terraform stores outputs in the state only on apply, and the apply workflow skips a stack
 * whose summary is empty (ci-gates apply-matrix), so an output-only plan would never be
 * applied and the stack would be re-planned on every push.
 */
export function summarize(plan: Json): string[] {
  const { changes, outputs } = readPlan(plan, STATEFUL_TYPES);
  return [...changes.map(lineOf), ...outputs.map((o) => `${o.action} output.${o.name}`)].sort();
}

/** What differs between the reviewed lines and the new plan's lines; empty when equal. */
export function compareSummaries(reviewed: readonly string[], current: readonly string[]): string[] {
  const before = new Set(reviewed);
  const after = new Set(current);
  return [
    ...reviewed.filter((l) => !after.has(l)).map((l) => `reviewed but not in this plan: ${l}`),
    ...current.filter((l) => !before.has(l)).map((l) => `in this plan but not reviewed: ${l}`),
  ];
}

/**
 * The changes that are drift. A `fastly_service_vcl` update that changes only
 * `version_comment` is the commit id the synth wrote, not a change made outside the
 * repository; the provider updates that comment without cloning a version (CustomizeDiff
 * in fastly/base_fastly_service.go skips name, comment and version_comment).
 */
export function driftOf(plan: Json): string[] {
  return changesOf(plan)
    .filter((c) => !(c.type === 'fastly_service_vcl' && c.action === 'update' && c.attributes().every((a) => a.path === 'version_comment')))
    .map(lineOf)
    .sort();
}

const readLines = (file: string) => readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');

/** The CLI; returns the exit code (3: the plan differs from the reviewed one). */
export function main(args: string[], log: (s: string) => void = console.log, error: (s: string) => void = console.error): number {
  const at = (name: string) => optionOf(args, name);
  const [command] = args;
  const planFile = at('--plan');
  try {
    if (!planFile) throw new Error('usage: plan-summary summary --plan plan.json --out FILE | compare --reviewed FILE --plan plan.json | drift --plan plan.json');
    const plan = parsePlan(readFileSync(planFile, 'utf8'), planFile);
    const out = at('--out');
    const reviewed = at('--reviewed');
    if (command === 'summary' && out) {
      writeFileSync(out, summarize(plan).map((l) => `${l}\n`).join(''));
      return 0;
    }
    if (command === 'compare' && reviewed) {
      if (!existsSync(reviewed)) {
        error(`No reviewed plan of this stack (${reviewed} is missing): it was not planned on the pull request, or the plan failed there. Nothing was applied; re-apply the stack (Actions → Apply → Run workflow) to have its plan approved.`);
        return 3;
      }
      const differences = compareSummaries(readLines(reviewed), summarize(plan));
      if (differences.length === 0) {
        log(`The plan has exactly the reviewed changes (${summarize(plan).length}).`);
        return 0;
      }
      error(`The plan differs from the reviewed plan (${reviewed}) in ${differences.length} change(s); nothing was applied:\n${differences.join('\n')}`);
      return 3;
    }
    if (command === 'drift') {
      log(String(driftOf(plan).length > 0));
      return 0;
    }
    throw new Error(`plan-summary: unknown command or missing option in "${args.join(' ')}"`);
  } catch (e) {
    error((e as Error).message);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
