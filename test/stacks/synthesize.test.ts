import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accountSources } from '../../accounts';
import { AccountSource, layer } from '../../accounts/schema';
import { formatInventory, runMain, synthesizeAccounts } from '../../stacks/synthesize';

/** An output directory that already holds a previous synth, marked by a sentinel file. */
function previousOutput(): { outdir: string; sentinel: string } {
  const root = mkdtempSync(join(tmpdir(), 'synth-'));
  const outdir = join(root, 'cdktf.out');
  mkdirSync(join(outdir, 'stacks', 'old'), { recursive: true });
  const sentinel = join(outdir, 'stacks', 'old', 'cdk.tf.json');
  writeFileSync(sentinel, '{"previous": true}');
  return { outdir, sentinel };
}

function capture() {
  const lines = { log: [] as string[], error: [] as string[] };
  return { lines, printer: { log: (t: string) => lines.log.push(t), error: (t: string) => lines.error.push(t) } };
}

const broken: AccountSource[] = accountSources.map((s) =>
  s.folder === 'staging' ? { ...s, overrides: layer(s.overrides, { accountId: '123', regoin: 'x' }) } : s,
);

describe('synthesizeAccounts', () => {
  let outdir: string;
  let sentinel: string;
  beforeEach(() => ({ outdir, sentinel } = previousOutput()));
  afterEach(() => rmSync(join(outdir, '..'), { recursive: true, force: true }));

  it('replaces the previous output with one stack per account', () => {
    const result = synthesizeAccounts({ outdir });
    expect(result.stacks.map((s) => s.account.name)).toEqual(['production', 'staging', 'sandbox']);
    expect(readdirSync(join(outdir, 'stacks')).sort()).toEqual(['production', 'sandbox', 'staging']);
    expect(readdirSync(join(outdir, '..'))).toEqual(['cdktf.out']); // no temp dirs left behind
  });

  it('exits 1 on bad config, lists every problem and leaves the output untouched', () => {
    const { lines, printer } = capture();
    expect(runMain({ outdir, sources: broken }, printer)).toBe(1);
    const message = lines.error.join('\n');
    expect(message).toContain('accounts/staging: accountId: got "123", expected a 12-digit AWS account id as a string');
    expect(message).toContain('accounts/staging: regoin: got "x", expected no such key (did you mean "region"?)');
    expect(message).toContain('is as it was');
    expect(readFileSync(sentinel, 'utf8')).toBe('{"previous": true}');
    expect(readdirSync(join(outdir, 'stacks'))).toEqual(['old']);
    expect(readdirSync(join(outdir, '..'))).toEqual(['cdktf.out']);
  });

  it('exits 1 when a construct refuses its props, naming the construct, prop and value', () => {
    const tooSmall = accountSources.map((s) =>
      s.folder === 'staging'
        ? { ...s, overrides: layer(s.overrides, { databases: { aurora: [{ name: 'restaurant', engine: 'aurora-postgresql', engineVersion: '16.6', serverlessV2: { minCapacity: 8, maxCapacity: 2 } }] } }) }
        : s,
    );
    const { lines, printer } = capture();
    expect(runMain({ outdir, sources: tooSmall }, printer)).toBe(1);
    expect(lines.error.join('\n')).toContain('AuroraCluster staging/aurora-restaurant: serverlessV2.maxCapacity: got 2, expected at least serverlessV2.minCapacity (8)');
    expect(readFileSync(sentinel, 'utf8')).toBe('{"previous": true}');
  });

  it('exits 0 and prints the inventory of every stack', () => {
    const { lines, printer } = capture();
    expect(runMain({ outdir }, printer)).toBe(0);
    const text = lines.log.join('\n');
    expect(text).toMatch(/^Synthesized 3 stacks, \d+ resources, into /);
    for (const name of ['production', 'staging', 'sandbox']) expect(text).toMatch(new RegExp(`^${name}  \\(account \\d{12}`, 'm'));
  });
});

describe('formatInventory', () => {
  it('lists resource counts by type and the totals', () => {
    const account = { name: 'x', accountId: '111111111111', region: 'ap-northeast-1', environment: 'staging' } as never;
    const text = formatInventory(
      { outdir: '/repo/cdktf.out', stacks: [{ account, resourcesByType: [['aws_sqs_queue', 2], ['aws_vpc', 1]], totalResources: 3, suppressed: [], policyChecks: 12 }] },
      '/repo',
    );
    expect(text.split('\n')).toEqual([
      'Synthesized 1 stacks, 3 resources, into cdktf.out/stacks',
      '',
      'x  (account 111111111111, ap-northeast-1, staging): 3 resources',
      '  aws_sqs_queue    2',
      '  aws_vpc          1',
      '  policy: 12 checks passed, 0 suppressed',
    ]);
  });
});

describe('account stack snapshots', () => {
  // One snapshot per account: any change to what a stack synthesizes (a renamed
  // construct id replaces its resource) shows up here for review.
  const root = mkdtempSync(join(tmpdir(), 'snap-'));
  const result = synthesizeAccounts({ outdir: join(root, 'cdktf.out') });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each(result.stacks.map((s) => s.account.name))('%s', (name) => {
    const json = JSON.parse(readFileSync(join(result.outdir, 'stacks', name, 'cdk.tf.json'), 'utf8'));
    delete json['//']; // cdktf metadata: tool version and construct paths, not infrastructure
    expect(json).toMatchSnapshot();
  });
});
