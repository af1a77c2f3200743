import { PolicyRule, SynthResource, SynthStack, Verdict, attr, refersTo, resourcesOf, verdict } from '../rule';

/** Fastly, SES, Datadog and tagging. */

interface Backend {
  name: string;
  use_ssl?: boolean;
  ssl_check_cert?: boolean;
  ssl_cert_hostname?: string;
  min_tls_version?: string;
}

/** The name a monitor's `target:` tag (and its query) uses for a resource that must be watched. */
function monitorTarget(r: SynthResource): string | undefined {
  switch (r.type) {
    case 'aws_elastic_beanstalk_environment':
    case 'aws_sqs_queue':
    case 'aws_dynamodb_table':
    case 'fastly_service_vcl':
      return attr(r, 'name') as string | undefined;
    case 'aws_lambda_function':
      return attr(r, 'function_name') as string | undefined;
    case 'aws_rds_cluster':
      return attr(r, 'cluster_identifier') as string | undefined;
    case 'aws_db_instance':
      return attr(r, 'identifier') as string | undefined;
    case 'aws_elasticache_replication_group':
      return attr(r, 'replication_group_id') as string | undefined;
    case 'aws_instance':
      return (r.attributes.tags ?? {}).SqlServerCluster;
    default:
      return undefined;
  }
}

interface Monitor {
  tags: string[];
  query: string;
}

const isDeadLetterQueue = (r: SynthResource, stack: SynthStack) => resourcesOf(stack, 'aws_sqs_queue').some((q) => q !== r && refersTo(q.attributes.redrive_policy, r));

/**
 * The metric a resource's monitor must query to count for MONITOR-COVERAGE (any metric for
 * environments, databases and services): a queue is watched by the age of its oldest
 * message, a dead-letter queue by its depth.
 */
function coverageMetric(r: SynthResource, stack: SynthStack): string {
  if (r.type !== 'aws_sqs_queue') return '';
  return isDeadLetterQueue(r, stack) ? 'aws.sqs.approximate_number_of_messages_visible' : 'aws.sqs.approximate_age_of_oldest_message';
}

/**
 * The signal MONITOR-SIGNALS asks of a resource, as a metric prefix: a dead-letter queue's
 * age too, because SQS deletes a message when the retention period ends (a dead letter
 * nobody reads is lost mail); a Lambda function's errors; any DynamoDB metric of a table.
 */
function requiredSignal(r: SynthResource, stack: SynthStack): string | undefined {
  if (r.type === 'aws_sqs_queue') return isDeadLetterQueue(r, stack) ? 'aws.sqs.approximate_age_of_oldest_message' : undefined;
  return r.type === 'aws_lambda_function' ? 'aws.lambda.errors' : r.type === 'aws_dynamodb_table' ? 'aws.dynamodb.' : undefined;
}

/** Whether a monitor tagged for `target` queries `metric` on it. */
function watched(stack: SynthStack, target: string, metric: string): boolean {
  return monitorsOf(stack).some((m) => m.tags.includes(`target:${target}`) && queryWatches(m.query, target) && m.query.includes(metric));
}

const monitorsCache = new WeakMap<SynthStack, Monitor[]>();
function monitorsOf(stack: SynthStack): Monitor[] {
  let monitors = monitorsCache.get(stack);
  if (!monitors) {
    monitors = resourcesOf(stack, 'datadog_monitor').map((m) => ({ tags: ((m.attributes.tags ?? []) as unknown[]).map(String), query: String(m.attributes.query ?? '') }));
    monitorsCache.set(stack, monitors);
  }
  return monitors;
}

/** Whether a query filters on `value` as a whole tag value (`{queuename:orders}` but not `orders-dlq`). */
const queryWatches = (query: string, value: string) => new RegExp(`:${value.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=[},\\s)]|$)`).test(query.toLowerCase());

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
    id: 'FASTLY-BACKEND-MIN-TLS',
    pack: 'baseline',
    info: 'Fastly backends that use TLS refuse versions older than TLS 1.2 (min_tls_version).',
    explanation: 'Without a minimum, Fastly may negotiate TLS 1.0 or 1.1 with a misconfigured origin; both are broken and retired.',
    fix: 'Use FastlyVclService backends (they set min_tls_version "1.2").',
    resourceTypes: ['fastly_service_vcl'],
    // fastly/terraform-provider-fastly fastly/block_fastly_service_backend.go: min_tls_version
    // defaults to "" (no minimum), so an absent value fails.
    check: (r) => verdict(((r.attributes.backend ?? []) as Backend[]).filter((b) => b.use_ssl).every((b) => ['1.2', '1.3'].includes(String(b.min_tls_version)))),
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
    info: 'Every Datadog monitor has a priority and notifies a Slack channel; every SLO has a routed burn-rate monitor.',
    explanation: 'An alert nobody receives is noise in the UI; priority decides the channel. An SLO without a burn-rate alert spends its error budget silently.',
    fix: 'Build monitors and SLOs with the monitoring catalogue, which sets priority, the channel handle and the burn-rate alerts.',
    resourceTypes: ['datadog_monitor', 'datadog_service_level_objective'],
    check: (r, stack) => {
      const routed = (m: SynthResource) => {
        const priority = Number(attr(m, 'priority'));
        return priority >= 1 && priority <= 5 && /@slack-[\w-]+/.test(String(attr(m, 'message') ?? ''));
      };
      if (r.type === 'datadog_monitor') return verdict(routed(r));
      return verdict(resourcesOf(stack, 'datadog_monitor').some((m) => attr(m, 'type') === 'slo alert' && refersTo(attr(m, 'query'), r) && routed(m)));
    },
  },
  {
    id: 'MONITOR-COVERAGE',
    pack: 'production',
    info: 'Every Beanstalk environment, database, cache, queue (age of the oldest message; dead-letter queues: depth) and Fastly service has a Datadog monitor tagged for it and querying it.',
    explanation: 'Something that can fail without anyone being told will, at night; a monitor tagged for a resource but querying another watches nothing.',
    fix: 'Give the construct a monitors() method (see constructs/monitoring) and keep monitoring enabled for the account.',
    resourceTypes: ['aws_elastic_beanstalk_environment', 'aws_rds_cluster', 'aws_db_instance', 'aws_instance', 'aws_sqs_queue', 'fastly_service_vcl', 'aws_elasticache_replication_group'],
    check: (r, stack): Verdict => {
      const target = monitorTarget(r);
      return target === undefined ? 'not-applicable' : verdict(watched(stack, target, coverageMetric(r, stack)));
    },
  },
  {
    id: 'MONITOR-SIGNALS',
    pack: 'production',
    info: 'Lambda functions have an errors monitor, DynamoDB tables a DynamoDB monitor, and dead-letter queues an age monitor.',
    explanation: 'A failing worker, a throttled history table, or dead letters about to expire fail quietly: nothing else pages for them.',
    fix: 'Add the monitors to the construct\'s monitors() (see constructs/monitoring/catalogue.ts).',
    resourceTypes: ['aws_sqs_queue', 'aws_lambda_function', 'aws_dynamodb_table'],
    check: (r, stack): Verdict => {
      const target = monitorTarget(r);
      const metric = requiredSignal(r, stack);
      return target === undefined || metric === undefined ? 'not-applicable' : verdict(watched(stack, target, metric));
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
      if (!r.type.startsWith('aws_') || !taggable(r.type)) return 'not-applicable';
      const defaults = (stack.json.provider?.aws?.[0]?.default_tags?.[0]?.tags ?? {}) as Record<string, string>;
      const own = (r.attributes.tags ?? {}) as Record<string, string>;
      return verdict(REQUIRED_TAGS.every((t) => (own[t] ?? defaults[t] ?? '') !== ''));
    },
  },
];

const taggableCache = new Map<string, boolean>();
/**
 * Whether the AWS provider gives `type` a `tags` argument (default_tags reach only those):
 * read from the generated binding, which declares `tags` exactly when the provider schema has it.
 */
function taggable(type: string): boolean {
  let known = taggableCache.get(type);
  if (known === undefined) {
    known = false;
    try {
      // Deep path of this one resource (the package root would load all of them).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const module = require(`@cdktf/provider-aws/lib/${type.slice('aws_'.length).replace(/_/g, '-')}`) as Record<string, { tfResourceType?: string; prototype?: object }>;
      const binding = Object.values(module).find((c) => c?.tfResourceType === type);
      known = binding?.prototype !== undefined && 'tags' in binding.prototype;
    } catch {
      known = false;
    }
    taggableCache.set(type, known);
  }
  return known;
}
