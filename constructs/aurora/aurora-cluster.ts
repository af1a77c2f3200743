import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { RdsCluster } from '@cdktf/provider-aws/lib/rds-cluster';
import { RdsClusterInstance } from '@cdktf/provider-aws/lib/rds-cluster-instance';
import { RdsClusterParameterGroup } from '@cdktf/provider-aws/lib/rds-cluster-parameter-group';
import { Construct } from 'constructs';
import { Rule, checkProps, distinctZones } from '../core/validation';
import { BACKUP_WINDOW, DB_IDENTIFIER, MAINTENANCE_WINDOW, MONITORING_INTERVALS, clientSecurityGroup, encryptionKey, finalSnapshotIdentifier, monitoringRole, subnetGroup, windowRules } from '../database/database-base';
import { auroraMonitors } from '../monitoring/catalogue';
import { MonitorSpec, MonitorThresholds, Monitored } from '../monitoring/spec';
import { LOG_RETENTION_DAYS, SubnetRef } from '../network/network';

export type AuroraEngine = 'aurora-mysql' | 'aurora-postgresql';

/** Serverless v2 capacity in Aurora capacity units (0.5 steps). */
export interface ServerlessV2Capacity {
  /** 0 lets the cluster pause when idle (recent engine versions only). */
  readonly minCapacity: number;
  readonly maxCapacity: number;
}

export interface ReaderAutoScaling {
  /** Most readers autoscaling may run. */
  readonly maxReaders: number;
  /** Average reader CPU to hold. @default 70 */
  readonly targetCpuPercent?: number;
}

export interface AuroraClusterProps {
  /** Cluster identifier (lower-case letters, digits, hyphens). */
  readonly name: string;
  readonly engine: AuroraEngine;
  /**
   * Full engine version, e.g. "8.0.mysql_aurora.3.08.0" or "16.6". The repository owns it:
   * automatic minor version upgrades are off, so AWS does not move the version away from the
   * code (the next plan would otherwise try a downgrade, which RDS refuses); a newer minor
   * version is a pull request changing this value. A minor version that reaches its end of
   * support is still upgraded by AWS after notice: bump it before then.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.VersionPolicy.html
   */
  readonly engineVersion: string;
  /**
   * Serverless v2 capacity; when given every instance is `db.serverless`.
   * @default - provisioned instances of `instanceClass`
   */
  readonly serverlessV2?: ServerlessV2Capacity;
  /** Instance class for provisioned instances. @default 'db.r6g.large' */
  readonly instanceClass?: string;
  /** Readers beside the writer, spread over the zones. @default 1 in production, else 0 */
  readonly readers?: number;
  /** Add readers on CPU load. @default - a fixed number of readers */
  readonly readerAutoScaling?: ReaderAutoScaling;
  readonly vpcId: string;
  /** Subnets for the subnet group: at least two zones (isolated subnets recommended). */
  readonly subnets: readonly SubnetRef[];
  /** Security groups allowed to connect; nothing else can. @default [] */
  readonly allowedSecurityGroupIds?: readonly string[];
  /** KMS key for storage, snapshots, Performance Insights and the master secret. @default - a new key with rotation */
  readonly kmsKeyArn?: string;
  /**
   * Encrypt storage. Turning it off is refused by the policy pack unless suppressed
   * with a reason; it cannot be changed on an existing cluster without a restore.
   * @default true
   */
  readonly storageEncrypted?: boolean;
  /** KMS key for the exported-log groups. @default - CloudWatch Logs' own encryption */
  readonly logsKmsKeyArn?: string;
  /** Database created at launch. @default - none */
  readonly databaseName?: string;
  /** Master user; its password is generated and kept in Secrets Manager by RDS. @default 'dbadmin' */
  readonly masterUsername?: string;
  /** Use production defaults (see each setting). @default false */
  readonly production?: boolean;
  /** Refuse deletion. @default true in production, else false */
  readonly deletionProtection?: boolean;
  /**
   * Take a final snapshot `<name>-final-<created>` when the database is deleted. Off only for
   * throwaway copies (previews), whose snapshot would outlive them, encrypted with a key that
   * is deleted with them. @default true; refused false in production
   */
  readonly finalSnapshot?: boolean;
  /** Days of automated backups (1-35). @default 14 in production, else 7 */
  readonly backupRetentionDays?: number;
  /** Daily backup window, UTC. @default '17:00-18:00' (02:00 in Tokyo) */
  readonly backupWindow?: string;
  /** Weekly maintenance window, UTC. @default 'sun:18:30-sun:19:30' */
  readonly maintenanceWindow?: string;
  /** Allow IAM database authentication. @default false */
  readonly iamAuthentication?: boolean;
  /**
   * Logs exported to CloudWatch Logs.
   * @default ['audit', 'error', 'slowquery'] for MySQL, ['postgresql'] for PostgreSQL
   */
  readonly logExports?: readonly string[];
  /** Days to keep exported logs. @default 365 in production, else 30 */
  readonly logRetentionDays?: number;
  /** Enhanced monitoring interval, seconds. @default 60 */
  readonly monitoringIntervalSeconds?: number;
  /** Performance Insights retention, days (7 is free). @default 7 */
  readonly performanceInsightsRetentionDays?: number;
}

/**
 * Aurora MySQL writes the audit, slow query and general logs only when their parameters
 * turn them on, and exports them only from files (log_output=FILE). All are dynamic.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Auditing.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_LogAccess.MySQL.LogFileSize.html
 */
const MYSQL_LOG_PARAMETERS: Record<string, ReadonlyArray<{ name: string; value: string }>> = {
  // Logins and changes to schema and privileges; not every query (volume, personal data).
  audit: [
    { name: 'server_audit_logging', value: '1' },
    { name: 'server_audit_events', value: 'CONNECT,QUERY_DCL,QUERY_DDL' },
  ],
  slowquery: [
    { name: 'slow_query_log', value: '1' },
    { name: 'long_query_time', value: '2' },
  ],
  general: [{ name: 'general_log', value: '1' }],
};

const LOG_TYPES: Record<AuroraEngine, readonly string[]> = {
  'aurora-mysql': ['audit', 'error', 'general', 'slowquery', 'iam-db-auth-error'],
  'aurora-postgresql': ['postgresql', 'iam-db-auth-error'],
};

/**
 * An Aurora MySQL or PostgreSQL cluster: a writer and readers across zones, provisioned
 * or Serverless v2; encrypted with its own KMS key; TLS enforced by the parameter group;
 * master password managed by RDS in Secrets Manager; deletion protection and a named
 * final snapshot; logs, Performance Insights and enhanced monitoring on.
 */
export class AuroraCluster extends Construct implements Monitored {
  public readonly cluster: RdsCluster;
  public readonly instances: readonly RdsClusterInstance[];
  /** The writer endpoint. */
  public readonly clusterEndpoint: string;
  /** The load-balanced reader endpoint. */
  public readonly readerEndpoint: string;
  public readonly port: number;
  /** ARN of the Secrets Manager secret holding the master credentials. */
  public readonly masterUserSecretArn: string;
  public readonly securityGroupId: string;
  public readonly kmsKeyArn: string;
  /** The engine, for monitors that differ between MySQL and PostgreSQL. */
  public readonly engine: AuroraEngine;
  /** The cluster identifier as given (a plain string). */
  public readonly clusterName: string;

  constructor(scope: Construct, id: string, props: AuroraClusterProps) {
    super(scope, id);
    const production = props.production ?? false;
    const instanceClass = props.serverlessV2 ? 'db.serverless' : (props.instanceClass ?? 'db.r6g.large');
    const readers = props.readers ?? (production ? 1 : 0);
    const allowed = props.allowedSecurityGroupIds ?? [];
    const masterUsername = props.masterUsername ?? 'dbadmin';
    const deletionProtection = props.deletionProtection ?? production;
    const finalSnapshot = props.finalSnapshot ?? true;
    const backupRetentionDays = props.backupRetentionDays ?? (production ? 14 : 7);
    const backupWindow = props.backupWindow ?? '17:00-18:00';
    const maintenanceWindow = props.maintenanceWindow ?? 'sun:18:30-sun:19:30';
    const iamAuthentication = props.iamAuthentication ?? false;
    const logExports = props.logExports ?? (props.engine === 'aurora-mysql' ? ['audit', 'error', 'slowquery'] : ['postgresql']);
    const logRetentionDays = props.logRetentionDays ?? (production ? 365 : 30);
    const monitoringInterval = props.monitoringIntervalSeconds ?? 60;
    const piRetention = props.performanceInsightsRetentionDays ?? 7;
    const port = props.engine === 'aurora-mysql' ? 3306 : 5432;
    const family = parameterGroupFamily(props.engine, props.engineVersion);
    const storageEncrypted = props.storageEncrypted ?? true;
    const sv2 = props.serverlessV2;
    const scaling = props.readerAutoScaling;

    const rules: Rule[] = [
      [!DB_IDENTIFIER.test(props.name), 'name', props.name, 'a cluster identifier: lower-case letters, digits and hyphens, starting with a letter'],
      [!['aurora-mysql', 'aurora-postgresql'].includes(props.engine), 'engine', props.engine, '"aurora-mysql" or "aurora-postgresql"'],
      [family === undefined, 'engineVersion', props.engineVersion, props.engine === 'aurora-mysql' ? 'an Aurora MySQL version such as "8.0.mysql_aurora.3.08.0"' : 'an Aurora PostgreSQL version such as "16.6"'],
      [distinctZones(props.subnets).length < 2, 'subnets', props.subnets.map((s) => s.id), 'subnets in at least 2 availability zones'],
      [readers < 0 || readers > 15, 'readers', readers, 'from 0 to 15 (Aurora allows 15 replicas)'],
      [production && readers < 1, 'readers', readers, 'at least 1 in production (a failover target in another zone)'],
      [allowed.some((g) => !g.startsWith('sg-') && !g.startsWith('${')), 'allowedSecurityGroupIds', allowed, 'security group ids (sg-...): clients are admitted by group, never by CIDR'],
      [production && !deletionProtection, 'deletionProtection', deletionProtection, 'true in production'],
      [production && !finalSnapshot, 'finalSnapshot', finalSnapshot, 'true in production'],
      [backupRetentionDays < 1 || backupRetentionDays > 35, 'backupRetentionDays', backupRetentionDays, 'from 1 to 35'],
      [production && backupRetentionDays < 7, 'backupRetentionDays', backupRetentionDays, 'at least 7 in production'],
      [!BACKUP_WINDOW.test(backupWindow), 'backupWindow', backupWindow, '"hh:mm-hh:mm" in UTC'],
      [!MAINTENANCE_WINDOW.test(maintenanceWindow), 'maintenanceWindow', maintenanceWindow, '"ddd:hh:mm-ddd:hh:mm" in UTC'],
      ...windowRules('backupWindow', backupWindow, 'maintenanceWindow', maintenanceWindow),
      [logExports.some((l) => !LOG_TYPES[props.engine]?.includes(l)), 'logExports', logExports, `log types of ${props.engine}: ${(LOG_TYPES[props.engine] ?? []).join(', ')}`],
      [!LOG_RETENTION_DAYS.includes(logRetentionDays as never), 'logRetentionDays', logRetentionDays, `one of ${LOG_RETENTION_DAYS.join(', ')}`],
      [!MONITORING_INTERVALS.includes(monitoringInterval as never), 'monitoringIntervalSeconds', monitoringInterval, `one of ${MONITORING_INTERVALS.join(', ')}`],
      [piRetention !== 7 && piRetention !== 731 && !(piRetention % 31 === 0 && piRetention <= 713), 'performanceInsightsRetentionDays', piRetention, '7, a multiple of 31 up to 713, or 731'],
      [!!props.serverlessV2 && props.instanceClass !== undefined, 'instanceClass', props.instanceClass, 'nothing with serverlessV2 (instances are db.serverless)'],
      [!props.serverlessV2 && !/^db\.[a-z0-9]+\.[a-z0-9]+$/.test(instanceClass), 'instanceClass', instanceClass, 'an instance class such as "db.r6g.large"'],
    ];
    if (sv2) {
      rules.push(
        [sv2.minCapacity < 0 || sv2.minCapacity > 256 || sv2.minCapacity % 0.5 !== 0, 'serverlessV2.minCapacity', sv2.minCapacity, 'from 0 to 256 ACUs in steps of 0.5'],
        [sv2.maxCapacity < 1 || sv2.maxCapacity > 256 || sv2.maxCapacity % 0.5 !== 0, 'serverlessV2.maxCapacity', sv2.maxCapacity, 'from 1 to 256 ACUs in steps of 0.5'],
        [sv2.maxCapacity < sv2.minCapacity, 'serverlessV2.maxCapacity', sv2.maxCapacity, `at least serverlessV2.minCapacity (${sv2.minCapacity})`],
      );
    }
    if (scaling) {
      const target = scaling.targetCpuPercent ?? 70;
      rules.push(
        [scaling.maxReaders <= readers || scaling.maxReaders > 15, 'readerAutoScaling.maxReaders', scaling.maxReaders, `more than readers (${readers}) and at most 15`],
        [target < 10 || target > 90, 'readerAutoScaling.targetCpuPercent', target, 'from 10 to 90'],
      );
    }
    checkProps(this, 'AuroraCluster', rules);
    this.engine = props.engine;
    this.clusterName = props.name;

    const kmsKeyArn = encryptionKey(this, `${props.name}-aurora`, props.kmsKeyArn);
    const subnets = subnetGroup(this, props.name, props.subnets);
    const sg = clientSecurityGroup(this, props.name, props.vpcId, port, allowed);
    const monitoring = monitoringInterval > 0 ? monitoringRole(this, props.name) : undefined;

    // Connections without TLS are refused by the server, whatever the client asks for.
    const tlsParameter = props.engine === 'aurora-mysql' ? { name: 'require_secure_transport', value: 'ON' } : { name: 'rds.force_ssl', value: '1' };
    const parameters = new RdsClusterParameterGroup(this, 'parameters', {
      namePrefix: `${props.name}-`,
      family: family!,
      description: `${props.name}: TLS required`,
      parameter: [tlsParameter, ...logParameters(props.engine, logExports)],
      lifecycle: { createBeforeDestroy: true },
    });

    // Create the log groups first, so their retention applies from the first line.
    const logGroups = logExports.map(
      (log) => new CloudwatchLogGroup(this, `log-${log}`, { name: `/aws/rds/cluster/${props.name}/${log}`, retentionInDays: logRetentionDays, kmsKeyId: props.logsKmsKeyArn }),
    );

    this.cluster = new RdsCluster(this, 'cluster', {
      clusterIdentifier: props.name,
      engine: props.engine,
      engineVersion: props.engineVersion,
      engineMode: 'provisioned',
      databaseName: props.databaseName,
      masterUsername,
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: kmsKeyArn,
      storageEncrypted,
      kmsKeyId: storageEncrypted ? kmsKeyArn : undefined,
      dbSubnetGroupName: subnets.name,
      vpcSecurityGroupIds: [sg.id],
      dbClusterParameterGroupName: parameters.name,
      port,
      deletionProtection,
      skipFinalSnapshot: !finalSnapshot,
      finalSnapshotIdentifier: finalSnapshot ? finalSnapshotIdentifier(this, props.name) : undefined,
      backupRetentionPeriod: backupRetentionDays,
      preferredBackupWindow: backupWindow,
      preferredMaintenanceWindow: maintenanceWindow,
      copyTagsToSnapshot: true,
      iamDatabaseAuthenticationEnabled: iamAuthentication,
      enabledCloudwatchLogsExports: [...logExports],
      serverlessv2ScalingConfiguration: sv2 ? { minCapacity: sv2.minCapacity, maxCapacity: sv2.maxCapacity } : undefined,
      dependsOn: logGroups,
      // RDS fills in zones it picked; without this every plan would replace the cluster.
      lifecycle: { ignoreChanges: ['availability_zones'] },
    });

    const zones = distinctZones(props.subnets);
    this.instances = Array.from({ length: readers + 1 }, (_, i) =>
      new RdsClusterInstance(this, i === 0 ? 'writer' : `reader-${i}`, {
        identifier: i === 0 ? `${props.name}-1` : `${props.name}-${i + 1}`,
        clusterIdentifier: this.cluster.id,
        engine: props.engine,
        engineVersion: this.cluster.engineVersion,
        instanceClass,
        availabilityZone: zones[i % zones.length],
        promotionTier: i === 0 ? 0 : 1,
        publiclyAccessible: false,
        // The repository owns the full engine version (see engineVersion).
        autoMinorVersionUpgrade: false,
        performanceInsightsEnabled: true,
        performanceInsightsKmsKeyId: kmsKeyArn,
        performanceInsightsRetentionPeriod: piRetention,
        monitoringInterval,
        monitoringRoleArn: monitoring?.arn,
        copyTagsToSnapshot: true,
      }),
    );

    if (scaling) {
      const target = new AppautoscalingTarget(this, 'reader-scaling-target', {
        serviceNamespace: 'rds',
        scalableDimension: 'rds:cluster:ReadReplicaCount',
        resourceId: `cluster:${this.cluster.clusterIdentifier}`,
        minCapacity: readers,
        maxCapacity: scaling.maxReaders,
      });
      new AppautoscalingPolicy(this, 'reader-scaling', {
        name: `${props.name}-reader-cpu`,
        policyType: 'TargetTrackingScaling',
        serviceNamespace: target.serviceNamespace,
        scalableDimension: target.scalableDimension,
        resourceId: target.resourceId,
        targetTrackingScalingPolicyConfiguration: {
          predefinedMetricSpecification: { predefinedMetricType: 'RDSReaderAverageCPUUtilization' },
          targetValue: scaling.targetCpuPercent ?? 70,
          scaleInCooldown: 300,
          scaleOutCooldown: 300,
        },
      });
    }

    this.clusterEndpoint = this.cluster.endpoint;
    this.readerEndpoint = this.cluster.readerEndpoint;
    this.port = port;
    this.masterUserSecretArn = this.cluster.masterUserSecret.get(0).secretArn;
    this.securityGroupId = sg.id;
    this.kmsKeyArn = kmsKeyArn;
  }

  /** CPU, freeable memory, replica lag, connections and deadlocks. */
  public monitors(thresholds: MonitorThresholds): MonitorSpec[] {
    return auroraMonitors({ clusterIdentifier: this.clusterName, engine: this.engine }, thresholds.aurora);
  }
}

/** The parameter group family for an engine version; undefined when the version is not recognised. */
export function parameterGroupFamily(engine: AuroraEngine, version: string): string | undefined {
  if (engine === 'aurora-mysql') {
    const m = /^(8\.0|5\.7)\.mysql_aurora\.\d+\.\d+\.\d+$/.exec(version);
    return m ? `aurora-mysql${m[1]}` : undefined;
  }
  if (engine === 'aurora-postgresql') {
    const m = /^(1[1-9])\.\d+$/.exec(version);
    return m ? `aurora-postgresql${m[1]}` : undefined;
  }
  return undefined;
}

/** The cluster parameters that make Aurora MySQL write the logs it is asked to export. */
function logParameters(engine: AuroraEngine, logExports: readonly string[]): Array<{ name: string; value: string; applyMethod: string }> {
  if (engine !== 'aurora-mysql') return [];
  const wanted = logExports.flatMap((l) => MYSQL_LOG_PARAMETERS[l] ?? []);
  const output = logExports.some((l) => l === 'slowquery' || l === 'general') ? [{ name: 'log_output', value: 'FILE' }] : [];
  return [...wanted, ...output].map((p) => ({ ...p, applyMethod: 'immediate' }));
}
