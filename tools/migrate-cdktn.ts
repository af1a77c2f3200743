/**
 * Migrate to CDK Terrain: moves this repo from cdktf 0.21 (archived) to its community fork
 * `cdktn` in one command, and reports what changed in the provider schemas of the resource
 * types the repo emits.
 *
 *   npm run migrate:cdktn [-- --dir <repo>] [--no-install]
 *
 * Steps, in order (nothing is changed before step 3):
 * 1. `npm start` in the repo, to list the resource and data types the stacks emit.
 * 2. Read those types' schemas from the generated TypeScript of the installed `@cdktf`
 *    provider packages.
 * 3. Rewrite package.json (dependencies, engines, esbuild target, CLI names), cdktf.json
 *    (CLI names; cdktn-cli still reads `cdktf.json`) and every module specifier in the code.
 * 4. `npm install` (network), unless `--no-install`.
 * 5. Read the schemas again from the `@cdktn` packages and write `cdktn-migration-report.md`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import * as ts from 'typescript';
import { synthesizedStacks } from './terraform';

/**
 * The fork's versions. cdktn 0.24.0 is its only release; the providers must be the ones that
 * declare `cdktn ^0.24.0` as peer (earlier ones ask for ^0.22/^0.23, which npm refuses):
 * `@cdktn/provider-aws` 25.7.0 is AWS provider 6.66.0 (we have 6.25.0),
 * `@cdktn/provider-datadog` 16.1.0 is Datadog provider 4.19.0 (we have 3.82.0: a major).
 * Both ask for constructs >=10.6.0 <10.8.0, and cdktn-cli for Node >=22.19.0
 * (`npm view <package>@<version> peerDependencies engines`).
 */
export const CDKTN_VERSIONS = {
  cdktn: '0.24.0',
  'cdktn-cli': '0.24.0',
  '@cdktn/provider-aws': '25.7.0',
  '@cdktn/provider-datadog': '16.1.0',
  constructs: '10.7.2',
} as const;
/** The oldest Node cdktn-cli 0.24.0 runs on (its package.json engines). */
export const CDKTN_MIN_NODE = '22.19';

/** Old package -> new package. A module specifier is the name itself or the name and a subpath. */
export const PACKAGE_RENAMES: Readonly<Record<string, keyof typeof CDKTN_VERSIONS>> = {
  cdktf: 'cdktn',
  'cdktf-cli': 'cdktn-cli',
  '@cdktf/provider-aws': '@cdktn/provider-aws',
  '@cdktf/provider-datadog': '@cdktn/provider-datadog',
};

/**
 * The migration's own files and scripts. They name both packages on purpose, and have no use
 * once the repo is on the fork: the migration removes them.
 */
export const MIGRATION_FILES = ['tools/migrate-cdktn.ts', 'tools/migration-check.ts', 'test/tools/migrate-cdktn.test.ts', 'test/tools/fixtures/cdktn', '.github/workflows/cdktn-migration.yml'];
export const MIGRATION_SCRIPTS = ['migrate:cdktn', 'test:migration'];

/** `cdktf synth` in a script or in cdktf.json's app -> `cdktn synth`. */
const rewriteCli = (command: string) => command.replace(/(^|[\s;&|(])cdktf(?=\s)/g, '$1cdktn');

/** The cdktf package a module specifier names (`cdktf`, `@cdktf/provider-aws/lib/vpc`), if any. */
const packageOf = (specifier: string) => Object.keys(PACKAGE_RENAMES).find((p) => specifier === p || specifier.startsWith(`${p}/`));

/** Calls whose first argument is a module specifier. */
const MODULE_CALLS = new Set(['require', 'require.resolve', 'jest.mock', 'jest.doMock', 'jest.unmock', 'jest.requireActual', 'jest.requireMock']);

/**
 * Is this literal a module specifier: of an import/export, `import()`, `import('x').T`, or
 * of a call in MODULE_CALLS? A bare `'cdktf'` anywhere else is data (the `ManagedBy: 'cdktf'`
 * tag ends up in every resource) and must not change.
 */
function isModuleSpecifier(node: ts.Node, file: ts.SourceFile): boolean {
  const parent = node.parent;
  if (ts.isImportDeclaration(parent) || ts.isExportDeclaration(parent) || ts.isExternalModuleReference(parent)) return true;
  if (ts.isLiteralTypeNode(parent) && ts.isImportTypeNode(parent.parent)) return true;
  if (ts.isTemplateExpression(parent)) return isModuleSpecifier(parent, file);
  return ts.isCallExpression(parent) && parent.arguments[0] === node
    && (parent.expression.kind === ts.SyntaxKind.ImportKeyword || MODULE_CALLS.has(parent.expression.getText(file)));
}

/**
 * Renames the cdktf packages in module specifiers (`'cdktf'`, `'@cdktf/provider-aws/lib/vpc'`,
 * `` require(`@cdktf/provider-aws/lib/${m}`) ``), and in any string that starts with a
 * `@cdktf/` package name (a scoped name is never data: the ESLint config lists them).
 * Found with the TypeScript parser, so comments, tags and prose are left alone.
 */
export function rewriteModuleSpecifiers(source: string, fileName: string): { text: string; count: number } {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, fileName.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  const edits: { start: number; end: number; text: string }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node)) {
      const from = packageOf(node.text);
      // Only the package name is replaced, right after the opening quote: the rest of the literal is kept byte for byte.
      if (from && (from.startsWith('@') || isModuleSpecifier(node, file))) {
        const start = node.getStart(file) + 1;
        edits.push({ start, end: start + from.length, text: PACKAGE_RENAMES[from] });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  let text = source;
  for (const e of edits.sort((a, b) => b.start - a.start)) text = text.slice(0, e.start) + e.text + text.slice(e.end);
  return { text, count: edits.length };
}

export interface PackageJson {
  engines?: Record<string, string>;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  [key: string]: unknown;
}

/**
 * package.json on the fork: each cdktf package replaced by its cdktn one in the same
 * section, at the pinned version; constructs raised to what the fork's packages accept;
 * engines and the esbuild target raised to the oldest Node cdktn-cli runs on.
 */
export function migratePackageJson(pkg: PackageJson): PackageJson {
  const migrateDeps = (deps: Record<string, string> | undefined) => {
    if (!deps) return deps;
    const out: Record<string, string> = {};
    for (const [name, version] of Object.entries(deps)) {
      const to = PACKAGE_RENAMES[name];
      if (to) out[to] = CDKTN_VERSIONS[to];
      else out[name] = name === 'constructs' ? CDKTN_VERSIONS.constructs : version;
    }
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
  };
  const nodeMajor = CDKTN_MIN_NODE.split('.')[0];
  const scripts = pkg.scripts && Object.fromEntries(Object.entries(pkg.scripts).filter(([k]) => !MIGRATION_SCRIPTS.includes(k)).map(([k, v]) => [k, rewriteCli(v).replace(/--target=node\d+/g, `--target=node${nodeMajor}`)]));
  return {
    ...pkg,
    ...(pkg.engines && { engines: { ...pkg.engines, node: `>=${CDKTN_MIN_NODE}` } }),
    ...(scripts && { scripts }),
    ...(pkg.dependencies && { dependencies: migrateDeps(pkg.dependencies) }),
    ...(pkg.devDependencies && { devDependencies: migrateDeps(pkg.devDependencies) }),
  };
}

/** The esbuild target in tools/build.cjs (the project's one build) raised with engines. */
export const BUILD_FILE = 'tools/build.cjs';
export function migrateBuildTarget(text: string): string {
  return text.replace(/target: 'node\d+'/g, `target: 'node${CDKTN_MIN_NODE.split('.')[0]}'`);
}

/** cdktf.json on the fork: cdktn-cli 0.24 reads the same file and keys; only CLI names in `app` change. */
export function migrateCdktfJson(config: Record<string, unknown>): Record<string, unknown> {
  return typeof config.app === 'string' ? { ...config, app: rewriteCli(config.app) } : config;
}

/** Folders never rewritten: dependencies, build and synth output, git. */
const SKIP = /^(node_modules|dist|coverage|\.git|cdktf\.out.*|bootstrap\.out.*)$/;

/** The code files of the repo (.ts, .js, .mjs, .cjs), relative paths, sorted. */
export function codeFiles(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (SKIP.test(e.name)) return [];
    const path = join(dir, e.name);
    if (e.isDirectory()) return codeFiles(root, path);
    return /\.(ts|js|mjs|cjs)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [relative(root, path)] : [];
  }).sort();
}

// ---- provider schemas ----------------------------------------------------------------

/** One block of a resource's schema: its attributes (Terraform names) and whether each is required. */
export type BlockSchema = Record<string, { required: boolean }>;
/** A resource type's input blocks (by interface name without the class prefix; '' is the resource) and computed attributes. */
export interface TypeSchema { blocks: Record<string, BlockSchema>; computed: string[] }

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * The schema of one resource type, read from the generated `index.d.ts` of its module: every
 * exported `<Class>...` interface is a block, every `readonly` property an attribute (its
 * Terraform name is the anchor of the registry link in its doc comment; `?` = optional), and
 * the class's getters without a setter that are not input blocks (those have `put...`
 * methods instead) are the computed attributes.
 */
export function parseTypeSchema(dts: string, tfType: string): TypeSchema {
  const cls = new RegExp(`export declare class (\\w+) extends \\w+\\.Terraform(?:Resource|DataSource|Provider) \\{\\n    static readonly tfResourceType = "${tfType}";`).exec(dts)?.[1];
  if (!cls) throw new Error(`no class with tfResourceType "${tfType}" in this module`);
  const blocks: Record<string, BlockSchema> = {};
  for (const m of dts.matchAll(/^export interface (\w+)[^{]*\{\n([\s\S]*?)^\}/gm)) {
    if (!m[1].startsWith(cls)) continue;
    const block: BlockSchema = {};
    for (const p of m[2].matchAll(/(?:#(\w+) \w+#\w+\}[\s\S]*?)?readonly (\w+)(\?)?:/g)) block[p[1] ?? snake(p[2])] = { required: !p[3] };
    blocks[m[1] === `${cls}Config` ? '' : snake(m[1].slice(cls.length)).replace(/^_/, '')] = block;
  }
  const body = dts.slice(dts.indexOf(`export declare class ${cls} `));
  const classBody = body.slice(0, body.indexOf('\n}'));
  const setters = new Set([...classBody.matchAll(/^ {4}set (\w+)\(/gm)].map((m) => m[1]));
  const computed = [...classBody.matchAll(/^ {4}get (\w+)\(\)/gm)].map((m) => m[1])
    .filter((g) => !setters.has(g) && !g.endsWith('Input') && g !== 'internalValue').map(snake)
    .filter((g) => !blocks['']?.[g]).sort();
  return { blocks, computed };
}

/** The provider package and module of a Terraform type (`aws_sqs_queue`, `data.aws_iam_policy_document`, `provider.aws`). */
export function moduleOf(type: string): { provider: 'aws' | 'datadog'; module: string; tfType: string } | undefined {
  const [kind, name] = type.startsWith('data.') ? ['data', type.slice(5)] : type.startsWith('provider.') ? ['provider', type.slice(9)] : ['resource', type];
  const provider = (['aws', 'datadog'] as const).find((p) => name === p || name.startsWith(`${p}_`));
  if (!provider) return undefined;
  if (kind === 'provider') return { provider, module: 'provider', tfType: provider };
  const rest = name.slice(provider.length + 1).replace(/_/g, '-');
  return kind === 'data' ? { provider, module: `data-${provider}-${rest}`, tfType: name } : { provider, module: rest, tfType: name };
}

/** The Terraform types in the synthesized stacks: `aws_x`, `data.aws_y`, `provider.aws`, sorted. */
export function emittedTypes(outdir: string): string[] {
  const types = new Set<string>();
  for (const stack of synthesizedStacks(outdir)) {
    const json = JSON.parse(readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as Record<string, Record<string, object>>;
    for (const t of Object.keys(json.resource ?? {})) types.add(t);
    for (const t of Object.keys(json.data ?? {})) types.add(`data.${t}`);
    for (const t of Object.keys(json.provider ?? {})) types.add(`provider.${t}`);
  }
  return [...types].sort();
}

/** Reads the schemas of `types` from `<root>/node_modules/<scope>/provider-<aws|datadog>`; types of other providers are left out. */
export function readSchemas(root: string, scope: '@cdktf' | '@cdktn', types: string[]): Record<string, TypeSchema | 'missing'> {
  const out: Record<string, TypeSchema | 'missing'> = {};
  for (const type of types) {
    const mod = moduleOf(type);
    if (!mod) continue;
    const file = join(root, 'node_modules', scope, `provider-${mod.provider}`, 'lib', mod.module, 'index.d.ts');
    out[type] = existsSync(file) ? parseTypeSchema(readFileSync(file, 'utf8'), mod.tfType) : 'missing';
  }
  return out;
}

/** Every schema difference, one line each, for the types in `before`. */
export function schemaChanges(before: Record<string, TypeSchema | 'missing'>, after: Record<string, TypeSchema | 'missing'>): string[] {
  const lines: string[] = [];
  for (const [type, old] of Object.entries(before)) {
    const now = after[type] ?? 'missing';
    if (old === 'missing' || now === 'missing') {
      if (old !== now) lines.push(`${type}: ${old === 'missing' ? 'added' : 'REMOVED from the provider'}`);
      continue;
    }
    for (const block of [...new Set([...Object.keys(old.blocks), ...Object.keys(now.blocks)])].sort()) {
      const where = block ? `${type} ${block}` : type;
      const [a, b] = [old.blocks[block], now.blocks[block]];
      // A new nested block shows as the new attribute of its parent; a removed one is listed.
      if (!a || !b) { if (a) lines.push(`${where}: block removed`); continue; }
      const removed = Object.keys(a).filter((k) => !b[k]).sort();
      const added = Object.keys(b).filter((k) => !a[k]).sort();
      for (const k of removed) lines.push(`${where}: removed ${k}${added.length ? ` (a rename? added here: ${added.join(', ')})` : ''}`);
      for (const k of added) lines.push(`${where}: added ${k}${b[k].required ? ' (REQUIRED)' : ''}`);
      for (const k of Object.keys(a).filter((k) => b[k] && a[k].required !== b[k].required).sort()) {
        lines.push(`${where}: ${k} is now ${b[k].required ? 'REQUIRED' : 'optional'}`);
      }
    }
    for (const k of old.computed.filter((c) => !now.computed.includes(c))) {
      lines.push(`${type}: computed attribute ${k} ${now.blocks['']?.[k] ? 'is now also an input' : 'removed'}`);
    }
    for (const k of now.computed.filter((c) => !old.computed.includes(c))) lines.push(`${type}: computed attribute ${k} added`);
  }
  return lines;
}

// ---- the command ----------------------------------------------------------------------

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
const writeJson = (file: string, value: unknown) => writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);

export function migrate(root: string, install: boolean, log: (s: string) => void): { report: string } {
  const pkg = readJson(join(root, 'package.json')) as PackageJson;
  if (!pkg.dependencies?.cdktf) throw new Error(`${join(root, 'package.json')}: dependencies.cdktf is ${JSON.stringify(pkg.dependencies?.cdktf)}; this repo is not on cdktf (already migrated?)`);

  log('1/5 synthesizing on cdktf to list the emitted types (npm start)');
  execFileSync('npm', ['start', '--silent'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const types = emittedTypes(join(root, 'cdktf.out'));
  log('2/5 reading their schemas from @cdktf/provider-*');
  const before = readSchemas(root, '@cdktf', types);

  log('3/5 rewriting package.json, cdktf.json and module specifiers');
  writeJson(join(root, 'package.json'), migratePackageJson(pkg));
  writeJson(join(root, 'cdktf.json'), migrateCdktfJson(readJson(join(root, 'cdktf.json'))));
  if (existsSync(join(root, BUILD_FILE))) writeFileSync(join(root, BUILD_FILE), migrateBuildTarget(readFileSync(join(root, BUILD_FILE), 'utf8')));
  let specifiers = 0;
  const files: string[] = [];
  for (const file of MIGRATION_FILES) rmSync(join(root, file), { recursive: true, force: true });
  for (const file of codeFiles(root)) {
    const path = join(root, file);
    const { text, count } = rewriteModuleSpecifiers(readFileSync(path, 'utf8'), file);
    if (count) { writeFileSync(path, text); specifiers += count; files.push(file); }
  }
  log(`    ${specifiers} module specifiers in ${files.length} files`);

  if (!install) return { report: '' };
  log('4/5 npm install (network)');
  execFileSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });

  log('5/5 reading the schemas from @cdktn/provider-* and writing cdktn-migration-report.md');
  const changes = schemaChanges(before, readSchemas(root, '@cdktn', types));
  const report = [
    '# cdktn migration report',
    '',
    `Packages: ${Object.entries(CDKTN_VERSIONS).map(([k, v]) => `${k} ${v}`).join(', ')}; engines node >=${CDKTN_MIN_NODE}.`,
    `Module specifiers rewritten: ${specifiers} in ${files.length} files.`,
    '',
    `## Schema changes of the ${Object.keys(before).length} AWS and Datadog types the stacks emit`,
    '',
    ...(changes.length ? changes.map((c) => `- ${c}`) : ['None.']),
    '',
  ].join('\n');
  writeFileSync(join(root, 'cdktn-migration-report.md'), report);
  return { report };
}

/**
 * The migration rewrites files in place: in a git work tree it must start clean, so that a
 * failed run (no network for npm install, say) is undone with `git checkout . && git clean -fd`.
 */
export function refuseDirtyWorkTree(dir: string): void {
  const status = spawnSync('git', ['status', '--porcelain'], { cwd: dir, encoding: 'utf8' });
  if (status.status === 0 && status.stdout.trim()) {
    throw new Error(`${dir}: the git work tree has uncommitted changes (${status.stdout.trim().split('\n').length} paths); commit or stash them first, so that "git checkout . && git clean -fd" undoes a failed migration`);
  }
}

export function main(args: string[], log: (s: string) => void = console.log, error: (s: string) => void = console.error): number {
  try {
    const { values } = parseArgs({ args, options: { dir: { type: 'string', default: process.cwd() }, 'no-install': { type: 'boolean', default: false } } });
    refuseDirtyWorkTree(values.dir);
    log(migrate(values.dir, !values['no-install'], log).report);
    return 0;
  } catch (e) {
    error(`migrate-cdktn: ${(e as Error).message} (usage: npm run migrate:cdktn -- [--dir <repo>] [--no-install])`);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
