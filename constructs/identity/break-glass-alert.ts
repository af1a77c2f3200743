import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { Construct } from 'constructs';
import { denyInsecureTransport, policyDocument } from '../core/iam';
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
}

/**
 * An alert each time someone takes credentials of the break-glass permission set.
 *
 * When a user opens a permission set in an account, from the access portal or the CLI,
 * IAM Identity Center records `GetRoleCredentials` (event source `sso.amazonaws.com`, an
 * `AwsServiceEvent`) in the management account, in its own region, with the permission
 * set in `serviceEventDetails.role_name` and the target in `serviceEventDetails.account_id`.
 * CloudTrail delivers it to EventBridge there as "AWS Service Event via CloudTrail"; the rule
 * sends it to an SNS topic encrypted with a key of its own.
 * @see https://docs.aws.amazon.com/singlesignon/latest/userguide/logging-using-cloudtrail.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html
 */
export class BreakGlassAlert extends Construct {
  public readonly topicArn: string;
  /** The EventBridge event pattern (JSON). */
  public readonly eventPattern: string;

  constructor(scope: Construct, id: string, props: BreakGlassAlertProps) {
    super(scope, id);
    checkProps(this, 'BreakGlassAlert', [[!/^[\w+=,.@-]{1,32}$/.test(props.permissionSetName), 'permissionSetName', props.permissionSetName, 'a permission set name']]);
    this.eventPattern = JSON.stringify({
      source: ['aws.sso'],
      'detail-type': ['AWS Service Event via CloudTrail'],
      detail: { eventSource: ['sso.amazonaws.com'], eventName: ['GetRoleCredentials'], serviceEventDetails: { role_name: [props.permissionSetName] } },
    });
    const rule = new CloudwatchEventRule(this, 'rule', {
      name: 'break-glass-used',
      description: `Someone took credentials of the ${props.permissionSetName} permission set`,
      eventPattern: this.eventPattern,
    });
    // EventBridge publishes to an encrypted topic only if the key lets it encrypt.
    const key = new KmsKey(this, 'key', {
      description: 'Encrypts the break-glass alert topic',
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: policyDocument(
        { Sid: 'AccountAdministers', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${props.accountId}:root` }, Action: 'kms:*', Resource: '*' },
        { Sid: 'EventBridgePublishes', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Resource: '*', Condition: { StringEquals: { 'aws:SourceAccount': props.accountId } } },
      ),
    });
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
  }
}
