import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accountSources } from '../accounts';

// `npm start` as a user runs it, in a copy of the repository (node_modules linked), so the
// tests can break account files and delete dist/ without touching the working tree.
const root = join(__dirname, '..');
const SKIP = new Set(['node_modules', 'dist', 'test', '.git', 'coverage']);

function copyOfRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'start-'));
  for (const entry of readdirSync(root)) {
    if (SKIP.has(entry) || entry.startsWith('cdktf.out')) continue;
    cpSync(join(root, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

const npm = (cwd: string, ...args: string[]) => {
  const r = spawnSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, COMMIT_ID: '' } });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
};

function edit(file: string, from: RegExp, to: string): void {
  const text = readFileSync(file, 'utf8');
  if (!from.test(text)) throw new Error(`${file} has no ${from}`);
  writeFileSync(file, text.replace(from, to));
}

describe('npm start', () => {
  let repo: string;
  beforeAll(() => (repo = copyOfRepo()));
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it('rebuilds after dist/ is deleted (no incremental build state to go stale)', () => {
    expect(npm(repo, 'run', 'build', '--silent').status).toBe(0);
    rmSync(join(repo, 'dist'), { recursive: true, force: true });
    const run = npm(repo, 'start', '--silent');
    expect(run.status).toBe(0);
    for (const s of accountSources) expect(existsSync(join(repo, 'cdktf.out', 'stacks', s.folder, 'cdk.tf.json'))).toBe(true);
  });

  it('synthesizes only the accounts named after --, and refuses an unknown one listing the known ones', () => {
    const folders = accountSources.map((s) => s.folder);
    const chosen = folders[folders.length - 1];
    const run = npm(repo, 'start', '--silent', '--', chosen);
    expect(run.status).toBe(0);
    expect(readdirSync(join(repo, 'cdktf.out', 'stacks'))).toEqual([chosen]);
    expect(run.output).toContain('Synthesized 1 stacks');
    const refused = npm(repo, 'start', '--silent', '--', 'no-such-account');
    expect(refused.status).toBe(1);
    expect(refused.output).toContain(`no account named "no-such-account". The accounts (folders under accounts/, listed in accounts/index.ts) are: ${folders.join(', ')}.`);
    expect(readdirSync(join(repo, 'cdktf.out', 'stacks'))).toEqual([chosen]); // nothing written
  });

  it('reports the runtime errors of every account even when one account file has a type error', () => {
    const first = accountSources[0].folder;
    const last = accountSources[accountSources.length - 1].folder;
    const file = (folder: string) => join(repo, 'accounts', folder, 'index.ts');
    // A type-level mistake (a number where the type says string) in one account...
    edit(file(first), /accountId: '(\d{12})'/, 'accountId: $1');
    // ...and a value only the runtime check catches in another.
    edit(file(last), /bucket: '[^']+'/, "bucket: 'Bad_Bucket'");
    const run = npm(repo, 'start', '--silent');
    expect(run.status).toBe(1);
    expect(run.output).toMatch(new RegExp(`accounts/${first}: accountId: got \\d{12}, expected a 12-digit AWS account id as a string`));
    expect(run.output).toContain(`accounts/${last}: state.bucket: got "Bad_Bucket", expected an S3 bucket name`);
    expect(run.output).not.toMatch(/error TS\d+/); // the type checker is npm test's gate, not npm start's
  });
});
