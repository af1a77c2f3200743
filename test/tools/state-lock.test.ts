import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, releaseLock } from '../../tools/state-lock';
import { Terraform } from '../../tools/terraform';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'state-lock-'));
  mkdirSync(join(root, 'cdktf.out', 'stacks', 'production'), { recursive: true });
  writeFileSync(join(root, 'cdktf.out', 'stacks', 'production', 'cdk.tf.json'), '{}');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A fake terraform recording "<stack>: <args>", failing the commands `fail` matches. */
function fakeTerraform(fail: (args: readonly string[]) => boolean = () => false) {
  const calls: string[] = [];
  const terraform: Terraform = (args, cwd) => {
    const stack = cwd.split('/').pop() as string;
    calls.push(`${stack}: ${args.join(' ')}`);
    return fail(args) ? { code: 1, output: `Error: something in ${stack}` } : { code: 0, output: 'ok' };
  };
  return { terraform, calls };
}
const lock = (stack: string) => join(root, 'terraform-locks', `${stack}.terraform.lock.hcl`);
function writeLocks() {
  mkdirSync(join(root, 'terraform-locks'), { recursive: true });
  writeFileSync(lock('production'), '# lock');
}

describe('state lock release (S3-native lock: terraform force-unlock with the lock ID)', () => {
  const id = '0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';

  it('inits the stack with its backend and force-unlocks exactly that lock ID', () => {
    writeLocks();
    const { terraform, calls } = fakeTerraform();
    expect(releaseLock(root, join(root, 'cdktf.out'), 'production', id, terraform)).toBe(`Released the state lock ${id} of production.`);
    expect(calls).toEqual(['production: init -input=false -no-color -lockfile=readonly', `production: force-unlock -force -no-color ${id}`]);
  });

  it('refuses a malformed lock ID or an unknown stack before running terraform', () => {
    const { terraform, calls } = fakeTerraform();
    expect(() => releaseLock(root, join(root, 'cdktf.out'), 'production', 'all', terraform)).toThrow('--lock-id "all": expected the lock\'s UUID');
    expect(() => releaseLock(root, join(root, 'cdktf.out'), 'prod', id, terraform)).toThrow('--stack "prod": no ');
    expect(calls).toEqual([]);
  });

  it('reports terraform\'s error when the unlock fails, and inits without -lockfile when the stack has no lock file', () => {
    const { terraform, calls } = fakeTerraform((args) => args[0] === 'force-unlock');
    expect(() => releaseLock(root, join(root, 'cdktf.out'), 'production', id, terraform)).toThrow('Error: something in production');
    expect(existsSync(lock('production'))).toBe(false);
    expect(calls[0]).toBe('production: init -input=false -no-color');
  });

  it('needs both the stack and the lock ID on the command line', () => {
    const err: string[] = [];
    expect(main(['release', '--stack', 'production'], () => undefined, (s) => err.push(s), fakeTerraform().terraform, root)).toBe(1);
    expect(err[0]).toBe('usage: state-lock release --stack STACK --lock-id UUID [--outdir cdktf.out]');
  });
});
