import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { App } from 'cdktf';
import { AccountConfig, AccountConfigError, AccountSource, Environment } from '../accounts/schema';
import { accountSources, loadAccounts } from '../accounts';
import { UserError } from '../constructs/core/validation';
import { PolicyViolationError, SuppressedFinding } from '../policies/engine';
import { SecretFoundError, scanDirectory } from '../policies/secret-scan';
import { management as managementConfig } from '../accounts/management';
import { accountIds, resolveManagement } from '../accounts/management-schema';
import { AccountStack } from './account-stack';
import { ManagementStack } from './management-stack';
import { OutputDir } from './output-dir';
import { disableTokenStackTraces, withTraceHint } from './token-traces';
import { DIAGRAM_FILE, writeDiagrams } from '../tools/diagram/account';

export interface SynthesizeOptions {
  /** The accounts to synthesize. @default - every account in `accounts/index.ts` */
  readonly sources?: readonly AccountSource[];
  /** Where the Terraform JSON goes. @default 'cdktf.out' */
  readonly outdir?: string;
  /** The commit being deployed (CI's GITHUB_SHA). @default - none */
  readonly commitId?: string;
  /** Account ids and tiers, for generated accounts (the benchmark). @default - accounts/registry.ts */
  readonly tiers?: Readonly<Record<string, Environment>>;
  /**
   * The management account's config (checked at run time), or false for none.
   * @default - accounts/management.ts when `sources` holds every account its access matrix names; none otherwise
   */
  readonly management?: unknown;
  /**
   * Only these accounts, by folder name (`npm start -- production staging`); the rules
   * across accounts then compare only these. @default - every account of `sources`
   */
  readonly only?: readonly string[];
}

/**
 * The sources named in `only`, in the order of `sources`. Throws naming the unknown
 * names and listing the known ones.
 */
export function selectSources(sources: readonly AccountSource[], only?: readonly string[]): readonly AccountSource[] {
  if (only === undefined || only.length === 0) return sources;
  const known = sources.map((s) => s.folder);
  const unknown = only.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new UserError(
      `npm start -- ${only.join(' ')}: no account named ${unknown.map((n) => JSON.stringify(n)).join(', ')}. ` +
        `The accounts (folders under accounts/, listed in accounts/index.ts) are: ${known.join(', ')}.` +
        // The management stack needs every account its access matrix names (their ids), so it has no folder of its own to name.
        (unknown.includes(managementConfig.name) ? ` The ${managementConfig.name} stack is not an account folder: it is synthesized when every account its access matrix names is (npm start, or npm start -- with those accounts).` : ''),
    );
  }
  return sources.filter((s) => only.includes(s.folder));
}

/** What one synthesized stack contains. */
export interface StackInventory {
  readonly account: Pick<AccountConfig, 'name' | 'accountId' | 'region' | 'environment' | 'environmentOverride'>;
  /** Resource count by Terraform resource type, sorted by type. */
  readonly resourcesByType: ReadonlyArray<readonly [type: string, count: number]>;
  readonly totalResources: number;
  /** Policy findings a suppression turned off, with their reasons. */
  readonly suppressed: readonly SuppressedFinding[];
  /** How many (rule, resource) checks the policy packs ran. */
  readonly policyChecks: number;
}

export interface SynthesizeResult {
  readonly outdir: string;
  readonly stacks: readonly StackInventory[];
}

/** Everything that stops a run, from every account: config problems, construct refusals, policy violations. */
export class SynthesisRefusedError extends UserError {
  constructor(public readonly errors: readonly UserError[]) {
    super(errors.map((e) => e.message).join('\n\n'));
    this.name = 'SynthesisRefusedError';
  }
}

/**
 * Validates every account, builds one stack per account and synthesizes them.
 *
 * Every problem of every account is reported in one run: config problems (fields, rules,
 * across accounts), then for each account whose config is valid its construct refusals,
 * and the policy violations of the stacks that were built. Nothing is written unless all
 * accounts pass.
 *
 * Nothing is half-written: stacks are synthesized into a new generation directory that
 * `outdir` (a link) is switched to with one rename, under a lock (see {@link OutputDir}).
 * Any refusal leaves `outdir` byte for byte as it was.
 */
export function synthesizeAccounts(options: SynthesizeOptions = {}): SynthesizeResult {
  const output = new OutputDir(resolve(options.outdir ?? 'cdktf.out'));
  const errors: UserError[] = [];
  let accounts: readonly AccountConfig[];
  try {
    accounts = loadAccounts(selectSources(options.sources ?? accountSources, options.only), options.tiers);
  } catch (error) {
    if (!(error instanceof AccountConfigError)) throw error;
    errors.push(error);
    accounts = error.validAccounts;
  }
  // A run of some accounts only (a test, the benchmark's generated accounts) has no
  // management stack: its access matrix names accounts that run would not know.
  const folders = (options.only?.length ? options.only : (options.sources ?? accountSources).map((s) => s.folder));
  const named = managementConfig.access.flatMap((g) => g.accounts).filter((a) => a !== managementConfig.name);
  const managementInput = options.management ?? (named.every((a) => folders.includes(a)) ? managementConfig : false);
  let management: ReturnType<typeof resolveManagement> | undefined;
  if (managementInput !== false) {
    try {
      management = resolveManagement(managementInput, accounts, options.tiers);
    } catch (error) {
      if (!(error instanceof AccountConfigError)) throw error;
      errors.push(error);
    }
  }
  return output.replace((dir) => {
    const app = new App({ outdir: dir });
    // A stack whose construct refused its props is taken out of the app, so the other
    // accounts still build and get checked in the same run.
    const built: Array<AccountStack | ManagementStack> = [];
    for (const account of accounts) {
      try {
        built.push(new AccountStack(app, { account, commitId: options.commitId }));
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        errors.push(error);
        app.node.tryRemoveChild(account.name);
      }
    }
    if (management) {
      try {
        built.push(new ManagementStack(app, { config: management, accountIds: accountIds(management, accounts) }));
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        errors.push(error);
        app.node.tryRemoveChild(management.name);
      }
    }
    if (errors.length > 0) {
      const violations = built.flatMap((s) => (s.policy.report ?? s.policy.run()).violations);
      if (violations.length > 0) errors.push(new PolicyViolationError(violations));
      throw errors.length === 1 ? errors[0] : new SynthesisRefusedError(errors);
    }
    try {
      app.synth(); // runs the policy packs (a validation on every stack) before writing
    } catch (error) {
      // cdktf stops at the first failing stack: report every account's violations at once.
      const violations = built.flatMap((s) => (s.policy.report ?? s.policy.run()).violations);
      if (violations.length > 0) throw new PolicyViolationError(violations);
      throw error;
    }
    const secrets = scanDirectory(dir, Object.fromEntries(accounts.map((a) => [a.name, a])));
    if (secrets.length > 0) throw new SecretFoundError(secrets);
    // Labels are names, tags and hosts from the scanned JSON: no variable, key or password value.
    writeDiagrams(dir, built.map((s) => s.account.name));
    const synthesized = built.map((s) => ({ stack: s, json: JSON.parse(readFileSync(join(dir, 'stacks', s.account.name, 'cdk.tf.json'), 'utf8')) as TerraformJson }));
    const shared = sharedBucketNames(synthesized);
    if (shared.length > 0) throw new UserError(`S3 bucket names are global, and these are created more than once:\n${shared.map((l) => `  ${l}`).join('\n')}`);
    const stacks = synthesized.map(({ stack, json }) => inventory(stack, json));
    return { outdir: output.path, stacks };
  });
}

type TerraformJson = { resource?: Record<string, Record<string, Record<string, unknown>>> };

/**
 * Bucket names are global across all of AWS: two stacks creating the same name (a derived
 * name such as `<database>-native-backups` in a copied account) fail the second apply with
 * BucketAlreadyExists. Names that are still tokens are skipped.
 */
function sharedBucketNames(stacks: ReadonlyArray<{ stack: AccountStack | ManagementStack; json: TerraformJson }>): string[] {
  const first = new Map<string, string>();
  const lines: string[] = [];
  for (const { stack, json } of stacks) {
    for (const [id, bucket] of Object.entries(json.resource?.aws_s3_bucket ?? {})) {
      const name = bucket.bucket;
      if (typeof name !== 'string' || name.includes('${')) continue;
      const where = `accounts/${stack.account.name} (aws_s3_bucket.${id})`;
      const owner = first.get(name);
      if (owner === undefined) first.set(name, where);
      else lines.push(`${where}: bucket "${name}" is also created by ${owner}`);
    }
  }
  return lines;
}

function inventory(stack: AccountStack | ManagementStack, json: TerraformJson): StackInventory {
  const account = stack.account;
  const report = stack.policy.report ?? stack.policy.run();
  const resourcesByType = Object.entries(json.resource ?? {})
    .map(([type, byName]) => [type, Object.keys(byName).length] as const)
    .sort(([a], [b]) => a.localeCompare(b));
  const totalResources = resourcesByType.reduce((sum, [, n]) => sum + n, 0);
  return { account, resourcesByType, totalResources, suppressed: report.suppressed, policyChecks: report.checks };
}

/** The inventory `npm start` prints: per stack, resources by type and in total. */
export function formatInventory(result: SynthesizeResult, cwd = process.cwd()): string {
  const lines: string[] = [];
  const where = result.outdir.startsWith(cwd) ? result.outdir.slice(cwd.length + 1) || '.' : result.outdir;
  const total = result.stacks.reduce((sum, s) => sum + s.totalResources, 0);
  lines.push(`Synthesized ${result.stacks.length} stacks, ${total} resources, into ${where}/stacks`);
  lines.push(`Diagrams (Mermaid): ${where}/stacks/<account>/${DIAGRAM_FILE}`);
  for (const s of result.stacks) {
    const a = s.account;
    lines.push('');
    lines.push(`${a.name}  (account ${a.accountId}, ${a.region}, ${a.environment}): ${s.totalResources} resources`);
    // An account run below its registered tier is shown on every run, not only in the diff that added it.
    if (a.environmentOverride) lines.push(`  environment ${a.environment} overrides the registered tier ${a.environmentOverride.from}: ${a.environmentOverride.reason}`);
    const width = Math.max(0, ...s.resourcesByType.map(([type]) => type.length));
    for (const [type, count] of s.resourcesByType) lines.push(`  ${type.padEnd(width)}  ${String(count).padStart(3)}`);
    lines.push(`  policy: ${s.policyChecks} checks passed, ${s.suppressed.length} suppressed`);
    for (const f of s.suppressed) lines.push(`    suppressed ${f.rule.id} on ${f.resource.path} (${f.resource.type}): ${f.suppression.reason}`);
  }
  return lines.join('\n');
}

/** Where `runMain` prints; the console by default, a buffer in tests. */
export interface Printer {
  log(text: string): void;
  error(text: string): void;
}

/**
 * `npm start`: synthesizes, prints the inventory and returns the exit code. On any
 * problem it prints what is wrong, returns 1 and leaves the output directory as it was.
 */
export function runMain(options: SynthesizeOptions = {}, out: Printer = console): number {
  const started = process.hrtime.bigint();
  disableTokenStackTraces();
  try {
    const result = synthesizeAccounts(options);
    out.log(formatInventory(result));
    out.log(`\nDone in ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(2)} s.`);
    return 0;
  } catch (error) {
    // True of every error synthesizeAccounts throws: the only step that changes the output
    // is the final rename of the link, and nothing after it can throw.
    const text = error instanceof UserError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    out.error(`${withTraceHint(text)}\n\nNothing was written: ${options.outdir ?? 'cdktf.out'} is as it was.`);
    return 1;
  }
}
