import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { Monitor } from '@cdktf/provider-datadog/lib/monitor';
import { Construct } from 'constructs';
import { denyInsecureTransport, policyDocument } from '../core/iam';
import { accountKmsKey, eventBridgePublishes } from '../core/kms';
import { checkProps } from '../core/validation';

export interface BreakGlassAlertProps {
  /** The break-glass permission set's name (the `role_name` of the event). */
  readonly permissionSetName: string;
  /**
   * The management account, where IAM Identity Center records the event. The stack's
   * provider must be in the Identity Center instance's region: the event is recorded, and
   * delivered to EventBridge, there only.
   */
  readonly accountId: string;
  /**
   * Also send each event to Datadog, through its SNS intake, where a P1 monitor posts it to
   * Slack through Datadog's Slack integration (the route every alert of this repository takes).
   * The stack must declare the Datadog provider.
   * @default - the SNS topic only
   */
  readonly datadog?: BreakGlassDatadogRoute;
}

export interface BreakGlassDatadogRoute {
  /** Datadog site, e.g. `ap1.datadoghq.com`. */
  readonly site: string;
  /** A Datadog API key (a Terraform variable reference: it becomes part of the subscription URL). */
  readonly apiKey: string;
  /** The Slack handle the monitor notifies, `@slack-<workspace>-<channel>`. */
  readonly slackHandle: string;
  /** Tags on the monitor (`account:`, `env:`, `team:`). @default [] */
  readonly tags?: readonly string[];
}

/**
 * An alert each time someone takes credentials of the break-glass permission set.
 *
 * When a user opens a permission set in an account, from the access portal or the CLI,
 * IAM Identity Center records `GetRoleCredentials` (event source `sso.amazonaws.com`, an
 * `AwsServiceEvent`) in the management account, in its own region, with the permission
 * set in `serviceEventDetails.role_name` and the target in `serviceEventDetails.account_id`.
 * CloudTrail delivers it to EventBridge there as "AWS Service Event via CloudTrail"; the rule
 * sends it to an SNS topic encrypted with a key of its own. The event is a read-only
 * management event (`readOnly: true`, a `Get` name), which a rule in state `ENABLED` never
 * matches: the rule is `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail-management.html
 * @see https://docs.aws.amazon.com/singlesignon/latest/userguide/logging-using-cloudtrail.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html
 */
export class BreakGlassAlert extends Construct {
  public readonly topicArn: string;
  /** The EventBridge event pattern (JSON). */
  public readonly eventPattern: string;

  constructor(scope: Construct, id: string, props: BreakGlassAlertProps) {
    super(scope, id);
    checkProps(this, 'BreakGlassAlert', [
      [!/^[\w+=,.@-]{1,32}$/.test(props.permissionSetName), 'permissionSetName', props.permissionSetName, 'a permission set name'],
      [props.datadog !== undefined && !/^@slack-[\w-]+$/.test(props.datadog.slackHandle), 'datadog.slackHandle', props.datadog?.slackHandle, 'a Datadog Slack handle, @slack-<workspace>-<channel>'],
    ]);
    this.eventPattern = JSON.stringify({
      source: ['aws.sso'],
      'detail-type': ['AWS Service Event via CloudTrail'],
      detail: { eventSource: ['sso.amazonaws.com'], eventName: ['GetRoleCredentials'], serviceEventDetails: { role_name: [props.permissionSetName] } },
    });
    const rule = new CloudwatchEventRule(this, 'rule', {
      name: 'break-glass-used',
      description: `Someone took credentials of the ${props.permissionSetName} permission set`,
      eventPattern: this.eventPattern,
      state: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
    });
    // EventBridge publishes to an encrypted topic only if the key lets it encrypt.
    const key = accountKmsKey(this, 'key', 'Encrypts the break-glass alert topic', props.accountId,
      eventBridgePublishes(),
    );
    new KmsAlias(this, 'key-alias', { name: 'alias/break-glass-alert', targetKeyId: key.keyId });
    const topic = new SnsTopic(this, 'topic', { name: 'break-glass-used', kmsMasterKeyId: key.arn });
    this.topicArn = topic.arn;
    new SnsTopicPolicy(this, 'topic-policy', {
      arn: topic.arn,
      policy: policyDocument(
        { Sid: 'RulePublishes', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish', Resource: topic.arn, Condition: { ArnEquals: { 'aws:SourceArn': rule.arn } } },
        denyInsecureTransport('sns:Publish', topic.arn),
      ),
    });
    new CloudwatchEventTarget(this, 'target', { rule: rule.name, arn: topic.arn, targetId: 'sns' });
    if (props.datadog) this.routeToDatadog(props.datadog, props.permissionSetName, topic.arn);
  }

  /**
   * Datadog's SNS integration: an HTTPS subscription to `https://app.<site>/intake/webhook/sns`
   * with an API key, raw message delivery off, turns each message into a Datadog event. The
   * message is the EventBridge event, whose text holds `GetRoleCredentials` and the set's name.
   * @see https://docs.datadoghq.com/integrations/amazon_sns/
   */
  private routeToDatadog(route: BreakGlassDatadogRoute, permissionSetName: string, topicArn: string): void {
    new SnsTopicSubscription(this, 'datadog', {
      topicArn,
      protocol: 'https',
      endpoint: `https://app.${route.site}/intake/webhook/sns?api_key=${route.apiKey}`,
      rawMessageDelivery: false,
      // Datadog's intake confirms the subscription itself (its setup has no confirmation step).
      endpointAutoConfirms: true,
    });
    const search = `GetRoleCredentials ${permissionSetName}`;
    new Monitor(this, 'monitor', {
      name: '[P1] [management] Break-glass access used',
      type: 'event-v2 alert',
      query: `events("${search}").rollup("count").last("5m") > 0`,
      message: [
        '{{#is_alert}}ALERT{{/is_alert}}{{#is_recovery}}RECOVERED{{/is_recovery}} (P1)',
        '',
        `**What it means:** someone took credentials of the ${permissionSetName} permission set (administrator, one hour).`,
        '**What to do:** find who and why in the Datadog event (the user id is in userIdentity.onBehalfOf), confirm with them, and record the reason in the incident channel.',
        '',
        route.slackHandle,
      ].join('\n'),
      priority: '1',
      tags: [...(route.tags ?? []), 'managed-by:cdktf', 'service:identity-center', 'priority:p1'],
      monitorThresholds: { critical: '0' },
      notifyNoData: false,
      includeTags: true,
    });
  }
}
