/** The benchmark's arithmetic and its command line, kept apart from the runs so tests can check them. */

/** Wall time and peak memory of one run. */
export interface Sample {
  readonly seconds: number;
  /** CPU time, user and system, of the process and its descendants. */
  readonly cpuSeconds: number;
  readonly peakMb: number;
}

/** The median and the range of a set of runs. */
export interface Summary {
  readonly runs: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error('summarize: no runs to summarize');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { runs: sorted.length, median, min: sorted[0], max: sorted[sorted.length - 1] };
}

/** `median (min-max)` with `digits` decimals. */
export function formatSummary(s: Summary, digits: number): string {
  return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}-${s.max.toFixed(digits)})`;
}

/** How many times smaller `ours` is than `naive` (medians): 8 means one eighth. */
export function ratio(ours: Summary, naive: Summary): number {
  if (ours.median <= 0) throw new Error(`ratio: our median is ${ours.median}, expected a positive measurement`);
  return naive.median / ours.median;
}

/** `1/12.3`, and whether it meets `1/goal`. */
export function formatRatio(times: number, goal: number): string {
  return `1/${times.toFixed(1)} (goal 1/${goal}: ${times >= goal ? 'met' : 'NOT met'})`;
}

/**
 * The marginal cost of one account: the slope between two sets of generated accounts
 * (medians), so the fixed cost (module loading, the first stack) is left out.
 */
export function perAccount(small: { accounts: number; value: Summary }, large: { accounts: number; value: Summary }): number {
  if (large.accounts <= small.accounts) throw new Error(`perAccount: the large set (${large.accounts}) must have more accounts than the small one (${small.accounts})`);
  return (large.value.median - small.value.median) / (large.accounts - small.accounts);
}

export interface BenchOptions {
  /** Runs per measurement. @default 3 */
  readonly runs: number;
  /** Also run `.ci/run` in a clean clone (npm ci, then npm test). @default false */
  readonly ci: boolean;
  /** Skip the naive twin (about a minute per run). @default false */
  readonly noTwin: boolean;
}

const USAGE = 'usage: npm run bench -- [--runs N] [--ci] [--no-twin]';

/** Parses `npm run bench -- ...`; throws naming the argument and the usage. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  let runs = 3;
  let ci = false;
  let noTwin = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--ci') ci = true;
    else if (arg === '--no-twin') noTwin = true;
    else if (arg === '--runs') {
      const value = argv[++i];
      if (value === undefined || !/^[1-9]\d*$/.test(value)) throw new Error(`--runs: got ${JSON.stringify(value)}, expected a whole number of runs, 1 or more. ${USAGE}`);
      runs = Number(value);
    } else throw new Error(`unknown argument ${JSON.stringify(arg)}. ${USAGE}`);
  }
  return { runs, ci, noTwin };
}
