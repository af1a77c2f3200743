import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AccountConfigError } from '../accounts/schema';
import { VclFile } from '../constructs/fastly/vcl-check';

/** The repository root: the nearest folder above this file that holds `accounts/`. */
export function repoRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'accounts', 'schema.ts')) && !existsSync(join(dir, 'accounts', 'schema.js'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no accounts/ folder above ${from}`);
    dir = parent;
  }
  // Compiled code runs from dist/: the VCL files stay in the source tree.
  return dir.endsWith(`${join('/', 'dist')}`) ? dirname(dir) : dir;
}

/**
 * Reads `accounts/<account>/vcl/<folder>/*.vcl`. Each file becomes a VCL block named after
 * the file (without `.vcl`), which is what `include "<name>";` refers to.
 */
export function loadVclFolder(account: string, serviceIndex: number, folder: string, root = repoRoot()): VclFile[] {
  const relative = join('accounts', account, 'vcl', folder);
  const dir = join(root, relative);
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.vcl')).sort() : [];
  if (!files.includes('main.vcl')) {
    throw new AccountConfigError([
      { account, path: `cdn[${serviceIndex}].vclFolder`, got: JSON.stringify(folder), expected: `a folder ${relative}/ holding main.vcl (found ${files.length ? files.join(', ') : 'no VCL files'})` },
    ]);
  }
  return files.map((f) => ({ name: f.slice(0, -'.vcl'.length), path: join(relative, f), content: readFileSync(join(dir, f), 'utf8') }));
}
