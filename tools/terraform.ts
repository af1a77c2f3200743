/**
 * Running terraform from the CI tools: one place that spawns it, so the tools can be
 * tested with a fake runner (there is no terraform binary outside CI).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface RunResult {
  readonly code: number;
  /** stdout and stderr, interleaved as far as the OS allows. */
  readonly output: string;
}

/** Runs `terraform <args>` in `cwd`; the injectable signature the tools take. */
export type Terraform = (args: readonly string[], cwd: string) => RunResult;

export const runTerraform: Terraform = (args, cwd) => {
  const r = spawnSync('terraform', args, { cwd, encoding: 'utf8', env: { ...process.env, TF_IN_AUTOMATION: '1' }, maxBuffer: 256 * 1024 * 1024 });
  if (r.error) return { code: 127, output: `terraform could not be run: ${r.error.message}` };
  return { code: r.status ?? 1, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
};

/** The synthesized stacks (folders of `<outdir>/stacks` holding a cdk.tf.json), sorted. */
export function synthesizedStacks(outdir: string): string[] {
  const dir = join(outdir, 'stacks');
  if (!existsSync(dir)) throw new Error(`${dir}: not found; run the synth first (npm start)`);
  return readdirSync(dir).filter((s) => existsSync(join(dir, s, 'cdk.tf.json'))).sort();
}

/** The committed provider lock file of a stack (see tools/validate-stacks.ts). */
export const lockFileOf = (root: string, stack: string) => join(root, 'terraform-locks', `${stack}.terraform.lock.hcl`);
