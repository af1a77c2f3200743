/**
 * Migration check: runs `npm run migrate:cdktn` on a copy of the repo and proves the migrated
 * copy synthesizes every account with the same resources.
 *
 *   npm run test:migration            (Node 24 from the npm registry; needs the network)
 *   node dist/tools/migration-check.js [--keep]
 *
 * In a temporary copy (the files git tracks or would track, without node_modules):
 * `npm ci`, `npm start` (cdktf: the reference), the migration (which installs the cdktn
 * packages), `npm start` again (cdktn), then a normalized diff of every stack's
 * `cdk.tf.json` and `tsc --noEmit` of the migrated code. Prints every difference and the
 * migration's schema report; exits 1 when a stack differs (beyond the EQUIVALENT
 * differences, which are listed too), a stack pins a provider below its bindings, or the
 * migrated code does not type-check. The copy is removed unless `--keep`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { migrate } from './migrate-cdktn';
import { synthesizedStacks } from './terraform';
import { compareVersions } from '../stacks/account-foundation';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A stack's JSON without what only says which tool and provider versions wrote it: the
 * top-level `//.metadata.version` (the cdktf/cdktn version) and
 * `terraform.required_providers.<name>.version`. Everything else, resources included, is kept.
 */
export function normalize(stack: Json): Json {
  const copy = JSON.parse(JSON.stringify(stack)) as Record<string, Record<string, Record<string, Record<string, Json>>>>;
  delete copy['//']?.metadata?.version;
  for (const provider of Object.values(copy.terraform?.required_providers ?? {})) delete provider.version;
  return copy as unknown as Json;
}

const show = (v: Json | undefined) => {
  const s = v === undefined ? '(absent)' : JSON.stringify(v);
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
};

/** Every difference between two JSON values, one line each: `<path>: <before> -> <after>`. */
export function jsonDiff(before: Json | undefined, after: Json | undefined, path = ''): string[] {
  const isObject = (v: Json | undefined): v is { [key: string]: Json } | Json[] => typeof v === 'object' && v !== null;
  if (isObject(before) && isObject(after) && Array.isArray(before) === Array.isArray(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => jsonDiff((before as Record<string, Json>)[k], (after as Record<string, Json>)[k], path ? `${path}.${k}` : k));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [`${path}: ${show(before)} -> ${show(after)}`];
}

/** Every stack's cdk.tf.json under `outdir`, by stack name. */
export function readStacks(outdir: string): Record<string, Json> {
  return Object.fromEntries(synthesizedStacks(outdir).map((s) => [s, JSON.parse(readFileSync(join(outdir, 'stacks', s, 'cdk.tf.json'), 'utf8')) as Json]));
}

const normalizeAll = (stacks: Record<string, Json>) => Object.fromEntries(Object.entries(stacks).map(([k, v]) => [k, normalize(v)]));

/** The differences between two synth outputs, stack by stack, prefixed with the stack name. */
export function stacksDiff(before: Record<string, Json>, after: Record<string, Json>): string[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names.flatMap((s) => jsonDiff(before[s], after[s]).map((d) => `${s}: ${d}`));
}

/**
 * Differences that are the same configuration for Terraform, each with the reason. Listed,
 * never hidden; every other difference fails the check.
 */
export const EQUIVALENT: readonly { readonly pattern: RegExp; readonly why: string }[] = [{
  // cdktn writes the full source address where cdktf wrote the bare type. A source that is
  // only a type means registry.terraform.io/hashicorp/<type>
  // (https://github.com/hashicorp/terraform-registry-address, ParseProviderSource), so the
  // provider, and its entry in the lock files, are the same.
  pattern: /^[\w-]+: terraform\.required_providers\.(\w+)\.source: "(\w+)" -> "hashicorp\/\2"$/,
  why: 'same provider address: a bare type means hashicorp/<type> on registry.terraform.io',
}];

/** Splits differences into the ones EQUIVALENT explains (with the reason) and the others. */
export function classify(diff: string[]): { equivalent: string[]; different: string[] } {
  const why = (d: string) => EQUIVALENT.find((e) => e.pattern.test(d))?.why;
  return { equivalent: diff.filter(why).map((d) => `${d} (${why(d)})`), different: diff.filter((d) => !why(d)) };
}

/** The provider release the `<scope>/provider-<name>` bindings under `root` were generated from (their provider class's generator metadata). */
export function bindingsVersion(root: string, scope: '@cdktf' | '@cdktn', provider: 'aws' | 'datadog'): string {
  const file = join(root, 'node_modules', scope, `provider-${provider}`, 'lib', 'provider', 'index.js');
  const version = /providerVersion: '(\d+\.\d+\.\d+)'/.exec(readFileSync(file, 'utf8'))?.[1];
  if (version === undefined) throw new Error(`${file}: no providerVersion in the generator metadata`);
  return version;
}

/**
 * Stacks that pin a provider below the release its bindings were generated from: Terraform
 * would run a provider that lacks attributes the code can write. The normalized diff leaves
 * `required_providers` versions out, so this is checked apart.
 */
export function pinsBelowBindings(stacks: Record<string, Json>, bindings: Readonly<Record<string, string>>): string[] {
  return Object.entries(stacks).flatMap(([stack, json]) => Object.entries(bindings).flatMap(([name, generated]) => {
    const pinned = (json as { terraform?: { required_providers?: Record<string, { version?: unknown }> } }).terraform?.required_providers?.[name]?.version;
    return typeof pinned === 'string' && compareVersions(pinned, generated) < 0
      ? [`${stack}: terraform.required_providers.${name}.version ${pinned} is below ${generated}, the release the ${name} bindings were generated from`]
      : [];
  }));
}

function run(cmd: string, args: string[], cwd: string) {
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
}

export function main(args: string[], log: (s: string) => void = console.log): number {
  const { values } = parseArgs({ args, options: { keep: { type: 'boolean', default: false } } });
  const root = join(__dirname, '..', '..');
  const copy = join(mkdtempSync(join(tmpdir(), 'cdktn-migration-')), 'repo');
  try {
    log(`Node ${process.version}; copy in ${copy}`);
    const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
    // A file deleted in the work tree but not yet in the index is still listed: skip it.
    for (const f of files.filter((f) => existsSync(join(root, f)))) {
      mkdirSync(dirname(join(copy, f)), { recursive: true });
      cpSync(join(root, f), join(copy, f));
    }
    run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], copy);
    run('npm', ['start', '--silent'], copy);
    const before = readStacks(join(copy, 'cdktf.out'));
    const { report } = migrate(copy, true, log);
    run('npm', ['start', '--silent'], copy);
    const after = readStacks(join(copy, 'cdktf.out'));
    const diff = stacksDiff(normalizeAll(before), normalizeAll(after));
    const ignored = stacksDiff(before, after).filter((d) => !diff.includes(d));
    const { equivalent, different } = classify(diff);
    const below = pinsBelowBindings(after, { aws: bindingsVersion(copy, '@cdktn', 'aws'), datadog: bindingsVersion(copy, '@cdktn', 'datadog') });
    const tsc = spawnSync(process.execPath, [join('node_modules', 'typescript', 'bin', 'tsc'), '--noEmit'], { cwd: copy, encoding: 'utf8' });

    log(report);
    log(`## Synth on cdktn against cdktf: ${Object.keys(before).length} stacks before, ${Object.keys(after).length} after`);
    log(`Ignored, version metadata (${ignored.length}):\n${ignored.join('\n') || 'none'}\n`);
    log(`Different (${different.length}):\n${different.join('\n') || 'none'}\n`);
    log(`Equivalent for Terraform (${equivalent.length}):\n${equivalent.join('\n') || 'none'}\n`);
    log(`Pinned below the bindings (${below.length}):\n${below.join('\n') || 'none'}\n`);
    log(`## tsc --noEmit of the migrated code: ${tsc.status === 0 ? 'passes' : `fails (exit ${tsc.status})\n${tsc.stdout}${tsc.stderr}`}`);
    return different.length === 0 && below.length === 0 && tsc.status === 0 ? 0 : 1;
  } finally {
    if (values.keep) log(`kept ${copy}`);
    else rmSync(dirname(copy), { recursive: true, force: true });
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
