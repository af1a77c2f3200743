/**
 * What a monitor is, before it becomes a `datadog_monitor`: plain data a construct
 * returns from `monitors()`, so that AccountStack decides which account gets which.
 */

/** 1 and 2 go to the immediate channel (act now); 3 to 5 to the watch channel (have a look). */
export type Priority = 1 | 2 | 3 | 4 | 5;

/** The kinds of thing the coverage check expects monitors on. */
export type TargetKind = 'beanstalk-environment' | 'database' | 'queue' | 'fastly-service' | 'function' | 'mail-identity' | 'cache' | 'table' | 'image-pipeline';

export interface MonitorSpec {
  /** Stable key, unique in the account: the construct id of the monitor. */
  readonly key: string;
  /** Short title; the account and priority are added to the Datadog name. */
  readonly title: string;
  readonly type: 'query alert' | 'service check' | 'slo alert';
  readonly query: string;
  readonly priority: Priority;
  /** The alert threshold (the one in the query). */
  readonly critical: number;
  /**
   * Unit of `critical` and `warning`: what the query's left-hand side evaluates to, e.g.
   * `percent`, `seconds`, `bytes`, `deadlocks per 10 minutes`. Tests check it against the
   * unit Datadog and CloudWatch document for the metric.
   */
  readonly unit: string;
  /** @default - no warning state */
  readonly warning?: number;
  /** What the alert means, for whoever reads it in Slack. */
  readonly what: string;
  /** What to do about it. */
  readonly action: string;
  /** Whether silence is a fault here (the metric stops when the thing is down). */
  readonly notifyNoData: boolean;
  /** Seconds to wait for late data (CloudWatch metrics arrive minutes late). @default 0 */
  readonly evaluationDelaySeconds?: number;
  /** Value of the `service:` tag. */
  readonly service: string;
  /** What the monitor watches, for the coverage check (`target:` tag). */
  readonly target: { readonly kind: TargetKind; readonly name: string };
}

/** How long the mail dead-letter queues keep a message (SQS MessageRetentionPeriod; the SQS maximum is 14 days). */
export const MAIL_DEAD_LETTER_RETENTION_SECONDS = 14 * 86400;

/** CloudWatch metrics reach Datadog 10-15 minutes late: evaluate AWS metrics with this delay. */
export const AWS_METRIC_DELAY_SECONDS = 900;

/**
 * Datadog collects `fastly.*` every 60 s (the `interval` column of Datadog's Fastly
 * metadata.csv, DataDog/integrations-core fastly/metadata.csv) from Fastly's real-time
 * analytics, which are complete to the last second: Fastly data is at most about a minute old.
 */
export const FASTLY_METRIC_INTERVAL_SECONDS = 60;

/** Thresholds per construct kind; every value can be overridden from account config. */
export interface MonitorThresholds {
  readonly beanstalk: {
    /** Percent of requests answered 5xx by the load balancer or the targets (percent, 0-100). */
    readonly http5xxPercent: number;
    /** p95 target response time (seconds; CloudWatch TargetResponseTime is in seconds). */
    readonly p95LatencySeconds: number;
  };
  readonly aurora: {
    /** CPU utilization (percent, 0-100). */
    readonly cpuPercent: number;
    /** Freeable memory floor (MiB; the query compares bytes). */
    readonly freeableMemoryMb: number;
    /** Replica lag (milliseconds; AuroraReplicaLag is in milliseconds). */
    readonly replicaLagMs: number;
    /** Database connections (connections). */
    readonly connections: number;
    /**
     * Deadlocks in 10 minutes (deadlocks). CloudWatch's Deadlocks is an average per second,
     * so the query multiplies the 10-minute average by 600 s.
     */
    readonly deadlocks: number;
  };
  readonly sqlServer: {
    /** CPU utilization (percent, 0-100). */
    readonly cpuPercent: number;
    /** Free storage floor (percent of allocated; the query compares bytes). */
    readonly freeStoragePercent: number;
    /** How far a secondary may lag the primary (seconds; Always On). */
    readonly secondaryLagSeconds: number;
  };
  readonly fastly: {
    /** Edge responses that are 5xx (percent, 0-100). */
    readonly http5xxPercent: number;
    /**
     * Requests in 5 minutes below which the 5xx monitor cannot page (requests): with fewer,
     * the ratio is taken over this many, so a handful of errors on a quiet night stays quiet.
     */
    readonly minimumRequests: number;
    /** Cache hit ratio floor: hits / (hits + misses) (percent, 0-100). */
    readonly hitRatioPercent: number;
    /** Average time to fetch from origin on a miss (seconds). */
    readonly originLatencySeconds: number;
  };
  readonly mail: {
    /** Age of the oldest queued message (seconds). */
    readonly oldestMessageSeconds: number;
    /** SES bounce rate (fraction, 0-1); AWS reviews an account at 0.05. */
    readonly bounceRate: number;
    /** SES complaint rate (fraction, 0-1); AWS reviews an account at 0.001. */
    readonly complaintRate: number;
    /**
     * Age of the oldest dead letter (seconds): SQS deletes a message when the queue's
     * retention ends ({@link MAIL_DEAD_LETTER_RETENTION_SECONDS}), so this must be below it.
     */
    readonly deadLetterAgeSeconds: number;
    /** Errors of one mail Lambda function (worker, webhook, SES events) in 15 minutes (errors; aws.lambda.errors is a count). */
    readonly functionErrors: number;
    /** Throttled requests on the history table in 15 minutes (requests; aws.dynamodb.throttled_requests is a count). */
    readonly historyThrottledRequests: number;
    /** Requests to the history table answered with a 500 in 15 minutes (requests; aws.dynamodb.system_errors is a count). */
    readonly historySystemErrors: number;
  };
  readonly cache: {
    /** Host CPU of a node (percent, 0-100; CloudWatch CPUUtilization). */
    readonly cpuPercent: number;
    /** CPU of the engine thread (percent, 0-100; EngineCPUUtilization: the engine is single-threaded). */
    readonly engineCpuPercent: number;
    /** Memory the data set takes of what the engine may use (percent, 0-100; DatabaseMemoryUsagePercentage). */
    readonly memoryPercent: number;
    /** Keys evicted in 10 minutes (keys; CloudWatch Evictions is a count per period, summed). */
    readonly evictions: number;
    /** How far a replica lags the primary (seconds; ReplicationLag is in seconds). */
    readonly replicationLagSeconds: number;
    /** Client connections to one node (connections; CurrConnections). */
    readonly connections: number;
  };
}

/** Starting points, from the services' guidance where it exists. */
export const DEFAULT_THRESHOLDS: MonitorThresholds = {
  beanstalk: { http5xxPercent: 5, p95LatencySeconds: 2 },
  aurora: { cpuPercent: 90, freeableMemoryMb: 256, replicaLagMs: 1000, connections: 1000, deadlocks: 5 },
  sqlServer: { cpuPercent: 90, freeStoragePercent: 10, secondaryLagSeconds: 60 },
  // 600 requests in 5 minutes = 2 per second: below that, 2% is a dozen errors.
  fastly: { http5xxPercent: 2, minimumRequests: 600, hitRatioPercent: 70, originLatencySeconds: 3 },
  // Well before AWS's review thresholds (5% bounces, 0.1% complaints).
  // Dead letters: a week's notice before SQS deletes them; any throttle or 500 of the history
  // table loses a support record, so those alert at the first one.
  mail: { oldestMessageSeconds: 900, bounceRate: 0.02, complaintRate: 0.0005, deadLetterAgeSeconds: 7 * 86400, functionErrors: 5, historyThrottledRequests: 0, historySystemErrors: 0 },
  // AWS's guidance: engine CPU above 90% and memory above 80-90% need action; Valkey and
  // Redis OSS accept at most 65,000 connections per node.
  cache: { cpuPercent: 90, engineCpuPercent: 80, memoryPercent: 80, evictions: 1000, replicationLagSeconds: 10, connections: 5000 },
};

export type ThresholdOverrides = { readonly [K in keyof MonitorThresholds]?: Partial<MonitorThresholds[K]> };

/** Overrides layered over the defaults, kind by kind. */
export function resolveThresholds(overrides: ThresholdOverrides = {}): MonitorThresholds {
  const out = { ...DEFAULT_THRESHOLDS } as Record<keyof MonitorThresholds, unknown>;
  for (const kind of Object.keys(DEFAULT_THRESHOLDS) as Array<keyof MonitorThresholds>) out[kind] = { ...DEFAULT_THRESHOLDS[kind], ...(overrides[kind] ?? {}) };
  return out as unknown as MonitorThresholds;
}

/** Anything that can say how it should be watched. */
export interface Monitored {
  monitors(thresholds: MonitorThresholds): MonitorSpec[];
}
