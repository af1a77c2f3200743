/**
 * What the AWS provider (hashicorp/terraform-provider-aws; @cdktf/provider-aws 21.22.1 binds
 * v6.25.0) and the Budgets / Cost Explorer APIs refuse, and the typed bindings do not: each
 * check names its source. The provider files were read as the code index stores them, which
 * is not necessarily the v6.25.0 tag; the attribute names are the v6.25.0 binding's (they
 * type-check), and the enums are the AWS SDK's. The checks run over every account of the
 * repository, and each is shown to catch a broken resource.
 */
import { loadAccounts } from '../../accounts';
import { TerraformJson, resourcesOf, synthAccount } from '../helpers';

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/**
 * internal/service/budgets/budget.go: budget_type, time_unit, notification.comparison_operator,
 * notification_type and threshold_type are StringInSlice of the SDK enums; limit_amount /
 * limit_unit conflict with planned_limit. API_budgets_NotificationWithSubscribers
 * (docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_NotificationWithSubscribers.html):
 * 1 to 11 subscribers, at most one SNS topic and ten e-mail addresses.
 */
function budgetProblems(b: TerraformJson): string[] {
  const out: string[] = [];
  if (!['USAGE', 'COST', 'RI_UTILIZATION', 'RI_COVERAGE', 'SAVINGS_PLANS_UTILIZATION', 'SAVINGS_PLANS_COVERAGE'].includes(b.budget_type)) out.push(`budget_type ${b.budget_type}`);
  if (!['DAILY', 'MONTHLY', 'QUARTERLY', 'ANNUALLY'].includes(b.time_unit)) out.push(`time_unit ${b.time_unit}`);
  if ((b.limit_amount !== undefined || b.limit_unit !== undefined) && b.planned_limit !== undefined) out.push('limit_amount conflicts with planned_limit');
  for (const n of list(b.notification) as TerraformJson[]) {
    if (!['GREATER_THAN', 'LESS_THAN', 'EQUAL_TO'].includes(n.comparison_operator)) out.push(`comparison_operator ${n.comparison_operator}`);
    if (!['ACTUAL', 'FORECASTED'].includes(n.notification_type)) out.push(`notification_type ${n.notification_type}`);
    if (!['PERCENTAGE', 'ABSOLUTE_VALUE'].includes(n.threshold_type)) out.push(`threshold_type ${n.threshold_type}`);
    const sns = list(n.subscriber_sns_topic_arns).length;
    const email = list(n.subscriber_email_addresses).length;
    if (sns + email < 1 || sns > 1 || email > 10) out.push(`subscribers: ${sns} SNS and ${email} e-mail (1 SNS and 10 e-mail at most, 1 at least)`);
  }
  return out;
}

/**
 * internal/service/ce/anomaly_monitor.go: monitor_type is an enum; DIMENSIONAL fails at
 * create without monitor_dimension ("If Monitor Type is DIMENSIONAL, dimension attribute is
 * required"); monitor_dimension conflicts with monitor_specification.
 */
function monitorProblems(m: TerraformJson): string[] {
  const out: string[] = [];
  if (!['DIMENSIONAL', 'CUSTOM'].includes(m.monitor_type)) out.push(`monitor_type ${m.monitor_type}`);
  if (m.monitor_type === 'DIMENSIONAL' && !['SERVICE', 'LINKED_ACCOUNT', 'TAG', 'COST_CATEGORY'].includes(m.monitor_dimension)) out.push(`DIMENSIONAL needs monitor_dimension, got ${m.monitor_dimension}`);
  if (m.monitor_dimension !== undefined && m.monitor_specification !== undefined) out.push('monitor_dimension conflicts with monitor_specification');
  return out;
}

/**
 * internal/service/ce/anomaly_subscription.go: frequency DAILY | IMMEDIATE | WEEKLY, subscriber
 * type EMAIL | SNS, threshold_expression at most one. API_AnomalySubscription, Frequency
 * (docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_AnomalySubscription.html):
 * IMMEDIATE notifies SNS, DAILY and WEEKLY notify e-mail.
 */
function subscriptionProblems(s: TerraformJson): string[] {
  const out: string[] = [];
  if (!['DAILY', 'IMMEDIATE', 'WEEKLY'].includes(s.frequency)) out.push(`frequency ${s.frequency}`);
  const wanted = s.frequency === 'IMMEDIATE' ? 'SNS' : 'EMAIL';
  for (const sub of list(s.subscriber) as TerraformJson[]) {
    if (!['EMAIL', 'SNS'].includes(sub.type)) out.push(`subscriber type ${sub.type}`);
    else if (sub.type !== wanted) out.push(`${s.frequency} subscription with a ${sub.type} subscriber (needs ${wanted})`);
  }
  if (list(s.subscriber).length === 0) out.push('no subscriber');
  if (list(s.monitor_arn_list).length === 0) out.push('no monitor');
  return out;
}

/** Chatbot's API has no endpoint in most regions (aws/aws-cli#8658); configurations are made in us-east-2. */
function chatbotProblems(c: TerraformJson): string[] {
  return c.region === 'us-east-2' ? [] : [`region ${c.region ?? '(the provider region)'}: Chatbot configurations are created in us-east-2`];
}

const CHECKS: Record<string, (r: TerraformJson) => string[]> = {
  aws_budgets_budget: budgetProblems,
  aws_ce_anomaly_monitor: monitorProblems,
  aws_ce_anomaly_subscription: subscriptionProblems,
  aws_chatbot_slack_channel_configuration: chatbotProblems,
};

describe('AWS provider and API constraints on cost resources', () => {
  const stacks = loadAccounts().map((a) => [a.name, synthAccount(a)] as const);

  it.each(stacks)('%s: every budget, anomaly monitor, subscription and Chatbot configuration is one the provider and the API accept', (_, json) => {
    const problems = Object.entries(CHECKS).flatMap(([type, check]) => Object.entries(resourcesOf(json, type)).flatMap(([name, r]) => check(r).map((p) => `${type}.${name}: ${p}`)));
    expect(problems).toEqual([]);
    expect(Object.keys(resourcesOf(json, 'aws_budgets_budget'))).toHaveLength(1);
  });

  /**
   * docs.aws.amazon.com/cost-management/latest/userguide/budgets-sns-policy.html: the topic is
   * in the budget's account (cross-account SNS is not supported) and its policy lets
   * budgets.amazonaws.com publish; .../ad-SNS.html: the same for costalerts.amazonaws.com.
   * docs.aws.amazon.com/sns/latest/dg/sns-key-management.html: a service publishing to a topic
   * encrypted with a customer managed key needs kms:GenerateDataKey* and kms:Decrypt on it.
   */
  it.each(stacks)('%s: every topic a budget or anomaly subscription notifies is in the stack, lets that service publish, and its key lets it encrypt', (_, json) => {
    const topics = resourcesOf(json, 'aws_sns_topic');
    const ref = (arn: string) => /^\$\{aws_sns_topic\.([^.]+)\.arn\}$/.exec(arn)?.[1];
    const notified: Array<[service: string, arn: string]> = [
      ...Object.values(resourcesOf(json, 'aws_budgets_budget')).flatMap((b) => (list(b.notification) as TerraformJson[]).flatMap((n) => list(n.subscriber_sns_topic_arns).map((a) => ['budgets.amazonaws.com', String(a)] as [string, string]))),
      ...Object.values(resourcesOf(json, 'aws_ce_anomaly_subscription')).flatMap((s) => (list(s.subscriber) as TerraformJson[]).filter((x) => x.type === 'SNS').map((x) => ['costalerts.amazonaws.com', String(x.address)] as [string, string])),
    ];
    expect(notified.length).toBeGreaterThan(0);
    const policies = Object.values(resourcesOf(json, 'aws_sns_topic_policy'));
    const keys = resourcesOf(json, 'aws_kms_key');
    for (const [service, arn] of notified) {
      const name = ref(arn);
      expect([arn, name !== undefined && name in topics]).toEqual([arn, true]);
      const policy = policies.find((p) => p.arn === arn)!;
      const allows = (JSON.parse(policy.policy).Statement as TerraformJson[]).some((st) => st.Effect === 'Allow' && list(st.Principal?.Service).includes(service) && st.Action === 'SNS:Publish');
      expect([arn, service, allows]).toEqual([arn, service, true]);
      const keyName = /^\$\{aws_kms_key\.([^.]+)\.arn\}$/.exec(topics[name!].kms_master_key_id)![1];
      const keyAllows = (JSON.parse(keys[keyName].policy).Statement as TerraformJson[]).some((st) => st.Effect === 'Allow' && list(st.Principal?.Service).includes(service) && ['kms:GenerateDataKey*', 'kms:Decrypt'].every((a) => list(st.Action).includes(a)));
      expect([keyName, service, keyAllows]).toEqual([keyName, service, true]);
    }
  });

  it('has at most one AWS-services anomaly monitor per account (a second watches the same spend and alerts twice)', () => {
    const byAccount = new Map<string, number>();
    for (const [, json] of stacks) {
      const account = json.provider.aws[0].allowed_account_ids[0] as string;
      const services = Object.values(resourcesOf(json, 'aws_ce_anomaly_monitor')).filter((m) => m.monitor_dimension === 'SERVICE').length;
      byAccount.set(account, (byAccount.get(account) ?? 0) + services);
    }
    for (const count of byAccount.values()) expect(count).toBeLessThanOrEqual(1);
  });

  it.each<[string, string, TerraformJson, string]>([
    ['budget with two SNS topics', 'aws_budgets_budget', { budget_type: 'COST', time_unit: 'MONTHLY', notification: [{ comparison_operator: 'GREATER_THAN', notification_type: 'ACTUAL', threshold_type: 'PERCENTAGE', subscriber_sns_topic_arns: ['a', 'b'] }] }, 'subscribers: 2 SNS'],
    ['budget with a lower-case time unit', 'aws_budgets_budget', { budget_type: 'COST', time_unit: 'monthly', notification: [] }, 'time_unit monthly'],
    ['budget with limit_amount and planned_limit', 'aws_budgets_budget', { budget_type: 'COST', time_unit: 'MONTHLY', limit_amount: '1', planned_limit: [{}] }, 'conflicts'],
    ['dimensional monitor without a dimension', 'aws_ce_anomaly_monitor', { monitor_type: 'DIMENSIONAL' }, 'DIMENSIONAL needs monitor_dimension'],
    ['immediate subscription e-mailing', 'aws_ce_anomaly_subscription', { frequency: 'IMMEDIATE', monitor_arn_list: ['m'], subscriber: [{ type: 'EMAIL', address: 'a@b.c' }] }, 'IMMEDIATE subscription with a EMAIL subscriber (needs SNS)'],
    ['daily subscription to SNS', 'aws_ce_anomaly_subscription', { frequency: 'DAILY', monitor_arn_list: ['m'], subscriber: [{ type: 'SNS', address: 'arn' }] }, 'DAILY subscription with a SNS subscriber (needs EMAIL)'],
    ['Chatbot in the account region', 'aws_chatbot_slack_channel_configuration', { region: 'ap-northeast-1' }, 'created in us-east-2'],
  ])('catches a %s', (_, type, resource, problem) => {
    expect(CHECKS[type](resource).join('\n')).toContain(problem);
  });
});
