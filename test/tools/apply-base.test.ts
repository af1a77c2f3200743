import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyBase, gitDistance, main } from '../../tools/apply-base';

const distances: Record<string, number> = { a: 5, b: 2, c: 0 };
const distance = (sha: string) => distances[sha];

describe('apply base: the oldest last applied commit', () => {
  it('is the commit farthest behind HEAD, so no stack misses a change since its last apply', () => {
    expect(applyBase({ production: 'b', staging: 'a', sandbox: 'c' }, distance)).toBe('a');
    expect(applyBase({ production: 'c' }, distance)).toBe('c');
  });

  it('is empty (every stack) when a stack was never applied or its commit is not an ancestor of HEAD', () => {
    expect(applyBase({ production: 'b', staging: '' }, distance)).toBe('');
    expect(applyBase({ production: 'b', staging: 'rewritten' }, distance)).toBe('');
    expect(applyBase({}, distance)).toBe('');
  });

  it('rejects bad --applied input with what is expected', () => {
    const err: string[] = [];
    expect(main(['--applied', '["a"]'], () => undefined, (s) => err.push(s), distance)).toBe(1);
    expect(err[0]).toBe('--applied: expected an object of stack name to commit sha (string), got ["a"]');
    const log: string[] = [];
    expect(main(['--applied', '{"production":"a","staging":"b"}'], (s) => log.push(s), () => undefined, distance)).toBe(0);
    expect(log).toEqual(['a']);
  });

  it('measures distance with git, and knows a commit that is not an ancestor', () => {
    const repo = mkdtempSync(join(tmpdir(), 'git-'));
    try {
      const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo, encoding: 'utf8' }).trim();
      git('init', '-q', '-b', 'main');
      const commits = [1, 2, 3].map((i) => {
        writeFileSync(join(repo, 'f'), String(i));
        git('add', 'f');
        git('commit', '-q', '-m', `c${i}`);
        return git('rev-parse', 'HEAD');
      });
      expect(gitDistance(commits[0], repo)).toBe(2);
      expect(gitDistance(commits[2], repo)).toBe(0);
      expect(gitDistance('f'.repeat(40), repo)).toBeUndefined();
      expect(gitDistance('not-a-sha', repo)).toBeUndefined();
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
