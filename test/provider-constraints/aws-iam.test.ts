/**
 * What hashicorp/terraform-provider-aws (6.28.0, see AWS_PROVIDER_VERSION) refuses or
 * deprecates for the IAM resources the account stacks and the bootstrap emit, and the
 * confused-deputy conditions AWS documents per service. Each rule runs over every account
 * of the repository (stack and bootstrap), so each construct change is checked.
 */
import { Testing } from 'cdktf';
import { loadAccounts } from '../../accounts';
import { BootstrapStack } from '../../bootstrap/bootstrap-stack';
import { TerraformJson, resourcesOf, synthAccount } from '../helpers';

const stacks = loadAccounts().flatMap((a) => [
  [a.name, synthAccount(a)] as const,
  [`bootstrap-${a.name}`, new BootstrapStack(Testing.app(), { account: a }).toTerraform() as TerraformJson] as const,
]);
const roles = stacks.flatMap(([stack, json]) => Object.entries(resourcesOf(json, 'aws_iam_role')).map(([id, r]) => [`${stack} ${id}`, r, stack] as const));
const trustOf = (r: TerraformJson) => JSON.parse(r.assume_role_policy).Statement as Array<{ Principal?: { Service?: string }; Condition?: Record<string, Record<string, string>> }>;

describe('aws_iam_role (internal/service/iam/role.go)', () => {
  it.each(roles)('%s: name at most 64 characters (validResourceName(roleNameMaxLen)), max_session_duration 3600-43200 (IntBetween)', (_id, role) => {
    expect(String(role.name).length).toBeLessThanOrEqual(64);
    if (role.max_session_duration !== undefined) expect(role.max_session_duration >= 3600 && role.max_session_duration <= 43200).toBe(true);
    expect(() => JSON.parse(role.assume_role_policy)).not.toThrow(); // assume_role_policy: Required, valid IAM JSON
  });

  it.each(roles)('%s: no deprecated managed_policy_arns or inline_policy ("Use the aws_iam_role_policy_attachment resource instead")', (_id, role) => {
    expect([role.managed_policy_arns, role.inline_policy]).toEqual([undefined, undefined]);
  });
});

describe('aws_iam_role_policy and aws_iam_role_policy_attachment (role_policy.go, role_policy_attachment.go)', () => {
  const policies = stacks.flatMap(([stack, json]) => Object.entries(resourcesOf(json, 'aws_iam_role_policy')).map(([id, p]) => [`${stack} ${id}`, p] as const));
  const attachments = stacks.flatMap(([stack, json]) => Object.entries(resourcesOf(json, 'aws_iam_role_policy_attachment')).map(([id, a]) => [`${stack} ${id}`, a] as const));

  it.each(policies)('%s: role and a JSON policy (Required; verify.ValidIAMPolicyJSON)', (_id, p) => {
    expect(p.role).toBeTruthy();
    expect(JSON.parse(p.policy).Version).toBe('2012-10-17');
  });

  it.each(attachments)('%s: role and an IAM policy ARN (Required, verify.ValidARN)', (_id, a) => {
    expect(a.role).toBeTruthy();
    expect(a.policy_arn).toMatch(/^arn:aws:iam::(aws|\d{12}):policy\/|^\$\{aws_iam_policy\./);
  });
});

/**
 * Confused deputy (docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html): the
 * services below document aws:SourceAccount (and aws:SourceArn) for the trust of the role
 * they assume, so the trust names this account. ec2.amazonaws.com (instance profiles),
 * lambda.amazonaws.com (execution roles) and dlm.amazonaws.com document no such keys for
 * their roles, so their trusts have none (a condition the service does not send would
 * refuse it); Elastic Beanstalk's service role is guarded by its documented sts:ExternalId.
 */
const GUARDED: Record<string, string> = {
  'monitoring.rds.amazonaws.com': 'docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Monitoring.OS.Enabling.html',
  'vpc-flow-logs.amazonaws.com': 'docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html',
};

describe('service-role trusts name the account where the service sends aws:SourceAccount', () => {
  const serviceRoles = roles.flatMap(([id, role, stack]) => trustOf(role).filter((s) => s.Principal?.Service).map((s) => [id, s.Principal!.Service!, s, stack] as const));
  const accountOf = (stack: string) => loadAccounts().find((a) => stack.endsWith(a.name))!.accountId;

  it('finds the guarded services in the stacks', () => {
    expect(serviceRoles.map(([, service]) => service)).toEqual(expect.arrayContaining(Object.keys(GUARDED)));
  });

  it.each(serviceRoles.filter(([, service]) => service in GUARDED))('%s (%s): aws:SourceAccount is the account', (_id, service, statement, stack) => {
    expect([GUARDED[service], statement.Condition?.StringEquals?.['aws:SourceAccount']]).toEqual([GUARDED[service], accountOf(stack)]);
  });

  it('flow logs also name their own resources as aws:SourceArn', () => {
    for (const [, , statement, stack] of serviceRoles.filter(([, s]) => s === 'vpc-flow-logs.amazonaws.com')) {
      expect(statement.Condition?.ArnLike?.['aws:SourceArn']).toBe(`arn:aws:ec2:*:${accountOf(stack)}:vpc-flow-log/*`);
    }
  });

  // docs.aws.amazon.com/AmazonRDS/latest/UserGuide/SQLServer.Procedural.Importing.Native.Enabling.html
  it('the SQL Server native backup role (rds.amazonaws.com) names the account', () => {
    const backups = roles.filter(([, r]) => String(r.name).endsWith('-native-backup'));
    expect(backups.length).toBeGreaterThan(0);
    for (const [, role, stack] of backups) expect(trustOf(role)[0].Condition?.StringEquals?.['aws:SourceAccount']).toBe(accountOf(stack));
  });
});
