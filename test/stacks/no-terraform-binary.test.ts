import childProcess from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesizeAccounts } from '../../stacks/synthesize';

/**
 * `npm start` needs no terraform binary (README, "Set up a new machine"). cdktf's own
 * checks of the local terraform version (cdktf/lib/validations/validate-binary-version.js,
 * added by DataResource, import blocks and moves) run `terraform version` through
 * child_process.execSync at synth and fail the synth where terraform is missing. Here every
 * such command fails as it would on a machine without terraform.
 */
describe('synth on a machine without terraform', () => {
  let root: string;
  beforeAll(() => (root = mkdtempSync(join(tmpdir(), 'no-terraform-'))));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('synthesizes every stack and never runs terraform', () => {
    const execSync = jest.spyOn(childProcess, 'execSync').mockImplementation((command) => {
      if (String(command).includes('terraform')) throw new Error(`/bin/sh: 1: terraform: not found (${String(command)})`);
      throw new Error(`unexpected command at synth: ${String(command)}`);
    });
    try {
      const result = synthesizeAccounts({ outdir: join(root, 'cdktf.out') });
      expect(result.stacks.length).toBeGreaterThan(0);
      expect(execSync.mock.calls.map(([command]) => String(command))).toEqual([]);
    } finally {
      execSync.mockRestore();
    }
  });
});
