import { OrganizationsPolicy } from '@cdktf/provider-aws/lib/organizations-policy';
import { OrganizationsPolicyAttachment } from '@cdktf/provider-aws/lib/organizations-policy-attachment';
import { Construct } from 'constructs';
import { checkProps } from '../core/validation';

/**
 * Services whose actions AWS serves from us-east-1 (or another fixed region) whatever region
 * the caller works in: a region restriction must not deny them, or IAM, Organizations,
 * CloudFront, Route 53, STS, Support and billing stop working. The list is the one in the
 * AWS Organizations example "Deny access to AWS based on the requested AWS Region", plus
 * `chatbot:*`, which AWS Control Tower's region deny exempts too: Chatbot's endpoints are not in
 * the workload regions, and the cost alerts' Slack channels are configured in us-east-2.
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html#example-scp-deny-region
 * @see https://docs.aws.amazon.com/controltower/latest/userguide/primary-region-deny-policy.html
 */
export const GLOBAL_SERVICE_ACTIONS = [
  'a4b:*', 'acm:*', 'aws-marketplace-management:*', 'aws-marketplace:*', 'aws-portal:*', 'budgets:*', 'ce:*',
  'chatbot:*', 'chime:*', 'cloudfront:*', 'config:*', 'cur:*', 'directconnect:*', 'ec2:DescribeRegions', 'ec2:DescribeTransitGateways',
  'ec2:DescribeVpnGateways', 'fms:*', 'globalaccelerator:*', 'health:*', 'iam:*', 'importexport:*', 'kms:*',
  'mobileanalytics:*', 'networkmanager:*', 'organizations:*', 'pricing:*', 'route53:*', 'route53domains:*',
  'route53-recovery-cluster:*', 'route53-recovery-control-config:*', 'route53-recovery-readiness:*',
  's3:GetAccountPublic*', 's3:ListAllMyBuckets', 's3:ListMultiRegionAccessPoints', 's3:PutAccountPublic*',
  'shield:*', 'sts:*', 'support:*', 'trustedadvisor:*', 'waf-regional:*', 'waf:*', 'wafv2:*', 'wellarchitected:*',
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
