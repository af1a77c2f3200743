import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { LocalBackend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AccountConfig } from '../accounts/schema';
import { SecureBucket } from '../constructs/core/bucket';
import { Statement, managedPolicy, policyDocument } from '../constructs/core/iam';
import { suppress } from '../constructs/core/suppressions';
import { STATE_KEY_ALIAS, accountTags } from '../stacks/account-foundation';
import { previewBoundaryArn } from '../stacks/preview-stack';

const GITHUB_OIDC = 'token.actions.githubusercontent.com';

/** The plan role's longest session (the plan jobs ask for this much). */
export const PLAN_SESSION_SECONDS = 3600;
/** The apply role's longest session: apply.yml asks for 3 h (`role-duration-seconds`). */
export const APPLY_SESSION_SECONDS = 10800;

/**
 * Data-plane reads that ReadOnlyAccess grants and no `terraform plan` of these stacks calls:
 * the provider reads queues with GetQueueAttributes, tables with DescribeTable, log groups
 * with DescribeLogGroups, instances with DescribeInstances (get_password_data is never set).
 * Not here: lambda:GetFunction and GetFunctionConfiguration, which return environment
 * variables, because the provider's read of aws_lambda_function calls GetFunction
 * (internal/service/lambda/function.go, findFunction): denying it fails every plan. The
 * functions' environments hold names and ARNs only, never a secret (the secret scan
 * refuses one in the synthesized JSON).
 */
export const PLAN_DENIED_DATA_ACTIONS: readonly string[] = [
  'sqs:ReceiveMessage',
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:PartiQLSelect',
  'dynamodb:GetRecords',
  'dynamodb:ExportTableToPointInTime',
  'logs:GetLogEvents',
  'logs:FilterLogEvents',
  'logs:StartQuery',
  'logs:GetQueryResults',
  'logs:StartLiveTail',
  'logs:GetLogRecord',
  'logs:Unmask',
  'athena:StartQueryExecution',
  'athena:GetQueryResults',
  'athena:GetQueryResultsStream',
  'kinesis:GetRecords',
  'ec2:GetPasswordData',
  'ec2:GetConsoleOutput',
  'ec2:GetConsoleScreenshot',
  'rds:DownloadDBLogFilePortion',
  'rds:DownloadCompleteDBLogFile',
  'cloudtrail:LookupEvents',
  // SES keeps the addresses that bounced or complained (the configuration sets suppress
  // them) and per-message insights with the recipient: mail recipients, like the history
  // table. The provider reads configuration sets and identities with GetConfigurationSet
  // and GetEmailIdentity (internal/service/sesv2/configuration_set.go, email_identity.go).
  'ses:ListSuppressedDestinations',
  'ses:GetSuppressedDestination',
  'ses:GetMessageInsights',
];

/** The objects of AWS's Elastic Beanstalk platform bucket of a region (owned by AWS, not by the account). */
export const beanstalkPlatformObjects = (region: string): string => `arn:aws:s3:::elasticbeanstalk-env-resources-${region}/*`;

/** The OIDC `sub` claims GitHub issues for this repository's CI jobs (docs.github.com, "OpenID Connect reference", example subject claims). */
export function githubSubjects(repo: string, environment = '*'): { plan: string[]; apply: string[] } {
  return {
    plan: [`repo:${repo}:pull_request`, `repo:${repo}:ref:refs/heads/main`, `repo:${repo}:ref:refs/heads/gh-readonly-queue/main/*`],
    apply: [`repo:${repo}:environment:${environment}`],
  };
}

/**
 * Trust of a CI role: GitHub OIDC for the given `sub` claims, and the named principals
 * (administrators planning by hand) when there are any. The role does not trust itself:
 * CI is signed in as the role and the provider assumes nothing (`-var ci_role=current`).
 */
function ciTrust(oidcArn: string, subjects: string[], accountId: string, principals: readonly string[] = []): string {
  return policyDocument(
    {
      Sid: 'GitHubActions',
      Effect: 'Allow',
      Principal: { Federated: oidcArn },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { [`${GITHUB_OIDC}:aud`]: 'sts.amazonaws.com' }, StringLike: { [`${GITHUB_OIDC}:sub`]: subjects } },
    },
    ...(principals.length > 0
      ? [
          {
            // The account root, narrowed to the named principals (their own policies must allow sts:AssumeRole).
            Sid: 'NamedPrincipals',
            Effect: 'Allow' as const,
            Principal: { AWS: `arn:aws:iam::${accountId}:root` },
            Action: 'sts:AssumeRole',
            Condition: { ArnLike: { 'aws:PrincipalArn': [...principals] } },
          },
        ]
      : []),
  );
}

export interface BootstrapStackProps {
  /** An account, or the management account (`accounts/management.ts`): the fields the bootstrap reads. */
  readonly account: Pick<AccountConfig, 'name' | 'accountId' | 'region' | 'environment' | 'tags' | 'state' | 'ci'>;
  /**
   * IAM principals (ARN patterns) that may assume the plan role to plan as CI does,
   * e.g. the administrators' SSO roles. @default - none
   */
  readonly plannerPrincipalArns?: readonly string[];
  /**
   * Make the role the Preview workflow uses in this account (the account previews run in,
   * accounts/<account>/preview.ts). @default - no preview role
   */
  readonly previewRole?: string;
}

/** The GitHub environment preview jobs run in: the preview role trusts exactly it. */
export const PREVIEW_ENVIRONMENT = 'preview';

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
    new KmsAlias(this, 'state-key-alias', { name: STATE_KEY_ALIAS, targetKeyId: key.keyId });
    const bucket = new SecureBucket(this, 'state', { bucketName: account.state.bucket, kmsKeyArn: key.arn });

    const oidc = new IamOpenidConnectProvider(this, 'github-oidc', { url: `https://${GITHUB_OIDC}`, clientIdList: ['sts.amazonaws.com'] });
    const repo = account.tags.repository;

    // Plan: pull requests, the merge queue (pull-request.yml runs on merge_group, whose
    // ref is refs/heads/gh-readonly-queue/main/pr-<n>-<sha>) and main (the approval plan of
    // apply.yml, the daily drift check, release-lock).
    const plan = new IamRole(this, 'plan-role', {
      name: account.ci.planRole,
      description: 'CI: terraform plan (read-only) on pull requests, the merge queue and main',
      maxSessionDuration: PLAN_SESSION_SECONDS,
      assumeRolePolicy: ciTrust(oidc.arn, githubSubjects(repo).plan, account.accountId, props.plannerPrincipalArns),
    });
    new IamRolePolicyAttachment(this, 'plan-read-only', { role: plan.name, policyArn: managedPolicy('ReadOnlyAccess') });
    new IamRolePolicy(this, 'plan-state', {
      role: plan.id,
      policy: policyDocument(
        { Sid: 'ReadState', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: bucket.bucketArn },
        { Sid: 'ReadStateObjects', Effect: 'Allow', Action: ['s3:GetObject'], Resource: `${bucket.bucketArn}/*` },
        // S3-native locking: a plan holds the lock by writing <key>.tflock.
        { Sid: 'Lock', Effect: 'Allow', Action: ['s3:PutObject', 's3:DeleteObject'], Resource: `${bucket.bucketArn}/*.tflock` },
        // The backend names the key (kms_key_id) for state and lock file: reading state
        // decrypts, writing the lock file encrypts with a new data key.
        { Sid: 'StateKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], Resource: key.arn },
      ),
    });
    // ReadOnlyAccess reads data, not only descriptions: deny what no plan's refresh calls
    // (bootstrap/README.md lists each action and the provider read it was checked against).
    new IamRolePolicy(this, 'plan-no-data', {
      role: plan.id,
      policy: policyDocument(
        // Except AWS's own elasticbeanstalk-env-resources-<region> bucket: Beanstalk's
        // DescribeConfigurationSettings (the provider's read of every
        // aws_elastic_beanstalk_environment) reads platform files from it with the caller's
        // credentials, and fails with AccessDenied when they may not
        // (github.com/hashicorp/terraform-provider-aws/issues/32977).
        { Sid: 'NoObjectsButState', Effect: 'Deny', Action: ['s3:GetObject', 's3:GetObjectVersion'], NotResource: [`${bucket.bucketArn}/*`, beanstalkPlatformObjects(account.region)] },
        { Sid: 'NoSecrets', Effect: 'Deny', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:BatchGetSecretValue'], Resource: '*' },
        // The account's own parameters (SecureStrings); AWS public parameters stay readable.
        { Sid: 'NoParameters', Effect: 'Deny', Action: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath', 'ssm:GetParameterHistory'], Resource: `arn:aws:ssm:*:${account.accountId}:parameter/*` },
        { Sid: 'NoData', Effect: 'Deny', Action: PLAN_DENIED_DATA_ACTIONS, Resource: '*' },
      ),
    });

    // Apply: only jobs running in this account's GitHub environment (main only, reviewers
    // for production: set on the environment, see bootstrap/README.md).
    const apply = new IamRole(this, 'apply-role', {
      name: account.ci.applyRole,
      description: 'CI: terraform apply after merge, from the account environment only',
      maxSessionDuration: APPLY_SESSION_SECONDS,
      assumeRolePolicy: ciTrust(oidc.arn, githubSubjects(repo, account.name).apply, account.accountId),
    });
    const administrator = new IamRolePolicyAttachment(this, 'apply-administrator', { role: apply.name, policyArn: managedPolicy('AdministratorAccess') });
    suppress(administrator, 'IAM-NO-ADMIN', 'terraform apply creates and changes IAM, KMS and every other service of the account; only the account GitHub environment can assume the role');
    // The account's budget lives in its account stack (constructs/cost), not here.
    suppress(this, 'COST-BUDGET', "the bootstrap stack holds the state bucket and CI roles only; the account's budget is in the account's own stack");

    if (props.previewRole) {
      const roleArn = (name: string) => `arn:aws:iam::${account.accountId}:role/${name}`;
      this.previewRole(props.previewRole, ciTrust(oidc.arn, [`repo:${repo}:environment:${PREVIEW_ENVIRONMENT}`], account.accountId), bucket.bucketArn, key.arn, account.region, account.accountId, roleArn);
    }
  }

  /**
   * The Preview workflow's role: it may create, change and destroy only `preview-*` stacks.
   * What IAM can enforce: state access only under `preview-*` keys; no change to any
   * resource tagged as another stack's (every resource the account stack and the bootstrap
   * create carries its `Account` tag through default_tags) and no resource tagged as one;
   * no change to the CI roles, the OIDC provider, the state bucket or key, or account-wide
   * settings; no administrator policy attached. What it cannot: actions on resources that
   * carry no tag (or whose service evaluates no tag condition for that action) are limited
   * by region only; bootstrap/README.md lists this honestly.
   */
  private previewRole(name: string, assumeRolePolicy: string, bucketArn: string, stateKeyArn: string, region: string, accountId: string, roleArn: (name: string) => string): void {
    const role = new IamRole(this, 'preview-role', {
      name,
      description: 'CI: create, update and destroy preview-* stacks only, from the preview environment',
      // Beanstalk environments and RDS SQL Server take tens of minutes each to create.
      maxSessionDuration: 10800,
      assumeRolePolicy,
    });
    const notPreview = { StringNotLike: { 'aws:ResourceTag/Account': 'preview-*' }, Null: { 'aws:ResourceTag/Account': 'false' } };
    new IamRolePolicy(this, 'preview-state', {
      role: role.id,
      policy: policyDocument(
        { Sid: 'ListPreviewState', Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn, Condition: { StringLike: { 's3:prefix': ['preview-*'] } } },
        // State and its S3-native lock (<key>.tflock) under preview-<pr>/ only.
        { Sid: 'PreviewState', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: `${bucketArn}/preview-*` },
        { Sid: 'StateKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], Resource: stateKeyArn },
      ),
    });
    // Global services (IAM, Budgets, Cost Explorer) are called in us-east-1.
    const regions: Statement = { Sid: 'PreviewRegions', Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': [...new Set([region, 'us-east-1'])] } } };
    const resources = new IamRolePolicy(this, 'preview-resources', { role: role.id, policy: policyDocument(regions) });
    suppress(resources, 'IAM-NO-ADMIN', 'a preview creates whatever the constructs make (VPC, Beanstalk, RDS, IAM roles); the preview-guardrails denies keep it off every other stack');
    suppress(resources, 'IAM-NO-WILDCARD-ACTIONS', 'a preview creates whatever the constructs make; the preview-guardrails denies keep it off every other stack');
    suppress(resources, 'IAM-SENSITIVE-RESOURCES', "a preview's apps read their own secrets and keys; the preview-guardrails denies keep it off every other stack's");
    const boundaryArn = previewBoundaryArn(accountId, name);
    const guardrails: Statement[] = [
      // The role itself (the provider assumes it), the state bucket and key carry the
      // account's tags too: they are excluded here and guarded by the statements below.
      { Sid: 'NotOtherStacksResources', Effect: 'Deny', Action: '*', NotResource: [roleArn(name), bucketArn, `${bucketArn}/preview-*`, stateKeyArn], Condition: notPreview },
      { Sid: 'NotTaggedAsOtherStacks', Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringNotLike: { 'aws:RequestTag/Account': 'preview-*' }, Null: { 'aws:RequestTag/Account': 'false' } } },
      // Beanstalk stores application versions and environment files in its own
      // elasticbeanstalk-<region>-<account> bucket with the caller's credentials.
      { Sid: 'NoObjectsButPreviewState', Effect: 'Deny', Action: ['s3:GetObject*', 's3:PutObject*', 's3:DeleteObject*'], NotResource: [`${bucketArn}/preview-*`, 'arn:aws:s3:::elasticbeanstalk-*/*'] },
      { Sid: 'NotTheStateBucket', Effect: 'Deny', Action: ['s3:PutBucket*', 's3:DeleteBucket*', 's3:PutLifecycleConfiguration', 's3:PutEncryptionConfiguration'], Resource: bucketArn },
      { Sid: 'NotTheStateKey', Effect: 'Deny', Action: ['kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:PutKeyPolicy', 'kms:CreateGrant'], Resource: stateKeyArn },
      { Sid: 'NotTheCiRoles', Effect: 'Deny', Action: 'iam:*', Resource: [roleArn('infra-ci-*'), `arn:aws:iam::*:oidc-provider/${GITHUB_OIDC}`] },
      {
        Sid: 'NotAccountWide',
        Effect: 'Deny',
        Action: [
          'ec2:DisableEbsEncryptionByDefault', 'ec2:ModifyEbsDefaultKmsKeyId', 'ec2:ResetEbsDefaultKmsKeyId', 'iam:CreateUser', 'iam:CreateAccessKey', 'iam:CreateLoginProfile',
          'iam:UpdateAccountPasswordPolicy', 'iam:DeleteAccountPasswordPolicy', 'iam:CreateOpenIDConnectProvider', 'iam:CreateSAMLProvider', 'organizations:*', 'account:*', 'ce:UpdateCostAllocationTagsStatus',
        ],
        Resource: '*',
      },
      { Sid: 'NoAdministratorPolicies', Effect: 'Deny', Action: ['iam:AttachRolePolicy', 'iam:PutRolePermissionsBoundary'], Resource: '*', Condition: { ArnLike: { 'iam:PolicyARN': ['arn:aws:iam::aws:policy/AdministratorAccess', 'arn:aws:iam::aws:policy/IAMFullAccess', 'arn:aws:iam::aws:policy/PowerUserAccess'] } } },
      // Without these, a preview could make a role with an inline "*" policy and act through it
      // (assume it, or pass it to an instance or function) outside every deny above. IAM
      // evaluates iam:PermissionsBoundary on role creation and on each policy change of a role.
      // https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
      {
        Sid: 'RolesOnlyWithTheBoundary',
        Effect: 'Deny',
        Action: ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:DeleteRolePolicy', 'iam:PutRolePermissionsBoundary'],
        Resource: '*',
        Condition: { StringNotEquals: { 'iam:PermissionsBoundary': boundaryArn } },
      },
      { Sid: 'KeepTheBoundary', Effect: 'Deny', Action: 'iam:DeleteRolePermissionsBoundary', Resource: '*' },
      { Sid: 'NotTheBoundaryPolicy', Effect: 'Deny', Action: ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion'], Resource: boundaryArn },
    ];
    new IamRolePolicy(this, 'preview-guardrails', { role: role.id, policy: policyDocument(...guardrails) });
    // The boundary of every role a preview makes: no more than the preview role itself.
    const boundary = new IamPolicy(this, 'preview-boundary', {
      name: boundaryArn.split('/').pop()!,
      description: 'Permissions boundary of every IAM role a preview stack makes: the preview role\'s own limits',
      policy: policyDocument(regions, ...guardrails),
    });
    suppress(boundary, 'IAM-NO-ADMIN', 'a permissions boundary grants nothing: it caps the roles previews make at the preview role\'s own allow and denies');
    suppress(boundary, 'IAM-NO-WILDCARD-ACTIONS', 'a permissions boundary grants nothing: it caps the roles previews make at the preview role\'s own allow and denies');
    suppress(boundary, 'IAM-SENSITIVE-RESOURCES', 'a permissions boundary grants nothing: it caps the roles previews make at the preview role\'s own allow and denies');
  }
}
