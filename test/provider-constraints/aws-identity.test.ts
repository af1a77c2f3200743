/**
 * What the AWS provider (hashicorp/terraform-provider-aws 6.25.0, the version
 * @cdktf/provider-aws 21.22.1 binds) and the services refuse for the management stack's
 * resources, which the typed bindings do not catch. Each check names its source; each runs
 * over the real management stack and over a broken copy, so it is seen to catch what it
 * describes.
 */
import { Testing } from 'cdktf';
import { loadAccounts } from '../../accounts';
import { management } from '../../accounts/management';
import { accountIds } from '../../accounts/management-schema';
import { ManagementStack } from '../../stacks/management-stack';
import { TerraformJson, resourcesOf, synthAccount } from '../helpers';

const accounts = loadAccounts();
const json = new ManagementStack(Testing.app(), { config: management, accountIds: accountIds(management, accounts) }).toTerraform() as TerraformJson;
const all = (stack: TerraformJson, type: string) => Object.entries(resourcesOf(stack, type));
const dataOf = (stack: TerraformJson, type: string) => Object.entries((stack.data?.[type] ?? {}) as Record<string, TerraformJson>);

type Check = (stack: TerraformJson) => string[];

const checks: Record<string, { check: Check; breakIt: (stack: TerraformJson) => void }> = {
  // internal/service/ssoadmin/permission_set.go: name StringLenBetween(1, 32) and [\w+=,.@-];
  // description StringLenBetween(1, 700); session_duration StringLenBetween(1, 100). The service
  // (CreatePermissionSet SessionDuration) takes ISO-8601 from 1 to 12 hours.
  'aws_ssoadmin_permission_set: name, description, session_duration (ssoadmin/permission_set.go)': {
    check: (s) =>
      all(s, 'aws_ssoadmin_permission_set').flatMap(([k, p]) => [
        ...(/^[\w+=,.@-]{1,32}$/.test(p.name) ? [] : [`${k}: name ${p.name}`]),
        ...(p.description.length >= 1 && p.description.length <= 700 ? [] : [`${k}: description length ${p.description.length}`]),
        ...(/^PT([1-9]|1[0-2])H$/.test(p.session_duration) ? [] : [`${k}: session_duration ${p.session_duration}`]),
      ]),
    breakIt: (s) => (Object.values(resourcesOf(s, 'aws_ssoadmin_permission_set'))[0].name = 'a-permission-set-name-of-33-chars'),
  },
  // internal/service/ssoadmin/account_assignment.go: principal_type enum PrincipalType (USER, GROUP),
  // target_id verify.ValidAccountID (12 digits), target_type enum TargetType (AWS_ACCOUNT).
  'aws_ssoadmin_account_assignment: principal_type, target_id, target_type (ssoadmin/account_assignment.go)': {
    check: (s) =>
      all(s, 'aws_ssoadmin_account_assignment').flatMap(([k, a]) => [
        ...(['USER', 'GROUP'].includes(a.principal_type) ? [] : [`${k}: principal_type ${a.principal_type}`]),
        ...(/^\d{12}$/.test(a.target_id) ? [] : [`${k}: target_id ${a.target_id}`]),
        ...(a.target_type === 'AWS_ACCOUNT' ? [] : [`${k}: target_type ${a.target_type}`]),
      ]),
    breakIt: (s) => (Object.values(resourcesOf(s, 'aws_ssoadmin_account_assignment'))[0].target_id = 'production'),
  },
  // internal/service/identitystore/group_data_source.go: alternate_identifier ExactlyOneOf
  // (external_id, unique_attribute), ConflictsWith group_id; unique_attribute needs attribute_path and attribute_value.
  'data aws_identitystore_group: one alternate identifier, no group_id (identitystore/group_data_source.go)': {
    check: (s) =>
      dataOf(s, 'aws_identitystore_group').flatMap(([k, g]) => {
        const alt = g.alternate_identifier ?? {};
        const exactlyOne = [alt.external_id, alt.unique_attribute].filter((x) => x !== undefined).length === 1;
        const complete = alt.unique_attribute === undefined || (alt.unique_attribute.attribute_path && alt.unique_attribute.attribute_value);
        return exactlyOne && complete && g.group_id === undefined ? [] : [`${k}: alternate_identifier ${JSON.stringify(alt)}, group_id ${g.group_id}`];
      }),
    breakIt: (s) => (dataOf(s, 'aws_identitystore_group')[0][1].group_id = '12345678-1234-1234-1234-123456789012'),
  },
  // internal/service/organizations/policy.go: content validation.StringIsJSON, type enum PolicyType.
  // Organizations quota: an SCP document is at most 5,120 characters.
  // https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
  'aws_organizations_policy: JSON content within 5,120 characters (organizations/policy.go, Organizations quotas)': {
    check: (s) =>
      all(s, 'aws_organizations_policy').flatMap(([k, p]) => {
        try {
          JSON.parse(p.content);
        } catch {
          return [`${k}: content is not JSON`];
        }
        return p.type === 'SERVICE_CONTROL_POLICY' && p.content.length <= 5120 ? [] : [`${k}: type ${p.type}, ${p.content.length} characters`];
      }),
    breakIt: (s) => (Object.values(resourcesOf(s, 'aws_organizations_policy'))[0].content = JSON.stringify({ Statement: [{ Effect: 'Deny', Action: 'x'.repeat(5200) }] })),
  },
  // internal/service/events/rule.go validateEventPatternValue: JSON, at most 4096 characters once normalized.
  'aws_cloudwatch_event_rule: event_pattern JSON of at most 4,096 characters (events/rule.go)': {
    check: (s) => all(s, 'aws_cloudwatch_event_rule').flatMap(([k, r]) => (JSON.stringify(JSON.parse(r.event_pattern)).length <= 4096 ? [] : [`${k}: event_pattern too long`])),
    breakIt: (s) => (Object.values(resourcesOf(s, 'aws_cloudwatch_event_rule'))[0].event_pattern = JSON.stringify({ detail: { x: ['y'.repeat(5000)] } })),
  },
  // A rule in state ENABLED matches no read-only management event delivered by CloudTrail
  // (names starting Get, List, Describe, such as Identity Center's GetRoleCredentials); only
  // ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS does, and internal/service/events/rule.go
  // accepts it (state: enum RuleState; is_enabled conflicts with state).
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail-management.html
  'aws_cloudwatch_event_rule: a rule on read-only CloudTrail events is enabled for them (EventBridge read-only management events, events/rule.go)': {
    check: (s) =>
      all(s, 'aws_cloudwatch_event_rule').flatMap(([k, r]) => {
        const names: string[] = JSON.parse(r.event_pattern).detail?.eventName ?? [];
        const readOnly = names.some((n) => /^(Get|List|Describe)/.test(n));
        return !readOnly || (r.state === 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS' && r.is_enabled === undefined) ? [] : [`${k}: matches ${names.join(', ')} with state ${r.state ?? 'ENABLED (default)'}`];
      }),
    breakIt: (s) => delete Object.values(resourcesOf(s, 'aws_cloudwatch_event_rule'))[0].state,
  },
  // internal/service/sns/topic_subscription.go: for http(s) the provider waits for the
  // confirmation only when endpoint_auto_confirms is true; otherwise the subscription may stay
  // pending, unnoticed, and receive nothing.
  'aws_sns_topic_subscription: an https endpoint is confirmed at apply (sns/topic_subscription.go)': {
    check: (s) => all(s, 'aws_sns_topic_subscription').flatMap(([k, sub]) => (!String(sub.protocol).startsWith('http') || sub.endpoint_auto_confirms === true ? [] : [`${k}: endpoint_auto_confirms ${sub.endpoint_auto_confirms}`])),
    breakIt: (s) => delete Object.values(resourcesOf(s, 'aws_sns_topic_subscription'))[0].endpoint_auto_confirms,
  },
  // internal/service/s3/bucket_object_lock_configuration.go: default_retention needs mode
  // (GOVERNANCE or COMPLIANCE) and exactly one of days, years; the bucket needs object_lock_enabled
  // at creation (S3 PutObjectLockConfiguration fails on a bucket created without it).
  'aws_s3_bucket_object_lock_configuration: mode and one of days/years, on a bucket created with Object Lock (s3/bucket_object_lock_configuration.go)': {
    check: (s) =>
      all(s, 'aws_s3_bucket_object_lock_configuration').flatMap(([k, c]) => {
        const r = c.rule.default_retention;
        const bucket = all(s, 'aws_s3_bucket').find(([name]) => String(c.bucket).includes(`aws_s3_bucket.${name}.`))?.[1];
        return ['GOVERNANCE', 'COMPLIANCE'].includes(r.mode) && (r.days === undefined) !== (r.years === undefined) && bucket?.object_lock_enabled === true ? [] : [`${k}: ${JSON.stringify(r)}, bucket object_lock_enabled ${bucket?.object_lock_enabled}`];
      }),
    breakIt: (s) => delete Object.values(resourcesOf(s, 'aws_s3_bucket'))[0].object_lock_enabled,
  },
};

describe('AWS provider constraints: the management stack', () => {
  it.each(Object.entries(checks))('%s', (_name, { check, breakIt }) => {
    expect(check(json)).toEqual([]);
    const broken = JSON.parse(JSON.stringify(json));
    breakIt(broken);
    expect(check(broken).length).toBeGreaterThan(0);
  });
});

/**
 * The region-restriction SCP denies every request outside organization.allowedRegions except
 * the actions it exempts. A member account stack that sends a request elsewhere (its provider
 * region, or a resource's own `region`) fails at apply unless that service is exempted.
 * AWS Chatbot's API answers in us-east-2, us-west-2, eu-west-1 and ap-southeast-1 only
 * (internal/service/chatbot/service_package.go), so the cost guardrails' Slack channels live in
 * us-east-2; AWS lists `chatbot:*` among the global services of its Region deny control
 * (https://docs.aws.amazon.com/controltower/latest/controlreference/primary-region-deny-policy.html).
 */
describe('the region-restriction SCP and the member account stacks', () => {
  /** The IAM service prefix of the resource types a stack creates outside the allowed regions. */
  const IAM_PREFIX: Record<string, string> = { aws_chatbot_slack_channel_configuration: 'chatbot' };
  const regionDeny = (stack: TerraformJson) =>
    all(stack, 'aws_organizations_policy').flatMap(([, p]) => JSON.parse(p.content).Statement).find((st: TerraformJson) => st.Condition?.StringNotEquals?.['aws:RequestedRegion']);
  const members = accounts.map((a) => [a.name, synthAccount(a)] as const);

  function outsideProblems(scp: TerraformJson, stacks: ReadonlyArray<readonly [string, TerraformJson]>): string[] {
    const allowed: string[] = scp.Condition.StringNotEquals['aws:RequestedRegion'];
    const exempt = (prefix: string) => (scp.NotAction as string[]).includes(`${prefix}:*`);
    return stacks.flatMap(([name, stack]) => [
      ...(stack.provider.aws as TerraformJson[]).filter((p) => !allowed.includes(p.region)).map((p) => `${name}: provider region ${p.region} is not allowed`),
      ...Object.entries(stack.resource as Record<string, Record<string, TerraformJson>>).flatMap(([type, rs]) =>
        Object.entries(rs)
          .filter(([, r]) => typeof r.region === 'string' && !allowed.includes(r.region))
          .flatMap(([key, r]) => (IAM_PREFIX[type] === undefined ? [`${name}: ${type}.${key} in ${r.region}: which IAM service prefix? (add it to IAM_PREFIX)`] : exempt(IAM_PREFIX[type]) ? [] : [`${name}: ${type}.${key} in ${r.region}: ${IAM_PREFIX[type]}:* is denied there`])),
      ),
    ]);
  }

  it('lets every member account stack make the requests it makes outside the allowed regions', () => {
    const scp = regionDeny(json);
    expect(members.some(([, s]) => Object.values(resourcesOf(s, 'aws_chatbot_slack_channel_configuration')).length > 0)).toBe(true);
    expect(outsideProblems(scp, members)).toEqual([]);
    const withoutChatbot = { ...scp, NotAction: (scp.NotAction as string[]).filter((a) => a !== 'chatbot:*') };
    expect(outsideProblems(withoutChatbot, members).join('\n')).toContain('chatbot:* is denied there');
  });
});
