import { PolicyRule, SynthResource, attr, resourcesOf, verdict } from '../rule';

/** Fastly, SES, Datadog and tagging. */

interface Backend {
  name: string;
  use_ssl?: boolean;
  ssl_check_cert?: boolean;
  ssl_cert_hostname?: string;
}

/** The name a monitor's `target:` tag uses for a resource that must be watched. */
function monitorTarget(r: SynthResource): string | undefined {
  switch (r.type) {
    case 'aws_elastic_beanstalk_environment':
    case 'aws_sqs_queue':
    case 'fastly_service_vcl':
      return attr(r, 'name') as string | undefined;
    case 'aws_rds_cluster':
      return attr(r, 'cluster_identifier') as string | undefined;
    case 'aws_db_instance':
      return attr(r, 'identifier') as string | undefined;
    case 'aws_instance':
      return (r.attributes.tags ?? {}).SqlServerCluster;
    default:
      return undefined;
  }
}

/** The tags every AWS resource carries (through the provider's default_tags). */
export const REQUIRED_TAGS = ['Environment', 'Account', 'Team', 'CostCenter', 'ManagedBy', 'Repository'];

export const edgeRules: PolicyRule[] = [
  {
    id: 'FASTLY-BACKEND-CERT-CHECK',
    pack: 'baseline',
    info: 'Fastly backends that use TLS check the origin certificate against a host name.',
    explanation: 'TLS without certificate checking is open to anyone who can answer for the origin address.',
    fix: 'Use FastlyVclService backends (originHost sets ssl_cert_hostname; checking is on).',
    resourceTypes: ['fastly_service_vcl'],
    check: (r) => verdict(((r.attributes.backend ?? []) as Backend[]).filter((b) => b.use_ssl).every((b) => b.ssl_check_cert !== false && !!b.ssl_cert_hostname)),
  },
  {
    id: 'FASTLY-BACKEND-TLS',
    pack: 'production',
    info: 'Production Fastly services reach every origin over TLS.',
    explanation: 'Requests carry session cookies and personal data across the internet to the origin.',
    fix: 'Serve HTTPS at the origin; if one truly cannot, set the backend\'s allowPlaintext to the reason (recorded as a suppression).',
    resourceTypes: ['fastly_service_vcl'],
    check: (r) => verdict(((r.attributes.backend ?? []) as Backend[]).every((b) => b.use_ssl === true)),
  },
  {
    id: 'FASTLY-NO-FORCE-DESTROY',
    pack: 'production',
    info: 'Production Fastly services have force_destroy off.',
    explanation: 'With force_destroy a plan can delete the live service that every request passes through.',
    fix: 'Remove forceDestroy.',
    resourceTypes: ['fastly_service_vcl'],
    check: (r) => verdict(attr(r, 'force_destroy') !== true),
  },
  {
    id: 'SES-REQUIRE-TLS',
    pack: 'baseline',
    info: 'SES configuration sets require TLS to the receiving server.',
    explanation: 'Mail to customers must not travel in clear text when the receiver cannot do TLS.',
    fix: 'Set delivery_options { tls_policy = "REQUIRE" }.',
    resourceTypes: ['aws_sesv2_configuration_set'],
    check: (r) => verdict(attr(r, 'delivery_options.tls_policy') === 'REQUIRE'),
  },
  {
    id: 'DATADOG-MONITOR-ROUTED',
    pack: 'baseline',
    info: 'Every Datadog monitor has a priority and notifies a Slack channel.',
    explanation: 'An alert nobody receives is noise in the UI; priority decides the channel.',
    fix: 'Build monitors with the monitoring catalogue, which sets priority and the channel handle.',
    resourceTypes: ['datadog_monitor', 'datadog_service_level_objective'],
    check: (r) => {
      if (r.type === 'datadog_service_level_objective') return 'not-applicable';
      const priority = Number(attr(r, 'priority'));
      return verdict(priority >= 1 && priority <= 5 && /@slack-[\w-]+/.test(String(attr(r, 'message') ?? '')));
    },
  },
  {
    id: 'MONITOR-COVERAGE',
    pack: 'production',
    info: 'Every Beanstalk environment, database, queue and Fastly service has a Datadog monitor.',
    explanation: 'Something that can fail without anyone being told will, at night.',
    fix: 'Give the construct a monitors() method (see constructs/monitoring) and keep monitoring enabled for the account.',
    resourceTypes: ['aws_elastic_beanstalk_environment', 'aws_rds_cluster', 'aws_db_instance', 'aws_instance', 'aws_sqs_queue', 'fastly_service_vcl'],
    check: (r, stack) => {
      const target = monitorTarget(r);
      if (target === undefined) return 'not-applicable';
      return verdict(resourcesOf(stack, 'datadog_monitor').some((m) => ((m.attributes.tags ?? []) as string[]).includes(`target:${target}`)));
    },
  },
  {
    id: 'REQUIRED-TAGS',
    pack: 'baseline',
    info: `AWS resources carry the tags ${REQUIRED_TAGS.join(', ')}.`,
    explanation: 'Cost reports, ownership and incident response all start from the tags.',
    fix: 'Keep the account tags in accounts/; do not blank a required tag on a resource.',
    resourceTypes: ['*'],
    check: (r, stack) => {
      if (!r.type.startsWith('aws_')) return 'not-applicable';
      const defaults = (stack.json.provider?.aws?.[0]?.default_tags?.[0]?.tags ?? {}) as Record<string, string>;
      const own = (r.attributes.tags ?? {}) as Record<string, string>;
      return verdict(REQUIRED_TAGS.every((t) => (own[t] ?? defaults[t] ?? '') !== ''));
    },
  },
];
