import { PolicyRule, SynthResource, SynthStack, Verdict, refersTo, resourcesOf, verdict } from '../rule';

/** Cost: every account stack says what a month may cost, and tells someone before it does. */

/** Whether a budget block list holds a notification of `type` with at least one subscriber. */
function notifies(budget: SynthResource, type: 'ACTUAL' | 'FORECASTED'): boolean {
  const notifications = (budget.attributes.notification ?? []) as Array<Record<string, unknown>>;
  const count = (v: unknown) => (Array.isArray(v) ? v.length : typeof v === 'string' ? 1 : 0);
  return notifications.some((n) => n.notification_type === type && count(n.subscriber_sns_topic_arns) + count(n.subscriber_email_addresses) > 0);
}

/** A monthly cost budget with an amount, and actual and forecast alerts that reach someone. */
function budgetComplete(budget: SynthResource): boolean {
  const a = budget.attributes;
  return a.budget_type === 'COST' && a.time_unit === 'MONTHLY' && Number(a.limit_amount) > 0 && notifies(budget, 'ACTUAL') && notifies(budget, 'FORECASTED');
}

export const costRules: PolicyRule[] = [
  {
    id: 'COST-BUDGET',
    pack: 'baseline',
    info: 'Every stack has a monthly AWS cost budget with an amount, and actual and forecast alerts with a subscriber.',
    explanation: 'Without a budget, a forgotten NAT gateway or an oversized database is found on the invoice, a month late.',
    fix: 'Set cost.monthlyBudgetUsd in the account config (constructs/cost builds the budget and its alerts).',
    // A stack-wide rule: judged once per stack, on its first resource, so that a stack
    // without any budget fails it (a rule on aws_budgets_budget would never run there).
    resourceTypes: ['*'],
    check: (r: SynthResource, stack: SynthStack): Verdict => {
      if (r !== stack.resources[0]) return 'not-applicable';
      return verdict(resourcesOf(stack, 'aws_budgets_budget').some(budgetComplete));
    },
  },
  {
    id: 'COST-ANOMALY-ALERTS',
    pack: 'baseline',
    info: 'Every Cost Anomaly Detection monitor has a subscription that alerts someone (an SNS topic or an e-mail address).',
    explanation: 'A monitor without a subscription finds anomalies that only the console shows: nobody is told.',
    fix: 'Keep the anomaly subscriptions CostGuardrails makes (constructs/cost); give the account an e-mail or Slack channel.',
    resourceTypes: ['aws_ce_anomaly_monitor'],
    check: (r, stack) =>
      verdict(
        resourcesOf(stack, 'aws_ce_anomaly_subscription').some(
          (s) => refersTo(s.attributes.monitor_arn_list, r) && ((s.attributes.subscriber ?? []) as Array<Record<string, unknown>>).some((x) => typeof x.address === 'string' && x.address !== ''),
        ),
      ),
  },
];
