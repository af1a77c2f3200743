import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { accountSources } from '../../accounts';
import { management } from '../../accounts/management';
import { AccountSource, layer } from '../../accounts/schema';
import { ACCOUNT_TIERS } from '../../accounts/registry';
import { UserError } from '../../constructs/core/validation';
import { generatedAccounts } from '../../tools/bench-accounts';
import { formatInventory, runMain, synthesizeAccounts } from '../../stacks/synthesize';
import { tree } from '../helpers';

/** An output directory that already holds a previous synth (the plain-directory layout of earlier versions), marked by a sentinel file. */
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

/** The accounts of accounts/index.ts with `changes` layered into the one in `folder`. */
const changed = (folder: string, changes: Record<string, unknown>): AccountSource[] =>
  accountSources.map((s) => (s.folder === folder ? { ...s, overrides: layer(s.overrides, changes) } : s));

const folders = accountSources.map((s) => s.folder);
const broken = changed(folders[1], { accountId: '123', regoin: 'x' });

describe('synthesizeAccounts', () => {
  let outdir: string;
  let sentinel: string;
  beforeEach(() => ({ outdir, sentinel } = previousOutput()));
  afterEach(() => rmSync(join(outdir, '..'), { recursive: true, force: true }));

  it('replaces the previous output with one stack per account, behind a link to a generation directory', () => {
    const result = synthesizeAccounts({ outdir });
    // Every account, then the organization's management account (accounts/management.ts).
    expect(result.stacks.map((s) => s.account.name)).toEqual([...folders, management.name]);
    expect(readdirSync(join(outdir, 'stacks')).sort()).toEqual([...folders, management.name].sort());
    expect(lstatSync(outdir).isSymbolicLink()).toBe(true);
    // Only the link and the one generation it points at remain: no lock, no temporaries.
    expect(readdirSync(join(outdir, '..')).sort()).toEqual(['cdktf.out', 'cdktf.out.generations']);
    expect(readdirSync(`${outdir}.generations`)).toEqual([basename(readlinkSync(outdir))]);
  });

  it('exits 1 on bad config, lists every problem and leaves the output byte-identical', () => {
    const before = tree(outdir);
    const { lines, printer } = capture();
    expect(runMain({ outdir, sources: broken }, printer)).toBe(1);
    const message = lines.error.join('\n');
    expect(message).toContain(`accounts/${folders[1]}: accountId: got "123", expected a 12-digit AWS account id as a string`);
    expect(message).toContain(`accounts/${folders[1]}: regoin: got "x", expected no such key (did you mean "region"?)`);
    expect(message).toContain('Nothing was written');
    expect(tree(outdir)).toEqual(before);
    expect(readFileSync(sentinel, 'utf8')).toBe('{"previous": true}');
  });

  it('exits 1 when a construct refuses its props, naming the construct, prop and value', () => {
    const tooSmall = changed('staging', { databases: { aurora: [{ name: 'restaurant', engine: 'aurora-postgresql', engineVersion: '16.6', serverlessV2: { minCapacity: 8, maxCapacity: 2 } }] } });
    const before = tree(outdir);
    const { lines, printer } = capture();
    expect(runMain({ outdir, sources: tooSmall }, printer)).toBe(1);
    expect(lines.error.join('\n')).toContain('AuroraCluster staging/aurora-restaurant: serverlessV2.maxCapacity: got 2, expected at least serverlessV2.minCapacity (8)');
    expect(tree(outdir)).toEqual(before);
  });

  it('reports field, rule and cross-account problems, construct refusals and policy violations of every account in one run', () => {
    const sandbox = accountSources.find((s) => s.folder === 'sandbox')!;
    const sources = [
      ...accountSources.map((s) => {
        if (s.folder === 'staging') return { ...s, overrides: layer(s.overrides, { environment: 'sandbox', network: { cidrBlock: '10.10.0.0/16' } }) }; // a rule and a cross-account problem
        if (s.folder === 'production') return { ...s, overrides: layer(s.overrides, { network: { flowLogRetentionDays: 2 } }) }; // a construct refusal
        return { ...s, overrides: layer(s.overrides, { databases: { aurora: [{ name: 'scratch', engine: 'aurora-postgresql', engineVersion: '16.6', storageEncrypted: false }] } }) }; // a policy violation
      }),
      { folder: 'qa', overrides: layer(sandbox.overrides, { name: 'qa', tags: { team: '' } }) }, // a field problem
    ];
    const before = tree(outdir);
    const { lines, printer } = capture();
    expect(runMain({ outdir, sources }, printer)).toBe(1);
    const message = lines.error.join('\n');
    expect(message).toContain('accounts/qa: tags.team: got "", expected a non-empty string');
    expect(message).toContain('accounts/staging: environment: got "sandbox", expected "staging"');
    expect(message).toContain('accounts/staging: network.cidrBlock: got "10.10.0.0/16", expected a range that overlaps no other account\'s VPC (accounts/production has 10.10.0.0/16)');
    expect(message).toContain('Network production/network: flowLogRetentionDays: got 2');
    expect(message).toMatch(/RDS-ENCRYPTED[\s\S]*in account sandbox|in account sandbox[\s\S]*RDS-ENCRYPTED/);
    expect(message).toContain('Nothing was written');
    expect(tree(outdir)).toEqual(before);
  });

  it('gives two accounts with the same databases different (global) S3 bucket names: the account id ends each', () => {
    const { sources, tiers } = generatedAccounts(1);
    const staging = accountSources.find((s) => s.folder === 'staging')!.overrides as { databases: unknown };
    // The generated account with staging's databases: its SQL Server backup bucket once had staging's name.
    const copy = sources.map((s) => ({ ...s, overrides: { ...(s.overrides as object), databases: staging.databases } }));
    const { lines, printer } = capture();
    runMain({ outdir, sources: [...accountSources, ...copy], tiers: { ...ACCOUNT_TIERS, ...tiers } }, printer);
    expect(lines.error.join('\n')).not.toMatch(/is also created by/);
  });

  it('exits 0 and prints the inventory of every stack, without claiming nothing was written', () => {
    const { lines, printer } = capture();
    expect(runMain({ outdir }, printer)).toBe(0);
    const text = lines.log.join('\n');
    expect(text).toMatch(/^Synthesized \d+ stacks, \d+ resources, into /);
    for (const name of folders) expect(text).toMatch(new RegExp(`^${name}  \\(account \\d{12}`, 'm'));
    expect([...lines.log, ...lines.error].join('\n')).not.toContain('Nothing was written');
  });
});

describe('the output switch under a lock', () => {
  // The smallest account keeps these runs fast; the switch does not depend on content.
  const sources = accountSources.filter((s) => s.folder === 'sandbox');
  let outdir: string;
  beforeEach(() => {
    outdir = join(mkdtempSync(join(tmpdir(), 'switch-')), 'cdktf.out');
    synthesizeAccounts({ outdir, sources });
  });
  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(join(outdir, '..'), { recursive: true, force: true });
  });

  it('refuses to run while another live run holds the lock, leaving the output byte-identical', () => {
    const before = tree(outdir);
    writeFileSync(join(`${outdir}.generations`, 'lock'), `${process.ppid}\n`); // a live process: jest's parent
    const { lines, printer } = capture();
    expect(runMain({ outdir, sources }, printer)).toBe(1);
    expect(lines.error.join('\n')).toContain(`cdktf.out is being written by another run (pid ${process.ppid})`);
    expect(tree(outdir)).toEqual(before);
  });

  it('takes over a stale lock whose process is gone, and removes leftovers of killed runs', () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString(); // exited: its pid is free
    writeFileSync(join(`${outdir}.generations`, 'lock'), `${dead}\n`);
    mkdirSync(join(`${outdir}.generations`, 'building-4242', 'stacks'), { recursive: true });
    mkdirSync(join(`${outdir}.generations`, 'g-1-4242'));
    mkdirSync(`${outdir}.next-4242`);
    mkdirSync(`${outdir}.old-4242`);
    synthesizeAccounts({ outdir, sources });
    expect(readdirSync(join(outdir, '..')).sort()).toEqual(['cdktf.out', 'cdktf.out.generations']);
    expect(readdirSync(`${outdir}.generations`)).toEqual([basename(readlinkSync(outdir))]);
  });

  // A crash is simulated by throwing at the n-th change to the file system and refusing
  // every later change (a killed process runs no cleanup).
  const fs = jest.requireActual<typeof import('node:fs')>('node:fs');
  const mutators = ['mkdirSync', 'writeFileSync', 'writeSync', 'openSync', 'renameSync', 'symlinkSync', 'rmSync'] as const;
  /** Runs a synth that crashes at the n-th change (never when n is undefined); returns how many changes it made. */
  const crashAt = (n: number | undefined, run: () => unknown): number => {
    let count = 0;
    let crashed = false;
    for (const name of mutators) {
      const original = fs[name] as (...args: unknown[]) => unknown;
      jest.spyOn(fs, name).mockImplementation(((...args: unknown[]) => {
        if (crashed || (n !== undefined && ++count === n)) {
          crashed = true;
          throw new Error('simulated crash');
        }
        if (n === undefined) count++;
        return original(...args);
      }) as never);
    }
    try {
      run();
    } catch (error) {
      if (!crashed && !(error instanceof UserError)) throw error; // a refusal is a normal end of a run
    } finally {
      jest.restoreAllMocks();
    }
    return count;
  };
  const other = () => synthesizeAccounts({ outdir, sources: changed('sandbox', { tags: { costCenter: 'CC-9999' } }).filter((s) => s.folder === 'sandbox') });

  // Every n up to the last change of a successful run is tried: the output must then be the
  // old one or the new one, never missing or mixed, and the next run must succeed and leave
  // no leftovers.
  it('survives a crash at every step of a run: the output is always the old or the new one', () => {
    const old = tree(outdir);
    const steps = crashAt(undefined, other);
    const fresh = tree(outdir);
    expect(fresh).not.toEqual(old);
    synthesizeAccounts({ outdir, sources }); // back to the old output
    const seen = new Set<string>();
    for (let n = 1; n <= steps; n++) {
      crashAt(n, other);
      const after = tree(outdir);
      expect([old, fresh]).toContainEqual(after);
      seen.add(JSON.stringify(after) === JSON.stringify(old) ? 'old' : 'new');
      synthesizeAccounts({ outdir, sources }); // the next run recovers and cleans up
      expect(tree(outdir)).toEqual(old);
      expect(readdirSync(`${outdir}.generations`)).toEqual([basename(readlinkSync(outdir))]);
    }
    expect([...seen].sort()).toEqual(['new', 'old']); // crashes both before and after the switch were tried
  });

  // Adopting a plain cdktf.out (the layout before generations) takes two renames, once: a
  // crash between them leaves no cdktf.out until the next run, which restores it.
  it('repairs a crash while adopting a plain cdktf.out directory', () => {
    const legacy = () => {
      rmSync(outdir, { recursive: true, force: true });
      rmSync(`${outdir}.generations`, { recursive: true, force: true });
      mkdirSync(join(outdir, 'stacks', 'old'), { recursive: true });
      writeFileSync(join(outdir, 'stacks', 'old', 'cdk.tf.json'), '{"previous": true}');
    };
    legacy();
    const old = tree(outdir);
    const refused = () => synthesizeAccounts({ outdir, sources: changed('sandbox', { tags: { team: '' } }).filter((s) => s.folder === 'sandbox') });
    const steps = crashAt(undefined, refused); // a refused run adopts the directory, then stops
    expect(tree(outdir)).toEqual(old);
    for (let n = 1; n <= steps; n++) {
      legacy();
      crashAt(n, refused);
      if (fs.existsSync(outdir)) expect(tree(outdir)).toEqual(old);
      else expect(readdirSync(`${outdir}.generations`).filter((e) => e.startsWith('g-')).map((g) => tree(join(`${outdir}.generations`, g)))).toEqual([old]);
      expect(() => refused()).toThrow('tags.team'); // the next run repairs, then refuses as before
      expect(tree(outdir)).toEqual(old);
    }
  });
});

describe('formatInventory', () => {
  it('shows an account run below its registered tier, with the reason', () => {
    const account = { name: 'x', accountId: '111111111111', region: 'ap-northeast-1', environment: 'sandbox', environmentOverride: { from: 'production', reason: 'Being emptied (CHG-1)' } } as never;
    const text = formatInventory({ outdir: '/repo/cdktf.out', stacks: [{ account, resourcesByType: [], totalResources: 0, suppressed: [], policyChecks: 0 }] }, '/repo');
    expect(text.split('\n')).toContain('  environment sandbox overrides the registered tier production: Being emptied (CHG-1)');
  });

  it('lists resource counts by type and the totals', () => {
    const account = { name: 'x', accountId: '111111111111', region: 'ap-northeast-1', environment: 'staging' } as never;
    const text = formatInventory(
      { outdir: '/repo/cdktf.out', stacks: [{ account, resourcesByType: [['aws_sqs_queue', 2], ['aws_vpc', 1]], totalResources: 3, suppressed: [], policyChecks: 12 }] },
      '/repo',
    );
    expect(text.split('\n')).toEqual([
      'Synthesized 1 stacks, 3 resources, into cdktf.out/stacks',
      'Diagrams (Mermaid): cdktf.out/stacks/<account>/diagram.md',
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
