/**
 * State lock release: frees a stack's Terraform state lock left by an apply that was
 * killed (runner lost, job timeout) before terraform could release it.
 *
 *   node dist/tools/state-lock.js release --stack production --lock-id <ID> [--outdir cdktf.out]
 *
 * The state uses S3-native locking (`use_lockfile`): the lock is the `<key>.tflock` object
 * next to the state, and `terraform force-unlock` deletes it after checking that its ID
 * matches, so the ID (printed in the "Error acquiring the state lock" message of the run
 * that hit the lock) is required: an unlock never frees a lock it was not asked to.
 * Run from the Apply workflow (operation "release-lock") with the plan role, which may
 * delete `*.tflock` in the state bucket (bootstrap/bootstrap-stack.ts); that run waits in
 * the workflow's concurrency group until no apply is running.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Terraform, lockFileOf, runTerraform } from './terraform';
import { optionOf } from './cli';

/** Terraform lock IDs are UUIDs. */
const LOCK_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function releaseLock(root: string, outdir: string, stack: string, lockId: string, terraform: Terraform): string {
  if (!LOCK_ID.test(lockId)) throw new Error(`--lock-id "${lockId}": expected the lock's UUID (ID: in the "Error acquiring the state lock" message)`);
  const dir = join(outdir, 'stacks', stack);
  if (!existsSync(join(dir, 'cdk.tf.json'))) throw new Error(`--stack "${stack}": no ${join(dir, 'cdk.tf.json')}; expected one of the synthesized stacks`);
  const lock = lockFileOf(root, stack);
  const init = terraform(['init', '-input=false', '-no-color', ...(existsSync(lock) ? ['-lockfile=readonly'] : [])], dir);
  if (init.code !== 0) throw new Error(`terraform init failed in ${dir}:\n${init.output}`);
  const unlock = terraform(['force-unlock', '-force', '-no-color', lockId], dir);
  if (unlock.code !== 0) throw new Error(`terraform force-unlock ${lockId} failed in ${dir}:\n${unlock.output}`);
  return `Released the state lock ${lockId} of ${stack}.`;
}

/** The CLI; returns the exit code. */
export function main(args: string[], log: (s: string) => void = console.log, error: (s: string) => void = console.error, terraform: Terraform = runTerraform, root = process.cwd()): number {
  const at = (name: string) => optionOf(args, name);
  const stack = at('--stack');
  const lockId = at('--lock-id');
  if (args[0] !== 'release' || !stack || !lockId) {
    error('usage: state-lock release --stack STACK --lock-id UUID [--outdir cdktf.out]');
    return 1;
  }
  try {
    log(releaseLock(root, at('--outdir') ?? join(root, 'cdktf.out'), stack, lockId, terraform));
    return 0;
  } catch (e) {
    error((e as Error).message);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
