import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IntegrationAwsAccount } from '@cdktf/provider-datadog/lib/integration-aws-account';
import { IntegrationAwsExternalId } from '@cdktf/provider-datadog/lib/integration-aws-external-id';
import { Construct } from 'constructs';
import { policyDocument } from '../core/iam';
import { checkProps } from '../core/validation';

/** Datadog's AWS account that assumes integration roles, by Datadog site (Datadog's docs). */
export const DATADOG_AWS_ACCOUNTS: Record<string, string> = {
  'datadoghq.com': '464622532012',
  'us3.datadoghq.com': '464622532012',
  'us5.datadoghq.com': '464622532012',
  'datadoghq.eu': '464622532012',
  'ap1.datadoghq.com': '417141415827',
};

/** What Datadog reads: metrics, tags and descriptions of the services this repository runs. */
const READ_ACTIONS = [
  'cloudwatch:GetMetricData', 'cloudwatch:GetMetricStatistics', 'cloudwatch:ListMetrics', 'cloudwatch:DescribeAlarms',
  'tag:GetResources', 'tag:GetTagKeys', 'tag:GetTagValues',
  'ec2:DescribeInstances', 'ec2:DescribeInstanceStatus', 'ec2:DescribeVolumes', 'ec2:DescribeSecurityGroups', 'ec2:DescribeNatGateways',
  'autoscaling:DescribeAutoScalingGroups', 'elasticbeanstalk:DescribeEnvironments', 'elasticbeanstalk:DescribeEnvironmentResources', 'elasticbeanstalk:ListTagsForResource',
  'elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeTags', 'elasticloadbalancing:DescribeTargetGroups',
  'rds:DescribeDBInstances', 'rds:DescribeDBClusters', 'rds:DescribeEvents', 'rds:ListTagsForResource',
  'sqs:ListQueues', 'sqs:GetQueueAttributes', 'sqs:ListQueueTags',
  'lambda:ListFunctions', 'lambda:ListTags', 'lambda:GetPolicy',
  'dynamodb:ListTables', 'dynamodb:DescribeTable', 'dynamodb:ListTagsOfResource',
  'ses:GetSendQuota', 'ses:GetSendStatistics', 'ses:GetAccount',
  'fsx:DescribeFileSystems', 'fsx:ListTagsForResource',
  's3:ListAllMyBuckets', 's3:GetBucketTagging',
];

/** CloudWatch namespaces collected: only what the constructs create, to keep the bill down. */
const NAMESPACES = ['AWS/ApplicationELB', 'AWS/ElasticBeanstalk', 'AWS/AutoScaling', 'AWS/EC2', 'AWS/EBS', 'AWS/RDS', 'AWS/SQS', 'AWS/Lambda', 'AWS/SES', 'AWS/DynamoDB', 'AWS/FSx', 'AWS/NATGateway'];

export interface DatadogAwsIntegrationProps {
  readonly accountId: string;
  readonly region: string;
  /** Datadog site, e.g. `ap1.datadoghq.com`: decides which Datadog account the role trusts. */
  readonly site: string;
  /** @default 'DatadogIntegrationRole' */
  readonly roleName?: string;
  /** Tags Datadog adds to every metric of the account. @default [] */
  readonly accountTags?: readonly string[];
}

/**
 * The Datadog AWS integration for one account: Datadog's external id, the IAM role only
 * Datadog may assume (with that id), and `datadog_integration_aws_account` pointing at it.
 */
export class DatadogAwsIntegration extends Construct {
  public readonly role: IamRole;
  public readonly integration: IntegrationAwsAccount;

  constructor(scope: Construct, id: string, props: DatadogAwsIntegrationProps) {
    super(scope, id);
    const roleName = props.roleName ?? 'DatadogIntegrationRole';
    const datadogAccount = DATADOG_AWS_ACCOUNTS[props.site];
    checkProps(this, 'DatadogAwsIntegration', [[datadogAccount === undefined, 'site', props.site, `one of ${Object.keys(DATADOG_AWS_ACCOUNTS).join(', ')}`]]);

    const externalId = new IntegrationAwsExternalId(this, 'external-id', {});
    this.role = new IamRole(this, 'role', {
      name: roleName,
      description: 'Assumed by Datadog to read metrics and tags',
      assumeRolePolicy: policyDocument({
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${datadogAccount}:root` },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': externalId.id } },
      }),
    });
    new IamRolePolicy(this, 'read', { role: this.role.id, policy: policyDocument({ Effect: 'Allow', Action: READ_ACTIONS, Resource: '*' }) });

    this.integration = new IntegrationAwsAccount(this, 'integration', {
      awsAccountId: props.accountId,
      awsPartition: 'aws',
      accountTags: [...(props.accountTags ?? [])],
      awsRegions: { includeOnly: [props.region] },
      authConfig: { awsAuthConfigRole: { roleName, externalId: externalId.id } },
      metricsConfig: { enabled: true, automuteEnabled: true, collectCloudwatchAlarms: false, collectCustomMetrics: false, namespaceFilters: { includeOnly: NAMESPACES } },
      resourcesConfig: { cloudSecurityPostureManagementCollection: false, extendedCollection: true },
      dependsOn: [this.role],
    });
  }
}
