/**
 * Plan report: turns `terraform show -json <planfile>` into the pull request comment.
 *
 *   node dist/tools/plan-report.js --plan plan.json --stack production --out dir \
 *     [--allow-destroy] [--commit SHA] [--plan-url URL] [--labels-out FILE] \
 *     [--stateful-types FILE]... [--diagnostics FILE]
 *
 * Writes dir/comment-1.md (and -2, -3... when the plan is too long for one comment),
 * writes the PR labels one per line to --labels-out (`plan:changes`, `plan:destroy`,
 * `plan:no-changes`, `plan:error`), prints a one-line summary, and exits
 * - 2 when a stateful resource would be deleted or replaced without --allow-destroy (the
 *   PR's `allow-destroy` label),
 * - 1 when the plan errored, or the input is not a plan (a comment saying so is still
 *   written), or the arguments are wrong.
 *
 * Stateful types: the built-in list (tools/plan-report/stateful.ts), plus
 * `accounts/<stack>/stateful-types.json` when it exists, plus each --stateful-types file.
 * --diagnostics takes the log of `terraform plan -json` to show Terraform's warnings.
 * The `cdk.tf.json` next to the plan file, when there is one, lays out the diagram of the change.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Diagnostic, PlanErroredError, PlanFormatError, diagnosticsFromLog, parsePlan, readPlan } from './plan-report/plan';
import { Report, ReportOptions, renderRefusal, renderReport } from './plan-report/render';
import { STATEFUL_TYPES, statefulFiles, statefulTypes } from './plan-report/stateful';
import { StackJson } from './diagram/account';

export * from './plan-report/plan';
export * from './plan-report/render';
export { NOT_STATEFUL, STATEFUL_TYPES } from './plan-report/stateful';

/** Reads and renders a parsed plan document; `stateful` defaults to the built-in list. */
export function renderPlan(doc: Record<string, unknown>, options: ReportOptions, stateful: Readonly<Record<string, string>> = STATEFUL_TYPES): Report {
  return renderReport(readPlan(doc, stateful), options);
}

const USAGE = 'usage: plan-report --plan plan.json --stack NAME --out DIR [--allow-destroy] [--commit SHA] [--plan-url URL] [--labels-out FILE] [--stateful-types FILE]... [--diagnostics FILE]';
const VALUED = ['--plan', '--stack', '--out', '--commit', '--plan-url', '--labels-out', '--stateful-types', '--diagnostics'];

/** The arguments by name (repeatable ones keep every value); throws on unknown or valueless flags. */
function parseArgs(args: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const name = args[i];
    if (name === '--allow-destroy') out.set(name, ['true']);
    else if (VALUED.includes(name)) {
      const value = args[i + 1];
      if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value`);
      out.set(name, [...(out.get(name) ?? []), value]);
      i++;
    } else throw new Error(`unknown argument ${JSON.stringify(name)}`);
  }
  return out;
}

/** The CLI; returns the exit code. */
export function main(args: string[], log: (s: string) => void = console.log, error: (s: string) => void = console.error): number {
  let parsed: Map<string, string[]>;
  try {
    parsed = parseArgs(args);
  } catch (e) {
    error(`${(e as Error).message}\n${USAGE}`);
    return 1;
  }
  const one = (name: string) => parsed.get(name)?.at(-1);
  const labelsOut = one('--labels-out');
  const writeLabels = (labels: readonly string[]) => {
    if (labelsOut) writeFileSync(labelsOut, `${labels.join('\n')}\n`);
  };
  const planFile = one('--plan');
  const stack = one('--stack');
  const out = one('--out');
  if (!planFile || !stack || !out) {
    error(USAGE);
    writeLabels(['plan:error']);
    return 1;
  }
  // Every file in --out is posted as a comment: the labels must live elsewhere.
  if (labelsOut && resolve(dirname(labelsOut)) === resolve(out)) {
    error(`--labels-out ${labelsOut}: must not be in --out ${out}, whose every file is posted as a comment`);
    return 1;
  }
  // The stack the plan was made from sits next to it in CI (cdktf.out/stacks/<stack>/):
  // with it, the diagram of the change is grouped and linked like the account diagram.
  const stackFile = join(dirname(planFile), 'cdk.tf.json');
  let stackJson: StackJson | undefined;
  if (existsSync(stackFile)) {
    try {
      stackJson = JSON.parse(readFileSync(stackFile, 'utf8')) as StackJson;
    } catch (e) {
      error(`${stackFile}: not JSON (${(e as Error).message}); the diagram of the change groups resources by construct only`);
    }
  }
  const options = { stack, allowDestroy: parsed.has('--allow-destroy'), commit: one('--commit'), planUrl: one('--plan-url'), stackJson };
  const write = (report: Report) => {
    mkdirSync(out, { recursive: true });
    report.comments.forEach((c, i) => writeFileSync(join(out, `comment-${i + 1}.md`), c));
    writeLabels(report.labels);
    for (const notice of report.notices) error(`${stack}: ${notice}`);
  };
  try {
    const stateful = statefulTypes(statefulFiles(stack, parsed.get('--stateful-types') ?? []));
    const diagnostics: Diagnostic[] = (parsed.get('--diagnostics') ?? []).flatMap((f) => diagnosticsFromLog(readFileSync(f, 'utf8'), f));
    let report: Report;
    try {
      report = renderReport(readPlan(parsePlan(readFileSync(planFile, 'utf8'), planFile), stateful, diagnostics), options);
    } catch (e) {
      if (!(e instanceof PlanFormatError)) throw e;
      // Still put a comment on the PR, so the reviewer sees why there is no plan.
      write(renderRefusal(e.message, e instanceof PlanErroredError ? e.diagnostics : [], options));
      error(`${planFile}: ${e.message}`);
      return 1;
    }
    write(report);
    const { create, update, replace, delete: del } = report.counts;
    log(`${stack}: ${create} to create, ${update} to update, ${replace} to replace, ${del} to destroy; ${report.comments.length} comment(s) in ${out}; labels ${report.labels.join(', ')}`);
    if (report.blocked) {
      error(`${stack}: ${report.destructive.length} stateful resource(s) would be destroyed or replaced: ${report.destructive.map((d) => d.address).join(', ')}. Add the allow-destroy label if this is intended.`);
      return 2;
    }
    return 0;
  } catch (e) {
    error((e as Error).message);
    writeLabels(['plan:error']);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
