/**
 * The management account's config: the organization's delegated access (IAM Identity
 * Center permission sets and the access matrix), its service control policies and its
 * organization trail. Validated like the accounts (same kit, same message shape:
 * `accounts/management: <field>: got <value>, expected <what>`), and against the accounts
 * of `accounts/index.ts`, which the access matrix names.
 */
import { BREAK_GLASS_MAX_MINUTES, grantsAdministrator, sessionMinutes } from '../constructs/identity/identity-center';
import type { AccessGrant, IamStatement, PermissionSetSpec } from '../constructs/identity/identity-center';
import { AccountConfigError, AccountProblem, AWS_REGIONS, DATADOG_SITES, DatadogSite, AccountConfig, AccountTags, AwsRegion, CiRoles, CostConfig, Environment, StateConfig, costSchema } from './schema';
import { ACCOUNT_TIERS } from './registry';
import { ObjectRule, Problem, Schema, arrayOf, boolean, number, object, oneOf, optional, recordOf, show, string } from './schema-kit';

/** The organizational units the service control policies are attached to, by name. */
export interface OrganizationConfig {
  /** Organizational unit ids (`ou-xxxx-xxxxxxxx`) by a name used in this file. */
  readonly organizationalUnits: Readonly<Record<string, string>>;
  /** The units every guardrail SCP is attached to (names of `organizationalUnits`). */
  readonly guardrailTargets: readonly string[];
  /**
   * Regions where actions are allowed; everything else is denied except the global
   * services AWS lists (see `constructs/identity/service-control-policies.ts`).
   */
  readonly allowedRegions: readonly AwsRegion[];
}

/** The organization trail of every account, written to a locked bucket in this account. */
export interface TrailConfig {
  /** Trail name. */
  readonly name: string;
  /** Bucket the logs land in (Object Lock in compliance mode). */
  readonly bucket: string;
  /** Days each log object is locked (compliance mode: nobody can delete it earlier). */
  readonly retentionDays: number;
}

/** What the management account is and what it manages. */
export interface ManagementConfig {
  /** The stack name; also the state key prefix. */
  readonly name: 'management';
  readonly accountId: string;
  /** Region of the IAM Identity Center instance (and of the break-glass alert: its events are recorded there). */
  readonly region: AwsRegion;
  /** The management account is registered as production (`accounts/registry.ts`). */
  readonly environment: Environment;
  readonly ci: CiRoles;
  readonly state: StateConfig;
  readonly tags: AccountTags;
  /** Permission sets, by name. */
  readonly permissionSets: readonly PermissionSetSpec[];
  /** Who gets which permission set in which account (account names of accounts/index.ts, or `management`). */
  readonly access: readonly AccessGrant[];
  readonly organization: OrganizationConfig;
  readonly trail: TrailConfig;
  readonly alerting: AlertingConfig;
  /**
   * The organization's budget and anomaly alerts (constructs/cost), and the cost allocation
   * tags: the payer account sees every account's cost, and only it can activate cost
   * allocation tags (docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/custom-tags.html).
   * Same fields as an account's `cost`; `monthlyBudgetUsd` is required (the management
   * account is production).
   */
  readonly cost: CostConfig;
  /**
   * The permission set whose Identity Center role may assume every account's plan role, to
   * plan by hand with exactly CI's permissions (bootstrap/bootstrap-app.ts). It must be
   * assigned in every account (Identity Center creates its role only there) and not be the
   * break-glass set.
   */
  readonly plannerPermissionSet: string;
}

/** Where the break-glass alert goes: Datadog (its SNS intake) and, through it, Slack. */
export interface AlertingConfig {
  readonly datadogSite: DatadogSite;
  /** The Slack account's name in Datadog's Slack integration and the channel (no #) that must act now. */
  readonly slack: { readonly workspace: string; readonly channel: string };
}

/** AWS managed policy names (or `job-function/...`), e.g. `ReadOnlyAccess`. */
const MANAGED_POLICY = /^(job-function\/|service-role\/)?[A-Za-z0-9+=,.@_-]{1,128}$/;

const sessionDuration: Schema<string> = {
  expected: 'an ISO-8601 duration from PT1H to PT12H, e.g. "PT8H"',
  check(value, path, problems) {
    const minutes = typeof value === 'string' ? sessionMinutes(value) : undefined;
    if (minutes === undefined || minutes < 60 || minutes > 720) {
      problems.push({ path, got: show(value, path), expected: this.expected });
      return undefined;
    }
    return value as string;
  },
};

const statement = object<IamStatement>({
  Sid: optional(string({ pattern: /^[A-Za-z0-9]+$/, description: 'a statement id (letters and digits)' })),
  Effect: oneOf(['Allow', 'Deny'] as const),
  Action: arrayOf(string({ pattern: /^(\*|[a-z0-9-]+:[A-Za-z0-9*?]+)$/, description: 'an IAM action such as "s3:GetObject"' }), { minLength: 1 }),
  Resource: arrayOf(string(), { minLength: 1 }),
});

const permissionSet = object<PermissionSetSpec>({
  // aws_ssoadmin_permission_set name: 1 to 32 of [\w+=,.@-] (permission_set.go).
  name: string({ pattern: /^[\w+=,.@-]{1,32}$/, description: 'a permission set name: 1 to 32 of letters, digits and +=,.@_-' }),
  description: string({ maxLength: 700 }),
  sessionDuration,
  managedPolicies: optional(arrayOf(string({ pattern: MANAGED_POLICY, description: 'an AWS managed policy name such as "ReadOnlyAccess"' }))),
  customerManagedPolicies: optional(arrayOf(object({ name: string({ pattern: /^[\w+=,.@-]{1,128}$/, description: 'an IAM policy name' }), path: optional(string({ pattern: /^\/([\w+=,.@-]+\/)*$/, description: 'an IAM path such as "/" or "/team/"' })) }))),
  inlinePolicy: optional(arrayOf(statement, { minLength: 1 })),
  breakGlass: optional(boolean()),
});

const grant = object<AccessGrant>({
  group: string({ maxLength: 1024 }),
  permissionSet: string(),
  accounts: arrayOf(string({ pattern: /^[a-z0-9-]{2,32}$/, description: 'an account name' }), { minLength: 1 }),
});

/** Access rows name permission sets of this file. */
const grantsNamePermissionSets: ObjectRule<ManagementConfig> = (c) => {
  const names = c.permissionSets.map((p) => p.name);
  return c.access.flatMap((g, i) => (names.includes(g.permissionSet) ? [] : [{ path: `access[${i}].permissionSet`, got: g.permissionSet, expected: `one of the permission sets: ${names.join(', ')}` }]));
};

/** Break-glass sets have a 1-hour session; exactly one exists, so the alert has one name to watch. */
const breakGlassIsShortAndAlone: ObjectRule<ManagementConfig> = (c) => {
  const problems = c.permissionSets.flatMap((p, i) =>
    p.breakGlass && sessionMinutes(p.sessionDuration)! > BREAK_GLASS_MAX_MINUTES ? [{ path: `permissionSets[${i}].sessionDuration`, got: p.sessionDuration, expected: '"PT1H" for a break-glass permission set' }] : [],
  );
  const count = c.permissionSets.filter((p) => p.breakGlass).length;
  if (count !== 1) problems.push({ path: 'permissionSets', got: `${count} with breakGlass: true`, expected: 'exactly one break-glass permission set' });
  return problems;
};

/** Only the break-glass set may grant everything (the policy rule SSO-NO-ADMIN checks the synthesized JSON too). */
const adminOnlyInBreakGlass: ObjectRule<ManagementConfig> = (c) =>
  c.permissionSets.flatMap((p, i) => (!p.breakGlass && grantsAdministrator(p) ? [{ path: `permissionSets[${i}]`, got: p.name, expected: 'no AdministratorAccess and no "*" on "*" outside the break-glass permission set' }] : []));

const targetsAreUnits: ObjectRule<ManagementConfig> = (c) => {
  const units = Object.keys(c.organization.organizationalUnits);
  return c.organization.guardrailTargets.flatMap((t, i) => (units.includes(t) ? [] : [{ path: `organization.guardrailTargets[${i}]`, got: t, expected: `one of organization.organizationalUnits: ${units.join(', ')}` }]));
};

/**
 * The payer's budget is required (a production account), and the estimated-charges monitor
 * is refused: this stack has no Datadog AWS integration to collect `aws.billing.*`.
 */
const payerCost: ObjectRule<ManagementConfig> = (c) => [
  ...(c.cost.monthlyBudgetUsd === undefined ? [{ path: 'cost.monthlyBudgetUsd', got: undefined, expected: "a monthly budget in USD for the whole organization (the payer's budget counts every account's cost)" }] : []),
  ...(c.cost.estimatedChargesAlertUsd !== undefined
    ? [{ path: 'cost.estimatedChargesAlertUsd', got: c.cost.estimatedChargesAlertUsd, expected: 'no value: the management stack has no Datadog AWS integration to collect aws.billing.estimated_charges' }]
    : []),
];

/** The planner set exists, is not break-glass, and no other set's role name starts like its own. */
const plannerIsAPermissionSet: ObjectRule<ManagementConfig> = (c) => {
  const set = c.permissionSets.find((p) => p.name === c.plannerPermissionSet);
  const names = c.permissionSets.filter((p) => !p.breakGlass).map((p) => p.name);
  if (!set || set.breakGlass) return [{ path: 'plannerPermissionSet', got: c.plannerPermissionSet, expected: `a permission set that is not break-glass: ${names.join(', ')}` }];
  // AWSReservedSSO_<name>_* would also match the role of a set named <name>_<more>.
  const shadowed = c.permissionSets.filter((p) => p.name.startsWith(`${set.name}_`)).map((p) => p.name);
  return shadowed.length ? [{ path: 'plannerPermissionSet', got: c.plannerPermissionSet, expected: `a set whose roles' pattern AWSReservedSSO_${set.name}_* matches no other set's role (${shadowed.join(', ')} would match)` }] : [];
};

const ROLE_NAME = { pattern: /^[\w+=,.@-]{1,64}$/, description: 'an IAM role name' };

export const managementSchema: Schema<ManagementConfig> = object<ManagementConfig>({
  name: oneOf(['management'] as const),
  accountId: string({ pattern: /^\d{12}$/, description: 'a 12-digit AWS account id as a string' }),
  region: oneOf(AWS_REGIONS),
  environment: oneOf(['production'] as const),
  ci: object<CiRoles>({ planRole: string(ROLE_NAME), applyRole: string(ROLE_NAME) }),
  state: object<StateConfig>({ bucket: string({ pattern: /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, description: 'an S3 bucket name (3-63 of a-z, 0-9, -)' }) }),
  tags: object<AccountTags>({ team: string(), costCenter: string(), repository: string({ pattern: /^[\w.-]+\/[\w.-]+$/, description: 'a repository as owner/name' }) }),
  permissionSets: arrayOf(permissionSet, { minLength: 1, uniqueBy: (p: PermissionSetSpec) => p.name }),
  access: arrayOf(grant, { uniqueBy: (g: AccessGrant) => `${g.group} -> ${g.permissionSet}` }),
  organization: object<OrganizationConfig>({
    organizationalUnits: recordOf(string({ pattern: /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/, description: 'an organizational unit id (ou-xxxx-xxxxxxxx)' })),
    guardrailTargets: arrayOf(string(), { minLength: 1 }),
    allowedRegions: arrayOf(oneOf(AWS_REGIONS), { minLength: 1 }),
  }),
  trail: object<TrailConfig>({
    name: string({ pattern: /^[A-Za-z0-9][\w.-]{2,127}$/, description: 'a trail name (3-128 of letters, digits, ._-)' }),
    bucket: string({ pattern: /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, description: 'an S3 bucket name (3-63 of a-z, 0-9, -)' }),
    retentionDays: number({ min: 1, max: 3650 }),
  }),
  alerting: object<AlertingConfig>({
    datadogSite: oneOf(DATADOG_SITES),
    slack: object<AlertingConfig['slack']>({
      workspace: string({ pattern: /^[a-z0-9][a-z0-9_-]*$/, description: 'the Slack account name in the Datadog Slack integration' }),
      channel: string({ pattern: /^[a-z0-9][a-z0-9_-]*$/, description: 'a Slack channel name (lower-case, no #)' }),
    }),
  }),
  cost: costSchema,
  plannerPermissionSet: string(),
}, [grantsNamePermissionSets, breakGlassIsShortAndAlone, adminOnlyInBreakGlass, targetsAreUnits, payerCost, plannerIsAPermissionSet]);

/** The file the management config lives in, as problems name it. */
const WHERE = 'management';

/**
 * Validates the management config against the accounts it grants access to. Returns the
 * config, or throws one {@link AccountConfigError} listing every problem.
 */
export function resolveManagement(input: unknown, accounts: readonly Pick<AccountConfig, 'name' | 'accountId' | 'state'>[], tiers: Readonly<Record<string, Environment>> = ACCOUNT_TIERS): ManagementConfig {
  const problems: Problem[] = [];
  const config = managementSchema.check(input, '', problems);
  if (config) {
    if (tiers[config.accountId] !== 'production') {
      problems.push({ path: 'accountId', got: JSON.stringify(config.accountId), expected: 'an account id registered as production in accounts/registry.ts (the management account governs every other)' });
    }
    for (const a of accounts) {
      if (a.accountId === config.accountId) problems.push({ path: 'accountId', got: JSON.stringify(config.accountId), expected: `an id no member account has (accounts/${a.name} has it)` });
      if (a.state.bucket === config.state.bucket) problems.push({ path: 'state.bucket', got: JSON.stringify(config.state.bucket), expected: `a bucket no other account uses (accounts/${a.name} has it)` });
    }
    const names = [...accounts.map((a) => a.name), config.name];
    config.access.forEach((g, i) =>
      g.accounts.forEach((name, j) => {
        if (!names.includes(name)) problems.push({ path: `access[${i}].accounts[${j}]`, got: JSON.stringify(name), expected: `an account of accounts/index.ts or "management": ${names.join(', ')}` });
      }),
    );
    // Every bootstrap's plan role trusts the planner set's role, which exists only where the set is assigned.
    const planned = new Set(config.access.filter((g) => g.permissionSet === config.plannerPermissionSet).flatMap((g) => g.accounts));
    const unplanned = names.filter((n) => !planned.has(n));
    if (unplanned.length > 0) problems.push({ path: 'plannerPermissionSet', got: JSON.stringify(config.plannerPermissionSet), expected: `a permission set assigned in every account (not in: ${unplanned.join(', ')})` });
  }
  if (problems.length > 0 || !config) throw new AccountConfigError(problems.map((p): AccountProblem => ({ ...p, account: WHERE })));
  return config;
}

/** An account name -> id map for the access matrix: the member accounts and the management account. */
export function accountIds(config: ManagementConfig, accounts: readonly Pick<AccountConfig, 'name' | 'accountId'>[]): Record<string, string> {
  return Object.fromEntries([...accounts.map((a) => [a.name, a.accountId]), [config.name, config.accountId]]);
}
