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
import { Report, parsePlan, renderPlan } from './plan-report';

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

/**
 * Reads and renders the PR comments of a plan with 20,000 resource changes, as the plan
 * report does in CI: creates with attributes, updates with long values, replaces of
 * stateful types with forcing paths, moves and imports. Best of 3 runs.
 */
export function planReportBench(count = 20000): { parseMs: number; renderMs: number; comments: number; largest: number } {
  const actions = [['create'], ['update'], ['delete', 'create'], ['update'], ['no-op']];
  const doc = {
    format_version: '1.2',
    planned_values: {},
    resource_changes: Array.from({ length: count }, (_, i) => {
      const type = i % 7 === 0 ? 'aws_db_instance' : `aws_type_${i % 40}`;
      const act = actions[i % actions.length];
      return {
        address: `${type}.r${i}`,
        previous_address: act[0] === 'no-op' ? `${type}.old${i}` : undefined,
        mode: 'managed',
        type,
        name: `r${i}`,
        change: {
          actions: act,
          before: act[0] === 'create' ? null : { value: `${'x'.repeat(200)}${i}`, n: i, block: [{ size: i }], tags: { Name: `r${i}` } },
          after: { value: `${'x'.repeat(200)}${i + 1}`, n: i + 1, block: [{ size: i + 1 }], tags: { Name: `r${i}` } },
          after_unknown: { id: true },
          before_sensitive: {},
          after_sensitive: {},
          replace_paths: act.length === 2 ? [['block', 0, 'size']] : undefined,
        },
      };
    }),
  };
  const text = JSON.stringify(doc);
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
  return { parseMs, renderMs, comments: report!.comments.length, largest: Math.max(...report!.comments.map((c) => c.length)) };
}

if (process.argv[2] === '--set') child(process.argv[3], Number(process.env.BENCH_START));
else {
  parent();
  const { parseMs, renderMs, comments, largest } = planReportBench();
  console.log(`\nPlan report: 20,000 changes read and rendered in ${renderMs.toFixed(0)} ms (JSON.parse of the plan: ${parseMs.toFixed(0)} ms; best of 3) into ${comments} comments (largest ${largest} characters).`);
}
