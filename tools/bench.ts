/**
 * `npm run bench [-- --runs N] [--ci] [--no-twin]`: what `npm start` costs, against its naive twin.
 *
 * 1. `npm start` in a fresh copy of the repository (no dist/, no cdktf.out), then after a
 *    one-line change in one account file, and `npm start -- <that account>`.
 * 2. The naive twin (tools/naive-twin.ts): the same sources and accounts, run with ts-node
 *    and type checking, providers imported from their package roots, cdktf's token stack
 *    traces on. The ratios are of medians from this one run.
 * 3. The cost of one more account: synth of 1 and 21 generated staging-shaped accounts,
 *    each set in a fresh process (so max RSS is the set's own); the slope between them.
 * 4. The plan report on 20,000 changes.
 * 5. With `--ci`: `.ci/run` (npm ci, then npm test) in a clean clone of HEAD, with an empty
 *    temp dir so that no jest cache is reused.
 * Wall time is the whole command; peak memory is the largest sum of the resident memory of
 * the command's process tree (tools/bench-measure.ts). Each measurement runs `--runs` times.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { accountSources } from '../accounts';
import { generatedAccounts } from './bench-accounts';
import { benchPlanJson } from './bench-plan';
import { measure } from './bench-measure';
import { BenchOptions, Sample, Summary, formatRatio, formatSummary, parseBenchArgs, perAccount, ratio, summarize } from './bench-stats';
import { buildNaiveTwin, freshCopy } from './naive-twin';
import { synthesizeAccounts } from '../stacks/synthesize';
import { disableTokenStackTraces } from '../stacks/token-traces';
import { repoRoot } from '../stacks/vcl-files';
import { Report, parsePlan, renderPlan } from './plan-report';

const ROOT = repoRoot(__dirname);
/** Generated account sets: the per-account cost is the slope between them. */
const SETS = [1, 21] as const;
/** The issue's goals (issue 17). */
const GOALS = { ratio: 8, oneLineChangeSeconds: 2, accountMs: 150, accountMb: 10, npmTestSeconds: 60 };

interface SetMeasurement {
  readonly set: string;
  readonly accounts: number;
  readonly resources: number;
  readonly synthSeconds: number;
  /** CPU time (user and system) of the synth: what the machine's load does not stretch. */
  readonly synthCpuSeconds: number;
  readonly peakMb: number;
}

/** Runs in the child: synthesizes one set as `npm start` does, into a temp dir; reports on stdout as JSON. */
function child(set: string): void {
  disableTokenStackTraces();
  const { sources, tiers } = set === 'real' ? { sources: accountSources, tiers: undefined } : generatedAccounts(Number(set));
  const outdir = mkdtempSync(join(tmpdir(), 'bench-'));
  try {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const result = synthesizeAccounts({ sources, tiers, outdir: join(outdir, 'cdktf.out') });
    const { user, system } = process.cpuUsage(cpu);
    const m: SetMeasurement = {
      set,
      accounts: result.stacks.length,
      resources: result.stacks.reduce((n, s) => n + s.totalResources, 0),
      synthSeconds: (performance.now() - started) / 1000,
      synthCpuSeconds: (user + system) / 1e6,
      peakMb: process.resourceUsage().maxRSS / 1024,
    };
    process.stdout.write(JSON.stringify(m));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const runSet = (set: string): SetMeasurement => JSON.parse(execFileSync(process.execPath, [__filename, '--set', set], { encoding: 'utf8' }));

const npmStart = (...accounts: string[]) => ['npm', 'start', ...(accounts.length > 0 ? ['--', ...accounts] : [])];

/** Wall and memory summaries of `samples`. */
const both = (samples: readonly Sample[]) => ({
  seconds: summarize(samples.map((s) => s.seconds)),
  cpuSeconds: summarize(samples.map((s) => s.cpuSeconds)),
  peakMb: summarize(samples.map((s) => s.peakMb)),
});

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

/** The environment of a user's shell: without the npm_* variables of `npm run bench`, which would point npm at this checkout. */
const shellEnv = (): NodeJS.ProcessEnv => ({ ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))), COMMIT_ID: '' });

async function startBench(options: BenchOptions): Promise<void> {
  const env = shellEnv();
  const folder = accountSources[accountSources.length - 1].folder;
  const fresh: Sample[] = [];
  const changed: Sample[] = [];
  const changedOne: Sample[] = [];
  for (let run = 0; run < options.runs; run++) {
    const copy = freshCopy(ROOT);
    try {
      fresh.push(await measure(npmStart(), copy, env));
      // A one-line change in one account file: esbuild rebuilds, every account is synthesized.
      appendFileSync(join(copy, 'accounts', folder, 'index.ts'), `// bench: one-line change ${run}\n`);
      changed.push(await measure(npmStart(), copy, env));
      appendFileSync(join(copy, 'accounts', folder, 'index.ts'), `// bench: one more line ${run}\n`);
      changedOne.push(await measure(npmStart(folder), copy, env));
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }
  const twin: Sample[] = [];
  if (!options.noTwin) {
    for (let run = 0; run < options.runs; run++) {
      const { dir, command } = buildNaiveTwin(ROOT);
      try {
        // cdktf as it ships: a stack trace captured for every token.
        twin.push(await measure(command, dir, { ...env, INFRA_TOKEN_STACK_TRACES: '1' }));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  const rows: Array<[string, Sample[]]> = [
    ['npm start, fresh copy (no dist/)', fresh],
    [`npm start, after a one-line change in accounts/${folder}`, changed],
    [`npm start -- ${folder}, after a one-line change`, changedOne],
  ];
  if (twin.length > 0) rows.push(['naive twin: ts-node (type check), root imports', twin]);
  console.log(`npm start (${accountSources.length} accounts), median (min-max) of ${options.runs} runs:\n`);
  console.log(table(['command', 'wall s', 'CPU s', 'peak MB'], rows.map(([name, samples]) => {
    const s = both(samples);
    return [name, formatSummary(s.seconds, 2), formatSummary(s.cpuSeconds, 2), formatSummary(s.peakMb, 0)];
  })));
  if (twin.length > 0) {
    const ours = both(fresh);
    const naive = both(twin);
    console.log(`\nnpm start on a fresh copy against the naive twin: wall time ${formatRatio(ratio(ours.seconds, naive.seconds), GOALS.ratio)}, peak memory ${formatRatio(ratio(ours.peakMb, naive.peakMb), GOALS.ratio)}.`);
  }
  const change = both(changed);
  const under = (s: Summary) => (s.median < GOALS.oneLineChangeSeconds ? 'met' : 'NOT met');
  console.log(
    `npm start after a one-line change: ${change.seconds.median.toFixed(2)} s wall, ${change.cpuSeconds.median.toFixed(2)} s CPU ` +
      `(goal under ${GOALS.oneLineChangeSeconds} s: ${under(change.seconds)} on wall time, ${under(change.cpuSeconds)} on CPU time).`,
  );
}

function accountBench(options: BenchOptions): void {
  const sets = ['real', ...SETS.map(String)];
  const byName = new Map(sets.map((set) => [set, Array.from({ length: options.runs }, () => runSet(set))]));
  const of = (set: string, field: 'synthSeconds' | 'synthCpuSeconds' | 'peakMb'): Summary => summarize(byName.get(set)!.map((m) => m[field]));
  console.log(`\nSynth in one process (no build), median (min-max) of ${options.runs} runs:\n`);
  console.log(table(['set', 'accounts', 'resources', 'synth s (wall)', 'synth s (CPU)', 'peak MB'], sets.map((set) => {
    const first = byName.get(set)![0];
    const name = set === 'real' ? 'real accounts' : `${set} generated`;
    return [name, String(first.accounts), String(first.resources), formatSummary(of(set, 'synthSeconds'), 2), formatSummary(of(set, 'synthCpuSeconds'), 2), formatSummary(of(set, 'peakMb'), 0)];
  })));
  const [small, large] = SETS;
  const slope = (field: 'synthSeconds' | 'synthCpuSeconds' | 'peakMb') =>
    perAccount({ accounts: small, value: of(String(small), field) }, { accounts: large, value: of(String(large), field) });
  const wallMs = slope('synthSeconds') * 1000;
  const cpuMs = slope('synthCpuSeconds') * 1000;
  const mb = slope('peakMb');
  const verdict = (ms: number) => (ms <= GOALS.accountMs && mb <= GOALS.accountMb ? 'met' : 'NOT met');
  console.log(
    `\nOne more (staging-shaped) account: ${wallMs.toFixed(0)} ms of synth wall time (${cpuMs.toFixed(0)} ms of CPU) and ${mb.toFixed(1)} MB of peak memory ` +
      `(goal at most ${GOALS.accountMs} ms and ${GOALS.accountMb} MB: ${verdict(wallMs)} on wall time, ${verdict(cpuMs)} on CPU time).`,
  );
}

/** `.ci/run` in a clean clone of HEAD: npm ci, then npm test; the time of each and the total. */
async function ciBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-ci-'));
  const temp = mkdtempSync(join(tmpdir(), 'bench-ci-tmp-'));
  try {
    execFileSync('git', ['clone', '--quiet', '--no-hardlinks', ROOT, join(dir, 'repo')]);
    // npm prints "> infra@<version> <script>" when .ci/run reaches a script: the splits between its steps
    // (npm ci, npm test, and npm run test:node24, which .ci/run adds on a machine whose Node is not the .nvmrc major).
    const { name, version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
    const run = await measure([join(dir, 'repo', '.ci', 'run')], join(dir, 'repo'), { ...shellEnv(), TMPDIR: temp }, [`> ${name}@${version} test\n`, `> ${name}@${version} test:node24`]);
    const [npmCi = Number.NaN, node24Start] = run.markSeconds;
    const tests = /Tests:\s+(\d+) passed, (\d+) total/.exec(run.output);
    const testSeconds = (node24Start ?? run.seconds) - npmCi;
    const node24 = node24Start === undefined ? '' : `, npm run test:node24 ${(run.seconds - node24Start).toFixed(1)} s`;
    console.log(
      `\n.ci/run on a clean clone of HEAD: ${run.seconds.toFixed(1)} s in total (npm ci ${npmCi.toFixed(1)} s, npm test ${testSeconds.toFixed(1)} s${node24}; ` +
        `goal for npm test under ${GOALS.npmTestSeconds} s: ${testSeconds < GOALS.npmTestSeconds ? 'met' : 'NOT met'}), peak ${run.peakMb.toFixed(0)} MB, ${tests ? `${tests[1]} of ${tests[2]} tests passed in npm test` : 'test count not found'}.`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(temp, { recursive: true, force: true });
  }
}

/** Reads and renders the PR comments of {@link benchPlanJson}, as the plan report does in CI. Best of 3 runs. */
export function planReportBench(count = 20000): { parseMs: number; renderMs: number; comments: number; largest: number; planMb: number } {
  const text = benchPlanJson(count);
  let parseMs = Infinity;
  let renderMs = Infinity;
  let report: Report | undefined;
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    const parsed = parsePlan(text);
    const parsedAt = performance.now();
    report = renderPlan(parsed, { stack: 'bench', allowDestroy: true });
    parseMs = Math.min(parseMs, parsedAt - started);
    renderMs = Math.min(renderMs, performance.now() - parsedAt);
  }
  return { parseMs, renderMs, comments: report!.comments.length, largest: Math.max(...report!.comments.map((c) => c.length)), planMb: Buffer.byteLength(text) / 1e6 };
}


async function main(): Promise<void> {
  const options = parseBenchArgs(process.argv.slice(2));
  console.log(`Machine: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} at the start (a shared machine: times vary with its load).\n`);
  await startBench(options);
  accountBench(options);
  const { parseMs, renderMs, comments, largest, planMb } = planReportBench();
  console.log(`\nPlan report: 20,000 changes read and rendered in ${renderMs.toFixed(0)} ms (JSON.parse of the ${planMb.toFixed(1)} MB plan: ${parseMs.toFixed(0)} ms; best of 3) into ${comments} comments (largest ${largest} characters).`);
  if (options.ci) await ciBench();
  console.log(`\nLoad average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}.`);
}

if (process.argv[2] === '--set') child(process.argv[3]);
else {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
