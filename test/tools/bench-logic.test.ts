import { readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { measure } from '../../tools/bench-measure';
import { formatRatio, formatSummary, parseBenchArgs, perAccount, ratio, summarize } from '../../tools/bench-stats';
import { PROVIDER_PACKAGES, freshCopy, providerNamespaces, rewriteToRootImports } from '../../tools/naive-twin';

const root = join(__dirname, '..', '..');

describe('bench statistics', () => {
  it('summarizes runs as median and range, for odd and even counts', () => {
    expect(summarize([3, 1, 2])).toEqual({ runs: 3, median: 2, min: 1, max: 3 });
    expect(summarize([4, 1, 3, 2])).toEqual({ runs: 4, median: 2.5, min: 1, max: 4 });
    expect(formatSummary(summarize([1.234, 5, 2]), 1)).toBe('2.0 (1.2-5.0)');
    expect(() => summarize([])).toThrow('no runs');
  });

  it('computes the ratio of medians against the naive twin, and says whether it meets the goal', () => {
    const ours = summarize([1, 2, 9]);
    const naive = summarize([30, 20, 10]);
    expect(ratio(ours, naive)).toBe(10);
    expect(formatRatio(10, 8)).toBe('1/10.0 (goal 1/8: met)');
    expect(formatRatio(7.5, 8)).toBe('1/7.5 (goal 1/8: NOT met)');
    expect(() => ratio(summarize([0]), naive)).toThrow('expected a positive measurement');
  });

  it('takes the per-account cost as the slope between two sets, leaving the fixed cost out', () => {
    expect(perAccount({ accounts: 1, value: summarize([0.5]) }, { accounts: 21, value: summarize([2.5]) })).toBeCloseTo(0.1);
    expect(() => perAccount({ accounts: 21, value: summarize([1]) }, { accounts: 1, value: summarize([2]) })).toThrow('must have more accounts');
  });
});

describe('npm run bench arguments', () => {
  it('defaults to 3 runs, no .ci/run, with the twin', () => {
    expect(parseBenchArgs([])).toEqual({ runs: 3, ci: false, noTwin: false });
    expect(parseBenchArgs(['--runs', '5', '--ci', '--no-twin'])).toEqual({ runs: 5, ci: true, noTwin: true });
  });

  it('refuses a bad run count or an unknown argument, naming it and giving the usage', () => {
    expect(() => parseBenchArgs(['--runs', '0'])).toThrow('--runs: got "0", expected a whole number of runs, 1 or more. usage: npm run bench');
    expect(() => parseBenchArgs(['--runs'])).toThrow('--runs: got undefined');
    expect(() => parseBenchArgs(['--fast'])).toThrow('unknown argument "--fast". usage: npm run bench');
  });
});

describe('the naive twin', () => {
  const namespaces = new Map(PROVIDER_PACKAGES.map((pkg) => [pkg, providerNamespaces(readFileSync(join(root, 'node_modules', pkg, 'lib', 'index.d.ts'), 'utf8'))]));

  it('reads each provider root namespace from the package index', () => {
    const [aws, datadog] = PROVIDER_PACKAGES;
    expect(namespaces.get(aws)!.get('rds-cluster')).toBe('rdsCluster');
    expect(namespaces.get(datadog)!.get('provider')).toBe('provider');
  });

  it('turns deep imports into root imports with one alias per name (renames and types included)', () => {
    const [aws] = PROVIDER_PACKAGES;
    const source = `import { RdsCluster, RdsClusterConfig as Config } from '${aws}/lib/rds-cluster';\nimport { join } from 'node:path';\n`;
    expect(rewriteToRootImports(source, namespaces)).toBe(
      `import { rdsCluster as _cdktf_provider_aws_rdsCluster } from '${aws}'; import RdsCluster = _cdktf_provider_aws_rdsCluster.RdsCluster; import Config = _cdktf_provider_aws_rdsCluster.RdsClusterConfig;\nimport { join } from 'node:path';\n`,
    );
    // The specifier is assembled so that no scan of this repo's imports takes it for a real one.
    const missing = `${PROVIDER_PACKAGES[0]}/lib/no-such-thing`;
    expect(() => rewriteToRootImports(`import { X } from '${missing}';`, namespaces, 'a.ts')).toThrow(`a.ts: ${missing} is not exported by the ${PROVIDER_PACKAGES[0]} package root`);
  });

  it('leaves no deep provider import in any source file of a copy of the repository', () => {
    const copy = freshCopy(root, 'twin-test-');
    try {
      const files = (dir: string): string[] =>
        readdirSync(dir).flatMap((e) => (e === 'node_modules' ? [] : statSync(join(dir, e)).isDirectory() ? files(join(dir, e)) : e.endsWith('.ts') ? [join(dir, e)] : []));
      const deep = /from '@cdktf\/provider-[a-z]+\/lib\//;
      const sources = files(copy).map((f) => readFileSync(f, 'utf8'));
      expect(sources.filter((t) => deep.test(t)).length).toBeGreaterThan(0);
      for (const text of sources) expect(rewriteToRootImports(text, namespaces)).not.toMatch(deep);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe('bench measurement', () => {
  it('reports the peak memory of the whole process tree, not only the top process', async () => {
    // A shell whose child holds 200 MB: the shell alone is a few MB.
    const hold = `${process.execPath} -e "const b = Buffer.alloc(200 * 1024 * 1024, 1); setTimeout(() => b.length, 400)"`;
    const sample = await measure(['sh', '-c', hold], root);
    expect(sample.peakMb).toBeGreaterThan(200);
    expect(sample.seconds).toBeGreaterThan(0.4);
  });

  it('counts the CPU time of the descendants (the shell only waits)', async () => {
    const work = `${process.execPath} -e "let x = 0; for (let i = 0; i < 5e7; i++) x += i; if (x < 0) console.log(x)"`;
    const sample = await measure(['sh', '-c', work], root);
    expect(sample.cpuSeconds).toBeGreaterThan(0.03);
    expect(sample.output).toBe(''); // the CPU report of the wrapping shell is taken out
  });

  it('times each mark of the output, so .ci/run splits into npm ci, npm test and test:node24', async () => {
    const steps = "echo '> infra@1.0.0 test'; sleep 0.3; echo '> infra@1.0.0 test:node24'";
    const sample = await measure(['sh', '-c', steps], root, process.env, ['> infra@1.0.0 test\n', '> infra@1.0.0 test:node24', 'never printed']);
    const [test, node24, never] = sample.markSeconds;
    expect(test).toBeDefined();
    expect(node24! - test!).toBeGreaterThan(0.25);
    expect(never).toBeUndefined();
  });

  it('rejects a failing command with its output', async () => {
    await expect(measure(['sh', '-c', 'echo broken >&2; exit 3'], root)).rejects.toThrow(/exited with 3:\nbroken/);
  });
});
