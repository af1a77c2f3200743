import { BudgetsBudget, BudgetsBudgetNotification } from '@cdktf/provider-aws/lib/budgets-budget';
import { CeAnomalyMonitor } from '@cdktf/provider-aws/lib/ce-anomaly-monitor';
import { CeAnomalySubscription } from '@cdktf/provider-aws/lib/ce-anomaly-subscription';
import { CeCostAllocationTag } from '@cdktf/provider-aws/lib/ce-cost-allocation-tag';
import { ChatbotSlackChannelConfiguration } from '@cdktf/provider-aws/lib/chatbot-slack-channel-configuration';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { Monitor } from '@cdktf/provider-datadog/lib/monitor';
import { Construct } from 'constructs';
import { denyInsecureTransport, managedPolicy, policyDocument, serviceTrust } from '../core/iam';
import { accountKmsKey, servicesPublish } from '../core/kms';
import { Rule, checkProps } from '../core/validation';

/**
 * Slack delivery through AWS Chatbot. The workspace must have been authorised once in the
 * Chatbot console (an OAuth step no API performs); its id and the channels' ids (not names)
 * are shown there and in Slack's channel details.
 * @see https://docs.aws.amazon.com/chatbot/latest/adminguide/slack-setup.html
 */
export interface CostChatbotSettings {
  /** Slack workspace (team) id, e.g. `T01ABCDEF`. */
  readonly workspaceId: string;
  /** Channel id of the account's watch channel, e.g. `C01ABCDEF`. */
  readonly watchChannelId: string;
  /** Channel id of the account's immediate channel. */
  readonly immediateChannelId: string;
}

/** A Datadog monitor on `aws.billing.estimated_charges` (see the README for what it needs). */
export interface EstimatedChargesMonitor {
  /** Alert when the month's estimated charges pass this, USD. */
  readonly thresholdUsd: number;
  /** Datadog Slack handle the alert goes to, e.g. `@slack-example-co-infra-watch`. */
  readonly notify: string;
}

export interface CostGuardrailsProps {
  /** Name prefix of every resource: the account (or preview) name. */
  readonly name: string;
  /** The AWS account id: the services' aws:SourceAccount condition. */
  readonly accountId: string;
  /** Monthly cost budget, USD. @see https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-create.html */
  readonly monthlyBudgetUsd: number;
  /** Actual-cost alerts, percent of the budget. @default [80, 100] */
  readonly actualThresholdsPercent?: readonly number[];
  /** Forecast alert, percent of the budget. @default 100 */
  readonly forecastThresholdPercent?: number;
  /**
   * Whether a forecast breach needs action now (production): it goes to the immediate
   * topic instead of the watch topic. @default false
   */
  readonly forecastIsImmediate?: boolean;
  /** E-mail fallback: every budget alert, and a daily anomaly summary. At most 10 (Budgets API). @default [] */
  readonly emails?: readonly string[];
  /** Anomalies whose total impact is at least this, USD, are notified. @default 100 */
  readonly anomalyThresholdUsd?: number;
  /** Slack through AWS Chatbot. @default - no Slack delivery: e-mail only */
  readonly chatbot?: CostChatbotSettings;
  /**
   * Activate these tag keys as cost allocation tags. Only the management (payer) account of
   * an AWS Organization can: leave empty in member accounts.
   * @see https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/custom-tags.html
   * @default []
   */
  readonly costAllocationTags?: readonly string[];
  /** @default - no Datadog monitor on estimated charges */
  readonly estimatedCharges?: EstimatedChargesMonitor;
  /** Create the account-wide AWS-services anomaly monitor: one per account (a second would watch the same spend and alert twice). @default true */
  readonly anomalyMonitor?: boolean;
}

/** Chatbot's API answers in us-east-2 only (aws/aws-cli#8658: no us-east-1 endpoint); configurations are global. */
export const CHATBOT_REGION = 'us-east-2';

/** Budgets: one SNS and up to 10 e-mail subscribers per notification (API_budgets_NotificationWithSubscribers). */
export const MAX_BUDGET_EMAILS = 10;

/** Budgets: a budget has at most ten notifications (API_budgets_Notification); one is the forecast. */
export const MAX_BUDGET_NOTIFICATIONS = 10;

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const SLACK_ID = (prefix: string) => new RegExp(`^${prefix}[A-Z0-9]{6,}$`);

/**
 * An account's cost guardrails: a monthly cost budget with actual and forecast alerts,
 * Cost Anomaly Detection on every AWS service with a threshold, both delivered to an
 * encrypted SNS topic that AWS Chatbot posts to Slack, with e-mail as the fallback.
 */
export class CostGuardrails extends Construct {
  public readonly budget: BudgetsBudget;
  /** Topic for alerts that need a look (watch channel). */
  public readonly watchTopicArn: string;
  /** Topic for alerts that need action now (immediate channel). */
  public readonly immediateTopicArn: string;
  public readonly anomalyMonitorArn?: string;

  constructor(scope: Construct, id: string, props: CostGuardrailsProps) {
    super(scope, id);
    const actual = props.actualThresholdsPercent ?? [80, 100];
    const forecast = props.forecastThresholdPercent ?? 100;
    const forecastIsImmediate = props.forecastIsImmediate ?? false;
    const emails = props.emails ?? [];
    const anomalyThresholdUsd = props.anomalyThresholdUsd ?? 100;
    const costAllocationTags = props.costAllocationTags ?? [];
    const anomalyMonitor = props.anomalyMonitor ?? true;

    const percent = (v: number) => v > 0 && v <= 1000;
    const rules: Rule[] = [
      [!(props.monthlyBudgetUsd > 0), 'monthlyBudgetUsd', props.monthlyBudgetUsd, 'an amount above 0 (USD)'],
      [actual.length === 0, 'actualThresholdsPercent', actual, 'at least one threshold'],
      ...actual.map((t, i): Rule => [!percent(t), `actualThresholdsPercent[${i}]`, t, 'a percentage above 0 and at most 1000']),
      [new Set(actual).size !== actual.length, 'actualThresholdsPercent', actual, 'distinct thresholds'],
      [actual.length > MAX_BUDGET_NOTIFICATIONS - 1, 'actualThresholdsPercent', actual, `at most ${MAX_BUDGET_NOTIFICATIONS - 1} thresholds (a budget takes ${MAX_BUDGET_NOTIFICATIONS} notifications, one of them the forecast)`],
      [!percent(forecast), 'forecastThresholdPercent', forecast, 'a percentage above 0 and at most 1000'],
      [emails.length > MAX_BUDGET_EMAILS, 'emails', emails.length, `at most ${MAX_BUDGET_EMAILS} addresses (a budget notification takes one SNS and 10 e-mail subscribers)`],
      ...emails.map((e, i): Rule => [!EMAIL.test(e), `emails[${i}]`, e, 'an e-mail address']),
      [!(anomalyThresholdUsd > 0), 'anomalyThresholdUsd', anomalyThresholdUsd, 'an amount above 0 (USD)'],
      [!props.chatbot && emails.length === 0, 'chatbot', undefined, 'Slack channel ids, or at least one e-mail address: alerts must reach someone'],
      ...(props.chatbot
        ? ([
            [!SLACK_ID('T').test(props.chatbot.workspaceId), 'chatbot.workspaceId', props.chatbot.workspaceId, 'a Slack workspace id (T...)'],
            [!SLACK_ID('[CG]').test(props.chatbot.watchChannelId), 'chatbot.watchChannelId', props.chatbot.watchChannelId, 'a Slack channel id (C... or G...), not its name'],
            [!SLACK_ID('[CG]').test(props.chatbot.immediateChannelId), 'chatbot.immediateChannelId', props.chatbot.immediateChannelId, 'a Slack channel id (C... or G...), not its name'],
          ] as Rule[])
        : []),
      [props.estimatedCharges !== undefined && !(props.estimatedCharges.thresholdUsd > 0), 'estimatedCharges.thresholdUsd', props.estimatedCharges?.thresholdUsd, 'an amount above 0 (USD)'],
    ];
    checkProps(this, 'CostGuardrails', rules);

    // Budgets and Cost Anomaly Detection publish as their service principals; with a
    // customer managed key they need to use it, limited to this account (confused deputy).
    const publishers = ['budgets.amazonaws.com', 'costalerts.amazonaws.com'];
    const key = accountKmsKey(this, 'key', `Encrypts the cost alert topics of ${props.name}`, props.accountId,
      servicesPublish('CostServicesPublish', publishers, props.accountId),
    );

    const topic = (tid: string, purpose: string): SnsTopic => {
      const t = new SnsTopic(this, tid, { name: `${props.name}-cost-${tid}`, displayName: `${props.name} cost ${purpose}`, kmsMasterKeyId: key.arn });
      new SnsTopicPolicy(this, `${tid}-policy`, {
        arn: t.arn,
        // The statements AWS documents for each service, limited to this account's budgets
        // and anomaly subscriptions (docs.aws.amazon.com/cost-management/latest/userguide/
        // budgets-sns-policy.html and ad-SNS.html).
        policy: policyDocument(
          {
            Sid: 'BudgetsPublish',
            Effect: 'Allow',
            Principal: { Service: 'budgets.amazonaws.com' },
            Action: 'SNS:Publish',
            Resource: t.arn,
            Condition: { StringEquals: { 'aws:SourceAccount': props.accountId }, ArnLike: { 'aws:SourceArn': `arn:aws:budgets::${props.accountId}:*` } },
          },
          {
            Sid: 'AnomalyDetectionPublish',
            Effect: 'Allow',
            Principal: { Service: 'costalerts.amazonaws.com' },
            Action: 'SNS:Publish',
            Resource: t.arn,
            Condition: { StringEquals: { 'aws:SourceAccount': props.accountId } },
          },
          denyInsecureTransport('SNS:Publish', t.arn),
        ),
      });
      return t;
    };
    const watch = topic('watch', 'alerts (needs a look)');
    const immediate = topic('immediate', 'alerts (needs action now)');
    this.watchTopicArn = watch.arn;
    this.immediateTopicArn = immediate.arn;

    if (props.chatbot) {
      // Notifications only: the guardrail denies every action, so nobody can run a command
      // from the channel with the Chatbot role.
      // No aws:SourceAccount condition: the Chatbot (Amazon Q Developer in chat applications)
      // guide documents none for its channel role's trust, and a condition on a key the
      // service does not send refuses every AssumeRole (docs.aws.amazon.com/chatbot/latest/adminguide/security-iam.html).
      const role = new IamRole(this, 'chatbot-role', { name: `${props.name}-cost-chatbot`, description: 'AWS Chatbot posts cost alerts to Slack', assumeRolePolicy: serviceTrust('chatbot.amazonaws.com') });
      const channel = (cid: string, channelId: string, t: SnsTopic) =>
        new ChatbotSlackChannelConfiguration(this, `chatbot-${cid}`, {
          configurationName: `${props.name}-cost-${cid}`,
          region: CHATBOT_REGION,
          iamRoleArn: role.arn,
          slackTeamId: props.chatbot!.workspaceId,
          slackChannelId: channelId,
          snsTopicArns: [t.arn],
          guardrailPolicyArns: [managedPolicy('AWSDenyAll')],
          userAuthorizationRequired: true,
          loggingLevel: 'ERROR',
        });
      channel('watch', props.chatbot.watchChannelId, watch);
      channel('immediate', props.chatbot.immediateChannelId, immediate);
    }

    const notification = (type: 'ACTUAL' | 'FORECASTED', threshold: number, t: SnsTopic): BudgetsBudgetNotification => ({
      comparisonOperator: 'GREATER_THAN',
      notificationType: type,
      threshold,
      thresholdType: 'PERCENTAGE',
      subscriberSnsTopicArns: [t.arn],
      subscriberEmailAddresses: emails.length ? [...emails] : undefined,
    });
    this.budget = new BudgetsBudget(this, 'budget', {
      name: `${props.name}-monthly`,
      budgetType: 'COST',
      timeUnit: 'MONTHLY',
      limitAmount: props.monthlyBudgetUsd.toFixed(2),
      limitUnit: 'USD',
      notification: [
        ...actual.map((t) => notification('ACTUAL', t, t >= 100 && forecastIsImmediate ? immediate : watch)),
        notification('FORECASTED', forecast, forecastIsImmediate ? immediate : watch),
      ],
      dependsOn: [watch, immediate],
    });

    if (anomalyMonitor) {
      const monitor = new CeAnomalyMonitor(this, 'anomaly-monitor', { name: `${props.name}-services`, monitorType: 'DIMENSIONAL', monitorDimension: 'SERVICE' });
      this.anomalyMonitorArn = monitor.arn;
      const threshold = {
        dimension: { key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE', matchOptions: ['GREATER_THAN_OR_EQUAL'], values: [String(anomalyThresholdUsd)] },
      };
      // IMMEDIATE subscriptions notify SNS only; DAILY and WEEKLY ones e-mail only
      // (API_AnomalySubscription, Frequency).
      new CeAnomalySubscription(this, 'anomaly-alerts', {
        name: `${props.name}-anomalies`,
        frequency: 'IMMEDIATE',
        monitorArnList: [monitor.arn],
        subscriber: [{ type: 'SNS', address: watch.arn }],
        thresholdExpression: threshold,
        dependsOn: [watch],
      });
      if (emails.length) {
        new CeAnomalySubscription(this, 'anomaly-digest', {
          name: `${props.name}-anomalies-daily`,
          frequency: 'DAILY',
          monitorArnList: [monitor.arn],
          subscriber: emails.map((address) => ({ type: 'EMAIL', address })),
          thresholdExpression: threshold,
        });
      }
    }

    costAllocationTags.forEach((tagKey) => new CeCostAllocationTag(this, `allocation-tag-${tagKey}`, { tagKey, status: 'Active' }));

    if (props.estimatedCharges) {
      const { thresholdUsd, notify } = props.estimatedCharges;
      new Monitor(this, 'estimated-charges', {
        name: `[P3] [${props.name}] Estimated AWS charges above ${thresholdUsd} USD this month`,
        type: 'metric alert',
        // Billing metrics are published every few hours, in us-east-1 only.
        query: `max(last_12h):max:aws.billing.estimated_charges{account:${props.name}} > ${thresholdUsd}`,
        message: [
          `Estimated AWS charges of ${props.name} passed ${thresholdUsd} USD this month (budget ${props.monthlyBudgetUsd} USD).`,
          'Look at Cost Explorer by service and by the Team / CostCenter tags; the budget and anomaly alerts have the detail.',
          '',
          notify,
        ].join('\n'),
        priority: '3',
        tags: [`account:${props.name}`, 'service:cost', 'managed-by:cdktf'],
        monitorThresholds: { critical: String(thresholdUsd) },
        notifyNoData: false,
        requireFullWindow: false,
      });
    }
  }
}
