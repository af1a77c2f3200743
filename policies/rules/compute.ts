import { PolicyRule, SynthResource, attr, verdict } from '../rule';

/** Instances, Elastic Beanstalk environments and IAM. */

function setting(env: SynthResource, namespace: string, name: string): string | undefined {
  const found = ((env.attributes.setting ?? []) as Array<{ namespace: string; name: string; value: string }>).find((s) => s.namespace === namespace && s.name === name);
  return found?.value;
}

const EB = ['aws_elastic_beanstalk_environment'];

export const computeRules: PolicyRule[] = [
  {
    id: 'EC2-IMDSV2',
    pack: 'baseline',
    info: 'EC2 instances require IMDSv2 session tokens.',
    explanation: 'IMDSv1 lets a server-side request forgery read the instance role credentials.',
    fix: 'Set metadata_options { http_tokens = "required" } (the SqlServerCluster nodes do).',
    checkov: 'CKV_AWS_79',
    resourceTypes: ['aws_instance'],
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
    checkov: 'CKV_AWS_103',
    resourceTypes: EB,
    check: (r) =>
      verdict(
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
    check: (r) => verdict(setting(r, 'aws:elasticbeanstalk:environment', 'LoadBalancerType') === 'application'),
  },
  {
    id: 'EB-MANAGED-UPDATES',
    pack: 'baseline',
    info: 'Beanstalk managed platform updates are on.',
    explanation: 'Platform patches (IIS, .NET, Python, the OS) must arrive weekly without anyone remembering.',
    fix: 'Use the BeanstalkApp construct; pick the weekly window with updateWindow.',
    resourceTypes: EB,
    check: (r) => verdict(setting(r, 'aws:elasticbeanstalk:managedactions', 'ManagedActionsEnabled') === 'true'),
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
    check: (r) => verdict(setting(r, 'aws:elasticbeanstalk:command', 'DeploymentPolicy') !== 'AllAtOnce'),
  },
  {
    id: 'IAM-NO-WILDCARD-ACTIONS',
    pack: 'baseline',
    info: 'IAM policies grant no "*" or "service:*" actions.',
    explanation: 'Wildcards grant tomorrow\'s actions too; least privilege names what is needed.',
    fix: 'List the actions the role needs.',
    cdkNag: 'AwsSolutions-IAM5',
    checkov: 'CKV_AWS_290 / CKV_AWS_355',
    resourceTypes: ['aws_iam_role_policy', 'aws_iam_policy'],
    check: (r) => {
      try {
        const doc = JSON.parse(String(attr(r, 'policy'))) as { Statement: Array<{ Effect: string; Action: string | string[] }> };
        const actions = doc.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => [s.Action].flat());
        return verdict(!actions.some((a) => a === '*' || a.endsWith(':*')));
      } catch {
        return 'non-compliant';
      }
    },
  },
];
