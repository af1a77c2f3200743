import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { accountSources, loadAccounts } from '../../accounts';
import { management } from '../../accounts/management';
import { ManagementConfig, accountIds, resolveManagement } from '../../accounts/management-schema';
import { AccountConfigError } from '../../accounts/schema';
import { BreakGlassAlert } from '../../constructs/identity/break-glass-alert';
import { IdentityCenter } from '../../constructs/identity/identity-center';
import { BootstrapStack } from '../../bootstrap/bootstrap-stack';
import { ManagementStack } from '../../stacks/management-stack';
import { synthesizeAccounts } from '../../stacks/synthesize';
import { renderAccessMatrix } from '../../tools/access-matrix';
import { TerraformJson, resourcesOf, synthConstructs } from '../helpers';

const accounts = loadAccounts();
const ids = accountIds(management, accounts);
const synth = (config: ManagementConfig = management): TerraformJson => new ManagementStack(Testing.app(), { config, accountIds: ids }).toTerraform() as TerraformJson;
const json = synth();
const byName = (type: string) => Object.values(resourcesOf(json, type));
const permissionSetRef = (name: string) => {
  const [key] = Object.entries(resourcesOf(json, 'aws_ssoadmin_permission_set')).find(([, p]) => p.name === name)!;
  return `\${aws_ssoadmin_permission_set.${key}.arn}`;
};

/** The config with `change` applied to a copy. */
function variant(change: (c: { -readonly [K in keyof ManagementConfig]: unknown }) => void): unknown {
  const copy = JSON.parse(JSON.stringify(management));
  change(copy);
  return copy;
}

function problems(input: unknown): string {
  try {
    resolveManagement(input, accounts);
  } catch (error) {
    if (error instanceof AccountConfigError) return error.message;
    throw error;
  }
  throw new Error('expected the management config to be refused');
}

describe('management stack', () => {
  it('has a bootstrap like every account: its state bucket and the CI roles the provider assumes', () => {
    const boot = new BootstrapStack(Testing.app(), { account: management }).toTerraform() as TerraformJson;
    expect(Object.values(resourcesOf(boot, 'aws_s3_bucket')).map((b) => b.bucket)).toEqual([management.state.bucket]);
    expect(Object.values(resourcesOf(boot, 'aws_iam_role')).map((r) => r.name).sort()).toEqual([management.ci.applyRole, management.ci.planRole].sort());
    expect(boot.provider.aws[0].allowed_account_ids).toEqual([management.accountId]);
  });

  it('keeps its state in its own bucket and pins the provider to its account, with the CI roles of every stack (test/bootstrap/ci-chain.test.ts checks the whole chain)', () => {
    expect(json.terraform.backend.s3).toMatchObject({ bucket: management.state.bucket, key: 'management/terraform.tfstate', encrypt: true, use_lockfile: true, allowed_account_ids: [management.accountId] });
    const aws = json.provider.aws[0];
    expect(aws.allowed_account_ids).toEqual([management.accountId]);
    expect(aws.region).toBe(management.region);
    expect(aws.dynamic.assume_role.content.role_arn).toContain(`arn:aws:iam::${management.accountId}:role/${management.ci.applyRole}`);
  });

  it('names the state bucket as the bootstrap does: the account id is appended where the config leaves it out', () => {
    const config = { ...management, state: { bucket: 'example-co-tfstate' } };
    const boot = new BootstrapStack(Testing.app(), { account: config }).toTerraform() as TerraformJson;
    expect(synth(config).terraform.backend.s3.bucket).toBe(Object.values(resourcesOf(boot, 'aws_s3_bucket'))[0].bucket);
    expect(synth(config).terraform.backend.s3.bucket).toBe(`example-co-tfstate-${management.accountId}`);
  });

  it('creates every permission set with its session duration, tier tag and policies', () => {
    for (const p of management.permissionSets) {
      const set = byName('aws_ssoadmin_permission_set').find((s) => s.name === p.name)!;
      expect(set).toMatchObject({ session_duration: p.sessionDuration, description: p.description, tags: { AccessTier: p.breakGlass ? 'break-glass' : 'standard' } });
      const managed = byName('aws_ssoadmin_managed_policy_attachment').filter((a) => a.permission_set_arn === permissionSetRef(p.name)).map((a) => a.managed_policy_arn);
      expect(managed.sort()).toEqual((p.managedPolicies ?? []).map((m) => `arn:aws:iam::aws:policy/${m}`).sort());
      const inline = byName('aws_ssoadmin_permission_set_inline_policy').filter((a) => a.permission_set_arn === permissionSetRef(p.name));
      expect(inline.map((i) => JSON.parse(i.inline_policy).Statement)).toEqual(p.inlinePolicy ? [p.inlinePolicy] : []);
    }
  });

  it('looks groups up by display name and assigns them per the access matrix', () => {
    expect(Object.keys(json.data.aws_identitystore_group ?? {}).length).toBe(new Set(management.access.map((g) => g.group)).size);
    const lookups = Object.values(json.data.aws_identitystore_group as Record<string, TerraformJson>).map((g) => g.alternate_identifier.unique_attribute);
    expect(lookups.map((u: TerraformJson) => u.attribute_value).sort()).toEqual([...new Set(management.access.map((g) => g.group))].sort());
    const expected = management.access.flatMap((g) => g.accounts.map((a) => `${permissionSetRef(g.permissionSet)} -> ${ids[a]}`)).sort();
    const assignments = byName('aws_ssoadmin_account_assignment');
    expect(assignments.map((a) => `${a.permission_set_arn} -> ${a.target_id}`).sort()).toEqual(expected);
    for (const a of assignments) expect(a).toMatchObject({ principal_type: 'GROUP', target_type: 'AWS_ACCOUNT' });
    // An assignment waits for its set's policies: the role is created with them.
    for (const p of management.permissionSets) {
      const attachments = (p.managedPolicies ?? []).length + (p.customerManagedPolicies ?? []).length + (p.inlinePolicy ? 1 : 0);
      for (const a of assignments.filter((x) => x.permission_set_arn === permissionSetRef(p.name))) expect(a.depends_on).toHaveLength(attachments);
    }
  });

  it('alerts on GetRoleCredentials of the break-glass set, through an encrypted topic only that rule may publish to', () => {
    const rule = byName('aws_cloudwatch_event_rule')[0];
    const pattern = JSON.parse(rule.event_pattern);
    expect(pattern).toEqual({
      source: ['aws.sso'],
      'detail-type': ['AWS Service Event via CloudTrail'],
      detail: { eventSource: ['sso.amazonaws.com'], eventName: ['GetRoleCredentials'], serviceEventDetails: { role_name: [management.permissionSets.find((p) => p.breakGlass)!.name] } },
    });
    const topic = byName('aws_sns_topic')[0];
    expect(topic.kms_master_key_id).toMatch(/^\$\{aws_kms_key\..*\.arn\}$/);
    const policy = JSON.parse(byName('aws_sns_topic_policy')[0].policy);
    expect(policy.Statement[0]).toMatchObject({ Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish', Condition: { ArnEquals: { 'aws:SourceArn': expect.stringMatching(/aws_cloudwatch_event_rule\..*\.arn/) } } });
    const key = Object.entries(resourcesOf(json, 'aws_kms_key')).find(([k]) => topic.kms_master_key_id.includes(k))![1];
    expect(JSON.parse(key.policy).Statement[1]).toMatchObject({ Principal: { Service: 'events.amazonaws.com' }, Action: ['kms:GenerateDataKey*', 'kms:Decrypt'] });
    expect(byName('aws_cloudwatch_event_target')[0].arn).toMatch(/aws_sns_topic\..*\.arn/);
  });

  it('sends the alert on to Datadog (SNS intake, API key from a sensitive variable) and a P1 monitor posts it to the Slack channel', () => {
    const subscription = byName('aws_sns_topic_subscription')[0];
    expect(subscription).toMatchObject({
      protocol: 'https',
      endpoint: `https://app.${management.alerting.datadogSite}/intake/webhook/sns?api_key=\${var.fastly_datadog_logs_token}`,
      raw_message_delivery: false,
      endpoint_auto_confirms: true,
    });
    expect(json.variable.fastly_datadog_logs_token).toMatchObject({ sensitive: true });
    expect(json.provider.datadog[0].api_url).toBe(`https://api.${management.alerting.datadogSite}/`);
    const monitor = byName('datadog_monitor')[0];
    const breakGlass = management.permissionSets.find((p) => p.breakGlass)!.name;
    expect(monitor).toMatchObject({ type: 'event-v2 alert', query: `events("GetRoleCredentials ${breakGlass}").rollup("count").last("5m") > 0`, priority: '1', monitor_thresholds: { critical: '0' } });
    expect(monitor.message).toContain(`@slack-${management.alerting.slack.workspace}-${management.alerting.slack.channel}`);
    expect(monitor.tags).toEqual(expect.arrayContaining(['account:management', 'env:production', 'priority:p1']));
  });

  it('attaches both SCPs to every configured unit, and they deny each guardrail', () => {
    const policies = resourcesOf(json, 'aws_organizations_policy');
    expect(Object.values(policies).map((p) => p.type)).toEqual(['SERVICE_CONTROL_POLICY', 'SERVICE_CONTROL_POLICY']);
    const targets = management.organization.guardrailTargets.map((t) => management.organization.organizationalUnits[t]);
    for (const key of Object.keys(policies)) {
      const attached = byName('aws_organizations_policy_attachment').filter((a) => a.policy_id === `\${aws_organizations_policy.${key}.id}`).map((a) => a.target_id);
      expect(attached.sort()).toEqual([...targets].sort());
    }
    const statements = Object.values(policies).flatMap((p) => JSON.parse(p.content).Statement);
    const actions = statements.flatMap((s: TerraformJson) => s.Action ?? []);
    for (const a of ['organizations:LeaveOrganization', 'cloudtrail:StopLogging', 'guardduty:DeleteDetector', 'config:StopConfigurationRecorder']) expect(actions).toContain(a);
    const region = statements.find((s: TerraformJson) => s.Sid === 'DenyOutsideAllowedRegions');
    expect(region.Condition.StringNotEquals['aws:RequestedRegion']).toEqual(management.organization.allowedRegions);
    expect(region.NotAction).toEqual(expect.arrayContaining(['iam:*', 'sts:*', 'organizations:*', 'cloudfront:*', 'route53:*', 'support:*']));
    expect(statements.find((s: TerraformJson) => s.Sid === 'DenyRootUser').Condition).toEqual({ StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' } });
  });

  it('writes the organization trail into a bucket with Object Lock in compliance mode, KMS, versioning, TLS only, and CloudTrail limited to the trail', () => {
    const trail = byName('aws_cloudtrail')[0];
    expect(trail).toMatchObject({ name: management.trail.name, is_organization_trail: true, is_multi_region_trail: true, include_global_service_events: true, enable_log_file_validation: true });
    expect(trail.kms_key_id).toMatch(/aws_kms_key/);
    const bucket = byName('aws_s3_bucket').find((b) => b.bucket === management.trail.bucket)!;
    expect(bucket.object_lock_enabled).toBe(true);
    expect(byName('aws_s3_bucket_object_lock_configuration')[0].rule.default_retention).toEqual({ mode: 'COMPLIANCE', days: management.trail.retentionDays });
    expect(byName('aws_s3_bucket_versioning')[0].versioning_configuration.status).toBe('Enabled');
    expect(byName('aws_s3_bucket_server_side_encryption_configuration')[0].rule[0].apply_server_side_encryption_by_default.sse_algorithm).toBe('aws:kms');
    const policy = JSON.parse(byName('aws_s3_bucket_policy')[0].policy);
    const trailArn = `arn:aws:cloudtrail:${management.region}:${management.accountId}:trail/${management.trail.name}`;
    expect(policy.Statement.map((s: TerraformJson) => s.Sid)).toEqual(['DenyInsecureTransport', 'CloudTrailAclCheck', 'CloudTrailWrites']);
    for (const s of policy.Statement.slice(1)) expect(s.Condition.StringEquals['aws:SourceArn']).toBe(trailArn);
    expect(trail.depends_on[0]).toMatch(/aws_s3_bucket_policy/);
  });
});

/**
 * Which permissions a permission set's policies allow that are not read-only. AWS managed
 * policies cannot be read offline: only those known to be read-only pass; any other managed
 * policy counts as write. Inline Allow statements pass only with read-only action verbs.
 */
const READ_ONLY_MANAGED = ['ReadOnlyAccess', 'ViewOnlyAccess', 'SecurityAudit'];
const READ_VERB = /^[a-z0-9-]+:(Get|List|Describe|View|Lookup|Search|Select|BatchGet|Query|Scan)[A-Za-z0-9*]*$/;
function writeGrants(stack: TerraformJson, permissionSetRefValue: string): string[] {
  const managed = Object.values(resourcesOf(stack, 'aws_ssoadmin_managed_policy_attachment'))
    .filter((a) => a.permission_set_arn === permissionSetRefValue)
    .map((a) => String(a.managed_policy_arn).replace(/^arn:aws:iam::aws:policy\//, ''))
    .filter((name) => !READ_ONLY_MANAGED.includes(name));
  const customer = Object.values(resourcesOf(stack, 'aws_ssoadmin_customer_managed_policy_attachment')).filter((a) => a.permission_set_arn === permissionSetRefValue).map((a) => `customer managed ${a.customer_managed_policy_reference.name}`);
  const inline = Object.values(resourcesOf(stack, 'aws_ssoadmin_permission_set_inline_policy'))
    .filter((a) => a.permission_set_arn === permissionSetRefValue)
    .flatMap((a) => JSON.parse(a.inline_policy).Statement as TerraformJson[])
    .filter((s) => s.Effect === 'Allow')
    .flatMap((s) => [s.Action ?? s.NotAction ?? []].flat().filter((action: string) => s.NotAction !== undefined || !READ_VERB.test(action)));
  return [...managed, ...customer, ...inline];
}

describe('the organization budget of the management (payer) account', () => {
  it('has the monthly budget of its config, a forecast breach is immediate (production), and e-mail is the fallback', () => {
    const budget = byName('aws_budgets_budget')[0];
    expect(budget).toMatchObject({ name: 'management-monthly', budget_type: 'COST', time_unit: 'MONTHLY', limit_amount: management.cost.monthlyBudgetUsd!.toFixed(2), limit_unit: 'USD' });
    // No cost filter: in the payer account the budget counts every account's cost.
    expect(budget.cost_filter).toBeUndefined();
    const forecast = budget.notification.find((n: TerraformJson) => n.notification_type === 'FORECASTED');
    expect(forecast.subscriber_sns_topic_arns).toEqual([expect.stringMatching(/aws_sns_topic\.cost_immediate_.*\.arn/)]);
    expect(forecast.subscriber_email_addresses).toEqual(management.cost.emails);
    expect(byName('aws_ce_anomaly_subscription').map((s) => s.name)).toContain('management-anomalies');
  });

  it('activates Team and CostCenter as cost allocation tags here, and in no member account (only the payer can)', () => {
    expect(byName('aws_ce_cost_allocation_tag').map((t) => [t.tag_key, t.status])).toEqual([['Team', 'Active'], ['CostCenter', 'Active']]);
    for (const tag of ['Team', 'CostCenter']) expect(json.provider.aws[0].default_tags[0].tags).toHaveProperty(tag);
    expect(accounts.filter((a) => a.cost.activateCostAllocationTags).map((a) => a.name)).toEqual([]);
  });

  it('passes COST-BUDGET with no suppression left', () => {
    const stack = new ManagementStack(Testing.app(), { config: management, accountIds: ids });
    const report = stack.policy.run();
    expect(report.suppressed.map((f) => f.rule.id)).not.toContain('COST-BUDGET');
    expect(report.violations.map((v) => v.rule.id)).toEqual([]);
  });

  it('refuses a stack built from a config without a budget, naming the field', () => {
    const config = { ...management, cost: { emails: ['cloud-cost@example-co.jp'] } };
    expect(() => synth(config)).toThrow(/config\.cost\.monthlyBudgetUsd.*a monthly budget in USD for the whole organization/s);
  });
});

describe('production never grants developers write permissions', () => {
  const production = accounts.filter((a) => a.environment === 'production').map((a) => a.accountId);
  const developerGroups = [...new Set(management.access.map((g) => g.group))].filter((g) => /developer/i.test(g));
  const groupKey = (group: string) => Object.entries(json.data.aws_identitystore_group as Record<string, TerraformJson>).find(([, g]) => g.alternate_identifier.unique_attribute.attribute_value === group)![0];

  it('has production accounts and developer groups to check', () => {
    expect(production.length).toBeGreaterThan(0);
    expect(developerGroups.length).toBeGreaterThan(0);
  });

  it.each(developerGroups)('%s: every permission set assigned in a production account allows only reads', (group) => {
    const assigned = byName('aws_ssoadmin_account_assignment').filter((a) => production.includes(a.target_id) && a.principal_id === `\${data.aws_identitystore_group.${groupKey(group)}.group_id}`);
    expect(assigned.length).toBeGreaterThan(0);
    for (const a of assigned) expect(writeGrants(json, a.permission_set_arn)).toEqual([]);
  });

  it('would catch a developer given PowerUserAccess or an inline write in production', () => {
    const worse = synth(variant((c) => {
      (c.access as Array<{ group: string; permissionSet: string; accounts: string[] }>)[0].permissionSet = 'Developer';
    }) as ManagementConfig);
    const dev = Object.values(resourcesOf(worse, 'aws_ssoadmin_account_assignment')).find((a) => a.target_id === production[0] && String(a.permission_set_arn).includes('developer'))!;
    expect(writeGrants(worse, dev.permission_set_arn)).toEqual(['PowerUserAccess']);
    const inlineWrite = variant((c) => {
      (c.permissionSets as Array<{ inlinePolicy?: unknown[] }>)[0].inlinePolicy!.push({ Effect: 'Allow', Action: ['s3:PutObject', 'ec2:DescribeInstances'], Resource: ['*'] });
    }) as ManagementConfig;
    const stack = synth(inlineWrite);
    const readOnlyRef = Object.values(resourcesOf(stack, 'aws_ssoadmin_permission_set_inline_policy'))[0].permission_set_arn;
    expect(writeGrants(stack, readOnlyRef)).toEqual(['s3:PutObject']);
  });
});

describe('management config validation', () => {
  it('accepts the real config', () => expect(resolveManagement(management, accounts)).toEqual(management));

  it.each([
    ['a session over 12 hours', (c: TerraformJson) => (c.permissionSets[0].sessionDuration = 'PT13H'), 'accounts/management: permissionSets[0].sessionDuration: got "PT13H", expected an ISO-8601 duration from PT1H to PT12H'],
    ['a session that is not ISO-8601', (c: TerraformJson) => (c.permissionSets[1].sessionDuration = '8h'), 'accounts/management: permissionSets[1].sessionDuration: got "8h", expected an ISO-8601 duration'],
    ['a break-glass session over an hour', (c: TerraformJson) => (c.permissionSets[4].sessionDuration = 'PT2H'), 'accounts/management: permissionSets[4].sessionDuration: got "PT2H", expected "PT1H" for a break-glass permission set'],
    ['administrator access outside break-glass', (c: TerraformJson) => c.permissionSets[1].managedPolicies.push('AdministratorAccess'), 'accounts/management: permissionSets[1]: got "Developer", expected no AdministratorAccess'],
    ['a second break-glass set', (c: TerraformJson) => (c.permissionSets[3].breakGlass = true), 'accounts/management: permissionSets: got "2 with breakGlass: true", expected exactly one break-glass permission set'],
    ['an unknown permission set in the matrix', (c: TerraformJson) => (c.access[0].permissionSet = 'ReadOnlyy'), 'accounts/management: access[0].permissionSet: got "ReadOnlyy", expected one of the permission sets: ReadOnly, Developer'],
    ['an unknown account in the matrix', (c: TerraformJson) => (c.access[0].accounts = ['prodution']), 'accounts/management: access[0].accounts[0]: got "prodution", expected an account of accounts/index.ts or "management"'],
    ['an unregistered account id', (c: TerraformJson) => (c.accountId = '123456789012'), 'accounts/management: accountId: got "123456789012", expected an account id registered as production'],
    ['a member account id', (c: TerraformJson) => (c.accountId = accounts[0].accountId), `accounts/management: accountId: got "${accounts[0].accountId}", expected an id no member account has`],
    ['a guardrail target that is no unit', (c: TerraformJson) => c.organization.guardrailTargets.push('prod'), 'accounts/management: organization.guardrailTargets[2]: got "prod", expected one of organization.organizationalUnits'],
    ['a permission set name over 32 characters', (c: TerraformJson) => (c.permissionSets[0].name = 'x'.repeat(33)), 'accounts/management: permissionSets[0].name: got "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", expected a permission set name: 1 to 32'],
    ['a Slack channel with a #', (c: TerraformJson) => (c.alerting.slack.channel = '#infra'), 'accounts/management: alerting.slack.channel: got "#infra", expected a Slack channel name (lower-case, no #)'],
    ['no budget', (c: TerraformJson) => delete c.cost.monthlyBudgetUsd, 'accounts/management: cost.monthlyBudgetUsd: got nothing, expected a monthly budget in USD for the whole organization'],
    ['a budget of 0', (c: TerraformJson) => (c.cost.monthlyBudgetUsd = 0), 'accounts/management: cost.monthlyBudgetUsd: got 0, expected'],
    ['an estimated-charges monitor it has no integration for', (c: TerraformJson) => (c.cost.estimatedChargesAlertUsd = 90000), 'accounts/management: cost.estimatedChargesAlertUsd: got 90000, expected no value: the management stack has no Datadog AWS integration'],
    ['a planner set that does not exist', (c: TerraformJson) => (c.plannerPermissionSet = 'SRE'), 'accounts/management: plannerPermissionSet: got "SRE", expected a permission set that is not break-glass: ReadOnly, Developer, SREAdmin, Billing'],
    ['the break-glass set as planner', (c: TerraformJson) => (c.plannerPermissionSet = 'BreakGlass'), 'accounts/management: plannerPermissionSet: got "BreakGlass", expected a permission set that is not break-glass'],
    ['a planner set not assigned everywhere', (c: TerraformJson) => (c.plannerPermissionSet = 'Billing'), 'accounts/management: plannerPermissionSet: got "Billing", expected a permission set assigned in every account (not in: production, staging, sandbox)'],
    ['a planner set whose role pattern matches another set', (c: TerraformJson) => c.permissionSets.push({ name: 'SREAdmin_Lite', description: 'x', sessionDuration: 'PT1H', managedPolicies: ['ReadOnlyAccess'] }), 'accounts/management: plannerPermissionSet: got "SREAdmin", expected a set whose roles\' pattern AWSReservedSSO_SREAdmin_* matches no other set\'s role (SREAdmin_Lite would match)'],
    ['a typo in a key', (c: TerraformJson) => (c.permisionSets = []), 'accounts/management: permisionSets: got an array of 0, expected no such key (did you mean "permissionSets"?)'],
  ])('refuses %s, naming the field, the value and what is allowed', (_what, change, message) => {
    expect(problems(variant(change as never))).toContain(message);
  });

  it('is built with the accounts its matrix names, and left out of a run of some accounts only', () => {
    const root = mkdtempSync(join(tmpdir(), 'management-'));
    try {
      const some = synthesizeAccounts({ outdir: join(root, 'some'), sources: accountSources.filter((s) => s.folder === accountSources[0].folder) });
      expect(some.stacks.map((s) => s.account.name)).toEqual([accountSources[0].folder]);
      const all = synthesizeAccounts({ outdir: join(root, 'all'), sources: accountSources });
      expect(all.stacks.map((s) => s.account.name)).toContain(management.name);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('is reported by npm start with the other config problems, and nothing is built', () => {
    const root = mkdtempSync(join(tmpdir(), 'management-'));
    try {
      expect(() => synthesizeAccounts({ outdir: join(root, 'cdktf.out'), management: variant((c) => (c.accountId = '1')) })).toThrow(/accounts\/management: accountId: got "1", expected a 12-digit AWS account id/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('IdentityCenter construct validation', () => {
  const build = (props: Partial<ConstructorParameters<typeof IdentityCenter>[2]>) => () =>
    synthConstructs((stack) => new IdentityCenter(stack, 'idc', { permissionSets: management.permissionSets, access: management.access, accountIds: ids, ...props }));

  it('refuses a grant to an account it has no id for, and a session outside 1 to 12 hours', () => {
    expect(build({ accountIds: { production: '111111111111' } })).toThrow(/access\[1\]\.accounts\[0\]: got "staging", expected one of production/);
    expect(build({ permissionSets: [{ ...management.permissionSets[0], sessionDuration: 'PT30M' }], access: [] })).toThrow(/permissionSets\[0\]\.sessionDuration: got "PT30M", expected an ISO-8601 duration from PT1H to PT12H/);
  });

  it('refuses a Slack handle Datadog would not route', () => {
    expect(() => synthConstructs((stack) => new BreakGlassAlert(stack, 'bg', { permissionSetName: 'BreakGlass', accountId: '777777777777', datadog: { site: 'ap1.datadoghq.com', apiKey: 'x', slackHandle: '#infra' } }))).toThrow(
      /datadog\.slackHandle: got "#infra", expected a Datadog Slack handle, @slack-<workspace>-<channel>/,
    );
  });

  it('refuses "*" on "*" outside the break-glass set', () => {
    expect(build({ permissionSets: [{ name: 'Ops', description: 'x', sessionDuration: 'PT1H', inlinePolicy: [{ Effect: 'Allow', Action: ['*'], Resource: ['*'] }] }], access: [] })).toThrow(
      /permissionSets\[0\]: got "Ops", expected no AdministratorAccess and no "\*" on "\*" outside the break-glass permission set/,
    );
  });

  it('attaches customer managed policies by name and path', () => {
    const out = synthConstructs((stack) => new IdentityCenter(stack, 'idc', { permissionSets: [{ name: 'Ops', description: 'x', sessionDuration: 'PT2H', customerManagedPolicies: [{ name: 'ops-boundary' }, { name: 'ops-extra', path: '/team/' }] }], accountIds: {} }));
    expect(Object.values(resourcesOf(out, 'aws_ssoadmin_customer_managed_policy_attachment')).map((a) => a.customer_managed_policy_reference)).toEqual([
      { name: 'ops-boundary', path: '/' },
      { name: 'ops-extra', path: '/team/' },
    ]);
  });
});

describe('README access matrix', () => {
  it('is the table generated from accounts/management.ts (regenerate: npm run build --silent && node dist/tools/access-matrix.js)', () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    const section = /<!-- access-matrix:start -->\n([\s\S]*?)\n<!-- access-matrix:end -->/.exec(readme)?.[1];
    expect(section).toBe(renderAccessMatrix(management, [...accounts.map((a) => a.name), management.name]));
  });
});
