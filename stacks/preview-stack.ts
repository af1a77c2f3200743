/**
 * A preview: the parts of a source account (apps, their databases) that a pull request
 * touches or names, rebuilt at the `preview` size as its own stack `preview-<pr>` in the
 * sandbox account, with its own state key, budget and tags (PR number, expiry).
 */
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { ACCOUNT_TIERS } from '../accounts/registry';
import { AccountConfig, AppConfig, AuroraConfig, CacheConfig, Environment, SqlServerConfig, resolveAccounts } from '../accounts/schema';
import { suppress } from '../constructs/core/suppressions';
import { UserError } from '../constructs/core/validation';
import { AccountStack } from './account-stack';

/** Where previews run and what they are built from (accounts/<account>/preview.ts). */
export interface PreviewSettings {
  /** The account previews run in: must be registered as a sandbox. */
  readonly account: string;
  /** The account whose apps and databases previews copy (e.g. staging). */
  readonly source: string;
  /** ACM certificate in the preview account for the previews' load balancers. */
  readonly certificateArn: string;
  /** Each preview's own monthly budget, USD. */
  readonly monthlyBudgetUsd: number;
  /** Days a preview lives after its last push before the sweep destroys it. */
  readonly ttlDays: number;
  /** IAM role CI uses for previews (bootstrap: `infra-ci-preview`). */
  readonly role: string;
}

/** The parts of the source account a preview contains, by name. */
export interface PreviewParts {
  readonly apps: readonly string[];
  readonly aurora: readonly string[];
  readonly sqlServer: readonly string[];
}

/** The tags every preview resource carries (default_tags), read by the sweep and the preview role's conditions. */
export const PREVIEW_TAGS = { pr: 'PreviewPr', expires: 'PreviewExpires' } as const;

/** The stack (and state key folder) of a pull request's preview. */
export const previewStackName = (pr: number): string => `preview-${pr}`;

/**
 * The permissions boundary every IAM role of a preview carries (bootstrap: a managed policy
 * next to the preview role). The preview role may create and change roles only with it, so a
 * role a preview makes cannot do what the preview role is denied (escalation by a new role).
 */
export const previewBoundaryArn = (accountId: string, previewRole: string): string => `arn:aws:iam::${accountId}:policy/${previewRole}-boundary`;

/**
 * The `preview` size profile: the smallest instances that run the platform, one instance,
 * all-at-once deploys, Serverless v2 at its minimum, no reader, single-AZ SQL Server Web
 * on the smallest class, no deletion protection, no final snapshot, one day of backups and
 * three days of logs.
 * NAT: none (the sandbox has none). Money, not resilience, is what a preview optimises.
 */
export const PREVIEW_PROFILE = {
  instanceType: { windows: 't3.medium', linux: 't3.micro' },
  logRetentionDays: 3,
  backupRetentionDays: 1,
  serverlessV2: { minCapacity: 0.5, maxCapacity: 1 },
  sqlServer: { edition: 'web', instanceClass: 'db.t3.small', allocatedStorageGb: 20 },
  cache: { nodeType: 'cache.t4g.micro', snapshotRetentionDays: 0 },
} as const;

const short = (pr: number) => `p${pr}`;

function previewApp(app: AppConfig, pr: number, certificateArn: string): AppConfig {
  const windows = /windows/i.test(app.solutionStackName);
  // One environment (the first, the app's main one), renamed into the PR's namespace: names
  // and CNAME prefixes are unique per account (and per region for CNAMEs).
  const [first] = app.environments;
  const { secrets: _secrets, cnamePrefix: _cname, scaleInCpuPercent: _in, scaleOutCpuPercent: _out, ...env } = first;
  return {
    ...app,
    name: `${short(pr)}-${app.name}`,
    suppressions: app.suppressions,
    caches: app.caches?.map((c) => `${short(pr)}-${c}`),
    environments: [
      {
        ...env,
        name: `${short(pr)}-${first.name}`.slice(0, 40),
        certificateArn,
        instanceTypes: [windows ? PREVIEW_PROFILE.instanceType.windows : PREVIEW_PROFILE.instanceType.linux],
        minInstances: 1,
        maxInstances: 1,
        deploymentPolicy: 'AllAtOnce',
        logRetentionDays: PREVIEW_PROFILE.logRetentionDays,
      },
    ],
  };
}

function previewAurora(db: AuroraConfig, pr: number, apps: readonly string[]): AuroraConfig {
  const { instanceClass: _class, readerAutoScaling: _scaling, kmsKeyArn: _key, ...rest } = db;
  return {
    ...rest,
    name: `${short(pr)}-${db.name}`,
    serverlessV2: PREVIEW_PROFILE.serverlessV2,
    readers: 0,
    deletionProtection: false,
    finalSnapshot: false,
    backupRetentionDays: PREVIEW_PROFILE.backupRetentionDays,
    logRetentionDays: PREVIEW_PROFILE.logRetentionDays,
    clients: (db.clients ?? []).filter((c) => apps.includes(c)).map((c) => `${short(pr)}-${c}`),
  };
}

function previewSqlServer(db: SqlServerConfig, pr: number, apps: readonly string[]): SqlServerConfig {
  // Always On (EC2, FSx witness, a domain) is far too heavy for a preview: RDS instead.
  const engineVersion = db.rds?.engineVersion ?? '16.00.4165.4.v1';
  return {
    name: `${short(pr)}-${db.name}`,
    mode: 'rds',
    deletionProtection: false,
    finalSnapshot: false,
    backupRetentionDays: PREVIEW_PROFILE.backupRetentionDays,
    rds: { ...PREVIEW_PROFILE.sqlServer, engineVersion, multiAz: false },
    clients: (db.clients ?? []).filter((c) => apps.includes(c)).map((c) => `${short(pr)}-${c}`),
    suppressions: db.suppressions,
  };
}

/**
 * A cache the preview's apps use, at the preview size: one node (no replica, no failover),
 * no snapshots, short logs. Its auth mode stays the source's (the apps connect the same way).
 */
function previewCache(cache: CacheConfig, pr: number): CacheConfig {
  const { kmsKeyArn: _key, ...rest } = cache;
  return {
    ...rest,
    name: `${short(pr)}-${cache.name}`,
    nodeType: PREVIEW_PROFILE.cache.nodeType,
    nodes: 1,
    multiAz: false,
    snapshotRetentionDays: PREVIEW_PROFILE.cache.snapshotRetentionDays,
    finalSnapshot: false,
    logRetentionDays: PREVIEW_PROFILE.logRetentionDays,
  };
}

/**
 * The preview's account config: the preview account's own settings (id, region, state
 * bucket, network) with the chosen parts of the source at the preview size, checked by
 * the same loader as every account. Refuses a preview account not registered as a sandbox.
 */
export function previewAccount(target: AccountConfig, source: AccountConfig, settings: PreviewSettings, pr: number, parts: PreviewParts, tiers: Readonly<Record<string, Environment>> = ACCOUNT_TIERS): AccountConfig {
  if (!Number.isInteger(pr) || pr <= 0) throw new UserError(`preview: pr: got ${pr}, expected a pull request number (a whole number above 0)`);
  if (tiers[target.accountId] !== 'sandbox' || target.environment !== 'sandbox') {
    throw new UserError(`preview: account: got "${target.name}" (${target.accountId}, registered as ${tiers[target.accountId] ?? 'nothing'}), expected an account registered as sandbox in accounts/registry.ts: previews never run in production or staging`);
  }
  const missing = (kind: string, names: readonly string[], known: readonly string[]) =>
    names.filter((n) => !known.includes(n)).map((n) => `preview: ${kind}: got "${n}", expected one of ${source.name}'s: ${known.join(', ') || 'none'}`);
  const problems = [
    ...missing('apps', parts.apps, source.apps.map((a) => a.name)),
    ...missing('aurora', parts.aurora, source.databases.aurora.map((d) => d.name)),
    ...missing('sqlServer', parts.sqlServer, source.databases.sqlServer.map((d) => d.name)),
  ];
  if (problems.length) throw new UserError(problems.join('\n'));

  const name = previewStackName(pr);
  const config: AccountConfig = {
    ...target,
    name,
    ci: { planRole: settings.role, applyRole: settings.role },
    network: { ...target.network, natGateways: 'none', flowLogRetentionDays: PREVIEW_PROFILE.logRetentionDays },
    apps: source.apps.filter((a) => parts.apps.includes(a.name)).map((a) => previewApp(a, pr, settings.certificateArn)),
    databases: {
      aurora: source.databases.aurora.filter((d) => parts.aurora.includes(d.name)).map((d) => previewAurora(d, pr, parts.apps)),
      sqlServer: source.databases.sqlServer.filter((d) => parts.sqlServer.includes(d.name)).map((d) => previewSqlServer(d, pr, parts.apps)),
    },
    // The caches the chosen apps declare: an app refers to its caches by name, and the
    // account refuses an app whose cache it does not have.
    caches: (source.caches ?? []).filter((c) => source.apps.some((a) => parts.apps.includes(a.name) && (a.caches ?? []).includes(c.name))).map((c) => previewCache(c, pr)),
    // Fastly services (global domains), mail (SendGrid keys, SES domains) and monitoring stay
    // out of previews: they need names, secrets or keys no preview may hold.
    cdn: [],
    mail: [],
    monitoring: { ...target.monitoring, enabled: false, slos: [] },
    cost: { monthlyBudgetUsd: settings.monthlyBudgetUsd, emails: target.cost.emails, chatbot: target.cost.chatbot },
  };
  return resolveAccounts([{ folder: name, overrides: config }], {}, tiers)[0];
}

/** Builds the preview stack: the account stack of the preview config, sharing the account. */
export function previewStack(scope: Construct, account: AccountConfig, pr: number, expires: string): AccountStack {
  const stack = new AccountStack(scope, { account, sharesAccount: true, extraTags: { [PREVIEW_TAGS.pr]: String(pr), [PREVIEW_TAGS.expires]: expires } });
  suppress(stack, 'EBS-DEFAULT-ENCRYPTION', `the ${account.environment} account's own stack turns on EBS encryption by default for the whole account; a preview shares the account and must not own the setting (destroying it would turn it off)`);
  // A final snapshot would outlive the preview (a cost nobody sweeps), encrypted with the
  // preview's own key, which the destroy schedules for deletion: nothing could restore it.
  suppress(stack, 'RDS-FINAL-SNAPSHOT', 'a preview database is a throwaway copy with no data of its own; its final snapshot would outlive the preview, encrypted with a key the destroy deletes');
  suppress(stack, 'LOGS-RETENTION', `a preview lives for days and is destroyed with its log groups; its logs are kept ${PREVIEW_PROFILE.logRetentionDays} days, which is all a preview needs`);
  // The preview role creates and changes roles only with its boundary (bootstrap): give it to every role.
  const boundary = previewBoundaryArn(account.accountId, account.ci.applyRole);
  for (const c of stack.node.findAll()) if (c instanceof IamRole) c.permissionsBoundary = boundary;
  // What the PR comment lists, and what the sweep reads from the state.
  new TerraformOutput(stack, 'preview_expires', { value: expires });
  stack.apps.forEach((app) => app.environments.forEach((e) => new TerraformOutput(stack, `url_${e.settings.name.replace(/-/g, '_')}`, { value: `https://${e.environmentUrl}` })));
  stack.auroraClusters.forEach((db) => new TerraformOutput(stack, `db_${db.clusterName.replace(/-/g, '_')}`, { value: db.clusterEndpoint }));
  stack.sqlServerClusters.forEach((db, i) => new TerraformOutput(stack, `db_${account.databases.sqlServer[i].name.replace(/-/g, '_')}`, { value: db.endpoint }));
  return stack;
}
