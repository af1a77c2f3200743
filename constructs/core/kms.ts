/** Customer managed KMS keys, written the same way by every construct that needs one. */
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { Construct } from 'constructs';
import { Statement, policyDocument } from './iam';

/**
 * A customer managed key with yearly rotation and the longest deletion window (30 days),
 * administered by the account (its root principal, so IAM policies decide who may manage
 * it); `uses` are the statements letting services use it.
 */
export function accountKmsKey(scope: Construct, id: string, description: string, accountId: string, ...uses: Statement[]): KmsKey {
  return new KmsKey(scope, id, {
    description,
    enableKeyRotation: true,
    deletionWindowInDays: 30,
    policy: policyDocument({ Sid: 'AccountAdministers', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: 'kms:*', Resource: '*' }, ...uses),
  });
}

/**
 * Lets AWS services publish to an SNS topic encrypted with the key, on behalf of this account
 * only (aws:SourceAccount: the confused-deputy guard).
 */
export function servicesPublish(sid: string, services: string | readonly string[], accountId: string): Statement {
  return { Sid: sid, Effect: 'Allow', Principal: { Service: services }, Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Resource: '*', Condition: { StringEquals: { 'aws:SourceAccount': accountId } } };
}

/**
 * Lets EventBridge publish to an SNS topic encrypted with the key. No aws:SourceAccount or
 * aws:SourceArn here: "Adding the aws:SourceAccount and aws:SourceArn to a AWS KMS policy is
 * not supported for EventBridge-to-encrypted topics" (docs.aws.amazon.com/sns/latest/dg/
 * sns-key-management.html): with them every event is dropped. The topic policy narrows
 * sns:Publish to the rule instead.
 */
export function eventBridgePublishes(): Statement {
  return { Sid: 'EventBridgePublishes', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Resource: '*' };
}
