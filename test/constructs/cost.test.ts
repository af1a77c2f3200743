import { Testing } from 'cdktf';
import { loadAccounts } from '../../accounts';
import { sharedDefaults } from '../../accounts/defaults';
import { ACCOUNT_TIERS } from '../../accounts/registry';
import { resolveAccounts } from '../../accounts/schema';
import { sandbox } from '../../accounts/sandbox';
import { staging } from '../../accounts/staging';
import { CostGuardrails, CostGuardrailsProps } from '../../constructs/cost/cost-guardrails';
import { PropsError } from '../../constructs/core/validation';
import { evaluate } from '../../policies/engine';
import { rulesIn } from '../../policies/packs';
import { stackOf } from '../../policies/rule';
import { AccountStack } from '../../stacks/account-stack';
import { TerraformJson, errorOf, onlyResource, resourcesOf, synthAccount, synthConstructs, testAccount } from '../helpers';

const base: CostGuardrailsProps = { name: 'acct', accountId: '222222222222', monthlyBudgetUsd: 5000, emails: ['cost@example.com'] };
const synth = (props: Partial<CostGuardrailsProps> = {}) => synthConstructs((s) => new CostGuardrails(s, 'cost', { ...base, ...props }));

/** The Terraform reference of a topic by its construct id (watch / immediate). */
const topicRef = (json: TerraformJson, id: 'watch' | 'immediate') => {
  const name = Object.keys(resourcesOf(json, 'aws_sns_topic')).find((n) => n.startsWith(`cost_${id}_`))!;
  return `\${aws_sns_topic.${name}.arn}`;
};
const budgetNotifications = (json: TerraformJson) => onlyResource(json, 'aws_budgets_budget').notification as TerraformJson[];
const statements = (policy: string) => JSON.parse(policy).Statement as TerraformJson[];

describe('CostGuardrails', () => {
  it('creates a monthly cost budget in USD with actual alerts at 80% and 100% and a forecast alert at 100%', () => {
    const json = synth();
    const budget = onlyResource(json, 'aws_budgets_budget');
    expect(budget).toMatchObject({ name: 'acct-monthly', budget_type: 'COST', time_unit: 'MONTHLY', limit_amount: '5000.00', limit_unit: 'USD' });
    expect(budgetNotifications(json).map((n) => [n.notification_type, n.threshold, n.threshold_type, n.comparison_operator])).toEqual([
      ['ACTUAL', 80, 'PERCENTAGE', 'GREATER_THAN'],
      ['ACTUAL', 100, 'PERCENTAGE', 'GREATER_THAN'],
      ['FORECASTED', 100, 'PERCENTAGE', 'GREATER_THAN'],
    ]);
  });

  it('sends every budget alert to the watch topic and to the e-mail fallback', () => {
    const json = synth();
    for (const n of budgetNotifications(json)) {
      expect(n.subscriber_sns_topic_arns).toEqual([topicRef(json, 'watch')]);
      expect(n.subscriber_email_addresses).toEqual(['cost@example.com']);
    }
  });

  it('sends the forecast breach and the 100% actual alert to the immediate topic when the forecast is immediate (production)', () => {
    const json = synth({ forecastIsImmediate: true });
    const topics = budgetNotifications(json).map((n) => [n.notification_type, n.threshold, n.subscriber_sns_topic_arns[0]]);
    expect(topics).toEqual([
      ['ACTUAL', 80, topicRef(json, 'watch')],
      ['ACTUAL', 100, topicRef(json, 'immediate')],
      ['FORECASTED', 100, topicRef(json, 'immediate')],
    ]);
  });

  it('takes other thresholds', () => {
    const json = synth({ actualThresholdsPercent: [50, 90, 120], forecastThresholdPercent: 110 });
    expect(budgetNotifications(json).map((n) => n.threshold)).toEqual([50, 90, 120, 110]);
  });

  it('encrypts both topics with a rotating key that Budgets and Cost Anomaly Detection may use for this account only', () => {
    const json = synth();
    const key = onlyResource(json, 'aws_kms_key');
    expect(key.enable_key_rotation).toBe(true);
    const publish = statements(key.policy).find((s) => s.Sid === 'CostServicesPublish')!;
    expect(publish.Principal.Service).toEqual(['budgets.amazonaws.com', 'costalerts.amazonaws.com']);
    expect(publish.Action).toEqual(['kms:GenerateDataKey*', 'kms:Decrypt']);
    expect(publish.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': '222222222222' } });
    for (const topic of Object.values(resourcesOf(json, 'aws_sns_topic'))) expect(topic.kms_master_key_id).toMatch(/^\$\{aws_kms_key\.cost_key_\w+\.arn\}$/);
  });

  it('lets only the two cost services of this account publish to the topics, over TLS', () => {
    const json = synth();
    const policies = Object.values(resourcesOf(json, 'aws_sns_topic_policy'));
    expect(policies).toHaveLength(2);
    for (const p of policies) {
      const [budgets, anomalies, deny] = statements(p.policy);
      expect(budgets).toMatchObject({ Effect: 'Allow', Principal: { Service: 'budgets.amazonaws.com' }, Action: 'SNS:Publish', Condition: { StringEquals: { 'aws:SourceAccount': '222222222222' }, ArnLike: { 'aws:SourceArn': 'arn:aws:budgets::222222222222:*' } } });
      expect(anomalies).toMatchObject({ Effect: 'Allow', Principal: { Service: 'costalerts.amazonaws.com' }, Action: 'SNS:Publish', Condition: { StringEquals: { 'aws:SourceAccount': '222222222222' } } });
      expect(deny).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': false } } });
    }
  });

  it('monitors every AWS service for anomalies, alerting the watch topic at once above the threshold and e-mailing a daily digest', () => {
    const json = synth({ anomalyThresholdUsd: 250 });
    expect(onlyResource(json, 'aws_ce_anomaly_monitor')).toMatchObject({ monitor_type: 'DIMENSIONAL', monitor_dimension: 'SERVICE' });
    const subs = Object.values(resourcesOf(json, 'aws_ce_anomaly_subscription'));
    const immediate = subs.find((s) => s.frequency === 'IMMEDIATE')!;
    expect(immediate.subscriber).toEqual([{ type: 'SNS', address: topicRef(json, 'watch') }]);
    const daily = subs.find((s) => s.frequency === 'DAILY')!;
    expect(daily.subscriber).toEqual([{ type: 'EMAIL', address: 'cost@example.com' }]);
    for (const s of subs) expect(s.threshold_expression.dimension).toEqual({ key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE', match_options: ['GREATER_THAN_OR_EQUAL'], values: ['250'] });
  });

  it('has no daily digest without e-mail addresses, and no anomaly monitor when told (a second stack in the account)', () => {
    const chatbot = { workspaceId: 'T01ABCDEF', watchChannelId: 'C01WATCHX', immediateChannelId: 'C01NOWXXX' };
    expect(Object.values(resourcesOf(synth({ emails: [], chatbot }), 'aws_ce_anomaly_subscription')).map((s) => s.frequency)).toEqual(['IMMEDIATE']);
    const json = synth({ anomalyMonitor: false });
    expect(resourcesOf(json, 'aws_ce_anomaly_monitor')).toEqual({});
    expect(resourcesOf(json, 'aws_ce_anomaly_subscription')).toEqual({});
  });

  it('posts both topics to Slack through AWS Chatbot in us-east-2, notifications only', () => {
    const json = synth({ chatbot: { workspaceId: 'T01ABCDEF', watchChannelId: 'C01WATCHX', immediateChannelId: 'C01NOWXXX' } });
    const configs = Object.values(resourcesOf(json, 'aws_chatbot_slack_channel_configuration'));
    expect(configs.map((c) => [c.slack_channel_id, c.sns_topic_arns])).toEqual([
      ['C01WATCHX', [topicRef(json, 'watch')]],
      ['C01NOWXXX', [topicRef(json, 'immediate')]],
    ]);
    for (const c of configs) {
      expect(c).toMatchObject({ region: 'us-east-2', slack_team_id: 'T01ABCDEF', guardrail_policy_arns: ['arn:aws:iam::aws:policy/AWSDenyAll'], user_authorization_required: true });
    }
    const trust = statements(onlyResource(json, 'aws_iam_role').assume_role_policy)[0];
    // Chatbot documents no aws:SourceAccount for its channel role (docs.aws.amazon.com/chatbot/latest/adminguide/security-iam.html):
    // a condition on a key the service does not send would refuse every AssumeRole.
    expect(trust).toEqual({ Effect: 'Allow', Principal: { Service: 'chatbot.amazonaws.com' }, Action: 'sts:AssumeRole' });
  });

  it('has no Chatbot resources without Slack ids', () => {
    const json = synth();
    expect(resourcesOf(json, 'aws_chatbot_slack_channel_configuration')).toEqual({});
    expect(resourcesOf(json, 'aws_iam_role')).toEqual({});
  });

  it('activates cost allocation tags only when asked (the payer account)', () => {
    expect(resourcesOf(synth(), 'aws_ce_cost_allocation_tag')).toEqual({});
    const tags = Object.values(resourcesOf(synth({ costAllocationTags: ['Team', 'CostCenter'] }), 'aws_ce_cost_allocation_tag'));
    expect(tags.map((t) => [t.tag_key, t.status])).toEqual([['Team', 'Active'], ['CostCenter', 'Active']]);
  });

  it('adds a Datadog monitor on estimated charges routed to the given Slack handle', () => {
    const json = synth({ estimatedCharges: { thresholdUsd: 6000, notify: '@slack-ws-watch' } });
    const monitor = onlyResource(json, 'datadog_monitor');
    expect(monitor.query).toBe('max(last_12h):max:aws.billing.estimated_charges{account:acct} > 6000');
    expect(monitor.message).toContain('@slack-ws-watch');
    expect(monitor.monitor_thresholds.critical).toBe('6000');
  });

  it.each<[string, Partial<CostGuardrailsProps>, string]>([
    ['a zero budget', { monthlyBudgetUsd: 0 }, 'monthlyBudgetUsd: got 0, expected an amount above 0 (USD)'],
    ['no actual threshold', { actualThresholdsPercent: [] }, 'actualThresholdsPercent: got [], expected at least one threshold'],
    ['a negative threshold', { actualThresholdsPercent: [-5] }, 'actualThresholdsPercent[0]: got -5, expected a percentage above 0 and at most 1000'],
    ['a repeated threshold', { actualThresholdsPercent: [80, 80] }, 'actualThresholdsPercent: got [80, 80], expected distinct thresholds'],
    // docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_Notification.html: "A budget can have up to ten notifications".
    ['ten actual thresholds (eleven notifications with the forecast)', { actualThresholdsPercent: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100] }, 'actualThresholdsPercent: got [10, 20, 30, 40, 50, 60, 70, 80, 90, 100], expected at most 9 thresholds (a budget takes 10 notifications, one of them the forecast)'],
    ['eleven e-mail addresses', { emails: Array.from({ length: 11 }, (_, i) => `a${i}@example.com`) }, 'emails: got 11, expected at most 10 addresses'],
    ['a bad address', { emails: ['finance'] }, 'emails[0]: got "finance", expected an e-mail address'],
    ['nobody to tell', { emails: [] }, 'chatbot: got nothing, expected Slack channel ids, or at least one e-mail address'],
    ['a channel name for an id', { chatbot: { workspaceId: 'T01ABCDEF', watchChannelId: '#infra-watch', immediateChannelId: 'C01NOWXXX' } }, 'chatbot.watchChannelId: got "#infra-watch", expected a Slack channel id (C... or G...), not its name'],
    ['a zero anomaly threshold', { anomalyThresholdUsd: 0 }, 'anomalyThresholdUsd: got 0, expected an amount above 0 (USD)'],
  ])('refuses %s, naming the prop, the value and what is allowed', (_, props, message) => {
    let error: unknown;
    try {
      synth(props);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PropsError);
    expect((error as Error).message).toContain('CostGuardrails test/cost: ');
    expect((error as Error).message).toContain(message);
  });
});

/** An account id registered with this tier in accounts/registry.ts. */
const registeredAs = (tier: string) => Object.keys(ACCOUNT_TIERS).find((id) => ACCOUNT_TIERS[id] === tier)!;

/** Staging's config as another account with no budget (layering cannot remove a key). */
const withoutBudget = (name: string, accountId: string, environment: string) =>
  resolveAccounts([{ folder: name, overrides: { ...(environment === 'sandbox' ? sandbox : staging), name, accountId, environment, cost: { emails: ['cost@example.com'] } } }], sharedDefaults)[0];

describe('cost guardrails in the account stacks', () => {
  const accounts = loadAccounts();

  it.each(accounts.map((a) => [a.name, a] as const))('%s has a budget of the amount in its config, alerting its e-mail fallback', (_, account) => {
    const json = synthAccount(account);
    const budget = onlyResource(json, 'aws_budgets_budget');
    expect(Number(budget.limit_amount)).toBe(account.cost.monthlyBudgetUsd);
    for (const n of budget.notification) expect(n.subscriber_email_addresses).toEqual(account.cost.emails);
  });

  it.each(accounts.map((a) => [a.name, a] as const))('%s sends the forecast breach to the immediate topic exactly when it is production', (_, account) => {
    const json = synthAccount(account);
    const forecast = (onlyResource(json, 'aws_budgets_budget').notification as TerraformJson[]).find((n) => n.notification_type === 'FORECASTED')!;
    expect(forecast.subscriber_sns_topic_arns[0]).toBe(topicRef(json, account.environment === 'production' ? 'immediate' : 'watch'));
  });

  it('collects billing metrics in us-east-1 where the estimated-charges monitor is on, and only there', () => {
    for (const account of accounts.filter((a) => a.monitoring.enabled)) {
      const json = synthAccount(account);
      const integration = onlyResource(json, 'datadog_integration_aws_account');
      const wanted = account.cost.estimatedChargesAlertUsd !== undefined;
      expect(integration.aws_regions.include_only.includes('us-east-1')).toBe(wanted);
      expect(integration.metrics_config.namespace_filters.include_only.includes('AWS/Billing')).toBe(wanted);
      expect(Object.values(resourcesOf(json, 'datadog_monitor')).some((m) => String(m.query).includes('aws.billing.estimated_charges'))).toBe(wanted);
    }
  });

  it.each(['production', 'staging'])('refuses a %s account without a monthly budget, in the loader format', (environment) => {
    const id = registeredAs(environment);
    const message = errorOf(() => withoutBudget(`x-${environment}`, id, environment));
    expect(message).toContain(`accounts/x-${environment}: cost.monthlyBudgetUsd: got nothing, expected a monthly budget in USD: required for a ${environment} account`);
  });

  it('refuses more than 10 e-mail addresses and a Slack channel name in config', () => {
    const emails = Array.from({ length: 11 }, (_, i) => `a${i}@example.com`);
    const message = errorOf(() => testAccount({ cost: { monthlyBudgetUsd: 100, emails, chatbot: { workspaceId: 'T01ABCDEF', watchChannelId: 'infra-watch', immediateChannelId: 'C01ABCDEF' } } }));
    expect(message).toContain('cost.emails: got');
    expect(message).toContain('cost.chatbot.watchChannelId: got "infra-watch", expected a Slack channel id (C...), not its name');
  });

  it('accepts a sandbox account without a budget at load time; the COST-BUDGET rule then refuses its stack', () => {
    const account = withoutBudget('x-sandbox', registeredAs('sandbox'), 'sandbox');
    expect(account.cost.monthlyBudgetUsd).toBeUndefined();
    const stack = new AccountStack(Testing.app(), { account });
    expect(resourcesOf(stack.toTerraform() as TerraformJson, 'aws_budgets_budget')).toEqual({});
    expect(stack.policy.run().violations.map((v) => `${v.rule.id} ${v.stack}`)).toEqual(['COST-BUDGET x-sandbox']);
  });
});

describe('COST-BUDGET', () => {
  it('is judged once per stack: a stack without a budget has exactly one violation, on its first resource', () => {
    const stack = stackOf('s', { resource: { aws_vpc: { a: {} }, aws_subnet: { b: {}, c: {} } } });
    const report = evaluate(stack, rulesIn(['baseline']).filter((r) => r.id === 'COST-BUDGET'), []);
    expect(report.violations.map((v) => `${v.rule.id} ${v.resource.type}.${v.resource.name}`)).toEqual(['COST-BUDGET aws_vpc.a']);
    expect(report.notApplicable).toBe(2);
  });

  it.each<[string, TerraformJson]>([
    ['an amount of 0', { limit_amount: '0.00' }],
    ['a usage budget', { budget_type: 'USAGE' }],
    ['a yearly budget', { time_unit: 'ANNUALLY' }],
    ['no forecast alert', { notification: [{ notification_type: 'ACTUAL', subscriber_email_addresses: ['a@example.com'] }] }],
  ])('refuses a budget with %s', (_, change) => {
    const budget = { budget_type: 'COST', time_unit: 'MONTHLY', limit_amount: '10.00', notification: [{ notification_type: 'ACTUAL', subscriber_email_addresses: ['a@example.com'] }, { notification_type: 'FORECASTED', subscriber_sns_topic_arns: ['t'] }], ...change };
    const stack = stackOf('s', { resource: { aws_budgets_budget: { b: budget } } });
    expect(evaluate(stack, rulesIn(['baseline']).filter((r) => r.id === 'COST-BUDGET'), []).violations).toHaveLength(1);
  });
});
