/** IAM policy JSON, built here so every construct writes policies the same way. */
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Token } from 'cdktf';
import { Construct } from 'constructs';

export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Principal?: Record<string, string | readonly string[]> | '*';
  readonly Condition?: Record<string, Record<string, string | readonly string[] | boolean>>;
}

/** A policy document as the JSON string IAM, S3 and SQS expect. Tokens resolve inside it. */
export function policyDocument(...statements: Statement[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/**
 * A trust policy letting one AWS service assume a role. With `accountId` (and `sourceArn`),
 * only on behalf of this account's resources: the confused-deputy guard, for services that
 * document sending aws:SourceAccount / aws:SourceArn when they assume a role (not EC2
 * instance profiles, whose trust has no source to name).
 */
export function serviceTrust(service: string, accountId?: string, sourceArn?: string): string {
  const condition = {
    ...(accountId ? { StringEquals: { 'aws:SourceAccount': accountId } } : {}),
    ...(sourceArn ? { ArnLike: { 'aws:SourceArn': sourceArn } } : {}),
  };
  return policyDocument({
    Effect: 'Allow',
    Principal: { Service: service },
    Action: 'sts:AssumeRole',
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  });
}

/**
 * The id of the account the stack deploys to, for constructs that are not given it: the one
 * id its AWS provider allows (`allowed_account_ids`), else `data.aws_caller_identity`
 * (one per stack), resolved at plan time.
 */
export function accountIdOf(scope: Construct): string {
  const stack = TerraformStack.of(scope);
  const pinned = stack.node.children.filter((c): c is AwsProvider => c instanceof AwsProvider).map((p) => p.allowedAccountIds ?? []);
  if (pinned.length === 1 && pinned[0].length === 1 && !Token.isUnresolved(pinned[0][0])) return pinned[0][0];
  const existing = stack.node.tryFindChild('caller-identity') as DataAwsCallerIdentity | undefined;
  return (existing ?? new DataAwsCallerIdentity(stack, 'caller-identity')).accountId;
}

/**
 * Attaches AWS managed policies to a role, one aws_iam_role_policy_attachment each, with the
 * ids `<id>-<policy name>`: managed_policy_arns on aws_iam_role is deprecated (provider 6.x,
 * internal/service/iam/role.go) and fights any attachment made elsewhere.
 */
export function attachManagedPolicies(scope: Construct, id: string, roleName: string, names: readonly string[]): IamRolePolicyAttachment[] {
  return names.map((name) => new IamRolePolicyAttachment(scope, `${id}-${name.split('/').pop()}`, { role: roleName, policyArn: managedPolicy(name) }));
}

/** A resource-policy statement refusing any request not made over TLS. */
export function denyInsecureTransport(action: string, resource: string | readonly string[]): Statement {
  return { Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: action, Resource: resource, Condition: { Bool: { 'aws:SecureTransport': false } } };
}

/** The ARN of an AWS managed policy. */
export const managedPolicy = (name: string): string => `arn:aws:iam::aws:policy/${name}`;
