/**
 * Validate stacks: `terraform validate` of every synthesized stack, without credentials,
 * with the provider versions and checksums of the committed lock files.
 *
 *   node dist/tools/validate-stacks.js validate [--outdir cdktf.out]
 *   node dist/tools/validate-stacks.js lock [--outdir cdktf.out]
 *
 * `validate` copies `terraform-locks/<stack>.terraform.lock.hcl` into each stack, runs
 * `terraform init -backend=false -lockfile=readonly` (no state, no cloud: it runs on pull
 * requests from forks too) and `terraform validate`, and fails when any stack has no lock
 * file or does not validate. `-lockfile=readonly` fails when the stack needs a provider the
 * lock does not list, so a provider added in code is caught here.
 * `lock` (run by a person with terraform and network, after a provider version changes)
 * writes those lock files with checksums for the platforms CI and laptops use.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Terraform, lockFileOf, runTerraform, synthesizedStacks } from './terraform';

/** linux_amd64 is GitHub's runner; the others are the engineers' laptops. */
export const LOCK_PLATFORMS = ['linux_amd64', 'darwin_arm64', 'darwin_amd64'];

export interface StackResult {
  readonly stack: string;
  readonly ok: boolean;
  /** What went wrong, for the log; empty when ok. */
  readonly detail: string;
}

export function validateStacks(root: string, outdir: string, terraform: Terraform): StackResult[] {
  return synthesizedStacks(outdir).map((stack) => {
    const dir = join(outdir, 'stacks', stack);
    const lock = lockFileOf(root, stack);
    if (!existsSync(lock)) return { stack, ok: false, detail: `${lock}: missing; run "npm run providers:lock" (needs terraform and network) and commit it` };
    copyFileSync(lock, join(dir, '.terraform.lock.hcl'));
    const init = terraform(['init', '-backend=false', '-input=false', '-lockfile=readonly', '-no-color'], dir);
    if (init.code !== 0) return { stack, ok: false, detail: `terraform init failed:\n${init.output}` };
    const validate = terraform(['validate', '-no-color'], dir);
    return validate.code === 0 ? { stack, ok: true, detail: '' } : { stack, ok: false, detail: `terraform validate failed:\n${validate.output}` };
  });
}

export function lockStacks(root: string, outdir: string, terraform: Terraform): StackResult[] {
  mkdirSync(join(root, 'terraform-locks'), { recursive: true });
  return synthesizedStacks(outdir).map((stack) => {
    const dir = join(outdir, 'stacks', stack);
    const init = terraform(['init', '-backend=false', '-input=false', '-upgrade', '-no-color'], dir);
    if (init.code !== 0) return { stack, ok: false, detail: `terraform init failed:\n${init.output}` };
    const lock = terraform(['providers', 'lock', '-no-color', ...LOCK_PLATFORMS.map((p) => `-platform=${p}`)], dir);
    if (lock.code !== 0) return { stack, ok: false, detail: `terraform providers lock failed:\n${lock.output}` };
    copyFileSync(join(dir, '.terraform.lock.hcl'), lockFileOf(root, stack));
    return { stack, ok: true, detail: '' };
  });
}

/** The CLI; returns the exit code. */
export function main(args: string[], log: (s: string) => void = console.log, error: (s: string) => void = console.error, terraform: Terraform = runTerraform, root = process.cwd()): number {
  const [command] = args;
  const i = args.indexOf('--outdir');
  const outdir = i >= 0 ? args[i + 1] : join(root, 'cdktf.out');
  if (command !== 'validate' && command !== 'lock') {
    error('usage: validate-stacks validate|lock [--outdir cdktf.out]');
    return 1;
  }
  try {
    const results = (command === 'validate' ? validateStacks : lockStacks)(root, outdir, terraform);
    for (const r of results) (r.ok ? log : error)(`${r.ok ? 'ok' : 'FAILED'}\t${r.stack}${r.detail ? `\n${r.detail}` : ''}`);
    return results.every((r) => r.ok) ? 0 : 1;
  } catch (e) {
    error((e as Error).message);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
