/**
 * The naive twin the benchmark compares `npm start` with: the same sources, run the way
 * the cdktf TypeScript template runs an app (ts-node with type checking, no build step),
 * with the providers imported from their package roots, as the template's examples do.
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The provider packages whose deep imports the twin turns into root imports. */
export const PROVIDER_PACKAGES = ['@cdktf/provider-aws', '@cdktf/provider-datadog'] as const;

/** What is not copied into a twin or a fresh copy: build output, caches, tests, git. */
const NOT_COPIED = new Set(['node_modules', 'dist', 'test', '.git', 'coverage']);

/**
 * A provider package's namespaces by module folder, read from its root index
 * (`export * as rdsCluster from './rds-cluster';`), e.g. `rds-cluster` -> `rdsCluster`.
 */
export function providerNamespaces(indexDts: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const m of indexDts.matchAll(/^export \* as (\w+) from '\.\/([^']+)';$/gm)) names.set(m[2], m[1]);
  return names;
}

/**
 * Rewrites every `import { A, B as C } from '<package>/lib/<module>'` of `source` into a
 * root import of the module's namespace and one import alias per name
 * (`import A = ns.A;`), which TypeScript type-checks like the original for values and
 * types alike. Throws on a module the package root does not export.
 */
export function rewriteToRootImports(source: string, namespaces: ReadonlyMap<string, ReadonlyMap<string, string>>, file = '<source>'): string {
  return source.replace(/^import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'(@cdktf\/provider-[a-z]+)\/lib\/([^']+)';$/gm, (_all, names: string, pkg: string, module: string) => {
    const ns = namespaces.get(pkg)?.get(module);
    if (ns === undefined) throw new Error(`${file}: ${pkg}/lib/${module} is not exported by the ${pkg} package root`);
    const local = `${pkg.replace(/\W/g, '_')}_${ns}`;
    const aliases = names
      .split(',')
      .map((n) => n.trim().replace(/^type\s+/, ''))
      .filter((n) => n.length > 0)
      .map((n) => {
        const [imported, as = imported] = n.split(/\s+as\s+/);
        return `import ${as} = ${local}.${imported};`;
      });
    return [`import { ${ns} as ${local} } from '${pkg}';`, ...aliases].join(' ');
  });
}

/** Copies the repository at `root` into a new temp dir (no build output, no tests), `node_modules` linked. */
export function freshCopy(root: string, prefix = 'bench-copy-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const entry of readdirSync(root)) {
    if (NOT_COPIED.has(entry) || entry.startsWith('cdktf.out')) continue;
    cpSync(join(root, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** Every `.ts` file under `dir`, `node_modules` excluded. */
function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    if (entry === 'node_modules') return [];
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) return tsFiles(full);
    return entry.endsWith('.ts') ? [full] : [];
  });
}

/**
 * Builds the twin of the repository at `root` in a new temp dir and returns the dir and
 * the command that runs it: `ts-node main.ts` with type checking, after the template's
 * `cdktf.json` (`"app": "npx ts-node main.ts"`; run here without npx, which would only
 * add to the twin's time).
 */
export function buildNaiveTwin(root: string): { dir: string; command: string[] } {
  const dir = freshCopy(root, 'bench-twin-');
  const namespaces = new Map(PROVIDER_PACKAGES.map((pkg) => [pkg, providerNamespaces(readFileSync(join(root, 'node_modules', pkg, 'lib', 'index.d.ts'), 'utf8'))]));
  for (const file of tsFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    const rewritten = rewriteToRootImports(text, namespaces, file.slice(dir.length + 1));
    if (rewritten !== text) writeFileSync(file, rewritten);
  }
  // The project's compiler options, without the incremental build info (a cache).
  const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
  delete tsconfig.compilerOptions.incremental;
  delete tsconfig.compilerOptions.tsBuildInfoFile;
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ ...tsconfig, 'ts-node': { transpileOnly: false } }, null, 2));
  return { dir, command: [process.execPath, join(root, 'node_modules', 'ts-node', 'dist', 'bin.js'), 'main.ts'] };
}
