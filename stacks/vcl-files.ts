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

/** The one VCL source of a service, shared by every account: `vcl/<service>/`. */
export const vclSourceFolder = (service: string) => join('vcl', service);

/** An account's overrides of a service's VCL, for trying a change there first: `accounts/<account>/vcl/<service>/`. */
export const vclOverrideFolder = (account: string, service: string) => join('accounts', account, 'vcl', service);

const vclFilesIn = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.vcl')).sort() : []);

/**
 * The VCL of one service for one account: every `vcl/<folder>/*.vcl`, where a file of the
 * same name in `accounts/<account>/vcl/<folder>/` replaces it (or adds to them). Each file
 * becomes a VCL block named after the file (without `.vcl`), which is what
 * `include "<name>";` refers to. Per-account values (backends, domains, routes, stale
 * times) are not in these files: the construct generates them from the account's config.
 */
export function loadVclFolder(account: string, serviceIndex: number, folder: string, root = repoRoot()): VclFile[] {
  const byName = new Map<string, string>();
  for (const relative of [vclSourceFolder(folder), vclOverrideFolder(account, folder)]) {
    for (const f of vclFilesIn(join(root, relative))) byName.set(f, join(relative, f));
  }
  if (!byName.has('main.vcl')) {
    throw new AccountConfigError([
      {
        account,
        path: `cdn[${serviceIndex}].vclFolder`,
        got: JSON.stringify(folder),
        expected: `a folder ${vclSourceFolder(folder)}/ holding main.vcl (found ${byName.size ? [...byName.keys()].join(', ') : 'no VCL files'})`,
      },
    ]);
  }
  return [...byName.keys()].sort().map((f) => {
    const path = byName.get(f)!;
    return { name: f.slice(0, -'.vcl'.length), path, content: readFileSync(join(root, path), 'utf8') };
  });
}
