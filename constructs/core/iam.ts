/** IAM policy JSON, built here so every construct writes policies the same way. */

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

/** A trust policy letting one AWS service assume a role, limited to this account. */
export function serviceTrust(service: string, accountId?: string): string {
  return policyDocument({
    Effect: 'Allow',
    Principal: { Service: service },
    Action: 'sts:AssumeRole',
    // Guards against the confused-deputy problem where the service supports it.
    ...(accountId ? { Condition: { StringEquals: { 'aws:SourceAccount': accountId } } } : {}),
  });
}

/** A resource-policy statement refusing any request not made over TLS. */
export function denyInsecureTransport(action: string, resource: string | readonly string[]): Statement {
  return { Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: action, Resource: resource, Condition: { Bool: { 'aws:SecureTransport': false } } };
}

/** The ARN of an AWS managed policy. */
export const managedPolicy = (name: string): string => `arn:aws:iam::aws:policy/${name}`;
