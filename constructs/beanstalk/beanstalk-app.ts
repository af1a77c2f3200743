import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { ElasticBeanstalkApplication } from '@cdktf/provider-aws/lib/elastic-beanstalk-application';
import { ElasticBeanstalkEnvironment, ElasticBeanstalkEnvironmentSetting } from '@cdktf/provider-aws/lib/elastic-beanstalk-environment';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { attachManagedPolicies, policyDocument, serviceTrust } from '../core/iam';
import { Rule, checkProps, distinctZones } from '../core/validation';
import { beanstalkMonitors } from '../monitoring/catalogue';
import { MonitorSpec, MonitorThresholds, Monitored } from '../monitoring/spec';
import { SubnetRef } from '../network/network';

/**
 * How a new application version reaches the instances.
 * @see https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/using-features.rolling-version-deploy.html
 */
export type DeploymentPolicy = 'Immutable' | 'RollingWithAdditionalBatch' | 'Rolling' | 'AllAtOnce' | 'TrafficSplitting';
export const DEPLOYMENT_POLICIES: readonly DeploymentPolicy[] = ['Immutable', 'RollingWithAdditionalBatch', 'Rolling', 'AllAtOnce', 'TrafficSplitting'];

/** One environment of an application (e.g. the live one, or a blue/green pair). */
export interface BeanstalkEnvironmentSettings {
  /** Environment name, unique in the region: 4-40 letters, digits and hyphens. */
  readonly name: string;
  /** The `<prefix>.<region>.elasticbeanstalk.com` name. @default - the environment name */
  readonly cnamePrefix?: string;
  /**
   * Instance types, the first preferred.
   * @default ['t3.large'] for Windows, ['t3.small'] for Linux
   */
  readonly instanceTypes?: readonly string[];
  /** Fewest instances. @default 2 in production (one per zone survives a zone loss), else 1 */
  readonly minInstances?: number;
  /** Most instances. @default 4 */
  readonly maxInstances?: number;
  /**
   * Deployment policy. `Immutable` deploys to fresh instances and is the only policy whose
   * failure leaves the old instances untouched.
   * @default 'Immutable' in production, else 'RollingWithAdditionalBatch'
   */
  readonly deploymentPolicy?: DeploymentPolicy;
  /** Percent of instances per batch for rolling policies. @default 30 */
  readonly batchSizePercent?: number;
  /** ACM certificate for the HTTPS listener on 443 (HTTP on 80 is closed). */
  readonly certificateArn: string;
  /**
   * ALB security policy for the HTTPS listener.
   * @default 'ELBSecurityPolicy-TLS13-1-2-2021-06' (TLS 1.3 and 1.2 only)
   * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
   */
  readonly sslPolicy?: string;
  /** Path the load balancer health check requests. @default '/health' */
  readonly healthCheckPath?: string;
  /** Average CPU percent above which an instance is added. @default 70 */
  readonly scaleOutCpuPercent?: number;
  /** Average CPU percent below which an instance is removed. @default 30 */
  readonly scaleInCpuPercent?: number;
  /** Root volume size (gp3, encrypted by the account's EBS default). @default 60 for Windows, 20 for Linux */
  readonly rootVolumeGb?: number;
  /** Plain environment variables. Values must not be secrets: see `secrets`. @default {} */
  readonly environmentVariables?: Readonly<Record<string, string>>;
  /**
   * Environment variables filled at instance start from Secrets Manager or SSM Parameter
   * Store: name -> ARN. The instance role may read exactly these.
   * @default {}
   * @see https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/AWSHowTo.secrets.env-vars.html
   */
  readonly secrets?: Readonly<Record<string, string>>;
  /**
   * Days to keep instance and health logs in CloudWatch Logs: one of
   * STREAMED_LOG_RETENTION_DAYS (Beanstalk takes fewer periods than CloudWatch Logs).
   * @default 365 in production, else 90
   */
  readonly logRetentionDays?: number;
  /** Put the load balancer in private subnets (internal service). @default false */
  readonly internal?: boolean;
  /** CIDRs allowed to reach the load balancer on 443. @default ['0.0.0.0/0'] */
  readonly allowedCidrs?: readonly string[];
}

export interface BeanstalkAppProps {
  /** Application name. */
  readonly name: string;
  /** @default - none */
  readonly description?: string;
  /**
   * The platform, e.g. "64bit Windows Server 2022 v2.17.0 running IIS 10.0" or
   * "64bit Amazon Linux 2023 v4.5.0 running Python 3.12".
   * @see https://docs.aws.amazon.com/elasticbeanstalk/latest/platforms/platforms-supported.html
   */
  readonly solutionStackName: string;
  /**
   * Custom AMI (e.g. the monthly patched Windows image): bumping it is a one-line change.
   * @default - the platform's own AMI
   */
  readonly imageId?: string;
  /** The application's environments. */
  readonly environments: readonly BeanstalkEnvironmentSettings[];
  readonly vpcId: string;
  /** Subnets for instances (and an internal load balancer). */
  readonly privateSubnets: readonly SubnetRef[];
  /** Subnets for a public load balancer. */
  readonly publicSubnets: readonly SubnetRef[];
  /** Use production defaults (see each setting). @default false */
  readonly production?: boolean;
  /** Application versions to keep; older ones are deleted. @default 200 */
  readonly maxVersions?: number;
  /** KMS key for the environments' log groups. @default - CloudWatch Logs' own encryption */
  readonly logsKmsKeyArn?: string;
  /**
   * Where the load balancers write access logs (a LoadBalancerLogBucket), each environment
   * under its own prefix (its name).
   * @default - no access logs (the policy rule LB-ACCESS-LOGS refuses that in production)
   * @see https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/command-options-general.html#command-options-general-elbv2
   */
  readonly accessLogs?: BeanstalkAccessLogs;
}

/** The bucket the environments' load balancers write access logs to. */
export interface BeanstalkAccessLogs {
  /** The bucket's name. */
  readonly bucketName: string;
  /** What must exist before a load balancer is told to log (the bucket policy, which ELB checks then). @default [] */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * The log groups Elastic Beanstalk streams to, per platform, under
 * `/aws/elasticbeanstalk/<environment>/`: the instance logs of the platform (the table of
 * "How Elastic Beanstalk sets up CloudWatch Logs" for Windows and the Amazon Linux 2 / 2023
 * branches; Node.js and Python stream the httpd logs beside the nginx ones, whichever proxy
 * runs) and the environment health log.
 * @see https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/AWSHowTo.cloudwatchlogs.html
 * @see https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/AWSHowTo.cloudwatchlogs.envhealth.html
 */
const HEALTH_LOG = 'environment-health.log';
const ENGINE = ['var/log/eb-engine.log', 'var/log/eb-hooks.log'];
const NGINX = ['var/log/nginx/access.log', 'var/log/nginx/error.log'];
const HTTPD = ['var/log/httpd/access_log', 'var/log/httpd/error_log'];
const PLATFORM_LOGS: ReadonlyArray<[platform: RegExp, logs: readonly string[]]> = [
  [/^64bit Windows Server .+ running IIS /, ['EBDeploy-Log', 'EBHooks-Log', 'IIS-Log']],
  [/ running (Tomcat|PHP) /, [...ENGINE, ...HTTPD, ...NGINX]],
  [/ running (Node\.js|Python) /, [...ENGINE, 'var/log/web.stdout.log', ...HTTPD, ...NGINX]],
  [/ running (Go|\.NET|Corretto) /, [...ENGINE, 'var/log/web.stdout.log', ...NGINX]],
  [/ running Ruby /, [...ENGINE, 'var/log/puma/puma.log', 'var/log/web.stdout.log', ...NGINX]],
];

/** The log groups (names under `/aws/elasticbeanstalk/<environment>/`) a platform streams to; undefined for a platform not in the table. */
export function streamedLogs(solutionStackName: string): readonly string[] | undefined {
  const logs = PLATFORM_LOGS.find(([platform]) => platform.test(solutionStackName))?.[1];
  return logs ? [...logs, HEALTH_LOG] : undefined;
}

/** What other constructs (monitors, Fastly backends) need of one environment. */
export interface BeanstalkEnvironmentOutputs {
  readonly environmentName: string;
  /** The environment's CNAME, e.g. `customer-prod.ap-northeast-1.elasticbeanstalk.com`. */
  readonly environmentUrl: string;
  /** The load balancers' names (a list token). */
  readonly loadBalancers: string[];
  readonly instanceSecurityGroupId: string;
  readonly loadBalancerSecurityGroupId: string;
  readonly environment: ElasticBeanstalkEnvironment;
  readonly settings: Required<Pick<BeanstalkEnvironmentSettings, 'name' | 'deploymentPolicy' | 'maxInstances' | 'minInstances'>>;
}

/**
 * The retention periods Beanstalk takes for RetentionInDays (aws:elasticbeanstalk:cloudwatch:logs
 * and :logs:health): CloudWatch Logs' own list less 1096, 2192, 2557, 2922 and 3288, which
 * CloudWatch accepts and Beanstalk refuses when the environment is created or updated.
 * @see https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/command-options-general.html
 */
export const STREAMED_LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653] as const;

const ENV_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{2,38}[A-Za-z0-9]$/;
const SECRET_ARN = /^arn:aws:(secretsmanager:[a-z0-9-]+:\d{12}:secret:|ssm:[a-z0-9-]+:\d{12}:parameter\/)/;
// A plain variable whose name says it holds a secret: refused, it belongs in `secrets`.
const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CONNECTION_?STRING)/i;

/**
 * An Elastic Beanstalk application and its environments: an ALB with HTTPS only, instances
 * in private subnets with IMDSv2 and no SSH, immutable deploys in production, enhanced
 * health, a platform version the repository pins (no managed updates) and logs streamed off
 * the (disposable) instances.
 */
export class BeanstalkApp extends Construct implements Monitored {
  /** The application name as given (a plain string, usable in lookups at synth time). */
  public readonly appName: string;
  public readonly application: ElasticBeanstalkApplication;
  public readonly serviceRoleArn: string;
  public readonly instanceRoleName: string;
  public readonly environments: readonly BeanstalkEnvironmentOutputs[];
  public readonly platform: 'windows' | 'linux';

  constructor(scope: Construct, id: string, props: BeanstalkAppProps) {
    super(scope, id);
    const production = props.production ?? false;
    const maxVersions = props.maxVersions ?? 200;
    const platform = /Windows/.test(props.solutionStackName) ? 'windows' : 'linux';
    this.platform = platform;
    this.appName = props.name;

    checkProps(this, 'BeanstalkApp', [
      [!/^64bit (Windows Server .+ running IIS|Amazon Linux 2023 .+ running )/.test(props.solutionStackName), 'solutionStackName', props.solutionStackName, 'a current Windows Server / IIS or Amazon Linux 2023 solution stack name'],
      // Its log groups are pre-created (see streamedLogs): a platform whose streamed logs are
      // not known would get groups Beanstalk creates itself, without the key.
      [streamedLogs(props.solutionStackName) === undefined, 'solutionStackName', props.solutionStackName, 'a platform whose streamed logs streamedLogs knows: Windows Server / IIS, or Amazon Linux 2023 with Tomcat, PHP, Node.js, Python, Go, .NET, Corretto or Ruby'],
      [props.imageId !== undefined && !/^ami-[0-9a-f]{8,17}$/.test(props.imageId), 'imageId', props.imageId, 'an AMI id such as "ami-0123456789abcdef0"'],
      [props.environments.length === 0, 'environments', props.environments.length, 'at least one environment'],
      [distinctZones(props.privateSubnets).length < 2, 'privateSubnets', props.privateSubnets.map((s) => s.id), 'subnets in at least 2 availability zones'],
      [maxVersions < 1 || maxVersions > 1000, 'maxVersions', maxVersions, 'from 1 to 1000 (the application version quota)'],
    ]);

    const serviceRole = new IamRole(this, 'service-role', {
      name: `${props.name}-eb-service`,
      // Elastic Beanstalk passes this external id when it assumes its service role.
      assumeRolePolicy: policyDocument({
        Effect: 'Allow',
        Principal: { Service: 'elasticbeanstalk.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': 'elasticbeanstalk' } },
      }),
    });
    // Enhanced health (and worker-queue monitoring) only. AWSElasticBeanstalkManagedUpdatesCustomerRolePolicy
    // is what managed platform updates need (elasticbeanstalk:*, iam:PassRole to its services):
    // they are off here (ManagedActionsEnabled false, the repository pins the platform), so it is
    // not attached. docs.aws.amazon.com/elasticbeanstalk/latest/dg/concepts-roles-service.html
    attachManagedPolicies(this, 'service-role', serviceRole.name, ['service-role/AWSElasticBeanstalkEnhancedHealth']);
    this.serviceRoleArn = serviceRole.arn;

    // Instances get AWS's scoped web-tier policy (app bundles, log streaming, health),
    // Session Manager instead of SSH, and read access to exactly their own secrets.
    const instanceRole = new IamRole(this, 'instance-role', {
      name: `${props.name}-eb-instance`,
      assumeRolePolicy: serviceTrust('ec2.amazonaws.com'),
    });
    attachManagedPolicies(this, 'instance-role', instanceRole.name, ['AWSElasticBeanstalkWebTier', 'AmazonSSMManagedInstanceCore']);
    this.instanceRoleName = instanceRole.name;
    const secretArns = [...new Set(props.environments.flatMap((e) => Object.values(e.secrets ?? {})))].sort();
    if (secretArns.length > 0) {
      new IamRolePolicy(this, 'read-secrets', {
        role: instanceRole.id,
        policy: policyDocument({
          Effect: 'Allow',
          Action: ['secretsmanager:GetSecretValue', 'ssm:GetParameter', 'ssm:GetParameters'],
          Resource: secretArns,
        }),
      });
    }
    const profile = new IamInstanceProfile(this, 'instance-profile', { name: `${props.name}-eb-instance`, role: instanceRole.name });

    this.application = new ElasticBeanstalkApplication(this, 'application', {
      name: props.name,
      description: props.description,
      appversionLifecycle: { serviceRole: serviceRole.arn, maxCount: maxVersions, deleteSourceFromS3: true },
    });

    this.environments = props.environments.map((settings) =>
      this.environment(settings, props, { production, platform, serviceRoleArn: serviceRole.arn, instanceProfile: profile.name }),
    );
  }

  /** Health, 5xx rate, p95 latency and instance ceiling of every environment. */
  public monitors(thresholds: MonitorThresholds): MonitorSpec[] {
    return this.environments.flatMap((e) => beanstalkMonitors({ environmentName: e.settings.name, maxInstances: e.settings.maxInstances }, thresholds.beanstalk));
  }

  private environment(
    e: BeanstalkEnvironmentSettings,
    props: BeanstalkAppProps,
    ctx: { production: boolean; platform: 'windows' | 'linux'; serviceRoleArn: string; instanceProfile: string },
  ): BeanstalkEnvironmentOutputs {
    const instanceTypes = e.instanceTypes ?? [ctx.platform === 'windows' ? 't3.large' : 't3.small'];
    const minInstances = e.minInstances ?? (ctx.production ? 2 : 1);
    const maxInstances = e.maxInstances ?? 4;
    const deploymentPolicy = e.deploymentPolicy ?? (ctx.production ? 'Immutable' : 'RollingWithAdditionalBatch');
    const batchSizePercent = e.batchSizePercent ?? 30;
    const sslPolicy = e.sslPolicy ?? 'ELBSecurityPolicy-TLS13-1-2-2021-06';
    const healthCheckPath = e.healthCheckPath ?? '/health';
    const scaleOutCpuPercent = e.scaleOutCpuPercent ?? 70;
    const scaleInCpuPercent = e.scaleInCpuPercent ?? 30;
    const rootVolumeGb = e.rootVolumeGb ?? (ctx.platform === 'windows' ? 60 : 20);
    const environmentVariables = e.environmentVariables ?? {};
    const secrets = e.secrets ?? {};
    const logRetentionDays = e.logRetentionDays ?? (ctx.production ? 365 : 90);
    const internal = e.internal ?? false;
    const allowedCidrs = e.allowedCidrs ?? ['0.0.0.0/0'];
    const p = `environments[${e.name}]`;

    const rules: Rule[] = [
      [!ENV_NAME.test(e.name), `${p}.name`, e.name, '4-40 letters, digits and hyphens, not starting or ending with a hyphen'],
      [!/^arn:aws:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/.test(e.certificateArn), `${p}.certificateArn`, e.certificateArn, 'an ACM certificate ARN'],
      [instanceTypes.length === 0, `${p}.instanceTypes`, instanceTypes, 'at least one instance type'],
      [minInstances < 1, `${p}.minInstances`, minInstances, 'at least 1'],
      [ctx.production && minInstances < 2, `${p}.minInstances`, minInstances, 'at least 2 in production (an instance per zone)'],
      [maxInstances < minInstances, `${p}.maxInstances`, maxInstances, `at least minInstances (${minInstances})`],
      // A rolling deploy with one instance takes the whole environment down for each batch.
      [maxInstances === 1 && ['Rolling', 'RollingWithAdditionalBatch'].includes(deploymentPolicy), `${p}.deploymentPolicy`, deploymentPolicy, '"Immutable", "TrafficSplitting" or "AllAtOnce" when maxInstances is 1'],
      [ctx.production && deploymentPolicy === 'AllAtOnce', `${p}.deploymentPolicy`, deploymentPolicy, 'not "AllAtOnce" in production (it takes every instance down at once)'],
      [!DEPLOYMENT_POLICIES.includes(deploymentPolicy), `${p}.deploymentPolicy`, deploymentPolicy, `one of ${DEPLOYMENT_POLICIES.join(', ')}`],
      [batchSizePercent < 1 || batchSizePercent > 100, `${p}.batchSizePercent`, batchSizePercent, 'from 1 to 100'],
      [!/^ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2)/.test(sslPolicy), `${p}.sslPolicy`, sslPolicy, 'an ELB security policy allowing only TLS 1.2 and newer'],
      [!healthCheckPath.startsWith('/'), `${p}.healthCheckPath`, healthCheckPath, 'a path starting with /'],
      [scaleInCpuPercent >= scaleOutCpuPercent, `${p}.scaleInCpuPercent`, scaleInCpuPercent, `below scaleOutCpuPercent (${scaleOutCpuPercent})`],
      [ctx.platform === 'windows' && rootVolumeGb < 30, `${p}.rootVolumeGb`, rootVolumeGb, 'at least 30 for Windows'],
      [!STREAMED_LOG_RETENTION_DAYS.includes(logRetentionDays as never), `${p}.logRetentionDays`, logRetentionDays, `one of ${STREAMED_LOG_RETENTION_DAYS.join(', ')} (the periods Elastic Beanstalk's RetentionInDays takes)`],
      ...Object.keys(environmentVariables)
        .filter((k) => SECRET_NAME.test(k))
        .map((k): Rule => [true, `${p}.environmentVariables.${k}`, '<hidden>', 'no secret in a plain variable: put its Secrets Manager or SSM ARN in secrets'] ),
      ...Object.entries(secrets)
        .filter(([, arn]) => !SECRET_ARN.test(arn))
        .map(([k, arn]): Rule => [true, `${p}.secrets.${k}`, arn, 'a Secrets Manager secret or SSM parameter ARN']),
    ];
    checkProps(this, 'BeanstalkApp', rules);

    const lbSg = new SecurityGroup(this, `${e.name}-lb-sg`, {
      namePrefix: `${e.name}-lb-`,
      description: `Load balancer of ${e.name}: HTTPS in, HTTP to instances`,
      vpcId: props.vpcId,
      lifecycle: { createBeforeDestroy: true },
    });
    const instanceSg = new SecurityGroup(this, `${e.name}-instance-sg`, {
      namePrefix: `${e.name}-instance-`,
      description: `Instances of ${e.name}: HTTP from the load balancer only`,
      vpcId: props.vpcId,
      lifecycle: { createBeforeDestroy: true },
    });
    allowedCidrs.forEach(
      (cidr, i) =>
        new VpcSecurityGroupIngressRule(this, `${e.name}-lb-https-${i}`, {
          securityGroupId: lbSg.id, ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv4: cidr, description: 'HTTPS from clients',
        }),
    );
    new VpcSecurityGroupEgressRule(this, `${e.name}-lb-to-instances`, {
      securityGroupId: lbSg.id, ipProtocol: 'tcp', fromPort: 80, toPort: 80, referencedSecurityGroupId: instanceSg.id, description: 'HTTP to instances',
    });
    new VpcSecurityGroupIngressRule(this, `${e.name}-instance-from-lb`, {
      securityGroupId: instanceSg.id, ipProtocol: 'tcp', fromPort: 80, toPort: 80, referencedSecurityGroupId: lbSg.id, description: 'HTTP from the load balancer',
    });
    new VpcSecurityGroupEgressRule(this, `${e.name}-instance-egress`, {
      securityGroupId: instanceSg.id, ipProtocol: '-1', cidrIpv4: '0.0.0.0/0', description: 'AWS APIs, databases and updates (through NAT)',
    });

    const ids = (subnets: readonly SubnetRef[]) => subnets.map((s) => s.id).join(',');
    const s = (namespace: string, name: string, value: string | number | boolean): ElasticBeanstalkEnvironmentSetting => ({ namespace, name, value: String(value) });
    const settings: ElasticBeanstalkEnvironmentSetting[] = [
      s('aws:ec2:vpc', 'VPCId', props.vpcId),
      s('aws:ec2:vpc', 'Subnets', ids(props.privateSubnets)),
      s('aws:ec2:vpc', 'ELBSubnets', ids(internal ? props.privateSubnets : props.publicSubnets)),
      s('aws:ec2:vpc', 'ELBScheme', internal ? 'internal' : 'public'),
      s('aws:ec2:vpc', 'AssociatePublicIpAddress', false),
      s('aws:elasticbeanstalk:environment', 'EnvironmentType', 'LoadBalanced'),
      s('aws:elasticbeanstalk:environment', 'LoadBalancerType', 'application'),
      s('aws:elasticbeanstalk:environment', 'ServiceRole', ctx.serviceRoleArn),
      s('aws:autoscaling:launchconfiguration', 'IamInstanceProfile', ctx.instanceProfile),
      s('aws:autoscaling:launchconfiguration', 'SecurityGroups', instanceSg.id),
      s('aws:autoscaling:launchconfiguration', 'DisableIMDSv1', true),
      s('aws:autoscaling:launchconfiguration', 'RootVolumeType', 'gp3'),
      s('aws:autoscaling:launchconfiguration', 'RootVolumeSize', rootVolumeGb),
      s('aws:autoscaling:launchconfiguration', 'MonitoringInterval', '1 minute'),
      s('aws:ec2:instances', 'InstanceTypes', instanceTypes.join(',')),
      s('aws:autoscaling:asg', 'MinSize', minInstances),
      s('aws:autoscaling:asg', 'MaxSize', maxInstances),
      s('aws:autoscaling:trigger', 'MeasureName', 'CPUUtilization'),
      s('aws:autoscaling:trigger', 'Statistic', 'Average'),
      s('aws:autoscaling:trigger', 'Unit', 'Percent'),
      s('aws:autoscaling:trigger', 'UpperThreshold', scaleOutCpuPercent),
      s('aws:autoscaling:trigger', 'LowerThreshold', scaleInCpuPercent),
      s('aws:elasticbeanstalk:command', 'DeploymentPolicy', deploymentPolicy),
      s('aws:elasticbeanstalk:command', 'BatchSizeType', 'Percentage'),
      s('aws:elasticbeanstalk:command', 'BatchSize', batchSizePercent),
      s('aws:elasticbeanstalk:command', 'IgnoreHealthCheck', false),
      // Configuration changes (instance type, AMI) follow the same safety as deploys.
      s('aws:autoscaling:updatepolicy:rollingupdate', 'RollingUpdateEnabled', true),
      s('aws:autoscaling:updatepolicy:rollingupdate', 'RollingUpdateType', deploymentPolicy === 'Immutable' || deploymentPolicy === 'TrafficSplitting' ? 'Immutable' : 'Health'),
      s('aws:elbv2:listener:default', 'ListenerEnabled', false),
      s('aws:elbv2:listener:443', 'ListenerEnabled', true),
      s('aws:elbv2:listener:443', 'Protocol', 'HTTPS'),
      s('aws:elbv2:listener:443', 'SSLCertificateArns', e.certificateArn),
      s('aws:elbv2:listener:443', 'SSLPolicy', sslPolicy),
      s('aws:elbv2:loadbalancer', 'SecurityGroups', lbSg.id),
      s('aws:elbv2:loadbalancer', 'ManagedSecurityGroup', lbSg.id),
      s('aws:elasticbeanstalk:environment:process:default', 'Port', 80),
      s('aws:elasticbeanstalk:environment:process:default', 'Protocol', 'HTTP'),
      s('aws:elasticbeanstalk:environment:process:default', 'HealthCheckPath', healthCheckPath),
      s('aws:elasticbeanstalk:healthreporting:system', 'SystemType', 'enhanced'),
      s('aws:elasticbeanstalk:healthreporting:system', 'EnhancedHealthAuthEnabled', true),
      // The repository owns the platform version (solutionStackName, from
      // accounts/catalogue.ts): a managed update would move the environment to a newer
      // version than the code names, and every later plan would try to move it back.
      // Platform patches arrive as the monthly catalogue bump pull request instead.
      s('aws:elasticbeanstalk:managedactions', 'ManagedActionsEnabled', false),
      s('aws:elasticbeanstalk:cloudwatch:logs', 'StreamLogs', true),
      s('aws:elasticbeanstalk:cloudwatch:logs', 'DeleteOnTerminate', false),
      s('aws:elasticbeanstalk:cloudwatch:logs', 'RetentionInDays', logRetentionDays),
      s('aws:elasticbeanstalk:cloudwatch:logs:health', 'HealthStreamingEnabled', true),
      s('aws:elasticbeanstalk:cloudwatch:logs:health', 'DeleteOnTerminate', false),
      s('aws:elasticbeanstalk:cloudwatch:logs:health', 'RetentionInDays', logRetentionDays),
      ...(props.imageId ? [s('aws:autoscaling:launchconfiguration', 'ImageId', props.imageId)] : []),
      ...(props.accessLogs
        ? [
            s('aws:elbv2:loadbalancer', 'AccessLogsS3Enabled', true),
            s('aws:elbv2:loadbalancer', 'AccessLogsS3Bucket', props.accessLogs.bucketName),
            s('aws:elbv2:loadbalancer', 'AccessLogsS3Prefix', e.name),
          ]
        : []),
      ...Object.entries(environmentVariables).map(([k, v]) => s('aws:elasticbeanstalk:application:environment', k, v)),
      ...Object.entries(secrets).map(([k, arn]) => s('aws:elasticbeanstalk:application:environmentsecrets', k, arn)),
    ];

    // Beanstalk would create these groups itself, without a key; created first, they carry
    // the account's logs key and the retention from the first line.
    const logGroups = (streamedLogs(props.solutionStackName) ?? []).map(
      (log) =>
        new CloudwatchLogGroup(this, `${e.name}-log-${log.replace(/[^A-Za-z0-9]+/g, '-')}`, {
          name: `/aws/elasticbeanstalk/${e.name}/${log}`,
          retentionInDays: logRetentionDays,
          kmsKeyId: props.logsKmsKeyArn,
        }),
    );

    const environment = new ElasticBeanstalkEnvironment(this, e.name, {
      name: e.name,
      application: this.application.name,
      cnamePrefix: e.cnamePrefix ?? e.name,
      solutionStackName: props.solutionStackName,
      tier: 'WebServer',
      setting: settings,
      dependsOn: [...logGroups, ...(props.accessLogs?.dependsOn ?? [])],
    });
    return {
      environmentName: environment.name,
      environmentUrl: environment.cname,
      loadBalancers: environment.loadBalancers,
      instanceSecurityGroupId: instanceSg.id,
      loadBalancerSecurityGroupId: lbSg.id,
      environment,
      settings: { name: e.name, deploymentPolicy, minInstances, maxInstances },
    };
  }
}
