import { TerraformLocal } from 'cdktf';
import { BeanstalkApp, BeanstalkAppProps, BeanstalkEnvironmentSettings } from '../../constructs/beanstalk/beanstalk-app';
import { TerraformJson, errorOf, managedPoliciesOf, onlyResource, resourcesOf, synthConstructs, testSubnets } from '../helpers';

const certificateArn = 'arn:aws:acm:ap-northeast-1:111111111111:certificate/6f0c2a1e-4b7d-4e8a-9c3f-1d2e3f4a5b6c';
const windows = '64bit Windows Server 2022 v2.18.0 running IIS 10.0';
const python = '64bit Amazon Linux 2023 v4.6.0 running Python 3.12';

function props(env: Partial<BeanstalkEnvironmentSettings> = {}, app: Partial<BeanstalkAppProps> = {}): BeanstalkAppProps {
  return {
    name: 'hotel-customer',
    solutionStackName: windows,
    vpcId: 'vpc-1',
    privateSubnets: testSubnets('prv'),
    publicSubnets: testSubnets('pub'),
    environments: [{ name: 'hotel-customer-prod', certificateArn, ...env }],
    ...app,
  };
}
const synth = (p: BeanstalkAppProps) => synthConstructs((stack) => new BeanstalkApp(stack, 'app', p));

/** The environment's settings as "namespace name" -> value. */
function settingsOf(json: TerraformJson): Record<string, string> {
  const env = onlyResource(json, 'aws_elastic_beanstalk_environment');
  return Object.fromEntries(env.setting.map((s: { namespace: string; name: string; value: string }) => [`${s.namespace} ${s.name}`, s.value]));
}

describe('BeanstalkApp: production defaults', () => {
  const json = synth(props({}, { production: true, imageId: 'ami-0a1b2c3d4e5f60718' }));
  const settings = settingsOf(json);

  it('runs an application load balancer with HTTPS on 443 and TLS 1.2+, and closes HTTP', () => {
    expect(settings['aws:elasticbeanstalk:environment LoadBalancerType']).toBe('application');
    expect(settings['aws:elbv2:listener:443 Protocol']).toBe('HTTPS');
    expect(settings['aws:elbv2:listener:443 SSLCertificateArns']).toBe(certificateArn);
    expect(settings['aws:elbv2:listener:443 SSLPolicy']).toBe('ELBSecurityPolicy-TLS13-1-2-2021-06');
    expect(settings['aws:elbv2:listener:default ListenerEnabled']).toBe('false');
  });

  it('deploys immutably, with immutable configuration updates', () => {
    expect(settings['aws:elasticbeanstalk:command DeploymentPolicy']).toBe('Immutable');
    expect(settings['aws:autoscaling:updatepolicy:rollingupdate RollingUpdateType']).toBe('Immutable');
    expect(settings['aws:elasticbeanstalk:command IgnoreHealthCheck']).toBe('false');
  });

  it('keeps instances private, IMDSv2-only, on gp3, from the custom AMI', () => {
    expect(settings['aws:ec2:vpc Subnets']).toBe('subnet-prv0,subnet-prv1,subnet-prv2');
    expect(settings['aws:ec2:vpc ELBSubnets']).toBe('subnet-pub0,subnet-pub1,subnet-pub2');
    expect(settings['aws:ec2:vpc AssociatePublicIpAddress']).toBe('false');
    expect(settings['aws:autoscaling:launchconfiguration DisableIMDSv1']).toBe('true');
    expect(settings['aws:autoscaling:launchconfiguration RootVolumeType']).toBe('gp3');
    expect(settings['aws:autoscaling:launchconfiguration RootVolumeSize']).toBe('60');
    expect(settings['aws:autoscaling:launchconfiguration ImageId']).toBe('ami-0a1b2c3d4e5f60718');
  });

  it('scales from 2 instances on CPU', () => {
    expect(settings['aws:autoscaling:asg MinSize']).toBe('2');
    expect(settings['aws:autoscaling:asg MaxSize']).toBe('4');
    expect(settings['aws:autoscaling:trigger MeasureName']).toBe('CPUUtilization');
    expect(settings['aws:autoscaling:trigger UpperThreshold']).toBe('70');
    expect(settings['aws:autoscaling:trigger LowerThreshold']).toBe('30');
  });

  it('reports enhanced health', () => {
    expect(settings['aws:elasticbeanstalk:healthreporting:system SystemType']).toBe('enhanced');
  });

  it('runs exactly the platform version it names: managed platform updates off, so plans stay quiet after AWS releases', () => {
    expect(onlyResource(json, 'aws_elastic_beanstalk_environment').solution_stack_name).toBe(windows);
    expect(settings['aws:elasticbeanstalk:managedactions ManagedActionsEnabled']).toBe('false');
    expect(Object.keys(settings).filter((k) => k.startsWith('aws:elasticbeanstalk:managedactions:platformupdate'))).toEqual([]);
  });

  it('pre-creates the log groups Beanstalk streams to, with the given key and the retention, before the environment', () => {
    const withKey = synth(props({}, { production: true, logsKmsKeyArn: 'arn:aws:kms:ap-northeast-1:111111111111:key/logs' }));
    const groups = Object.entries(resourcesOf(withKey, 'aws_cloudwatch_log_group'));
    expect(groups.map(([, g]) => g.name)).toEqual([
      '/aws/elasticbeanstalk/hotel-customer-prod/EBDeploy-Log',
      '/aws/elasticbeanstalk/hotel-customer-prod/EBHooks-Log',
      '/aws/elasticbeanstalk/hotel-customer-prod/IIS-Log',
      '/aws/elasticbeanstalk/hotel-customer-prod/environment-health.log',
    ]);
    expect(groups.every(([, g]) => g.kms_key_id === 'arn:aws:kms:ap-northeast-1:111111111111:key/logs' && g.retention_in_days === 365)).toBe(true);
    expect(onlyResource(withKey, 'aws_elastic_beanstalk_environment').depends_on.sort()).toEqual(groups.map(([id]) => `aws_cloudwatch_log_group.${id}`).sort());
  });

  // The Python platform streams the httpd logs beside the nginx ones ("How Elastic Beanstalk
  // sets up CloudWatch Logs", https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/AWSHowTo.cloudwatchlogs.html):
  // a group not pre-created is created by Beanstalk itself, without the key.
  it('pre-creates every log group the Python platform streams to, httpd ones included', () => {
    const linux = synth(props({}, { solutionStackName: python }));
    const names = Object.values(resourcesOf(linux, 'aws_cloudwatch_log_group')).map((g) => String(g.name).replace('/aws/elasticbeanstalk/hotel-customer-prod/', ''));
    expect(names.sort()).toEqual(
      ['var/log/eb-engine.log', 'var/log/eb-hooks.log', 'var/log/web.stdout.log', 'var/log/httpd/access_log', 'var/log/httpd/error_log', 'var/log/nginx/access.log', 'var/log/nginx/error.log', 'environment-health.log'].sort(),
    );
  });

  it('refuses a platform whose streamed log groups it does not know (Beanstalk would create them without the key)', () => {
    expect(errorOf(() => synth(props({}, { solutionStackName: '64bit Amazon Linux 2023 v4.5.0 running Docker' })))).toContain('solutionStackName: got "64bit Amazon Linux 2023 v4.5.0 running Docker", expected a platform whose streamed logs streamedLogs knows');
  });

  it('streams instance and health logs, kept a year after the instance is gone', () => {
    expect(settings['aws:elasticbeanstalk:cloudwatch:logs StreamLogs']).toBe('true');
    expect(settings['aws:elasticbeanstalk:cloudwatch:logs DeleteOnTerminate']).toBe('false');
    expect(settings['aws:elasticbeanstalk:cloudwatch:logs RetentionInDays']).toBe('365');
    expect(settings['aws:elasticbeanstalk:cloudwatch:logs:health HealthStreamingEnabled']).toBe('true');
  });

  it('keeps the version history bounded and deletes old bundles', () => {
    expect(onlyResource(json, 'aws_elastic_beanstalk_application').appversion_lifecycle).toMatchObject({ max_count: 200, delete_source_from_s3: true });
  });

  it('admits HTTPS to the load balancer and only the load balancer to the instances', () => {
    const ingress = Object.values(resourcesOf(json, 'aws_vpc_security_group_ingress_rule'));
    expect(ingress).toHaveLength(2);
    const https = ingress.find((r) => r.from_port === 443)!;
    expect(https).toMatchObject({ cidr_ipv4: '0.0.0.0/0', to_port: 443 });
    const toInstances = ingress.find((r) => r.from_port === 80)!;
    expect(toInstances.referenced_security_group_id).toMatch(/aws_security_group\..*lb-sg.*\.id/);
    expect(toInstances.cidr_ipv4).toBeUndefined();
  });

  it('gives the service role enhanced health only (managed updates are off: no AWSElasticBeanstalkManagedUpdatesCustomerRolePolicy), trusted with the Beanstalk external id', () => {
    const role = Object.values(resourcesOf(json, 'aws_iam_role')).find((r) => r.name === 'hotel-customer-eb-service')!;
    // docs.aws.amazon.com/elasticbeanstalk/latest/dg/concepts-roles-service.html: the managed-updates
    // policy is for managed platform updates, which every environment turns off.
    expect(settingsOf(json)['aws:elasticbeanstalk:managedactions ManagedActionsEnabled']).toBe('false');
    expect(managedPoliciesOf(json, 'hotel-customer-eb-service')).toEqual(['arn:aws:iam::aws:policy/service-role/AWSElasticBeanstalkEnhancedHealth']);
    expect(JSON.parse(role.assume_role_policy).Statement[0].Condition).toEqual({ StringEquals: { 'sts:ExternalId': 'elasticbeanstalk' } });
  });
});

describe('BeanstalkApp: other settings', () => {
  it('rolls with an additional batch outside production, with health-based config updates', () => {
    const settings = settingsOf(synth(props()));
    expect(settings['aws:elasticbeanstalk:command DeploymentPolicy']).toBe('RollingWithAdditionalBatch');
    expect(settings['aws:autoscaling:updatepolicy:rollingupdate RollingUpdateType']).toBe('Health');
    expect(settings['aws:autoscaling:asg MinSize']).toBe('1');
  });

  it('passes plain variables and secrets by ARN, and lets the instances read exactly those secrets', () => {
    const secretArn = 'arn:aws:secretsmanager:ap-northeast-1:111111111111:secret:hotel/db-AbCdEf';
    const json = synth(props({ environmentVariables: { ASPNETCORE_ENVIRONMENT: 'Production' }, secrets: { DB: secretArn } }));
    const settings = settingsOf(json);
    expect(settings['aws:elasticbeanstalk:application:environment ASPNETCORE_ENVIRONMENT']).toBe('Production');
    expect(settings['aws:elasticbeanstalk:application:environmentsecrets DB']).toBe(secretArn);
    const policy = JSON.parse(onlyResource(json, 'aws_iam_role_policy').policy);
    expect(policy.Statement[0].Resource).toEqual([secretArn]);
  });

  it('creates no secrets policy when there are no secrets', () => {
    expect(resourcesOf(synth(props()), 'aws_iam_role_policy')).toEqual({});
  });

  it('uses Linux defaults for a Python stack', () => {
    const settings = settingsOf(synth(props({}, { solutionStackName: python })));
    expect(settings['aws:ec2:instances InstanceTypes']).toBe('t3.small');
    expect(settings['aws:autoscaling:launchconfiguration RootVolumeSize']).toBe('20');
  });

  it('puts an internal load balancer in the private subnets, open to the given CIDRs', () => {
    const json = synth(props({ internal: true, allowedCidrs: ['10.0.0.0/8'] }));
    const settings = settingsOf(json);
    expect(settings['aws:ec2:vpc ELBScheme']).toBe('internal');
    expect(settings['aws:ec2:vpc ELBSubnets']).toBe('subnet-prv0,subnet-prv1,subnet-prv2');
    const https = Object.values(resourcesOf(json, 'aws_vpc_security_group_ingress_rule')).find((r) => r.from_port === 443)!;
    expect(https.cidr_ipv4).toBe('10.0.0.0/8');
  });

  it('exposes the environment name, URL, load balancers and instance security group', () => {
    let app!: BeanstalkApp;
    synthConstructs((stack) => (app = new BeanstalkApp(stack, 'app', props())));
    const [env] = app.environments;
    for (const token of [env.environmentName, env.environmentUrl, env.instanceSecurityGroupId]) expect(token).toMatch(/\$\{TfToken\[/);
    expect(env.settings.deploymentPolicy).toBe('RollingWithAdditionalBatch');
  });
});

describe('BeanstalkApp: validation', () => {
  const refused = (env: Partial<BeanstalkEnvironmentSettings>, app: Partial<BeanstalkAppProps> = {}) => errorOf(() => synth(props(env, app)));

  it('refuses a secret in a plain environment variable, without printing it', () => {
    const message = refused({ environmentVariables: { DB_PASSWORD: 'hunter2' } });
    expect(message).toContain('environments[hotel-customer-prod].environmentVariables.DB_PASSWORD: got "<hidden>", expected no secret in a plain variable');
    expect(message).not.toContain('hunter2');
  });

  it('refuses a rolling deploy when there is a single instance to roll', () => {
    expect(refused({ minInstances: 1, maxInstances: 1, deploymentPolicy: 'Rolling' })).toContain(
      'environments[hotel-customer-prod].deploymentPolicy: got "Rolling", expected "Immutable", "TrafficSplitting" or "AllAtOnce" when maxInstances is 1',
    );
  });

  it('refuses AllAtOnce and a single instance in production', () => {
    const message = refused({ deploymentPolicy: 'AllAtOnce', minInstances: 1 }, { production: true });
    expect(message).toContain('deploymentPolicy: got "AllAtOnce", expected not "AllAtOnce" in production');
    expect(message).toContain('minInstances: got 1, expected at least 2 in production');
  });

  it('refuses max below min', () => {
    expect(refused({ minInstances: 5, maxInstances: 2 })).toContain('maxInstances: got 2, expected at least minInstances (5)');
  });

  it('refuses a TLS policy allowing TLS 1.0', () => {
    expect(refused({ sslPolicy: 'ELBSecurityPolicy-2016-08' })).toContain('sslPolicy: got "ELBSecurityPolicy-2016-08", expected an ELB security policy allowing only TLS 1.2 and newer');
  });

  it('refuses a certificate that is not an ACM ARN', () => {
    expect(refused({ certificateArn: 'my-cert' })).toContain('certificateArn: got "my-cert", expected an ACM certificate ARN');
  });

  it('refuses a log retention CloudWatch Logs takes and Beanstalk does not (command-options-general.html, RetentionInDays)', () => {
    expect(refused({ logRetentionDays: 1096 })).toContain('logRetentionDays: got 1096, expected one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653');
  });

  it('refuses a Windows root volume under 30 GB', () => {
    expect(refused({ rootVolumeGb: 20 })).toContain('rootVolumeGb: got 20, expected at least 30 for Windows');
  });

  it('refuses a secret reference that is not an ARN, an unknown platform, a bad AMI and one-zone subnets', () => {
    const message = refused(
      { secrets: { DB: 'plaintext' } },
      { solutionStackName: 'Node.js 8', imageId: 'windows-latest', privateSubnets: [{ id: 'subnet-1', availabilityZone: 'ap-northeast-1a' }] },
    );
    expect(message).toContain('solutionStackName: got "Node.js 8"');
    expect(message).toContain('imageId: got "windows-latest", expected an AMI id');
    expect(message).toContain('privateSubnets: got ["subnet-1"], expected subnets in at least 2 availability zones');
  });

  it('refuses a bad secret reference', () => {
    // The value is not echoed: a wrong entry in `secrets` is most likely the secret itself.
    const message = refused({ secrets: { DB: 'plaintext' } });
    expect(message).toContain('secrets.DB: got <redacted>, expected a Secrets Manager secret or SSM parameter ARN');
    expect(message).not.toContain('plaintext');
  });
});

describe('BeanstalkApp: load balancer access logs', () => {
  const elbv2 = (json: TerraformJson) => Object.fromEntries(Object.entries(settingsOf(json)).filter(([k]) => k.startsWith('aws:elbv2:loadbalancer AccessLogs')));

  it('writes them to the given bucket under the environment name, after what the bucket needs', () => {
    const json = synthConstructs((stack) => {
      const policy = new TerraformLocal(stack, 'bucket-policy-stand-in', 'x');
      new BeanstalkApp(stack, 'app', props({}, { accessLogs: { bucketName: 'production-alb-logs-111111111111', dependsOn: [policy] } }));
    });
    expect(elbv2(json)).toEqual({
      'aws:elbv2:loadbalancer AccessLogsS3Enabled': 'true',
      'aws:elbv2:loadbalancer AccessLogsS3Bucket': 'production-alb-logs-111111111111',
      'aws:elbv2:loadbalancer AccessLogsS3Prefix': 'hotel-customer-prod',
    });
    expect(onlyResource(json, 'aws_elastic_beanstalk_environment').depends_on).toContain('local.bucket-policy-stand-in');
  });

  it('writes none without a bucket', () => {
    expect(elbv2(synth(props()))).toEqual({});
  });
});
