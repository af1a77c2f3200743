import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyStacks, gitSynth, main } from '../../tools/apply-stacks';

let root: string;
beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'apply-stacks-'))));
afterEach(() => rmSync(root, { recursive: true, force: true }));

const stack = (cidr: string) => ({ provider: { aws: [{ allowed_account_ids: ['111111111111'], region: 'ap-northeast-1' }] }, resource: { aws_vpc: { v: { cidr_block: cidr } } } });
function synth(dir: string, stacks: Record<string, unknown>): string {
  const out = join(root, dir);
  mkdirSync(join(out, 'stacks'), { recursive: true });
  for (const [name, json] of Object.entries(stacks)) {
    mkdirSync(join(out, 'stacks', name), { recursive: true });
    writeFileSync(join(out, 'stacks', name, 'cdk.tf.json'), JSON.stringify(json));
  }
  return out;
}

describe('apply stacks: each stack against its own last applied commit', () => {
  // History: A (everything applied), B (staging changed, its apply failed), C = parent, D = this commit.
  const commits = () => ({
    A: synth('A', { production: stack('10.0.0.0/16'), staging: stack('10.1.0.0/16') }),
    B: synth('B', { production: stack('10.0.0.0/16'), staging: stack('10.1.0.0/17') }),
    C: synth('C', { production: stack('10.0.0.0/16'), staging: stack('10.1.0.0/17') }),
  });

  it('plans the change of this commit, retries the failed one, and says which plans must match the PR', () => {
    const at = commits();
    const head = synth('D', { production: stack('10.0.0.0/15'), staging: stack('10.1.0.0/17') });
    const synthesized: string[] = [];
    const result = applyStacks({ production: 'A', staging: 'A' }, 'C', head, (sha) => (synthesized.push(sha), at[sha as keyof typeof at]));
    expect(result.map((s) => [s.stack, s.status, s.caughtUp])).toEqual([
      ['production', 'changed', true], // unchanged from A to C: only this commit's change, reviewed on its PR
      ['staging', 'changed', false], // B's change was never applied: a catch-up, approved in the environment
    ]);
    expect(synthesized).toEqual(['A', 'C']); // each commit once
  });

  it('leaves out stacks already applied up to this code, and lists stacks removed since the parent', () => {
    const at = commits();
    const head = synth('D', { production: stack('10.0.0.0/16') });
    const result = applyStacks({ production: 'C', staging: 'C' }, 'C', head, (sha) => at[sha as keyof typeof at]);
    expect(result.map((s) => [s.stack, s.status, s.caughtUp])).toEqual([['staging', 'removed', false]]);
  });

  it('treats a stack never applied, or whose commit does not synthesize, as added and not caught up', () => {
    const at = commits();
    const head = synth('D', { production: stack('10.0.0.0/16'), staging: stack('10.1.0.0/17') });
    const result = applyStacks({ production: '', staging: 'gone' }, 'C', head, (sha) => at[sha as keyof typeof at]);
    expect(result.map((s) => [s.stack, s.status, s.caughtUp, s.account])).toEqual([
      ['production', 'added', false, '111111111111'],
      ['staging', 'added', false, '111111111111'],
    ]);
  });

  it('rejects bad --applied input, saying what is expected', () => {
    const err: string[] = [];
    expect(main(['--applied', '["a"]', '--parent', 'C', '--head', root, '--workdir', root], () => undefined, (s) => err.push(s), () => undefined)).toBe(1);
    expect(err[0]).toBe('--applied: expected an object of stack name to commit sha (string), got ["a"]');
    expect(main(['--applied', '{}', '--parent', 'C', '--head', join(root, 'none'), '--workdir', root], () => undefined, (s) => err.push(s), () => undefined)).toBe(1);
    expect(err[1]).toContain('no synthesized stack; run the synth first');
  });

  it('does not synthesize a commit that is not a full sha or not an ancestor of HEAD', () => {
    const repo = join(root, 'repo');
    mkdirSync(repo);
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo, encoding: 'utf8' }).trim();
    git('init', '-q', '-b', 'main');
    git('commit', '-q', '--allow-empty', '-m', 'one');
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(gitSynth(join(root, 'work'), repo)('f'.repeat(40))).toBeUndefined();
      expect(gitSynth(join(root, 'work'), repo)('HEAD')).toBeUndefined();
      expect(errors).toHaveBeenCalledWith(expect.stringContaining('is not an ancestor of HEAD'));
    } finally {
      errors.mockRestore();
    }
  });
});
