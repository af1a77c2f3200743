import { auroraMonitors, beanstalkMonitors, fastlyMonitors, mailMonitors, sqlServerMonitors } from '../../../constructs/monitoring/catalogue';
import { AWS_METRIC_DELAY_SECONDS, DEFAULT_THRESHOLDS, FASTLY_METRIC_INTERVAL_SECONDS, MAIL_DEAD_LETTER_RETENTION_SECONDS, MonitorSpec, resolveThresholds } from '../../../constructs/monitoring/spec';

const byKey = (specs: MonitorSpec[]) => Object.fromEntries(specs.map((s) => [s.key, s]));

/** One of every kind of target, with the default thresholds: the whole catalogue. */
const everyMonitor = (t = DEFAULT_THRESHOLDS): MonitorSpec[] => [
  ...beanstalkMonitors({ environmentName: 'web', maxInstances: 4 }, t.beanstalk),
  ...auroraMonitors({ clusterIdentifier: 'orders', engine: 'aurora-mysql' }, t.aurora),
  ...sqlServerMonitors({ name: 'core', mode: 'rds', allocatedStorageGb: 100 }, t.sqlServer),
  ...sqlServerMonitors({ name: 'ag', mode: 'ec2-always-on' }, t.sqlServer),
  ...fastlyMonitors({ serviceName: 'web' }, t.fastly),
  ...mailMonitors({ name: 'm', queueName: 'q', deadLetterQueueName: 'd', workerFunctionName: 'w', historyTableName: 'h', sesEventsFunctionName: 'f', sesConfigurationSet: 's', sesEventsQueueName: 'e', sesEventsDeadLetterQueueName: 'ed' }, t.mail),
  ...mailMonitors({ name: 'g', queueName: 'gq', deadLetterQueueName: 'gd', workerFunctionName: 'gw', historyTableName: 'gh', webhookFunctionName: 'gf' }, t.mail),
];

describe('monitor catalogue', () => {
  it('watches a Beanstalk environment: health, 5xx rate, p95 latency, instances at max', () => {
    const m = byKey(beanstalkMonitors({ environmentName: 'web-prod', maxInstances: 12 }, DEFAULT_THRESHOLDS.beanstalk));
    expect(Object.keys(m)).toEqual(['web-prod-health', 'web-prod-5xx', 'web-prod-latency', 'web-prod-at-max']);
    expect(m['web-prod-health'].query).toBe('max(last_10m):max:aws.elasticbeanstalk.environment_health{environmentname:web-prod} >= 20');
    expect(m['web-prod-health'].notifyNoData).toBe(true);
    expect(m['web-prod-5xx'].query).toBe(
      'sum(last_10m):(sum:aws.applicationelb.httpcode_target_5xx{elasticbeanstalk:environment-name:web-prod}.as_count() + sum:aws.applicationelb.httpcode_elb_5xx{elasticbeanstalk:environment-name:web-prod}.as_count()) / (' +
        ['httpcode_target_2xx', 'httpcode_target_3xx', 'httpcode_target_4xx', 'httpcode_elb_3xx', 'httpcode_elb_4xx', 'httpcode_target_5xx', 'httpcode_elb_5xx']
          .map((c) => `sum:aws.applicationelb.${c}{elasticbeanstalk:environment-name:web-prod}.as_count()`)
          .join(' + ') +
        ') * 100 > 5',
    );
    expect(m['web-prod-5xx'].notifyNoData).toBe(false);
    expect(m['web-prod-latency'].query).toBe('avg(last_15m):avg:aws.applicationelb.target_response_time.p95{elasticbeanstalk:environment-name:web-prod} > 2');
    expect(m['web-prod-at-max'].query).toBe('min(last_30m):count_not_null(avg:aws.ec2.cpuutilization{elasticbeanstalk:environment-name:web-prod} by {host}) >= 12');
    for (const s of Object.values(m)) expect(s.evaluationDelaySeconds).toBe(900);
  });

  it('watches an Aurora cluster: CPU, memory, replica lag, connections, deadlocks', () => {
    const m = byKey(auroraMonitors({ clusterIdentifier: 'orders', engine: 'aurora-mysql' }, DEFAULT_THRESHOLDS.aurora));
    expect(m['orders-cpu'].query).toBe('avg(last_15m):avg:aws.rds.cpuutilization{dbclusteridentifier:orders} by {dbinstanceidentifier} > 90');
    expect(m['orders-memory'].query).toBe(`avg(last_15m):min:aws.rds.freeable_memory{dbclusteridentifier:orders} by {dbinstanceidentifier} < ${256 * 1024 * 1024}`);
    expect(m['orders-replica-lag'].query).toBe('max(last_10m):max:aws.rds.aurora_replica_lag{dbclusteridentifier:orders} by {dbinstanceidentifier} > 1000');
    expect(m['orders-connections'].query).toBe('avg(last_10m):max:aws.rds.database_connections{dbclusteridentifier:orders} by {dbinstanceidentifier} > 1000');
    expect(m['orders-deadlocks'].query).toBe('avg(last_10m):avg:aws.rds.deadlocks{dbclusteridentifier:orders} by {dbinstanceidentifier} * 600 > 5');
  });

  it('watches RDS SQL Server CPU and free storage against the allocated size', () => {
    const m = byKey(sqlServerMonitors({ name: 'core', mode: 'rds', allocatedStorageGb: 200 }, DEFAULT_THRESHOLDS.sqlServer));
    expect(m['core-cpu'].query).toBe('avg(last_15m):avg:aws.rds.cpuutilization{dbinstanceidentifier:core} > 90');
    expect(m['core-storage'].query).toBe(`min(last_15m):min:aws.rds.free_storage_space{dbinstanceidentifier:core} < ${20 * 1024 * 1024 * 1024}`);
  });

  it('watches Always On health, sync state and lag from the agent, paging on an unhealthy group', () => {
    const m = byKey(sqlServerMonitors({ name: 'core', mode: 'ec2-always-on' }, DEFAULT_THRESHOLDS.sqlServer));
    expect(m['core-ag-health']).toMatchObject({ priority: 1, notifyNoData: true, query: 'max(last_5m):min:sqlserver.ao.ag_sync_health{sqlserver_cluster:core} by {availability_group_name} < 1' });
    expect(m['core-sync-state'].query).toBe('max(last_10m):min:sqlserver.ao.replica_sync_state{sqlserver_cluster:core} by {availability_group_name} < 1');
    expect(m['core-secondary-lag'].query).toBe('max(last_10m):max:sqlserver.ao.secondary_lag_seconds{sqlserver_cluster:core} by {replica_server_name} > 60');
  });

  it('watches a Fastly service: 5xx ratio guarded by traffic, no traffic, hit ratio from counts, origin latency', () => {
    const m = byKey(fastlyMonitors({ serviceName: 'production-hotel' }, DEFAULT_THRESHOLDS.fastly));
    const sum = (metric: string, seconds: number) => `sum:fastly.${metric}{service:production-hotel}.rollup(sum, ${seconds})`;
    expect(m['production-hotel-5xx']).toMatchObject({
      priority: 1,
      notifyNoData: false,
      query: `max(last_5m):default_zero(${sum('status_5xx', 300)}) / clamp_min(${sum('requests', 300)}, 600) * 100 > 2`,
    });
    expect(m['production-hotel-no-traffic']).toMatchObject({ priority: 2, notifyNoData: true, query: `sum(last_15m):${sum('requests', 300)} < 1` });
    expect(m['production-hotel-hit-ratio'].query).toBe(`avg(last_30m):${sum('hits', 1800)} / (${sum('hits', 1800)} + default_zero(${sum('miss', 1800)})) * 100 < 70`);
    expect(m['production-hotel-origin-latency'].query).toBe(`avg(last_15m):${sum('miss_time', 900)} / ${sum('miss', 900)} > 3`);
  });

  it('watches mail: oldest message, dead letters, worker errors and throttles, SES reputation well below AWS review', () => {
    const m = byKey(mailMonitors({ name: 'customer-mail', queueName: 'Customer-Mail', deadLetterQueueName: 'customer-mail-dlq', workerFunctionName: 'customer-mail-worker', historyTableName: 'customer-mail-history', sesConfigurationSet: 'customer' }, DEFAULT_THRESHOLDS.mail));
    expect(m['customer-mail-oldest-message'].query).toBe('max(last_10m):max:aws.sqs.approximate_age_of_oldest_message{queuename:customer-mail} > 900');
    expect(m['customer-mail-dead-letters'].query).toBe('max(last_5m):max:aws.sqs.approximate_number_of_messages_visible{queuename:customer-mail-dlq} > 0');
    expect(m['customer-mail-worker-errors'].query).toContain('aws.lambda.errors{functionname:customer-mail-worker}');
    expect(m['customer-mail-worker-throttles'].query).toContain('aws.lambda.throttles{functionname:customer-mail-worker}');
    expect(m['customer-mail-bounce-rate']).toMatchObject({ critical: 0.02, query: 'max(last_1h):max:aws.ses.reputation_bounce_rate{*} > 0.02' });
    expect(m['customer-mail-complaint-rate']).toMatchObject({ critical: 0.0005 });
    expect(m['customer-mail-bounce-rate'].critical).toBeLessThan(0.05);
    expect(m['customer-mail-complaint-rate'].critical).toBeLessThan(0.001);
  });

  it('leaves out SES reputation monitors for a path that does not send through SES', () => {
    expect(mailMonitors({ name: 'm', queueName: 'q', deadLetterQueueName: 'd', workerFunctionName: 'w', historyTableName: 'h' }, DEFAULT_THRESHOLDS.mail).map((s) => s.key)).not.toContain('m-bounce-rate');
  });

  it('watches what fails quietly in mail: dead letters near expiry, the history table, every function (Datadog metric names and tags)', () => {
    const ses = byKey(mailMonitors({ name: 'c', queueName: 'c-mail', deadLetterQueueName: 'c-mail-dlq', workerFunctionName: 'c-mail-worker', historyTableName: 'c-mail-history', sesEventsFunctionName: 'c-mail-ses-events', sesConfigurationSet: 'c', sesEventsQueueName: 'c-mail-ses-events', sesEventsDeadLetterQueueName: 'c-mail-ses-events-dlq' }, DEFAULT_THRESHOLDS.mail));
    // SQS deletes dead letters after MAIL_DEAD_LETTER_RETENTION_SECONDS: the age alert must come first.
    expect(ses['c-dead-letters-age']).toMatchObject({ priority: 2, query: `max(last_1h):max:aws.sqs.approximate_age_of_oldest_message{queuename:c-mail-dlq} > ${7 * 86400}` });
    expect(ses['c-ses-events-dead-letters-age'].query).toBe(`max(last_1h):max:aws.sqs.approximate_age_of_oldest_message{queuename:c-mail-ses-events-dlq} > ${7 * 86400}`);
    expect(DEFAULT_THRESHOLDS.mail.deadLetterAgeSeconds).toBeLessThan(MAIL_DEAD_LETTER_RETENTION_SECONDS);
    expect(ses['c-history-throttles'].query).toBe('sum(last_15m):sum:aws.dynamodb.throttled_requests{tablename:c-mail-history}.as_count() > 0');
    expect(ses['c-history-errors'].query).toBe('sum(last_15m):sum:aws.dynamodb.system_errors{tablename:c-mail-history}.as_count() > 0');
    expect(ses['c-ses-events-errors'].query).toBe('sum(last_15m):sum:aws.lambda.errors{functionname:c-mail-ses-events}.as_count() > 5');
    expect(ses['c-webhook-errors']).toBeUndefined();
    const sendgrid = byKey(mailMonitors({ name: 'g', queueName: 'g-mail', deadLetterQueueName: 'g-mail-dlq', workerFunctionName: 'g-mail-worker', historyTableName: 'g-mail-history', webhookFunctionName: 'g-mail-sendgrid-events' }, DEFAULT_THRESHOLDS.mail));
    expect(sendgrid['g-webhook-errors'].query).toBe('sum(last_15m):sum:aws.lambda.errors{functionname:g-mail-sendgrid-events}.as_count() > 5');
    expect(sendgrid['g-ses-events-errors']).toBeUndefined();
  });

  it('takes the new mail thresholds from config', () => {
    const t = resolveThresholds({ mail: { deadLetterAgeSeconds: 3 * 86400, functionErrors: 1, historyThrottledRequests: 10, historySystemErrors: 2 } });
    const m = byKey(mailMonitors({ name: 'g', queueName: 'q', deadLetterQueueName: 'd', workerFunctionName: 'w', historyTableName: 'h', webhookFunctionName: 'f' }, t.mail));
    expect([m['g-dead-letters-age'].critical, m['g-worker-errors'].critical, m['g-webhook-errors'].critical, m['g-history-throttles'].critical, m['g-history-errors'].critical]).toEqual([3 * 86400, 1, 1, 10, 2]);
    expect(m['g-history-throttles'].query).toMatch(/ > 10$/);
  });

  it('takes thresholds from config over the defaults, per kind', () => {
    const t = resolveThresholds({ beanstalk: { http5xxPercent: 10 } });
    expect(t.beanstalk).toEqual({ http5xxPercent: 10, p95LatencySeconds: 2 });
    expect(beanstalkMonitors({ environmentName: 'e', maxInstances: 2 }, t.beanstalk)[1].query).toMatch(/\* 100 > 10$/);
    expect(t.aurora).toEqual(DEFAULT_THRESHOLDS.aurora);
  });
});

/**
 * The unit each metric is reported in, from the vendor's metric list, and the unit the
 * monitor's threshold is therefore in. Sources: Datadog's integration metric lists
 * (docs.datadoghq.com/integrations/amazon_elb, amazon_rds, amazon_elasticbeanstalk,
 * amazon_sqs, amazon_lambda, amazon_ses, amazon_ec2; sqlserver and fastly metadata.csv in
 * DataDog/integrations-core) and CloudWatch's metric docs for the same metrics.
 */
const UNITS: Record<string, { documented: string; threshold: string }> = {
  'aws.elasticbeanstalk.environment_health': { documented: 'status code 0/1/5/10/15/20/25', threshold: 'enhanced health status code (0 OK, 15 Warning, 20 Degraded, 25 Severe)' },
  'aws.applicationelb.httpcode_target_5xx': { documented: 'count of responses', threshold: 'percent' },
  'aws.applicationelb.target_response_time.p95': { documented: 'seconds', threshold: 'seconds' },
  'aws.ec2.cpuutilization': { documented: 'percent, one series per instance (counted)', threshold: 'instances' },
  'aws.rds.cpuutilization': { documented: 'percent', threshold: 'percent' },
  'aws.rds.freeable_memory': { documented: 'bytes', threshold: 'bytes' },
  'aws.rds.aurora_replica_lag': { documented: 'milliseconds', threshold: 'milliseconds' },
  'aws.rds.database_connections': { documented: 'connections', threshold: 'connections' },
  // CloudWatch Deadlocks: "The average number of deadlocks in the database per second" (Count/Second).
  'aws.rds.deadlocks': { documented: 'deadlocks per second (average)', threshold: 'deadlocks per 10 minutes' },
  'aws.rds.free_storage_space': { documented: 'bytes', threshold: 'bytes' },
  'sqlserver.ao.ag_sync_health': { documented: '0 not healthy, 1 partially healthy, 2 healthy', threshold: 'synchronization health (0 not healthy, 1 partially healthy, 2 healthy)' },
  'sqlserver.ao.replica_sync_state': { documented: '0 not synchronizing, 1 synchronizing, 2 synchronized', threshold: 'synchronization state (0 not synchronizing, 1 synchronizing, 2 synchronized)' },
  'sqlserver.ao.secondary_lag_seconds': { documented: 'second', threshold: 'seconds' },
  'fastly.status_5xx': { documented: 'response per minute (gauge)', threshold: 'percent' },
  'fastly.requests': { documented: 'request per minute (gauge)', threshold: 'requests in 15 minutes' },
  'fastly.hits': { documented: 'request (gauge)', threshold: 'percent' },
  'fastly.miss_time': { documented: 'second (total per interval)', threshold: 'seconds' },
  'aws.sqs.approximate_age_of_oldest_message': { documented: 'seconds', threshold: 'seconds' },
  'aws.sqs.approximate_number_of_messages_visible': { documented: 'messages', threshold: 'messages' },
  'aws.lambda.errors': { documented: 'count', threshold: 'errors in 15 minutes' },
  'aws.lambda.throttles': { documented: 'count', threshold: 'throttles in 15 minutes' },
  // docs.datadoghq.com/integrations/amazon_dynamodb: both counts of requests.
  'aws.dynamodb.throttled_requests': { documented: 'count of requests', threshold: 'requests in 15 minutes' },
  'aws.dynamodb.system_errors': { documented: 'count of requests', threshold: 'requests in 15 minutes' },
  'aws.ses.reputation_bounce_rate': { documented: 'fraction', threshold: 'fraction' },
  'aws.ses.reputation_complaint_rate': { documented: 'fraction', threshold: 'fraction' },
};

describe('threshold units', () => {
  const t = DEFAULT_THRESHOLDS;
  const all = everyMonitor();
  const firstMetric = (q: string) => /((?:aws|fastly|sqlserver)\.[a-z0-9_.]+?)(?:\{|\.rollup)/.exec(q)![1];

  it.each(all.map((m) => [m.key, m] as const))('%s: the threshold unit follows from the documented metric unit', (_key, m) => {
    const unit = UNITS[firstMetric(m.query)];
    expect(unit).toBeDefined(); // a new metric needs its documented unit in UNITS
    expect(m.unit).toBe(unit.threshold);
  });

  it('counts deadlocks in 10 minutes from the per-second average: 6 deadlocks in 10 minutes fire a threshold of 5', () => {
    const m = auroraMonitors({ clusterIdentifier: 'orders', engine: 'aurora-mysql' }, t.aurora).find((s) => s.key === 'orders-deadlocks')!;
    const perSecond = 6 / 600; // what CloudWatch reports for every 1-minute point
    // The query's arithmetic: the window's average per-second value times its factor.
    const factor = Number(/\* (\d+) >/.exec(m.query)![1]);
    expect(perSecond * factor).toBeGreaterThan(m.critical);
    // Summing the ten 1-minute points (the old query) sees 0.1 deadlock: it could never fire.
    expect(perSecond * 10).toBeLessThan(m.critical);
  });

  it('keeps percent thresholds on a 0-100 scale and fractions on 0-1', () => {
    // A percent threshold compares either a metric documented in percent or a ratio times 100.
    for (const m of all.filter((s) => s.unit === 'percent')) expect(UNITS[firstMetric(m.query)].documented === 'percent' || /\* 100 [<>]/.test(m.query)).toBe(true);
    for (const m of all.filter((s) => s.unit === 'fraction')) expect(m.critical).toBeLessThan(1);
  });
});

describe('P1 minimum-traffic guard', () => {
  const m = fastlyMonitors({ serviceName: 'web' }, DEFAULT_THRESHOLDS.fastly).find((s) => s.key === 'web-5xx')!;
  // The query's arithmetic for one 5-minute bucket: errors / clamp_min(requests, floor) * 100.
  const floor = Number(/clamp_min\(.*, (\d+)\)/.exec(m.query)![1]);
  const evaluate = (errors: number, requests: number) => (errors / Math.max(requests, floor)) * 100;

  it('pages at P1 with a request floor equal to fastly.minimumRequests', () => {
    expect(m.priority).toBe(1);
    expect(floor).toBe(DEFAULT_THRESHOLDS.fastly.minimumRequests);
  });

  it('does not page for 6 errors in 20 requests at night, and pages for 30 in 1000', () => {
    expect(evaluate(6, 20)).toBeLessThan(m.critical);
    expect((6 / 20) * 100).toBeGreaterThan(m.critical); // what the unguarded ratio would say
    expect(evaluate(30, 1000)).toBeGreaterThan(m.critical);
  });
});

/**
 * docs.datadoghq.com/dashboards/functions/rollup/#rollups-in-monitors: rollup intervals are
 * aligned to UNIX time, not to the monitor's window, so "a monitor may evaluate (and trigger
 * on) an incomplete rollup interval containing only a small sample of data"; the remedy it
 * gives is to delay the evaluation by at least the rollup interval. The newest bucket is only
 * complete once its last minute has arrived too, so Fastly monitors wait the bucket plus
 * Fastly's collection interval.
 */
describe('monitors with rollups evaluate complete buckets only', () => {
  const all = everyMonitor();
  const rollupSeconds = (q: string) => [...q.matchAll(/\.rollup\(\w+, (\d+)\)/g)].map((m) => Number(m[1]));
  const withRollups = all.filter((m) => rollupSeconds(m.query).length > 0);

  it('finds the monitors that roll up', () => {
    expect(withRollups.map((m) => m.key)).toEqual(['web-5xx', 'web-no-traffic', 'web-hit-ratio', 'web-origin-latency']);
  });

  it.each(withRollups.map((m) => [m.key, m] as const))('%s waits for its largest rollup bucket to close and its last minute to arrive', (_key, m) => {
    const source = m.query.includes('fastly.') ? FASTLY_METRIC_INTERVAL_SECONDS : AWS_METRIC_DELAY_SECONDS;
    expect(m.evaluationDelaySeconds ?? 0).toBeGreaterThanOrEqual(Math.max(...rollupSeconds(m.query)) + source);
  });
});
