import { PolicyRule, SynthResource, Verdict, attr, filled, verdict } from '../rule';

/** Instances, Elastic Beanstalk environments and Lambda. */

function setting(env: SynthResource, namespace: string, name: string): string | undefined {
  const found = ((env.attributes.setting ?? []) as Array<{ namespace: string; name: string; value: string }>).find((s) => s.namespace === namespace && s.name === name);
  return found?.value;
}

const EB = ['aws_elastic_beanstalk_environment'];

/**
 * Verdict of a load-balancer rule on a Beanstalk environment: a Worker-tier or
 * single-instance environment has no load balancer, so the rule does not apply.
 * @see https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/command-options-general.html (aws:elasticbeanstalk:environment EnvironmentType)
 */
function onLoadBalancer(env: SynthResource, ok: () => boolean): Verdict {
  if (attr(env, 'tier') === 'Worker' || setting(env, 'aws:elasticbeanstalk:environment', 'EnvironmentType') === 'SingleInstance') return 'not-applicable';
  return verdict(ok());
}

const isTrue = (v: unknown) => v === true || v === 'true';

export const computeRules: PolicyRule[] = [
  {
    id: 'EC2-IMDSV2',
    pack: 'baseline',
    info: 'EC2 instances and launch templates require IMDSv2 session tokens.',
    explanation: 'IMDSv1 lets a server-side request forgery read the instance role credentials.',
    fix: 'Set metadata_options { http_tokens = "required" } (the SqlServerCluster nodes do).',
    checkov: 'CKV_AWS_79',
    resourceTypes: ['aws_instance', 'aws_launch_template'],
    check: (r) => verdict(attr(r, 'metadata_options.http_tokens') === 'required'),
  },
  {
    id: 'EB-IMDSV2',
    pack: 'baseline',
    info: 'Beanstalk instances have IMDSv1 disabled.',
    explanation: 'IMDSv1 lets a server-side request forgery in the app read the instance role credentials.',
    fix: 'Use the BeanstalkApp construct (it sets DisableIMDSv1).',
    resourceTypes: EB,
    check: (r) => verdict(setting(r, 'aws:autoscaling:launchconfiguration', 'DisableIMDSv1') === 'true'),
  },
  {
    id: 'EB-HTTPS-LISTENER',
    pack: 'baseline',
    info: 'Beanstalk load balancers listen with HTTPS on 443 under a TLS 1.2+ policy, and not with plain HTTP.',
    explanation: 'Traffic from Fastly to the origin crosses the internet; old TLS versions are broken.',
    fix: 'Give the environment certificateArn and keep the default sslPolicy.',
    partly: 'CKV_AWS_2 / CKV_AWS_103: the same checks on the Beanstalk listener settings; there is no aws_lb_listener in this repository',
    resourceTypes: EB,
    check: (r) =>
      onLoadBalancer(
        r,
        () =>
          setting(r, 'aws:elbv2:listener:443', 'Protocol') === 'HTTPS' &&
          /^ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2)/.test(setting(r, 'aws:elbv2:listener:443', 'SSLPolicy') ?? '') &&
          setting(r, 'aws:elbv2:listener:default', 'ListenerEnabled') === 'false',
      ),
  },
  {
    id: 'EB-APPLICATION-LB',
    pack: 'baseline',
    info: 'Beanstalk environments use an application load balancer, not a classic one.',
    explanation: 'Classic load balancers lack modern TLS policies, HTTP/2 and per-path health; AWS is retiring them.',
    fix: 'Use the BeanstalkApp construct (LoadBalancerType application).',
    resourceTypes: EB,
    check: (r) => onLoadBalancer(r, () => setting(r, 'aws:elasticbeanstalk:environment', 'LoadBalancerType') === 'application'),
  },
  {
    id: 'EB-PLATFORM-PINNED',
    pack: 'baseline',
    info: 'Beanstalk environments run the full platform version the repository names, with managed platform updates off.',
    explanation: 'A managed update moves the environment past the pinned solution stack, so every later plan tries to move it back; the repository bumps the version by pull request (accounts/catalogue.ts).',
    fix: 'Use the BeanstalkApp construct with a platform from accounts/catalogue.ts.',
    resourceTypes: EB,
    check: (r) =>
      verdict(
        setting(r, 'aws:elasticbeanstalk:managedactions', 'ManagedActionsEnabled') === 'false' &&
          /^64bit .+ v\d+\.\d+\.\d+ running /.test(String(attr(r, 'solution_stack_name') ?? '')),
      ),
  },
  {
    id: 'EB-ENHANCED-HEALTH',
    pack: 'baseline',
    info: 'Beanstalk environments report enhanced health.',
    explanation: 'Basic health cannot see request latency or 5xx per instance; immutable deploys and alerts depend on it.',
    fix: 'Use the BeanstalkApp construct.',
    checkov: 'CKV_AWS_312',
    resourceTypes: EB,
    check: (r) => verdict(setting(r, 'aws:elasticbeanstalk:healthreporting:system', 'SystemType') === 'enhanced'),
  },
  {
    id: 'EB-LOG-STREAMING',
    pack: 'baseline',
    info: 'Beanstalk instances stream their logs to CloudWatch Logs.',
    explanation: 'Instances are disposable: logs left on them vanish with the next deploy or scale-in.',
    fix: 'Use the BeanstalkApp construct.',
    resourceTypes: EB,
    check: (r) => verdict(setting(r, 'aws:elasticbeanstalk:cloudwatch:logs', 'StreamLogs') === 'true'),
  },
  {
    id: 'EB-IMMUTABLE-DEPLOYS',
    pack: 'production',
    info: 'Production Beanstalk environments never deploy all at once.',
    explanation: 'AllAtOnce takes every instance down together: a failed deploy is an outage.',
    fix: 'Use Immutable (the production default) or a rolling policy.',
    resourceTypes: EB,
    // An absent DeploymentPolicy is AllAtOnce, the AWS default
    // (https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/command-options-general.html#command-options-general-elasticbeanstalkcommand).
    check: (r) => verdict(['Rolling', 'RollingWithAdditionalBatch', 'Immutable', 'TrafficSplitting'].includes(setting(r, 'aws:elasticbeanstalk:command', 'DeploymentPolicy') ?? 'AllAtOnce')),
  },
  {
    id: 'LB-ACCESS-LOGS',
    pack: 'production',
    info: 'Production load balancers (aws_lb and Beanstalk environments) write access logs to S3.',
    explanation: 'Access logs are the record of who called what when an incident or a dispute is investigated; the internal operator console does not pass through Fastly, whose logs cover the public sites.',
    fix: 'aws_lb: access_logs { enabled = true, bucket = ... }; Beanstalk: aws:elbv2:loadbalancer AccessLogsS3Enabled true and AccessLogsS3Bucket.',
    cdkNag: 'AwsSolutions-ELB2',
    checkov: 'CKV_AWS_91',
    resourceTypes: ['aws_lb', 'aws_alb', ...EB],
    check: (r) => {
      if (r.type !== EB[0]) return verdict(isTrue(attr(r, 'access_logs.enabled')) && filled(attr(r, 'access_logs.bucket')));
      return onLoadBalancer(r, () => setting(r, 'aws:elbv2:loadbalancer', 'AccessLogsS3Enabled') === 'true' && filled(setting(r, 'aws:elbv2:loadbalancer', 'AccessLogsS3Bucket')));
    },
  },
  {
    id: 'EC2-NO-PUBLIC-IP',
    pack: 'baseline',
    info: 'Instances, launch templates and Beanstalk instances get no public IP address.',
    explanation: 'Instances sit in private subnets behind load balancers and NAT; a public address puts them one security group slip from the internet.',
    fix: 'Remove associate_public_ip_address (Beanstalk: AssociatePublicIpAddress false, the BeanstalkApp default).',
    checkov: 'CKV_AWS_88',
    resourceTypes: ['aws_instance', 'aws_launch_template', ...EB],
    check: (r) => {
      if (r.type === 'aws_instance') return verdict(!isTrue(attr(r, 'associate_public_ip_address')));
      if (r.type === 'aws_launch_template') return verdict(!((r.attributes.network_interfaces ?? []) as Array<{ associate_public_ip_address?: unknown }>).some((n) => isTrue(n.associate_public_ip_address)));
      return verdict(setting(r, 'aws:ec2:vpc', 'AssociatePublicIpAddress') !== 'true');
    },
  },
  {
    id: 'LAMBDA-URL-AUTH',
    pack: 'baseline',
    info: 'Lambda function URLs require IAM authorization; authorization_type NONE is an exception suppressed with its reason.',
    explanation: 'A function URL with NONE is callable by anyone on the internet: the function itself must authenticate every request, and a reviewer must see why.',
    fix: 'Set authorization_type = "AWS_IAM", or suppress LAMBDA-URL-AUTH next to the URL saying how the function authenticates callers.',
    checkov: 'CKV_AWS_258',
    resourceTypes: ['aws_lambda_function_url'],
    // hashicorp/terraform-provider-aws internal/service/lambda/function_url.go: with NONE the
    // provider also adds a lambda:InvokeFunctionUrl permission for principal "*".
    check: (r) => verdict(attr(r, 'authorization_type') === 'AWS_IAM'),
  },
];
