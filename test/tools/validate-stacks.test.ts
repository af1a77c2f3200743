import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Terraform } from '../../tools/terraform';
import { LOCK_PLATFORMS, main } from '../../tools/validate-stacks';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'validate-'));
  for (const s of ['production', 'sandbox']) {
    mkdirSync(join(root, 'cdktf.out', 'stacks', s), { recursive: true });
    writeFileSync(join(root, 'cdktf.out', 'stacks', s, 'cdk.tf.json'), '{}');
  }
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A fake terraform recording "<stack>: <args>", failing the commands `fail` matches. */
function fakeTerraform(fail: (args: readonly string[], stack: string) => boolean = () => false) {
  const calls: string[] = [];
  const terraform: Terraform = (args, cwd) => {
    const stack = cwd.split('/').pop() as string;
    calls.push(`${stack}: ${args.join(' ')}`);
    if (args[0] === 'providers') writeFileSync(join(cwd, '.terraform.lock.hcl'), `# lock of ${stack}`);
    return fail(args, stack) ? { code: 1, output: `Error: something in ${stack}` } : { code: 0, output: 'ok' };
  };
  return { terraform, calls };
}
const lock = (stack: string) => join(root, 'terraform-locks', `${stack}.terraform.lock.hcl`);
function writeLocks() {
  mkdirSync(join(root, 'terraform-locks'), { recursive: true });
  for (const s of ['production', 'sandbox']) writeFileSync(lock(s), `# lock of ${s}`);
}

describe('credential-free validate of every synthesized stack', () => {
  it('validates every stack with its committed lock file, read-only, without a backend', () => {
    writeLocks();
    const { terraform, calls } = fakeTerraform();
    expect(main(['validate'], () => undefined, () => undefined, terraform, root)).toBe(0);
    expect(calls).toEqual([
      'production: init -backend=false -input=false -lockfile=readonly -no-color',
      'production: validate -no-color',
      'sandbox: init -backend=false -input=false -lockfile=readonly -no-color',
      'sandbox: validate -no-color',
    ]);
    expect(readFileSync(join(root, 'cdktf.out', 'stacks', 'sandbox', '.terraform.lock.hcl'), 'utf8')).toBe('# lock of sandbox');
  });

  it('fails, naming the stack, the missing lock file and the command that makes it', () => {
    const { terraform } = fakeTerraform();
    const err: string[] = [];
    expect(main(['validate'], () => undefined, (s) => err.push(s), terraform, root)).toBe(1);
    expect(err[0]).toContain(`FAILED\tproduction\n${lock('production')}: missing; run "npm run providers:lock"`);
  });

  it('fails when one stack does not validate, and still checks the others', () => {
    writeLocks();
    const { terraform, calls } = fakeTerraform((args, stack) => args[0] === 'validate' && stack === 'production');
    const log: string[] = [];
    const err: string[] = [];
    expect(main(['validate'], (s) => log.push(s), (s) => err.push(s), terraform, root)).toBe(1);
    expect(err).toEqual(['FAILED\tproduction\nterraform validate failed:\nError: something in production']);
    expect(log).toEqual(['ok\tsandbox']);
    expect(calls).toContain('sandbox: validate -no-color');
  });

  it('writes the lock files for the CI and laptop platforms', () => {
    const { terraform, calls } = fakeTerraform();
    expect(main(['lock'], () => undefined, () => undefined, terraform, root)).toBe(0);
    expect(calls).toContain(`production: providers lock -no-color ${LOCK_PLATFORMS.map((p) => `-platform=${p}`).join(' ')}`);
    expect(LOCK_PLATFORMS).toContain('linux_amd64');
    expect(readFileSync(lock('sandbox'), 'utf8')).toBe('# lock of sandbox');
  });

  it('refuses to run without a synth', () => {
    const err: string[] = [];
    expect(main(['validate', '--outdir', join(root, 'none')], () => undefined, (s) => err.push(s), fakeTerraform().terraform, root)).toBe(1);
    expect(err[0]).toContain('not found; run the synth first');
  });
});
