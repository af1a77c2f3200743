import { OrganizationsPolicy } from '@cdktf/provider-aws/lib/organizations-policy';
import { OrganizationsPolicyAttachment } from '@cdktf/provider-aws/lib/organizations-policy-attachment';
import { Construct } from 'constructs';
import { checkProps } from '../core/validation';

/**
 * Actions a region restriction must not deny: global services whose endpoints are in
 * us-east-1 (IAM, Organizations, CloudFront, Route 53, STS, Support, billing) or in another
 * fixed region (AWS Chatbot answers in us-east-2, us-west-2, eu-west-1 and ap-southeast-1
 * only: the cost guardrails' Slack channels are created in us-east-2). The list is AWS
 * Control Tower's Region deny control (GRREGIONDENY), the most complete list AWS publishes;
 * the Organizations example is an older subset without `chatbot:*`.
 * @see https://docs.aws.amazon.com/controltower/latest/controlreference/primary-region-deny-policy.html
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html#example-scp-deny-region
 */
export const GLOBAL_SERVICE_ACTIONS = [
  'a4b:*', 'access-analyzer:*', 'account:*', 'acm:*', 'activate:*', 'artifact:*', 'aws-marketplace-management:*', 'aws-marketplace:*',
  'aws-portal:*', 'billing:*', 'billingconductor:*', 'budgets:*', 'ce:*', 'chatbot:*', 'chime:*', 'cloudfront:*', 'cloudtrail:LookupEvents',
  'compute-optimizer:*', 'config:*', 'consoleapp:*', 'consolidatedbilling:*', 'cur:*', 'datapipeline:GetAccountLimits', 'devicefarm:*',
  'directconnect:*', 'ec2:DescribeRegions', 'ec2:DescribeTransitGateways', 'ec2:DescribeVpnGateways', 'ecr-public:*', 'fms:*', 'freetier:*',
  'globalaccelerator:*', 'health:*', 'iam:*', 'importexport:*', 'invoicing:*', 'iq:*', 'kms:*', 'license-manager:ListReceivedLicenses',
  'lightsail:Get*', 'mobileanalytics:*', 'networkmanager:*', 'notifications-contacts:*', 'notifications:*', 'organizations:*', 'payments:*',
  'pricing:*', 'quicksight:DescribeAccountSubscription', 'resource-explorer-2:*', 'route53-recovery-cluster:*', 'route53-recovery-control-config:*',
  'route53-recovery-readiness:*', 'route53:*', 'route53domains:*', 's3:CreateMultiRegionAccessPoint', 's3:DeleteMultiRegionAccessPoint',
  's3:DescribeMultiRegionAccessPointOperation', 's3:GetAccountPublicAccessBlock', 's3:GetBucketLocation', 's3:GetBucketPolicyStatus',
  's3:GetBucketPublicAccessBlock', 's3:GetMultiRegionAccessPoint', 's3:GetMultiRegionAccessPointPolicy', 's3:GetMultiRegionAccessPointPolicyStatus',
  's3:GetStorageLensConfiguration', 's3:GetStorageLensDashboard', 's3:ListAllMyBuckets', 's3:ListMultiRegionAccessPoints',
  's3:ListStorageLensConfigurations', 's3:PutAccountPublicAccessBlock', 's3:PutMultiRegionAccessPointPolicy', 'savingsplans:*', 'shield:*', 'sso:*',
  'sts:*', 'support:*', 'supportapp:*', 'supportplans:*', 'sustainability:*', 'tag:GetResources', 'tax:*', 'trustedadvisor:*',
  'vendor-insights:ListEntitledSecurityProfiles', 'waf-regional:*', 'waf:*', 'wafv2:*',
] as const;

/** What turns off the organization's audit trail and threat detection in a member account. */
export const AUDIT_PROTECTED_ACTIONS = [
  'cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'cloudtrail:UpdateTrail', 'cloudtrail:PutEventSelectors',
  'guardduty:DeleteDetector', 'guardduty:UpdateDetector', 'guardduty:DisassociateFromAdministratorAccount', 'guardduty:DisassociateFromMasterAccount',
  'guardduty:DeleteMembers', 'guardduty:StopMonitoringMembers',
  'config:StopConfigurationRecorder', 'config:DeleteConfigurationRecorder', 'config:DeleteDeliveryChannel', 'config:DeleteConfigurationAggregator',
] as const;

export interface ServiceControlPoliciesProps {
  /** Regions where member accounts may act; other regions are denied except {@link GLOBAL_SERVICE_ACTIONS}. */
  readonly allowedRegions: readonly string[];
  /** Where the policies are attached: organizational unit (or root) ids by a name for construct ids. */
  readonly targets: Readonly<Record<string, string>>;
}

type ScpStatement = { Sid: string; Effect: 'Deny'; Action?: readonly string[]; NotAction?: readonly string[]; Resource: '*'; Condition?: Record<string, Record<string, string | readonly string[]>> };

const scp = (...statements: ScpStatement[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

/**
 * The organization's guardrails as service control policies: member accounts cannot leave
 * the organization, turn off CloudTrail, GuardDuty or Config, act as their root user, or
 * act outside the allowed regions. SCPs never apply to the management account itself.
 *
 * Two policies, not one per guardrail: a target takes at most 5 SCPs, FullAWSAccess
 * included (Organizations quotas), so this leaves two for other uses.
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
 */
export class ServiceControlPolicies extends Construct {
  /** Policy ids by name (`guardrails`, `region-restriction`). */
  public readonly policyIds: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: ServiceControlPoliciesProps) {
    super(scope, id);
    checkProps(this, 'ServiceControlPolicies', [
      [props.allowedRegions.length === 0, 'allowedRegions', props.allowedRegions, 'at least one region'],
      [Object.keys(props.targets).length === 0, 'targets', props.targets, 'at least one organizational unit'],
      ...Object.entries(props.targets).map(([name, target]) => [!/^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/.test(target), `targets.${name}`, target, 'a root (r-...) or organizational unit (ou-...-...) id'] as const),
    ]);
    const documents = {
      guardrails: {
        description: 'Member accounts cannot leave the organization, stop its audit trail and threat detection, or use their root user',
        content: scp(
          { Sid: 'DenyLeavingOrganization', Effect: 'Deny', Action: ['organizations:LeaveOrganization'], Resource: '*' },
          { Sid: 'ProtectAuditServices', Effect: 'Deny', Action: AUDIT_PROTECTED_ACTIONS, Resource: '*' },
          // The root user of a member account: any action, any account (aws:PrincipalArn is arn:aws:iam::<id>:root).
          { Sid: 'DenyRootUser', Effect: 'Deny', Action: ['*'], Resource: '*', Condition: { StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' } } },
        ),
      },
      'region-restriction': {
        description: `Actions only in ${props.allowedRegions.join(', ')}, except global services`,
        content: scp({ Sid: 'DenyOutsideAllowedRegions', Effect: 'Deny', NotAction: GLOBAL_SERVICE_ACTIONS, Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': props.allowedRegions } } }),
      },
    };
    const ids: Record<string, string> = {};
    for (const [name, doc] of Object.entries(documents)) {
      const policy = new OrganizationsPolicy(this, name, { name, description: doc.description, type: 'SERVICE_CONTROL_POLICY', content: doc.content });
      ids[name] = policy.id;
      for (const [targetName, targetId] of Object.entries(props.targets)) {
        new OrganizationsPolicyAttachment(this, `${name}-${targetName}`, { policyId: policy.id, targetId });
      }
    }
    this.policyIds = ids;
  }
}
