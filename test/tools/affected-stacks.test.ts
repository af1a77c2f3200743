import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accountSources } from '../../accounts';
import { synthesizeAccounts } from '../../stacks/synthesize';
import { affectedStacks, main } from '../../tools/affected-stacks';

let root: string;
beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'affected-'))));
afterEach(() => rmSync(root, { recursive: true, force: true }));

function synth(dir: string, stacks: Record<string, unknown>): string {
  const out = join(root, dir);
  for (const [name, json] of Object.entries(stacks)) {
    mkdirSync(join(out, 'stacks', name), { recursive: true });
    writeFileSync(join(out, 'stacks', name, 'cdk.tf.json'), JSON.stringify(json));
  }
  mkdirSync(join(out, 'stacks'), { recursive: true });
  return out;
}
const stack = (resources: Record<string, unknown>, meta = 'x') => ({
  '//': { metadata: { version: meta } },
  provider: { aws: [{ allowed_account_ids: ['111111111111'], region: 'ap-northeast-1' }] },
  resource: resources,
});

describe('affected stacks', () => {
  const vpc = { aws_vpc: { v: { cidr_block: '10.0.0.0/16', '//': { metadata: { path: 'a/b' } } } } };

  it('finds changed, added and removed stacks, with their account and region', () => {
    const base = synth('base', { production: stack(vpc), staging: stack(vpc), old: stack(vpc) });
    const head = synth('head', { production: stack({ aws_vpc: { v: { cidr_block: '10.1.0.0/16' } } }), staging: stack(vpc), qa: stack(vpc) });
    expect(affectedStacks(base, head)).toEqual([
      { stack: 'old', status: 'removed', account: '111111111111', region: 'ap-northeast-1' },
      { stack: 'production', status: 'changed', account: '111111111111', region: 'ap-northeast-1' },
      { stack: 'qa', status: 'added', account: '111111111111', region: 'ap-northeast-1' },
    ]);
  });

  it('ignores cdktf metadata and the Fastly version comment (the commit id)', () => {
    const fastly = (commit: string) => ({ fastly_service_vcl: { s: { name: 'hotel', version_comment: `commit ${commit}`, '//': { metadata: { path: commit } } } } });
    const base = synth('base', { production: stack(fastly('aaa'), '0.20') });
    const head = synth('head', { production: stack(fastly('bbb'), '0.21') });
    expect(affectedStacks(base, head)).toEqual([]);
  });

  it('ignores key order', () => {
    const base = synth('base', { production: { a: 1, b: { c: 2, d: 3 } } });
    const head = synth('head', { production: { b: { d: 3, c: 2 }, a: 1 } });
    expect(affectedStacks(base, head)).toEqual([]);
  });

  it('prints the GitHub Actions matrix with --json', () => {
    const base = synth('base', {});
    const head = synth('head', { staging: stack(vpc) });
    const out: string[] = [];
    expect(main(['--base', base, '--head', head, '--json'], (s) => out.push(s))).toBe(0);
    expect(JSON.parse(out[0])).toEqual({ include: [{ stack: 'staging', status: 'added', account: '111111111111', region: 'ap-northeast-1' }] });
  });

  it('treats a missing base (first run) as every stack added, and refuses a missing head', () => {
    const head = synth('head', { production: stack(vpc) });
    expect(affectedStacks(join(root, 'nothing'), head).map((a) => a.status)).toEqual(['added']);
    const err: string[] = [];
    expect(main(['--base', head, '--head', join(root, 'nothing')], () => undefined, (s) => err.push(s))).toBe(1);
    expect(err[0]).toContain('no stacks/ folder; run the synth first');
  });

  it('finds nothing affected when a README changes: two synths of the same tree are equal', () => {
    const same = { production: stack(vpc), staging: stack(vpc) };
    expect(affectedStacks(synth('base', same), synth('head', same))).toEqual([]);
  });
});

describe('affected stacks on the real accounts', () => {
  it('affects only the account whose config changed, with its CI roles', () => {
    const base = join(root, 'base');
    const head = join(root, 'head');
    synthesizeAccounts({ outdir: base, commitId: 'aaa' });
    const changed = accountSources.map((s) => (s.folder === 'staging' ? { ...s, overrides: { ...(s.overrides as object), tags: { costCenter: 'CC-2299' } } } : s));
    synthesizeAccounts({ outdir: head, commitId: 'bbb', sources: changed });
    expect(affectedStacks(base, head)).toEqual([
      {
        stack: 'staging', status: 'changed', account: '222222222222', region: 'ap-northeast-1',
        planRole: 'arn:aws:iam::222222222222:role/infra-ci-plan', applyRole: 'arn:aws:iam::222222222222:role/infra-ci-apply',
      },
    ]);
  });
});

describe('--only (re-apply of one stack)', () => {
  it('keeps only that stack, and refuses a stack that does not exist', () => {
    const vpc = { aws_vpc: { v: { cidr_block: '10.0.0.0/16' } } };
    const head = synth('head', { production: stack(vpc), staging: stack(vpc) });
    const out: string[] = [];
    expect(main(['--base', join(root, 'none'), '--head', head, '--json', '--only', 'staging'], (s) => out.push(s))).toBe(0);
    expect(JSON.parse(out[0]).include.map((m: { stack: string }) => m.stack)).toEqual(['staging']);
    expect(main(['--base', join(root, 'none'), '--head', head, '--names'], (s) => out.push(s))).toBe(0);
    expect(out[1]).toBe('["production","staging"]');
    const err: string[] = [];
    expect(main(['--base', join(root, 'none'), '--head', head, '--only', 'prod'], () => undefined, (s) => err.push(s))).toBe(1);
    expect(err[0]).toBe(`--only "prod": no such stack in ${head}; expected one of: production, staging`);
  });
});
