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

/**
 * Datadog's standard integration policy: the "Full" base permissions of Datadog's own
 * role template (github.com/DataDog/cloudformation-template, aws/datadog_integration_role.yaml,
 * which Datadog's AWS integration docs point to), the same list the provider's
 * `datadog_integration_aws_iam_permissions_standard` data source returns. It includes
 * `autoscaling:Describe*` (DescribeTags among them) and `tag:GetResources`, without which
 * Datadog cannot tag metrics with the `elasticbeanstalk:environment-name` the monitors select on.
 */
export const DATADOG_STANDARD_ACTIONS: readonly string[] = [
  'account:GetAccountInformation', 'airflow:GetEnvironment', 'airflow:ListEnvironments', 'apigateway:GET', 'appsync:ListGraphqlApis',
  'autoscaling:Describe*', 'backup:List*', 'batch:DescribeJobDefinitions', 'bcm-data-exports:GetExport', 'bcm-data-exports:ListExports',
  'budgets:ViewBudget', 'cloudfront:GetDistributionConfig', 'cloudfront:ListDistributions', 'cloudtrail:DescribeTrails', 'cloudtrail:GetTrail',
  'cloudtrail:GetTrailStatus', 'cloudtrail:ListTrails', 'cloudtrail:LookupEvents', 'cloudwatch:Describe*', 'cloudwatch:Get*', 'cloudwatch:List*',
  'codebuild:BatchGetProjects', 'codebuild:ListProjects', 'codedeploy:BatchGet*', 'codedeploy:List*', 'cur:DescribeReportDefinitions',
  'directconnect:Describe*', 'dms:DescribeReplicationInstances', 'dynamodb:Describe*', 'dynamodb:List*', 'ec2:Describe*', 'ecs:Describe*',
  'ecs:List*', 'eks:DescribeCluster', 'eks:ListClusters', 'elasticache:Describe*', 'elasticache:List*', 'elasticfilesystem:DescribeAccessPoints',
  'elasticfilesystem:DescribeFileSystems', 'elasticfilesystem:DescribeTags', 'elasticloadbalancing:Describe*', 'elasticmapreduce:Describe*',
  'elasticmapreduce:List*', 'es:DescribeElasticsearchDomains', 'es:ListDomainNames', 'es:ListTags', 'events:CreateEventBus', 'fsx:DescribeFileSystems',
  'fsx:ListTagsForResource', 'health:DescribeAffectedEntities', 'health:DescribeEventDetails', 'health:DescribeEvents', 'iam:ListAccountAliases',
  'kinesis:Describe*', 'kinesis:List*', 'lambda:List*', 'logs:DeleteSubscriptionFilter', 'logs:DescribeDeliveries', 'logs:DescribeDeliverySources',
  'logs:DescribeLogGroups', 'logs:DescribeLogStreams', 'logs:DescribeSubscriptionFilters', 'logs:FilterLogEvents', 'logs:GetDeliveryDestination',
  'logs:PutSubscriptionFilter', 'logs:TestMetricFilter', 'network-firewall:DescribeLoggingConfiguration', 'network-firewall:ListFirewalls',
  'oam:ListAttachedLinks', 'oam:ListSinks', 'organizations:Describe*', 'organizations:List*', 'rds:Describe*', 'rds:List*',
  'redshift-serverless:ListNamespaces', 'redshift:DescribeClusters', 'redshift:DescribeLoggingStatus', 'route53:List*',
  'route53resolver:ListResolverQueryLogConfigs', 's3:GetBucketLocation', 's3:GetBucketLogging', 's3:GetBucketNotification', 's3:GetBucketTagging',
  's3:ListAllMyBuckets', 's3:PutBucketNotification', 'ses:Get*', 'ses:List*', 'sns:GetSubscriptionAttributes', 'sns:List*', 'sns:Publish',
  'sqs:ListQueues', 'ssm:GetServiceSetting', 'ssm:ListCommands', 'states:DescribeStateMachine', 'states:ListStateMachines', 'tag:GetResources',
  'tag:GetTagKeys', 'tag:GetTagValues', 'timestream:DescribeEndpoints', 'trustedadvisor:ListRecommendations', 'trustedadvisor:ListRecommendationResources',
  'wafv2:ListLoggingConfigurations', 'xray:BatchGetTraces', 'xray:GetTraceSummaries',
];

/**
 * Left out of Datadog's list on purpose: they let Datadog change the account to set up log
 * forwarding (subscription filters, bucket notifications, an event bus, SNS), and this
 * integration forwards no logs (`logs_config.lambda_forwarder` lists no forwarder).
 */
export const DATADOG_WRITE_ACTIONS_LEFT_OUT: readonly string[] = [
  'events:CreateEventBus', 'logs:DeleteSubscriptionFilter', 'logs:PutSubscriptionFilter', 's3:PutBucketNotification', 'sns:Publish',
];

const READ_ACTIONS = DATADOG_STANDARD_ACTIONS.filter((a) => !DATADOG_WRITE_ACTIONS_LEFT_OUT.includes(a));

/**
 * CloudWatch namespaces collected: only what the constructs create, to keep the bill down.
 * No AWS/AutoScaling: Beanstalk's Auto Scaling groups publish no group metrics (collection
 * is off, and the aws:autoscaling:asg options have no setting for it:
 * docs.aws.amazon.com/elasticbeanstalk/latest/dg/command-options-general.html), so it would be empty.
 */
const NAMESPACES = ['AWS/ApplicationELB', 'AWS/ElasticBeanstalk', 'AWS/EC2', 'AWS/EBS', 'AWS/RDS', 'AWS/SQS', 'AWS/Lambda', 'AWS/SES', 'AWS/DynamoDB', 'AWS/FSx', 'AWS/NATGateway', 'AWS/ElastiCache', 'AWS/SNS'];

export interface DatadogAwsIntegrationProps {
  readonly accountId: string;
  readonly region: string;
  /** Datadog site, e.g. `ap1.datadoghq.com`: decides which Datadog account the role trusts. */
  readonly site: string;
  /** @default 'DatadogIntegrationRole' */
  readonly roleName?: string;
  /** Tags Datadog adds to every metric of the account. @default [] */
  readonly accountTags?: readonly string[];
  /**
   * Collect AWS/Billing (`aws.billing.estimated_charges`): CloudWatch publishes billing
   * metrics in us-east-1 only, so that region is collected too.
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/monitor_estimated_charges_with_cloudwatch.html
   * @default false
   */
  readonly billingMetrics?: boolean;
}

/** The only region CloudWatch publishes billing metrics in. */
export const BILLING_METRICS_REGION = 'us-east-1';

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
      awsRegions: { includeOnly: props.billingMetrics && props.region !== BILLING_METRICS_REGION ? [props.region, BILLING_METRICS_REGION] : [props.region] },
      authConfig: { awsAuthConfigRole: { roleName, externalId: externalId.id } },
      metricsConfig: { enabled: true, automuteEnabled: true, collectCloudwatchAlarms: false, collectCustomMetrics: false, namespaceFilters: { includeOnly: props.billingMetrics ? [...NAMESPACES, 'AWS/Billing'] : NAMESPACES } },
      // Extended collection needs the resource-collection policies of Datadog's template too;
      // the monitors here only need metrics and tags.
      resourcesConfig: { cloudSecurityPostureManagementCollection: false, extendedCollection: false },
      // Provider 3.82 refuses the resource without these blocks (ExactlyOneOf validators in
      // datadog/fwprovider/resource_datadog_integration_aws_account.go); empty ones collect
      // no logs through a forwarder and no X-Ray traces.
      logsConfig: { lambdaForwarder: {} },
      tracesConfig: { xrayServices: {} },
      dependsOn: [this.role],
    });
  }
}
