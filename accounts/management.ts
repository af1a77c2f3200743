import type { ManagementConfig } from './management-schema';

/**
 * The organization's management account: who may do what in which account (IAM Identity
 * Center), the service control policies and the organization trail.
 *
 * Changing this file changes human access to every account: CODEOWNERS puts it under the
 * SREs' review, and the README's access matrix is generated from it (a test keeps it in
 * sync). See "Requesting access" in the README.
 */
export const management: ManagementConfig = {
  name: 'management',
  accountId: '777777777777',
  region: 'ap-northeast-1',
  environment: 'production',
  ci: { planRole: 'infra-ci-plan', applyRole: 'infra-ci-apply' },
  state: { bucket: 'example-co-tfstate-777777777777' },
  tags: { team: 'platform', costCenter: 'CC-1000', repository: 'example-co/infrastructure' },
  permissionSets: [
    {
      name: 'ReadOnly',
      description: 'Read configuration and metrics; no data, no secrets',
      sessionDuration: 'PT8H',
      managedPolicies: ['ReadOnlyAccess'],
      // ReadOnlyAccess reads objects, items and parameters: people need descriptions, not data.
      inlinePolicy: [
        { Sid: 'NoData', Effect: 'Deny', Action: ['s3:GetObject', 's3:GetObjectVersion', 'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:Scan', 'sqs:ReceiveMessage'], Resource: ['*'] },
        { Sid: 'NoSecrets', Effect: 'Deny', Action: ['secretsmanager:GetSecretValue', 'ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath', 'kms:Decrypt'], Resource: ['*'] },
      ],
    },
    {
      name: 'Developer',
      description: 'Build and change workloads; no IAM users, no organization or account settings',
      sessionDuration: 'PT8H',
      managedPolicies: ['PowerUserAccess'],
    },
    {
      name: 'SREAdmin',
      description: 'Operate every account: everything a power user does, plus IAM roles and policies',
      sessionDuration: 'PT4H',
      managedPolicies: ['PowerUserAccess', 'IAMFullAccess'],
      // The CI roles are changed by the bootstrap only, and Identity Center's roles by Identity Center.
      inlinePolicy: [
        {
          Sid: 'ProtectManagedRoles',
          Effect: 'Deny',
          Action: ['iam:UpdateAssumeRolePolicy', 'iam:DeleteRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:DeleteRolePolicy'],
          Resource: ['arn:aws:iam::*:role/infra-ci-*', 'arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*'],
        },
      ],
    },
    {
      name: 'Billing',
      description: 'Bills, budgets and cost reports',
      sessionDuration: 'PT4H',
      managedPolicies: ['job-function/Billing'],
    },
    {
      name: 'BreakGlass',
      description: 'Emergency administrator access; every use alerts the SREs',
      sessionDuration: 'PT1H',
      managedPolicies: ['AdministratorAccess'],
      breakGlass: true,
    },
  ],
  access: [
    { group: 'Developers', permissionSet: 'ReadOnly', accounts: ['production'] },
    { group: 'Developers', permissionSet: 'Developer', accounts: ['staging', 'sandbox'] },
    { group: 'SREs', permissionSet: 'SREAdmin', accounts: ['production', 'staging', 'sandbox', 'management'] },
    { group: 'Finance', permissionSet: 'Billing', accounts: ['management'] },
    { group: 'SREs', permissionSet: 'BreakGlass', accounts: ['production', 'staging', 'sandbox', 'management'] },
  ],
  organization: {
    organizationalUnits: { workloads: 'ou-ab12-workload1', sandbox: 'ou-ab12-sandbox1' },
    guardrailTargets: ['workloads', 'sandbox'],
    allowedRegions: ['ap-northeast-1', 'us-east-1'],
  },
  // Break-glass use posts to the production immediate channel, like a P1 alert.
  alerting: { datadogSite: 'ap1.datadoghq.com', slack: { workspace: 'example-co', channel: 'infra-production-immediate' } },
  trail: { name: 'organization-trail', bucket: 'example-co-org-trail-777777777777', retentionDays: 365 },
  // The payer's budget counts every account's cost: above the member accounts' budgets
  // together (production, staging, sandbox), plus this account's own spend.
  // The SREs plan by hand as CI does: their role may assume every account's plan role.
  plannerPermissionSet: 'SREAdmin',
  cost: { monthlyBudgetUsd: 80000, emails: ['cloud-cost@example-co.jp'], activateCostAllocationTags: true },
};
