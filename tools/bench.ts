/**
 * `npm run bench`: the cost of synthesizing, and of one more account.
 *
 * Synthesizes the real accounts, then generated sets of 1, 10 and 50 accounts built from
 * the staging config, each in a fresh Node process so that peak memory (max RSS) is the
 * set's own. Prints wall time (whole process, module loading included) and peak memory.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accountSources } from '../accounts';
import { generatedAccounts } from './bench-accounts';
import { synthesizeAccounts } from '../stacks/synthesize';
import { renderReport } from './plan-report';

const SETS = ['real', '1', '10', '50'] as const;

interface Measurement {
  readonly set: string;
  readonly accounts: number;
  readonly resources: number;
  readonly wallSeconds: number;
  readonly synthSeconds: number;
  readonly peakMb: number;
}

/** Runs in the child: synthesizes one set into a temp dir and reports on stdout as JSON. */
function child(set: string, processStart: number): void {
  const { sources, tiers } = set === 'real' ? { sources: accountSources, tiers: undefined } : generatedAccounts(Number(set));
  const outdir = mkdtempSync(join(tmpdir(), 'bench-'));
  try {
    const started = performance.now();
    const result = synthesizeAccounts({ sources, tiers, outdir: join(outdir, 'cdktf.out') });
    const synthSeconds = (performance.now() - started) / 1000;
    const m: Measurement = {
      set,
      accounts: result.stacks.length,
      resources: result.stacks.reduce((n, s) => n + s.totalResources, 0),
      wallSeconds: (Date.now() - processStart) / 1000,
      synthSeconds,
      peakMb: process.resourceUsage().maxRSS / 1024,
    };
    process.stdout.write(JSON.stringify(m));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function parent(): void {
  const rows: Measurement[] = SETS.map((set) =>
    JSON.parse(
      execFileSync(process.execPath, [__filename, '--set', set], {
        encoding: 'utf8',
        env: { ...process.env, BENCH_START: String(Date.now()) },
      }),
    ),
  );
  const header = ['set', 'accounts', 'resources', 'wall s', 'synth s', 'peak MB'];
  const table = rows.map((r) => [
    r.set, String(r.accounts), String(r.resources), r.wallSeconds.toFixed(2), r.synthSeconds.toFixed(2), r.peakMb.toFixed(0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(header));
  for (const row of table) console.log(line(row));
  const [, one, , fifty] = rows;
  const perAccount = (fifty.synthSeconds - one.synthSeconds) / 49;
  const perAccountMb = (fifty.peakMb - one.peakMb) / 49;
  console.log(`\nOne more account costs about ${(perAccount * 1000).toFixed(1)} ms of synth and ${perAccountMb.toFixed(1)} MB of peak memory.`);
}

/** Renders the PR comment of a plan with 5,000 resource changes, as the plan report does in CI. */
function planReportBench(): void {
  const plan = {
    format_version: '1.2',
    resource_changes: Array.from({ length: 5000 }, (_, i) => ({
      address: `aws_type_${i % 40}.r${i}`,
      mode: 'managed',
      type: `aws_type_${i % 40}`,
      name: `r${i}`,
      change: { actions: i % 10 === 0 ? ['delete', 'create'] : ['update'], before: { value: 'x'.repeat(60), n: i }, after: { value: 'y'.repeat(60), n: i + 1 }, after_unknown: {}, before_sensitive: {}, after_sensitive: {} },
    })),
  };
  const started = performance.now();
  const report = renderReport(plan, { stack: 'bench', allowDestroy: true });
  const ms = performance.now() - started;
  const sizes = report.comments.map((c) => c.length);
  console.log(`\nPlan report: 5,000 changes rendered in ${ms.toFixed(0)} ms into ${report.comments.length} comments (largest ${Math.max(...sizes)} characters).`);
}

if (process.argv[2] === '--set') child(process.argv[3], Number(process.env.BENCH_START));
else {
  parent();
  planReportBench();
}
