import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { LocalBackend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AccountConfig } from '../accounts/schema';
import { SecureBucket } from '../constructs/core/bucket';
import { managedPolicy, policyDocument } from '../constructs/core/iam';
import { suppress } from '../constructs/core/suppressions';
import { accountTags } from '../stacks/account-stack';

const GITHUB_OIDC = 'token.actions.githubusercontent.com';

export interface BootstrapStackProps {
  /** An account, or the management account (`accounts/management.ts`): the fields the bootstrap reads. */
  readonly account: Pick<AccountConfig, 'name' | 'accountId' | 'region' | 'environment' | 'tags' | 'state' | 'ci'>;
  /**
   * IAM principals (ARN patterns) that may assume the plan role to plan as CI does,
   * e.g. the administrators' SSO roles. @default - none
   */
  readonly plannerPrincipalArns?: readonly string[];
}

/**
 * What must exist before CI can plan an account, made once by an administrator with
 * local state: the state bucket (and its key), GitHub's OIDC provider, the plan role
 * and the apply role.
 */
export class BootstrapStack extends TerraformStack {
  constructor(scope: Construct, props: BootstrapStackProps) {
    const { account } = props;
    super(scope, `bootstrap-${account.name}`);
    new LocalBackend(this, { path: `bootstrap-${account.name}.tfstate` });
    new AwsProvider(this, 'aws', { region: account.region, allowedAccountIds: [account.accountId], defaultTags: [{ tags: accountTags(account) }] });

    const key = new KmsKey(this, 'state-key', { description: `Terraform state of ${account.name}`, enableKeyRotation: true, deletionWindowInDays: 30 });
    new KmsAlias(this, 'state-key-alias', { name: 'alias/terraform-state', targetKeyId: key.keyId });
    const bucket = new SecureBucket(this, 'state', { bucketName: account.state.bucket, kmsKeyArn: key.arn });

    const oidc = new IamOpenidConnectProvider(this, 'github-oidc', { url: `https://${GITHUB_OIDC}`, clientIdList: ['sts.amazonaws.com'] });
    const repo = account.tags.repository;
    const roleArn = (name: string) => `arn:aws:iam::${account.accountId}:role/${name}`;

    /** GitHub OIDC for the given `sub` claims, and the role itself (the provider's assume_role). */
    const trust = (name: string, subjects: string[], extraPrincipals: readonly string[] = []) =>
      policyDocument(
        {
          Sid: 'GitHubActions',
          Effect: 'Allow',
          Principal: { Federated: oidc.arn },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { [`${GITHUB_OIDC}:aud`]: 'sts.amazonaws.com' }, StringLike: { [`${GITHUB_OIDC}:sub`]: subjects } },
        },
        {
          // A role may assume itself only when its trust policy says so (AWS no longer
          // allows it implicitly). The account root, narrowed to the named principals.
          Sid: 'ItselfAndNamedPrincipals',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${account.accountId}:root` },
          Action: 'sts:AssumeRole',
          Condition: { ArnLike: { 'aws:PrincipalArn': [roleArn(name), ...extraPrincipals] } },
        },
      );

    // Plan: pull requests of this repository, and main (the daily drift check).
    const plan = new IamRole(this, 'plan-role', {
      name: account.ci.planRole,
      description: 'CI: terraform plan (read-only) on pull requests and drift checks',
      maxSessionDuration: 3600,
      assumeRolePolicy: trust(account.ci.planRole, [`repo:${repo}:pull_request`, `repo:${repo}:ref:refs/heads/main`], props.plannerPrincipalArns),
      managedPolicyArns: [managedPolicy('ReadOnlyAccess')],
    });
    new IamRolePolicy(this, 'plan-state', {
      role: plan.id,
      policy: policyDocument(
        { Sid: 'ReadState', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: bucket.bucketArn },
        { Sid: 'ReadStateObjects', Effect: 'Allow', Action: ['s3:GetObject'], Resource: `${bucket.bucketArn}/*` },
        // S3-native locking: a plan holds the lock by writing <key>.tflock.
        { Sid: 'Lock', Effect: 'Allow', Action: ['s3:PutObject', 's3:DeleteObject'], Resource: `${bucket.bucketArn}/*.tflock` },
        { Sid: 'StateKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], Resource: key.arn },
      ),
    });
    // ReadOnlyAccess reads every object and parameter: a plan needs descriptions, not data.
    new IamRolePolicy(this, 'plan-no-data', {
      role: plan.id,
      policy: policyDocument(
        { Sid: 'NoObjectsButState', Effect: 'Deny', Action: ['s3:GetObject', 's3:GetObjectVersion'], NotResource: `${bucket.bucketArn}/*` },
        { Sid: 'NoSecrets', Effect: 'Deny', Action: ['secretsmanager:GetSecretValue', 'ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath'], Resource: '*' },
      ),
    });

    // Apply: only jobs running in this account's GitHub environment (main only, reviewers
    // for production: set on the environment, see bootstrap/README.md).
    const apply = new IamRole(this, 'apply-role', {
      name: account.ci.applyRole,
      description: 'CI: terraform apply after merge, from the account environment only',
      maxSessionDuration: 3600,
      assumeRolePolicy: trust(account.ci.applyRole, [`repo:${repo}:environment:${account.name}`]),
      managedPolicyArns: [managedPolicy('AdministratorAccess')],
    });
    suppress(apply, 'IAM-NO-ADMIN', 'terraform apply creates and changes IAM, KMS and every other service of the account; only the account GitHub environment can assume the role');
  }
}
