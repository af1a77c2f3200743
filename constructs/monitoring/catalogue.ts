/**
 * The monitor catalogue: what to watch on each kind of thing the constructs create.
 * Each function is pure: names and thresholds in, monitor specs out.
 */
import { AWS_METRIC_DELAY_SECONDS, FASTLY_METRIC_INTERVAL_SECONDS, MAIL_DEAD_LETTER_RETENTION_SECONDS, MonitorSpec, MonitorThresholds } from './spec';

/**
 * The tag key Datadog's Fastly integration puts the service on: Datadog's own Fastly
 * dashboard and recommended monitors (DataDog/integrations-core fastly/assets:
 * dashboards/fastly_overview.json template variable prefix `service`, monitors/*.json
 * `by {service}`) select and group `fastly.*` by `service`. `DatadogFastlyIntegration` also
 * tags each registered service with the same `service:<name>`, so the scope holds even
 * if the integration's own tag value were the service id.
 */
export const FASTLY_SERVICE_TAG_KEY = 'service';

/**
 * Good and bad requests at an Application Load Balancer, from the response-class counts
 * (all `count` metrics in Datadog's ELB integration docs). Bad: 5xx from the targets or the
 * load balancer. Good: every other response class. They never overlap and are never
 * negative, unlike `request_count - 5xx`: request_count leaves out requests the load balancer
 * rejects before choosing a target (some of its own 5xx), so subtracting ELB 5xx from it can
 * go below zero when no target is healthy.
 */
export function loadBalancerEvents(scope: string): { good: string; bad: string; total: string } {
  const c = (metric: string) => `sum:aws.applicationelb.${metric}${scope}.as_count()`;
  const good = ['httpcode_target_2xx', 'httpcode_target_3xx', 'httpcode_target_4xx', 'httpcode_elb_3xx', 'httpcode_elb_4xx'].map(c).join(' + ');
  const bad = ['httpcode_target_5xx', 'httpcode_elb_5xx'].map(c).join(' + ');
  return { good, bad, total: `${good} + ${bad}` };
}

/** Fastly gauges hold per-minute counts: summed into buckets of `seconds`, a ratio is a ratio of totals. */
export function fastlySum(metric: string, scope: string, seconds: number): string {
  return `sum:fastly.${metric}${scope}.rollup(sum, ${seconds})`;
}

/**
 * The evaluation delay of a Fastly monitor whose query sums into buckets of `seconds`.
 * Rollup buckets are aligned to UNIX time, not to the monitor's window, so without a delay a
 * monitor evaluates (and can trigger on) the newest bucket while it holds only a minute or
 * two of data; Datadog's remedy is to delay evaluation by at least the rollup interval
 * (docs.datadoghq.com/dashboards/functions/rollup/#rollups-in-monitors). The bucket's last
 * minute arrives one collection interval later, hence the sum.
 */
export const fastlyBucketDelay = (seconds: number) => seconds + FASTLY_METRIC_INTERVAL_SECONDS;

/** The scope of a Fastly service's metrics. */
export const fastlyScope = (serviceName: string) => `{${FASTLY_SERVICE_TAG_KEY}:${serviceName}}`;

const MIB = 1024 * 1024;

export interface BeanstalkTarget {
  readonly environmentName: string;
  readonly maxInstances: number;
}

/** Beanstalk: environment health, 5xx rate, p95 latency, instance count at its ceiling. */
export function beanstalkMonitors(env: BeanstalkTarget, t: MonitorThresholds['beanstalk']): MonitorSpec[] {
  const name = env.environmentName;
  // Beanstalk tags the resources it creates (load balancer, auto scaling group) with this.
  const scope = `{elasticbeanstalk:environment-name:${name}}`;
  const target = { kind: 'beanstalk-environment' as const, name };
  const common = { service: name, target, evaluationDelaySeconds: AWS_METRIC_DELAY_SECONDS };
  const alb = loadBalancerEvents(scope);
  return [
    {
      ...common,
      key: `${name}-health`,
      title: `${name}: environment health degraded`,
      type: 'query alert',
      // Enhanced health: 0 OK, 15 Warning, 20 Degraded, 25 Severe.
      query: `max(last_10m):max:aws.elasticbeanstalk.environment_health{environmentname:${name}} >= 20`,
      critical: 20,
      warning: 15,
      unit: 'enhanced health status code (0 OK, 15 Warning, 20 Degraded, 25 Severe)',
      priority: 2,
      what: 'Beanstalk reports the environment Degraded or Severe: instances are failing health checks or requests are failing.',
      action: 'Open the environment\'s health page (causes per instance); if a deploy is running, let it roll back or abort it; check the app logs by X-Request-ID.',
      notifyNoData: true, // no health at all means the environment is gone
    },
    {
      ...common,
      key: `${name}-5xx`,
      title: `${name}: 5xx rate above ${t.http5xxPercent}%`,
      type: 'query alert',
      query: `sum(last_10m):(${alb.bad}) / (${alb.total}) * 100 > ${t.http5xxPercent}`,
      critical: t.http5xxPercent,
      warning: t.http5xxPercent / 2,
      unit: 'percent',
      priority: 2,
      what: 'More than the allowed share of requests to this environment fail with a server error.',
      action: 'Check the latest deploy (roll back the application version), the database monitors, and the error logs.',
      notifyNoData: false, // no traffic is not an error
    },
    {
      ...common,
      key: `${name}-latency`,
      title: `${name}: p95 latency above ${t.p95LatencySeconds}s`,
      type: 'query alert',
      query: `avg(last_15m):avg:aws.applicationelb.target_response_time.p95${scope} > ${t.p95LatencySeconds}`,
      critical: t.p95LatencySeconds,
      warning: t.p95LatencySeconds * 0.75,
      unit: 'seconds',
      priority: 3,
      what: 'The slowest 5% of requests take longer than the target.',
      action: 'Look at database load and slow queries, and whether the environment is at its instance ceiling.',
      notifyNoData: false,
    },
    {
      ...common,
      key: `${name}-at-max`,
      title: `${name}: running at its instance ceiling (${env.maxInstances})`,
      type: 'query alert',
      // Beanstalk creates the Auto Scaling group and its options (aws:autoscaling:asg) cannot
      // enable group metrics (aws.autoscaling.group_* stay empty), so count the environment's instances
      // that report EC2 metrics instead: Beanstalk tags its instances with the environment
      // name, and Datadog puts EC2 tags on aws.ec2.* (ec2:DescribeInstances is in its policy);
      // each instance is a Datadog host, so one series per `host` is one instance.
      query: `min(last_30m):count_not_null(avg:aws.ec2.cpuutilization${scope} by {host}) >= ${env.maxInstances}`,
      critical: env.maxInstances,
      unit: 'instances',
      priority: 3,
      what: 'Autoscaling cannot add instances: the environment runs at maxInstances.',
      action: 'If the load is real, raise maxInstances in the account config; if not, find what holds CPU high.',
      notifyNoData: false,
    },
  ];
}

export interface AuroraTarget {
  readonly clusterIdentifier: string;
  readonly engine: 'aurora-mysql' | 'aurora-postgresql';
}

/** Aurora: CPU, freeable memory, replica lag, connections, deadlocks. */
export function auroraMonitors(db: AuroraTarget, t: MonitorThresholds['aurora']): MonitorSpec[] {
  const id = db.clusterIdentifier;
  const scope = `{dbclusteridentifier:${id}}`;
  const common = { service: id, target: { kind: 'database' as const, name: id }, evaluationDelaySeconds: AWS_METRIC_DELAY_SECONDS, notifyNoData: false };
  return [
    {
      ...common,
      key: `${id}-cpu`,
      title: `${id}: CPU above ${t.cpuPercent}%`,
      type: 'query alert',
      query: `avg(last_15m):avg:aws.rds.cpuutilization${scope} by {dbinstanceidentifier} > ${t.cpuPercent}`,
      critical: t.cpuPercent,
      warning: t.cpuPercent - 10,
      unit: 'percent',
      priority: 2,
      what: 'A database instance is near the end of its CPU: queries queue and the apps slow down.',
      action: 'Find the top queries in Performance Insights; add a reader or a larger class (or raise Serverless v2 max capacity).',
      notifyNoData: true, // the metric stops when the instance is down
    },
    {
      ...common,
      key: `${id}-memory`,
      title: `${id}: freeable memory below ${t.freeableMemoryMb} MiB`,
      type: 'query alert',
      query: `avg(last_15m):min:aws.rds.freeable_memory${scope} by {dbinstanceidentifier} < ${t.freeableMemoryMb * MIB}`,
      critical: t.freeableMemoryMb * MIB,
      warning: t.freeableMemoryMb * 2 * MIB,
      unit: 'bytes',
      priority: 3,
      what: 'The instance is short of memory: the buffer cache shrinks and the engine may restart.',
      action: 'Check connection count and memory-hungry queries; move to a larger instance class.',
    },
    {
      ...common,
      key: `${id}-replica-lag`,
      title: `${id}: replica lag above ${t.replicaLagMs} ms`,
      type: 'query alert',
      query: `max(last_10m):max:aws.rds.aurora_replica_lag${scope} by {dbinstanceidentifier} > ${t.replicaLagMs}`,
      critical: t.replicaLagMs,
      warning: t.replicaLagMs / 2,
      unit: 'milliseconds',
      priority: 3,
      what: 'Readers serve data that is behind the writer: users may not see what they just saved.',
      action: 'Look for long write transactions or a reader at full CPU.',
    },
    {
      ...common,
      key: `${id}-connections`,
      title: `${id}: more than ${t.connections} connections`,
      type: 'query alert',
      query: `avg(last_10m):max:aws.rds.database_connections${scope} by {dbinstanceidentifier} > ${t.connections}`,
      critical: t.connections,
      warning: Math.round(t.connections * 0.8),
      unit: 'connections',
      priority: 3,
      what: 'Connections approach what the instance can hold: new ones will be refused.',
      action: 'Check for connection leaks after a deploy and the apps\' pool sizes; consider RDS Proxy.',
    },
    {
      ...common,
      key: `${id}-deadlocks`,
      title: `${id}: deadlocks`,
      type: 'query alert',
      // CloudWatch's Deadlocks is the average number per second (Count/Second), so summing
      // its points counts 1/60 of the deadlocks; the 10-minute average times 600 s counts them all.
      query: `avg(last_10m):avg:aws.rds.deadlocks${scope} by {dbinstanceidentifier} * 600 > ${t.deadlocks}`,
      critical: t.deadlocks,
      unit: 'deadlocks per 10 minutes',
      priority: 4,
      what: 'Transactions deadlock: one of each pair is rolled back and the user sees an error.',
      action: 'Find the statements in the engine log and make the apps take locks in one order.',
    },
  ];
}

export interface SqlServerTarget {
  readonly name: string;
  readonly mode: 'rds' | 'ec2-always-on';
  /** Allocated storage, GiB (rds). */
  readonly allocatedStorageGb?: number;
}

/** SQL Server: CPU and free storage on RDS; availability group health from the agent on EC2. */
export function sqlServerMonitors(db: SqlServerTarget, t: MonitorThresholds['sqlServer']): MonitorSpec[] {
  const id = db.name;
  const target = { kind: 'database' as const, name: id };
  if (db.mode === 'rds') {
    const scope = `{dbinstanceidentifier:${id}}`;
    const floor = Math.round((db.allocatedStorageGb ?? 0) * 1024 * MIB * (t.freeStoragePercent / 100));
    const common = { service: id, target, evaluationDelaySeconds: AWS_METRIC_DELAY_SECONDS };
    return [
      {
        ...common,
        key: `${id}-cpu`,
        title: `${id}: CPU above ${t.cpuPercent}%`,
        type: 'query alert',
        query: `avg(last_15m):avg:aws.rds.cpuutilization${scope} > ${t.cpuPercent}`,
        critical: t.cpuPercent,
        warning: t.cpuPercent - 10,
        unit: 'percent',
        priority: 2,
        what: 'The core database is near the end of its CPU: every hotel page slows down.',
        action: 'Find the top queries in Performance Insights; check the latest deploy; scale the instance class.',
        notifyNoData: true,
      },
      {
        ...common,
        key: `${id}-storage`,
        title: `${id}: free storage below ${t.freeStoragePercent}%`,
        type: 'query alert',
        query: `min(last_15m):min:aws.rds.free_storage_space${scope} < ${floor}`,
        critical: floor,
        warning: floor * 2,
        unit: 'bytes',
        priority: 2,
        what: 'The database is running out of disk; at zero it stops accepting writes.',
        action: 'Check that storage autoscaling has room (maxAllocatedStorageGb); find what grew (logs, tempdb, a table).',
        notifyNoData: false,
      },
    ];
  }
  // Always On on EC2: the Datadog agent on each node reports the SQL Server integration metrics.
  const scope = `{sqlserver_cluster:${id}}`;
  const common = { service: id, target, evaluationDelaySeconds: 0 };
  return [
    {
      ...common,
      key: `${id}-ag-health`,
      title: `${id}: availability group not healthy`,
      type: 'query alert',
      // 0 not healthy, 1 partially healthy, 2 healthy.
      query: `max(last_5m):min:sqlserver.ao.ag_sync_health${scope} by {availability_group_name} < 1`,
      critical: 1,
      warning: 2,
      unit: 'synchronization health (0 not healthy, 1 partially healthy, 2 healthy)',
      priority: 1,
      what: 'The availability group is not healthy: a failover now could lose data or not happen.',
      action: 'Open the Always On dashboard in SSMS on the primary; check the secondary node, its disk and the network between zones. Runbook: SQL Server failover.',
      notifyNoData: true, // the agent stops reporting when the node or SQL Server is down
    },
    {
      ...common,
      key: `${id}-sync-state`,
      title: `${id}: a replica is not synchronizing`,
      type: 'query alert',
      // 0 not synchronizing, 1 synchronizing, 2 synchronized.
      query: `max(last_10m):min:sqlserver.ao.replica_sync_state${scope} by {availability_group_name} < 1`,
      critical: 1,
      unit: 'synchronization state (0 not synchronizing, 1 synchronizing, 2 synchronized)',
      priority: 2,
      what: 'A replica has stopped receiving the log: the secondary falls behind and cannot take over cleanly.',
      action: 'Resume data movement on the secondary; check its disk (log volume) and the AG endpoint port 5022.',
      notifyNoData: false,
    },
    {
      ...common,
      key: `${id}-secondary-lag`,
      title: `${id}: secondary more than ${t.secondaryLagSeconds}s behind`,
      type: 'query alert',
      query: `max(last_10m):max:sqlserver.ao.secondary_lag_seconds${scope} by {replica_server_name} > ${t.secondaryLagSeconds}`,
      critical: t.secondaryLagSeconds,
      warning: t.secondaryLagSeconds / 2,
      unit: 'seconds',
      priority: 3,
      what: 'The secondary lags the primary: a failover would lose or delay the latest writes.',
      action: 'Check log send and redo queues, and the secondary\'s disk throughput.',
      notifyNoData: false,
    },
  ];
}

export interface FastlyTarget {
  readonly serviceName: string;
}

/** Fastly: 5xx ratio (P1, traffic-guarded), no traffic, cache hit ratio drop, origin latency. */
export function fastlyMonitors(svc: FastlyTarget, t: MonitorThresholds['fastly']): MonitorSpec[] {
  const name = svc.serviceName;
  const scope = fastlyScope(name);
  // Datadog's Fastly metrics are gauges (fastly/metadata.csv) holding per-minute counts, and
  // Fastly's real-time data leaves out zero values: a 5xx series is absent when all is well.
  // Rollups to the window turn them into totals; default_zero keeps the absent 5xx at 0.
  // Each monitor evaluates complete buckets only (fastlyBucketDelay).
  const common = { service: name, target: { kind: 'fastly-service' as const, name } };
  const [errorBucket, trafficBucket, hitBucket, missBucket] = [300, 300, 1800, 900];
  return [
    {
      ...common,
      key: `${name}-5xx`,
      title: `${name}: edge 5xx ratio above ${t.http5xxPercent}%`,
      type: 'query alert',
      // clamp_min: with fewer than minimumRequests in the 5 minutes the ratio is taken over
      // minimumRequests, so a few errors among a few requests cannot page at night.
      query:
        `max(last_5m):default_zero(${fastlySum('status_5xx', scope, errorBucket)}) / clamp_min(${fastlySum('requests', scope, errorBucket)}, ${t.minimumRequests}) * 100 > ${t.http5xxPercent}`,
      evaluationDelaySeconds: fastlyBucketDelay(errorBucket),
      critical: t.http5xxPercent,
      warning: t.http5xxPercent / 2,
      unit: 'percent',
      priority: 1,
      what: `Customers get server errors from the site (at least ${t.minimumRequests} requests in 5 minutes): origins are failing and nothing stale is left to serve.`,
      action: 'Check the backend health in Fastly and the Beanstalk 5xx monitors; roll back the last VCL or app deploy.',
      notifyNoData: false, // the no-traffic monitor covers silence
    },
    {
      ...common,
      key: `${name}-no-traffic`,
      title: `${name}: no requests at the edge for 15 minutes`,
      type: 'query alert',
      query: `sum(last_15m):${fastlySum('requests', scope, trafficBucket)} < 1`,
      evaluationDelaySeconds: fastlyBucketDelay(trafficBucket),
      critical: 1,
      unit: 'requests in 15 minutes',
      priority: 2,
      what: 'Fastly reports no requests at all for the service: DNS, TLS or the service itself is broken, or Datadog stopped collecting it.',
      action: 'Open the site; check the Fastly service\'s active version and domains, and the Datadog Fastly integration tile.',
      notifyNoData: true, // Fastly omits zero counts: no requests at all is no data
    },
    {
      ...common,
      key: `${name}-hit-ratio`,
      title: `${name}: cache hit ratio below ${t.hitRatioPercent}%`,
      type: 'query alert',
      // From the counts: fastly.hit_ratio's scale is documented both as percent (metadata.csv)
      // and as a 0-1 ratio (Datadog's Fastly dashboard multiplies it by 100).
      query: `avg(last_30m):${fastlySum('hits', scope, hitBucket)} / (${fastlySum('hits', scope, hitBucket)} + default_zero(${fastlySum('miss', scope, hitBucket)})) * 100 < ${t.hitRatioPercent}`,
      evaluationDelaySeconds: fastlyBucketDelay(hitBucket),
      critical: t.hitRatioPercent,
      warning: t.hitRatioPercent + 10,
      unit: 'percent',
      priority: 3,
      what: 'Fewer requests are served from cache: the origins take the load a TV spike would bring.',
      action: 'Look for a VCL or app change that adds cookies, query strings or Cache-Control: private.',
      notifyNoData: false,
    },
    {
      ...common,
      key: `${name}-origin-latency`,
      title: `${name}: origin fetches slower than ${t.originLatencySeconds}s`,
      type: 'query alert',
      // miss_time is the total seconds spent on misses (fastly/metadata.csv: second).
      query: `avg(last_15m):${fastlySum('miss_time', scope, missBucket)} / ${fastlySum('miss', scope, missBucket)} > ${t.originLatencySeconds}`,
      evaluationDelaySeconds: fastlyBucketDelay(missBucket),
      critical: t.originLatencySeconds,
      warning: t.originLatencySeconds / 2,
      unit: 'seconds',
      priority: 3,
      what: 'Cache misses take long to fetch from the origins.',
      action: 'Check the Beanstalk latency monitors and whether shielding is on for the slow backend.',
      notifyNoData: false,
    },
  ];
}

export interface MailTarget {
  /** The mail path's name, used as the service tag. */
  readonly name: string;
  readonly queueName: string;
  readonly deadLetterQueueName: string;
  readonly workerFunctionName: string;
  /** The DynamoDB table every message is recorded in. */
  readonly historyTableName: string;
  /** The SendGrid Event Webhook function (SendGrid paths). */
  readonly webhookFunctionName?: string;
  /** The function that records SES events (SES paths). */
  readonly sesEventsFunctionName?: string;
  /** SES configuration set, when the path sends through SES. */
  readonly sesConfigurationSet?: string;
  /** The queue SES events arrive on, and its dead-letter queue (SES paths). */
  readonly sesEventsQueueName?: string;
  readonly sesEventsDeadLetterQueueName?: string;
}

/**
 * Mail: oldest queued message, dead letters (count and age), the functions' errors, worker
 * throttles, the history table's throttles and system errors, SES reputation. Metric names
 * and tags as Datadog documents them for its AWS integrations (docs.datadoghq.com/integrations/
 * amazon_sqs, amazon_lambda, amazon_dynamodb): aws.sqs.approximate_age_of_oldest_message
 * (gauge, seconds) by `queuename`, aws.lambda.errors (count) by `functionname`,
 * aws.dynamodb.throttled_requests and aws.dynamodb.system_errors (counts) by `tablename`.
 */
export function mailMonitors(m: MailTarget, t: MonitorThresholds['mail']): MonitorSpec[] {
  const common = { service: m.name, evaluationDelaySeconds: AWS_METRIC_DELAY_SECONDS, notifyNoData: false };
  const queue = { kind: 'queue' as const, name: m.queueName };
  const days = (seconds: number) => `${Math.round((seconds / 86400) * 10) / 10} days`;
  /** Dead letters about to be deleted by SQS: someone must read them first. */
  const deadLettersAge = (queueName: string, key: string, what: string): MonitorSpec => ({
    ...common,
    target: { kind: 'queue', name: queueName },
    key,
    title: `${what} older than ${days(t.deadLetterAgeSeconds)}`,
    type: 'query alert',
    query: `max(last_1h):max:aws.sqs.approximate_age_of_oldest_message{queuename:${queueName.toLowerCase()}} > ${t.deadLetterAgeSeconds}`,
    critical: t.deadLetterAgeSeconds,
    unit: 'seconds',
    priority: 2,
    what: `The oldest dead letter is ${days(t.deadLetterAgeSeconds)} old; SQS deletes it at ${days(MAIL_DEAD_LETTER_RETENTION_SECONDS)}, and what it records is lost.`,
    action: 'Read the dead letters now, fix the cause, and redrive or save them before they expire.',
  });
  /** A mail function that fails: each kind of function says what its failures cost. */
  const functionErrors = (functionName: string, key: string, title: string, what: string): MonitorSpec => ({
    ...common,
    target: { kind: 'function', name: functionName },
    key,
    title,
    type: 'query alert',
    query: `sum(last_15m):sum:aws.lambda.errors{functionname:${functionName.toLowerCase()}}.as_count() > ${t.functionErrors}`,
    critical: t.functionErrors,
    unit: 'errors in 15 minutes',
    priority: 3,
    what,
    action: 'Read the function logs (the message id is in every line).',
  });
  const table = { kind: 'table' as const, name: m.historyTableName };
  const specs: MonitorSpec[] = [
    {
      ...common,
      target: queue,
      key: `${m.name}-oldest-message`,
      title: `${m.name}: mail waiting longer than ${t.oldestMessageSeconds / 60} min`,
      type: 'query alert',
      query: `max(last_10m):max:aws.sqs.approximate_age_of_oldest_message{queuename:${m.queueName.toLowerCase()}} > ${t.oldestMessageSeconds}`,
      critical: t.oldestMessageSeconds,
      warning: t.oldestMessageSeconds / 3,
      unit: 'seconds',
      priority: 2,
      what: 'Mail is not leaving the queue: customers are not getting confirmations.',
      action: 'Check the worker errors and throttles, and the provider status (SendGrid / SES).',
    },
    {
      ...common,
      target: { kind: 'queue', name: m.deadLetterQueueName },
      key: `${m.name}-dead-letters`,
      title: `${m.name}: messages in the dead-letter queue`,
      type: 'query alert',
      query: `max(last_5m):max:aws.sqs.approximate_number_of_messages_visible{queuename:${m.deadLetterQueueName.toLowerCase()}} > 0`,
      critical: 0,
      unit: 'messages',
      priority: 3,
      what: 'Messages failed for good (invalid, or refused by the provider) and were set aside.',
      action: 'Read the reason on each message; fix the sender, then redrive the queue from the SQS console.',
    },
    deadLettersAge(m.deadLetterQueueName, `${m.name}-dead-letters-age`, `${m.name}: dead letters`),
    functionErrors(m.workerFunctionName, `${m.name}-worker-errors`, `${m.name}: mail worker errors`, 'The mail worker fails: messages are retried and may pile up.'),
    {
      ...common,
      target: { kind: 'function', name: m.workerFunctionName },
      key: `${m.name}-worker-throttles`,
      title: `${m.name}: mail worker throttled`,
      type: 'query alert',
      query: `sum(last_15m):sum:aws.lambda.throttles{functionname:${m.workerFunctionName.toLowerCase()}}.as_count() > 0`,
      critical: 0,
      unit: 'throttles in 15 minutes',
      priority: 4,
      what: 'Lambda refuses to run the worker: the account or function concurrency limit is reached.',
      action: 'Check reserved concurrency and the account limit.',
    },
  ];
  specs.push(
    {
      ...common,
      target: table,
      key: `${m.name}-history-throttles`,
      title: `${m.name}: mail history table throttled`,
      type: 'query alert',
      query: `sum(last_15m):sum:aws.dynamodb.throttled_requests{tablename:${m.historyTableName.toLowerCase()}}.as_count() > ${t.historyThrottledRequests}`,
      critical: t.historyThrottledRequests,
      unit: 'requests in 15 minutes',
      priority: 3,
      what: 'DynamoDB refuses writes to the mail history: sends are retried, and events may not be recorded, so support sees gaps.',
      action: 'Check the table\'s consumed capacity and the on-demand throughput limits; look for a hot recipient key.',
    },
    {
      ...common,
      target: table,
      key: `${m.name}-history-errors`,
      title: `${m.name}: mail history table system errors`,
      type: 'query alert',
      query: `sum(last_15m):sum:aws.dynamodb.system_errors{tablename:${m.historyTableName.toLowerCase()}}.as_count() > ${t.historySystemErrors}`,
      critical: t.historySystemErrors,
      unit: 'requests in 15 minutes',
      priority: 3,
      what: 'DynamoDB answers the mail history with server errors (HTTP 500).',
      action: 'Check the AWS Health Dashboard for DynamoDB in the region; the functions retry, watch the dead letters.',
    },
  );
  if (m.webhookFunctionName) {
    specs.push(functionErrors(m.webhookFunctionName, `${m.name}-webhook-errors`, `${m.name}: SendGrid webhook errors`, 'SendGrid\'s delivery events are refused: bounces and opens are not recorded, and SendGrid retries for a while, then drops them.'));
  }
  if (m.sesEventsFunctionName) {
    specs.push(functionErrors(m.sesEventsFunctionName, `${m.name}-ses-events-errors`, `${m.name}: SES events function errors`, 'SES bounces and complaints are not recorded: they are retried, then set aside in the dead-letter queue.'));
  }
  if (m.sesEventsQueueName && m.sesEventsDeadLetterQueueName) {
    specs.push(
      deadLettersAge(m.sesEventsDeadLetterQueueName, `${m.name}-ses-events-dead-letters-age`, `${m.name}: SES event dead letters`),
      {
        ...common,
        target: { kind: 'queue', name: m.sesEventsQueueName },
        key: `${m.name}-ses-events-waiting`,
        title: `${m.name}: SES events not processed for 30 min`,
        type: 'query alert',
        query: `max(last_10m):max:aws.sqs.approximate_age_of_oldest_message{queuename:${m.sesEventsQueueName.toLowerCase()}} > 1800`,
        critical: 1800,
        unit: 'seconds',
        priority: 3,
        what: 'Bounces and complaints are not reaching the history: support sees stale statuses, and SES suppression is all that protects the sender reputation.',
        action: 'Check the SES events function\'s errors and logs.',
      },
      {
        ...common,
        target: { kind: 'queue', name: m.sesEventsDeadLetterQueueName },
        key: `${m.name}-ses-events-dead-letters`,
        title: `${m.name}: SES events in the dead-letter queue`,
        type: 'query alert',
        query: `max(last_5m):max:aws.sqs.approximate_number_of_messages_visible{queuename:${m.sesEventsDeadLetterQueueName.toLowerCase()}} > 0`,
        critical: 0,
        unit: 'messages',
        priority: 4,
        what: 'SES events failed to be recorded ten times and were set aside.',
        action: 'Read one, fix the cause, redrive the queue.',
      },
    );
  }
  if (m.sesConfigurationSet) {
    const identity = { kind: 'mail-identity' as const, name: m.sesConfigurationSet };
    specs.push(
      {
        ...common,
        target: identity,
        key: `${m.name}-bounce-rate`,
        title: `${m.name}: SES bounce rate above ${t.bounceRate * 100}%`,
        type: 'query alert',
        query: `max(last_1h):max:aws.ses.reputation_bounce_rate{*} > ${t.bounceRate}`,
        critical: t.bounceRate,
        warning: t.bounceRate / 2,
        unit: 'fraction',
        priority: 2,
        what: 'Too many mails bounce; at 5% AWS reviews the account and may stop it sending.',
        action: 'Find the sender with the most bounces in the history table; stop bulk sends to unverified lists.',
      },
      {
        ...common,
        target: identity,
        key: `${m.name}-complaint-rate`,
        title: `${m.name}: SES complaint rate above ${t.complaintRate * 100}%`,
        type: 'query alert',
        query: `max(last_1h):max:aws.ses.reputation_complaint_rate{*} > ${t.complaintRate}`,
        critical: t.complaintRate,
        warning: t.complaintRate / 2,
        unit: 'fraction',
        priority: 2,
        what: 'Recipients mark our mail as spam; at 0.1% AWS reviews the account.',
        action: 'Check which category gets complaints; make unsubscribe work; stop the campaign.',
      },
    );
  }
  return specs;
}

/**
 * The tag key that puts an `aws.elasticache.*` metric on its replication group. Datadog's
 * ElastiCache page (DataDog/documentation, integrations/amazon_elasticache: "Data Collected")
 * documents `cacheclusterid` (one node, `<replication group id>-00N`) and says each metric
 * carries the tags the resource has in AWS (it lists them with
 * elasticache:ListTagsForResource); it does not document a replication group tag. So
 * CacheCluster tags its replication group with this key itself: "When you add or remove tags
 * on replication groups, those actions will be replicated to all nodes in the replication
 * group" (Tag, ElastiCache API reference), so every node's metrics carry it. Monitors group
 * by `cacheclusterid`, so an alert names the node.
 */
export const CACHE_REPLICATION_GROUP_TAG_KEY = 'replication_group';

export interface CacheTarget {
  readonly replicationGroupId: string;
  /** Nodes in the group: replication lag and failovers need a replica. */
  readonly nodes: number;
}

/** ElastiCache (Valkey / Redis OSS): CPU, engine CPU, memory, evictions, replication lag, connections, failovers. */
export function cacheMonitors(c: CacheTarget, t: MonitorThresholds['cache']): MonitorSpec[] {
  const id = c.replicationGroupId;
  const scope = `{${CACHE_REPLICATION_GROUP_TAG_KEY}:${id}}`;
  const common = { service: id, target: { kind: 'cache' as const, name: id }, evaluationDelaySeconds: AWS_METRIC_DELAY_SECONDS, notifyNoData: false };
  const specs: MonitorSpec[] = [
    {
      ...common,
      key: `${id}-engine-cpu`,
      title: `${id}: engine CPU above ${t.engineCpuPercent}%`,
      type: 'query alert',
      query: `avg(last_15m):avg:aws.elasticache.engine_cpuutilization${scope} by {cacheclusterid} > ${t.engineCpuPercent}`,
      critical: t.engineCpuPercent,
      warning: t.engineCpuPercent - 10,
      unit: 'percent',
      priority: 2,
      what: 'The engine thread of a cache node is near saturation: every command waits, and the apps fall back to the database.',
      action: 'Look for slow commands in the slow log (KEYS, large SMEMBERS); move reads to replicas or a larger node type.',
      notifyNoData: true, // the metric stops when the node is gone
    },
    {
      ...common,
      key: `${id}-cpu`,
      title: `${id}: host CPU above ${t.cpuPercent}%`,
      type: 'query alert',
      query: `avg(last_15m):avg:aws.elasticache.cpuutilization${scope} by {cacheclusterid} > ${t.cpuPercent}`,
      critical: t.cpuPercent,
      warning: t.cpuPercent - 10,
      unit: 'percent',
      priority: 3,
      what: 'The host of a cache node is busy (TLS, snapshots, replication): latency rises.',
      action: 'Check whether a snapshot or a resync is running; consider a larger node type.',
    },
    {
      ...common,
      key: `${id}-memory`,
      title: `${id}: memory above ${t.memoryPercent}%`,
      type: 'query alert',
      query: `avg(last_15m):max:aws.elasticache.database_memory_usage_percentage${scope} by {cacheclusterid} > ${t.memoryPercent}`,
      critical: t.memoryPercent,
      warning: t.memoryPercent - 10,
      unit: 'percent',
      priority: 3,
      what: 'The data set nears the memory the engine may use: keys will be evicted and sessions lost.',
      action: 'Check key TTLs and what grew; scale to a larger node type.',
    },
    {
      ...common,
      key: `${id}-evictions`,
      title: `${id}: more than ${t.evictions} evictions in 10 minutes`,
      type: 'query alert',
      query: `sum(last_10m):sum:aws.elasticache.evictions${scope}.as_count() > ${t.evictions}`,
      critical: t.evictions,
      unit: 'keys evicted per 10 minutes',
      priority: 3,
      what: 'The cache evicts keys to make room: users may lose their session and the database takes the misses.',
      action: 'Find what fills the cache (keys without TTL); scale up the node type.',
    },
    {
      ...common,
      key: `${id}-connections`,
      title: `${id}: more than ${t.connections} connections`,
      type: 'query alert',
      query: `avg(last_10m):max:aws.elasticache.curr_connections${scope} by {cacheclusterid} > ${t.connections}`,
      critical: t.connections,
      warning: Math.round(t.connections * 0.8),
      unit: 'connections',
      priority: 3,
      what: 'Connections to a cache node pile up: a client leaks connections or reconnects in a loop.',
      action: 'Check the apps\' connection pools after the last deploy; look for reconnect storms in the app logs.',
    },
  ];
  if (c.nodes < 2) return specs;
  return [
    ...specs,
    {
      ...common,
      key: `${id}-replication-lag`,
      title: `${id}: replication lag above ${t.replicationLagSeconds} s`,
      type: 'query alert',
      query: `max(last_10m):max:aws.elasticache.replication_lag${scope} by {cacheclusterid} > ${t.replicationLagSeconds}`,
      critical: t.replicationLagSeconds,
      warning: t.replicationLagSeconds / 2,
      unit: 'seconds',
      priority: 3,
      what: 'A replica is behind the primary: reads from it are stale, and a failover now would lose the writes it has not received.',
      action: 'Check the primary\'s network and engine CPU, and large writes.',
    },
    {
      ...common,
      key: `${id}-failover`,
      title: `${id}: failover`,
      type: 'query alert',
      // IsMaster is 1 on the primary and 0 on replicas: a node going from 0 to 1 is a failover.
      query: `change(max(last_15m),last_15m):max:aws.elasticache.is_master${scope} by {cacheclusterid} > 0`,
      critical: 0,
      unit: 'change of IsMaster (1 primary, 0 replica)',
      priority: 3,
      what: 'A replica became the primary: the old primary failed or was replaced (maintenance, node failure).',
      action: 'Read the ElastiCache events of the group; check the apps reconnected (they use the primary endpoint, which follows the new primary).',
    },
  ];
}
