import { TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { ManagementConfig } from '../accounts/management-schema';
import { ResolveOnceStack } from './resolve-once-stack';
import { checkProps } from '../constructs/core/validation';
import { CostGuardrails } from '../constructs/cost/cost-guardrails';
import { BreakGlassAlert } from '../constructs/identity/break-glass-alert';
import { IdentityCenter } from '../constructs/identity/identity-center';
import { OrganizationTrail } from '../constructs/identity/organization-trail';
import { ServiceControlPolicies } from '../constructs/identity/service-control-policies';
import { packsFor } from '../policies/packs';
import { PolicyValidation, enforcePolicies } from '../policies/validation';
import { accountFoundation, costGuardrailsProps, datadogProvider } from './account-foundation';

export interface ManagementStackProps {
  /** The validated management config (see `accounts/management-schema.ts`). */
  readonly config: ManagementConfig;
  /** Account ids by the names the access matrix uses (member accounts and `management`). */
  readonly accountIds: Readonly<Record<string, string>>;
}

/**
 * The organization's management account as one Terraform stack, `management`: delegated
 * human access (IAM Identity Center), the break-glass alert, the service control
 * policies and the organization trail.
 *
 * Pinned and stored like every account stack, by the same code ({@link accountFoundation}):
 * the AWS provider is pinned to the account and uses CI's session (`-var ci_role=current`)
 * or assumes a CI role, so CI's affected-stacks, plan and apply jobs treat it like any other
 * stack; state lives in the account's own bucket under `management/terraform.tfstate`,
 * encrypted with the bootstrap's state key, with S3-native locking.
 */
export class ManagementStack extends ResolveOnceStack {
  public readonly account: ManagementConfig;
  public readonly identityCenter: IdentityCenter;
  public readonly breakGlassAlert: BreakGlassAlert;
  public readonly serviceControlPolicies: ServiceControlPolicies;
  public readonly trail: OrganizationTrail;
  /** The organization's budget, anomaly alerts and cost allocation tags. */
  public readonly cost: CostGuardrails;
  public readonly policy: PolicyValidation;

  constructor(scope: Construct, props: ManagementStackProps) {
    const { config } = props;
    super(scope, config.name);
    this.account = config;

    // The Identity Center instance and the break-glass event live in the account's region.
    accountFoundation(this, config);

    this.identityCenter = new IdentityCenter(this, 'identity-center', { permissionSets: config.permissionSets, access: config.access, accountIds: props.accountIds });
    const breakGlass = config.permissionSets.find((p) => p.breakGlass)!;
    datadogProvider(this, config.alerting.datadogSite);
    // The Datadog API key Fastly logs with (the same secret in plans, drift and applies, so the
    // subscription URL never shows as a change): a new variable would need every workflow changed.
    const datadogApiKey = new TerraformVariable(this, 'fastly_datadog_logs_token', {
      type: 'string',
      sensitive: true,
      description: 'Datadog API key; here the key of the SNS intake the break-glass alert posts to. CI sets TF_VAR_fastly_datadog_logs_token from its secrets.',
    });
    this.breakGlassAlert = new BreakGlassAlert(this, 'break-glass-alert', {
      permissionSetName: breakGlass.name,
      accountId: config.accountId,
      datadog: {
        site: config.alerting.datadogSite,
        apiKey: datadogApiKey.stringValue,
        slackHandle: `@slack-${config.alerting.slack.workspace}-${config.alerting.slack.channel}`,
        tags: [`account:${config.name}`, `env:${config.environment}`, `team:${config.tags.team}`],
      },
    });
    this.serviceControlPolicies = new ServiceControlPolicies(this, 'scp', {
      allowedRegions: config.organization.allowedRegions,
      targets: Object.fromEntries(config.organization.guardrailTargets.map((t) => [t, config.organization.organizationalUnits[t]])),
    });
    this.trail = new OrganizationTrail(this, 'organization-trail', {
      trailName: config.trail.name,
      bucketName: config.trail.bucket,
      accountId: config.accountId,
      region: config.region,
      retentionDays: config.trail.retentionDays,
    });
    // The payer's budget counts every account's cost (a budget without a linked-account
    // filter, docs.aws.amazon.com/cost-management/latest/userguide/budgets-create-filters.html);
    // resolveManagement requires its amount.
    const cost = costGuardrailsProps(config, config.cost);
    checkProps(this, 'ManagementStack', [[cost === undefined, 'config.cost.monthlyBudgetUsd', config.cost.monthlyBudgetUsd, 'a monthly budget in USD for the whole organization']]);
    this.cost = new CostGuardrails(this, 'cost', cost!);
    this.policy = enforcePolicies(this, packsFor(config.environment));
  }
}
