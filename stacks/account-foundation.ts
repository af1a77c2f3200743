import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DatadogProvider } from '@cdktf/provider-datadog/lib/provider';
import { S3Backend, TerraformStack, TerraformVariable } from 'cdktf';
import { AccountConfig, CostConfig, DatadogSite } from '../accounts/schema';
import { globalBucketName } from '../constructs/core/bucket';
import { CostGuardrailsProps } from '../constructs/cost/cost-guardrails';

/**
 * What every stack that CI plans and applies in an AWS account shares (the account stacks,
 * previews and the management stack): the S3 backend the bootstrap made, the `ci_role`
 * variable and the AWS provider pinned to the account. One place, so a fix to the CI chain
 * (test/bootstrap/ci-chain.test.ts) reaches every stack.
 */

/** The Terraform variable that picks which CI role the AWS provider assumes. */
export const CI_ROLE_VARIABLE = 'ci_role';

/**
 * `-var ci_role=current`: the AWS provider uses the session it finds (CI is already
 * signed in as the plan or apply role through GitHub OIDC) and assumes nothing.
 */
export const CI_ROLE_CURRENT = 'current';

/** The alias of the bootstrap's state key (bootstrap/bootstrap-stack.ts creates it). */
export const STATE_KEY_ALIAS = 'alias/terraform-state';

/**
 * The AWS provider release the stacks require: 6.28.0 added `invoked_via_function_url` to
 * aws_lambda_permission (CHANGELOG 6.28.0, #44858), which a public function URL needs.
 * @cdktf/provider-aws 21.22.1 was generated from 6.25.0 and pins that exactly.
 */
export const AWS_PROVIDER_VERSION = '6.28.0';

/**
 * The AWS provider version a stack pins: the bindings' own (`generated`, the provider
 * release they were generated from), raised to AWS_PROVIDER_VERSION when older, never
 * lowered: after `npm run migrate:cdktn` the bindings are newer, and a stack pinned below
 * them would run a provider that lacks attributes the bindings can write.
 */
export function requiredAwsVersion(generated: string | undefined): string {
  return generated !== undefined && compareVersions(generated, AWS_PROVIDER_VERSION) > 0 ? generated : AWS_PROVIDER_VERSION;
}

/** Orders two `major.minor.patch` versions numerically: negative, 0 or positive. */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  const i = x.findIndex((n, k) => n !== y[k]);
  return i < 0 ? 0 : x[i] - y[i];
}

/** The fields of an account (or of the management account) the foundation reads. */
export type FoundationAccount = Pick<AccountConfig, 'name' | 'accountId' | 'region' | 'environment' | 'state' | 'ci' | 'tags'>;

export interface FoundationOptions {
  /** Tags added to the provider's default_tags (a preview's PR number and expiry). @default {} */
  readonly extraTags?: Readonly<Record<string, string>>;
}

/**
 * Declares the stack's backend, `ci_role` variable and AWS provider, and returns the provider.
 *
 * The AWS provider is pinned to the account (`allowed_account_ids`). CI signs in as the
 * plan or apply role through GitHub OIDC and passes `-var ci_role=current`: the provider
 * then uses that session and assumes nothing. A person (an administrator named in the
 * plan role's trust) leaves the default and plans as the plan role, with CI's permissions.
 * State lives in the account's own bucket, encrypted with the bootstrap's state key
 * (state and lock file), with S3-native locking; the key is `<stack name>/terraform.tfstate`.
 */
export function accountFoundation(stack: TerraformStack, account: FoundationAccount, options: FoundationOptions = {}): AwsProvider {
  new S3Backend(stack, {
    // The bucket the bootstrap made with SecureBucket: the same derived name.
    bucket: globalBucketName(account.state.bucket, account.accountId),
    key: `${account.name}/terraform.tfstate`,
    region: account.region,
    encrypt: true,
    // Without kms_key_id the backend asks for AES256 on every PutObject, overriding the
    // bucket's KMS default. The alias ARN is derivable (Terraform 1.6.1+ accepts alias
    // names and alias ARNs: internal/backend/remote-state/s3/validate.go).
    kmsKeyId: stateKeyArn(account),
    allowedAccountIds: [account.accountId],
  }).addOverride('use_lockfile', true); // cdktf 0.21 has no prop for S3-native locking

  const ciRole = new TerraformVariable(stack, CI_ROLE_VARIABLE, {
    type: 'string',
    default: 'plan',
    description: `Which CI role the AWS provider assumes: "plan" (read-only), "apply", or "${CI_ROLE_CURRENT}" (assume nothing: CI is signed in as the role already).`,
    validation: [
      {
        condition: `\${contains(["plan", "apply", "${CI_ROLE_CURRENT}"], var.${CI_ROLE_VARIABLE})}`,
        errorMessage: `ci_role must be "plan", "apply" or "${CI_ROLE_CURRENT}".`,
      },
    ],
  });

  const provider = new AwsProvider(stack, 'aws', {
    region: account.region,
    allowedAccountIds: [account.accountId],
    defaultTags: [{ tags: { ...accountTags(account), ...options.extraTags } }],
  });
  stack.addOverride('terraform.required_providers.aws.version', requiredAwsVersion(provider.terraformGeneratorMetadata?.providerVersion));
  // assume_role only when a role is named: a session may not assume its own role unless
  // the role's trust and the session's policy both allow it, and CI needs neither.
  const roleArns = `{ "plan" = "arn:aws:iam::${account.accountId}:role/${account.ci.planRole}", "apply" = "arn:aws:iam::${account.accountId}:role/${account.ci.applyRole}" }`;
  provider.addOverride('dynamic.assume_role', {
    for_each: `\${${ciRole.fqn} == "${CI_ROLE_CURRENT}" ? [] : [${ciRole.fqn}]}`,
    content: { role_arn: `\${lookup(${roleArns}, assume_role.value)}`, session_name: `cdktf-${account.name}` },
  });
  return provider;
}

/** The Datadog provider for the account's site; its keys come from DD_API_KEY / DD_APP_KEY in the environment. */
export function datadogProvider(stack: TerraformStack, site: DatadogSite): DatadogProvider {
  return new DatadogProvider(stack, 'datadog', { apiUrl: `https://api.${site}/` });
}

/** The tag keys activated as cost allocation tags (every resource carries them through default_tags: {@link accountTags}). */
export const COST_ALLOCATION_TAGS: readonly string[] = ['Team', 'CostCenter'];

/**
 * The cost guardrails' props from an account's (or the management account's) `cost`
 * config; undefined where it sets no budget. A forecast breach is immediate in production.
 */
export function costGuardrailsProps(account: Pick<AccountConfig, 'name' | 'accountId' | 'environment'>, cost: CostConfig): CostGuardrailsProps | undefined {
  if (cost.monthlyBudgetUsd === undefined) return undefined;
  return {
    name: account.name,
    accountId: account.accountId,
    monthlyBudgetUsd: cost.monthlyBudgetUsd,
    actualThresholdsPercent: cost.actualThresholdsPercent,
    forecastThresholdPercent: cost.forecastThresholdPercent,
    forecastIsImmediate: account.environment === 'production',
    emails: cost.emails,
    anomalyThresholdUsd: cost.anomalyThresholdUsd,
    chatbot: cost.chatbot,
    costAllocationTags: cost.activateCostAllocationTags ? COST_ALLOCATION_TAGS : [],
  };
}

/** The ARN (through its alias) of the KMS key the account's Terraform state is encrypted with. */
export function stateKeyArn(account: Pick<AccountConfig, 'region' | 'accountId'>): string {
  return `arn:aws:kms:${account.region}:${account.accountId}:${STATE_KEY_ALIAS}`;
}

/** The tags every taggable AWS resource in the account carries. */
export function accountTags(account: Pick<AccountConfig, 'environment' | 'name' | 'tags'>): Record<string, string> {
  return {
    Environment: account.environment,
    Account: account.name,
    ManagedBy: 'cdktf',
    Repository: account.tags.repository,
    Team: account.tags.team,
    CostCenter: account.tags.costCenter,
  };
}
