import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { DbOptionGroup } from '@cdktf/provider-aws/lib/db-option-group';
import { DbParameterGroup } from '@cdktf/provider-aws/lib/db-parameter-group';
import { DlmLifecyclePolicy } from '@cdktf/provider-aws/lib/dlm-lifecycle-policy';
import { EbsVolume } from '@cdktf/provider-aws/lib/ebs-volume';
import { FsxWindowsFileSystem } from '@cdktf/provider-aws/lib/fsx-windows-file-system';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Instance } from '@cdktf/provider-aws/lib/instance';
import { NetworkInterface } from '@cdktf/provider-aws/lib/network-interface';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { SsmAssociation } from '@cdktf/provider-aws/lib/ssm-association';
import { VolumeAttachment } from '@cdktf/provider-aws/lib/volume-attachment';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Construct } from 'constructs';
import { SecureBucket } from '../core/bucket';
import { accountIdOf, attachManagedPolicies, policyDocument, serviceTrust } from '../core/iam';
import { Rule, checkProps, distinctZones } from '../core/validation';
import { BACKUP_WINDOW, DB_IDENTIFIER, MAINTENANCE_WINDOW, clientSecurityGroup, encryptionKey, finalSnapshotIdentifier, monitoringRole, subnetGroup, windowRules } from '../database/database-base';
import { sqlServerMonitors } from '../monitoring/catalogue';
import { MonitorSpec, MonitorThresholds, Monitored } from '../monitoring/spec';
import { LOG_RETENTION_DAYS, SubnetRef } from '../network/network';

export type SqlServerMode = 'rds' | 'ec2-always-on';
/** RDS edition codes: Express, Web, Standard, Enterprise. */
export type SqlServerEdition = 'ex' | 'web' | 'se' | 'ee';

/** RDS for SQL Server (Multi-AZ, license included). */
export interface RdsSqlServerSettings {
  /** Edition. Express and Web support neither Multi-AZ nor (Express) encryption. */
  readonly edition: SqlServerEdition;
  /**
   * Full engine version, e.g. "16.00.4165.4.v1" (SQL Server 2022). The repository owns it:
   * automatic minor version upgrades are off, so RDS does not move the version away from the
   * code (the next plan would otherwise try a downgrade, which RDS refuses); a newer minor
   * version is a pull request changing this value. A minor version that reaches its end of
   * support is still upgraded by AWS after notice: bump it before then.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_SQLServer.html
   */
  readonly engineVersion: string;
  /** @default 'db.r6i.xlarge' */
  readonly instanceClass?: string;
  /** @default 'gp3' */
  readonly storageType?: 'gp3' | 'io2';
  /** @default 200 */
  readonly allocatedStorageGb?: number;
  /** Ceiling for storage autoscaling. @default - 4 times allocatedStorageGb */
  readonly maxAllocatedStorageGb?: number;
  /** Provisioned IOPS (required for io2; gp3 from 3000). @default - the storage type's baseline */
  readonly iops?: number;
  /** gp3 throughput, MiB/s. @default - the baseline */
  readonly storageThroughput?: number;
  /** Server time zone. @default 'Tokyo Standard Time' */
  readonly timezone?: string;
  /** Server collation. @default - RDS's default, SQL_Latin1_General_CP1_CI_AS */
  readonly collation?: string;
  /** Standby in another zone with synchronous replication. @default true */
  readonly multiAz?: boolean;
  /** Bucket for native backup/restore (.bak files). @default - a new versioned, encrypted bucket */
  readonly backupBucketName?: string;
  /** Join the cluster's `directoryId` for Windows authentication. @default false (SQL logins only) */
  readonly joinDirectory?: boolean;
  /** @default 'sun:18:30-sun:19:30' */
  readonly maintenanceWindow?: string;
}

/** One EBS volume of an Always On node. */
export interface VolumeSpec {
  readonly sizeGb: number;
  /** @default 'gp3' */
  readonly type?: 'gp3' | 'io2';
  /** @default - gp3's 3000 baseline; required for io2 */
  readonly iops?: number;
  /** gp3 only, MiB/s. @default 125 */
  readonly throughput?: number;
}

export interface AlwaysOnNode {
  /** Zone of the node; each node is in a different zone. */
  readonly availabilityZone: string;
  /** The node's own address. */
  readonly primaryIp: string;
  /** Secondary address for the Windows failover cluster's IP resource in this subnet. */
  readonly clusterIp: string;
  /** Secondary address for the availability group listener in this subnet. */
  readonly listenerIp: string;
}

/** The file-share witness that keeps quorum when a node is lost. */
export type Witness =
  /**
   * An FSx for Windows File Server share (single-AZ, in a zone with no node), joined to the
   * cluster's `directoryId`.
   */
  | { readonly fsx: { readonly storageGb?: number; readonly throughputMbps?: number } }
  | { readonly sharePath: string };

/** SQL Server Always On availability group on EC2 (bring your own AMI and licence). */
export interface AlwaysOnSettings {
  /** Windows Server + SQL Server AMI. */
  readonly imageId: string;
  /** @default 'r6i.xlarge' */
  readonly instanceType?: string;
  /** 2 or 3 nodes, each in its own zone. */
  readonly nodes: readonly AlwaysOnNode[];
  /**
   * Data, log, tempdb and backup volumes, each on its own encrypted EBS volume.
   * @default data 500 GB (gp3, 6000 IOPS, 500 MiB/s), log 200 GB (gp3, 3000 IOPS, 250 MiB/s), tempdb 100 GB, backup 500 GB
   */
  readonly volumes?: Partial<Record<VolumeRole, VolumeSpec>>;
  readonly witness: Witness;
  /** Daily EBS snapshot time, UTC. @default '17:00' */
  readonly snapshotTime?: string;
}

export type VolumeRole = 'data' | 'log' | 'tempdb' | 'backup';
const VOLUME_DEVICES: Record<VolumeRole, string> = { data: 'xvdf', log: 'xvdg', tempdb: 'xvdh', backup: 'xvdi' };
const DEFAULT_VOLUMES: Record<VolumeRole, VolumeSpec> = {
  data: { sizeGb: 500, iops: 6000, throughput: 500 },
  log: { sizeGb: 200, iops: 3000, throughput: 250 },
  tempdb: { sizeGb: 100 },
  backup: { sizeGb: 500 },
};

export interface SqlServerClusterProps {
  /** Identifier (lower-case letters, digits, hyphens). */
  readonly name: string;
  readonly mode: SqlServerMode;
  readonly vpcId: string;
  /** Subnets: the subnet group (rds) or one subnet per node's zone (ec2-always-on). */
  readonly subnets: readonly SubnetRef[];
  /** Security groups allowed to connect on 1433. @default [] */
  readonly allowedSecurityGroupIds?: readonly string[];
  /** @default - a new key with rotation */
  readonly kmsKeyArn?: string;
  /** Use production defaults. @default false */
  readonly production?: boolean;
  /** Refuse deletion / termination. @default true in production, else false */
  readonly deletionProtection?: boolean;
  /**
   * RDS mode: take a final snapshot `<name>-final-<created>` when the database is deleted. Off only for
   * throwaway copies (previews), whose snapshot would outlive them, encrypted with a key that
   * is deleted with them. @default true; refused false in production
   */
  readonly finalSnapshot?: boolean;
  /** Days of backups (RDS automated backups, or EBS snapshots kept). @default 14 in production, else 7 */
  readonly backupRetentionDays?: number;
  /** Daily backup window, UTC (rds). @default '17:00-18:00' */
  readonly backupWindow?: string;
  /** Required when mode is 'rds'. @default - none */
  readonly rds?: RdsSqlServerSettings;
  /** Required when mode is 'ec2-always-on'. @default - none */
  readonly alwaysOn?: AlwaysOnSettings;
  /**
   * AWS Managed Microsoft AD directory (d-...) in this VPC, or reachable from it: what an FSx
   * witness and RDS Windows authentication join.
   * @default - none: neither is possible
   */
  readonly directoryId?: string;
  /**
   * The directory's fully qualified domain name (e.g. `corp.example-hotel.jp`). With
   * `directoryId`, the Always On nodes join the domain (seamless domain join through
   * Systems Manager); required then in ec2-always-on mode.
   * @default - none: the nodes are not joined
   * @see https://docs.aws.amazon.com/directoryservice/latest/admin-guide/launching_instance.html
   */
  readonly directoryName?: string;
  /** KMS key for the RDS log groups (`/aws/rds/instance/<name>/...`). @default - CloudWatch Logs' own encryption */
  readonly logsKmsKeyArn?: string;
  /** Days to keep the RDS log groups. @default 365 in production, else 30 */
  readonly logRetentionDays?: number;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/**
 * The SQL Server core database, as RDS for SQL Server Multi-AZ or as an Always On
 * availability group on EC2 across zones.
 */
export class SqlServerCluster extends Construct implements Monitored {
  /** Endpoint address (rds) or the listener addresses, comma-separated (ec2-always-on). */
  public readonly endpoint: string;
  /** Availability group listener addresses, one per node subnet (ec2-always-on). */
  public readonly listenerAddresses: readonly string[];
  public readonly port = 1433;
  public readonly securityGroupId: string;
  /** Secret holding the administrator credentials. */
  public readonly secretArn: string;
  public readonly mode: SqlServerMode;
  /** The RDS instance (rds mode). */
  public readonly dbInstance?: DbInstance;
  /** The nodes (ec2-always-on mode). */
  public readonly nodes: readonly Instance[] = [];
  /** The cluster name as given. */
  public readonly clusterName: string;
  private readonly allocatedStorageGb?: number;

  constructor(scope: Construct, id: string, props: SqlServerClusterProps) {
    super(scope, id);
    const production = props.production ?? false;
    const deletionProtection = props.deletionProtection ?? production;
    const finalSnapshot = props.finalSnapshot ?? true;
    const backupRetentionDays = props.backupRetentionDays ?? (production ? 14 : 7);
    const allowed = props.allowedSecurityGroupIds ?? [];
    this.mode = props.mode;
    this.clusterName = props.name;
    this.allocatedStorageGb = props.rds ? (props.rds.allocatedStorageGb ?? 200) : undefined;

    checkProps(this, 'SqlServerCluster', [
      [!DB_IDENTIFIER.test(props.name), 'name', props.name, 'lower-case letters, digits and hyphens, starting with a letter'],
      [!['rds', 'ec2-always-on'].includes(props.mode), 'mode', props.mode, '"rds" or "ec2-always-on"'],
      [props.mode === 'rds' && !props.rds, 'rds', props.rds, 'the RDS settings when mode is "rds"'],
      [props.mode === 'ec2-always-on' && !props.alwaysOn, 'alwaysOn', props.alwaysOn, 'the Always On settings when mode is "ec2-always-on"'],
      [distinctZones(props.subnets).length < 2, 'subnets', props.subnets.map((s) => s.id), 'subnets in at least 2 availability zones'],
      [production && !deletionProtection, 'deletionProtection', deletionProtection, 'true in production'],
      [production && !finalSnapshot, 'finalSnapshot', finalSnapshot, 'true in production'],
      [backupRetentionDays < 1 || backupRetentionDays > 35, 'backupRetentionDays', backupRetentionDays, 'from 1 to 35'],
      [production && backupRetentionDays < 7, 'backupRetentionDays', backupRetentionDays, 'at least 7 in production'],
      [allowed.some((g) => !g.startsWith('sg-') && !g.startsWith('${')), 'allowedSecurityGroupIds', allowed, 'security group ids (sg-...)'],
      [props.directoryId !== undefined && !/^d-[0-9a-f]{10}$/.test(props.directoryId), 'directoryId', props.directoryId, 'a directory id (d- and 10 hex digits)'],
      [!!props.alwaysOn && 'fsx' in props.alwaysOn.witness && props.directoryId === undefined, 'directoryId', props.directoryId, 'the directory the FSx witness joins'],
      [!!props.rds?.joinDirectory && props.directoryId === undefined, 'directoryId', props.directoryId, 'the directory rds.joinDirectory joins'],
      [props.mode === 'ec2-always-on' && props.directoryId !== undefined && props.directoryName === undefined, 'directoryName', props.directoryName, 'the domain name of directoryId, which the nodes join'],
      [props.directoryName !== undefined && props.directoryId === undefined, 'directoryId', props.directoryId, 'the id of the directory directoryName names'],
    ]);

    const kmsKeyArn = encryptionKey(this, `${props.name}-sqlserver`, props.kmsKeyArn);
    const logRetentionDays = props.logRetentionDays ?? (production ? 365 : 30);
    checkProps(this, 'SqlServerCluster', [[!LOG_RETENTION_DAYS.includes(logRetentionDays as never), 'logRetentionDays', logRetentionDays, `one of ${LOG_RETENTION_DAYS.join(', ')}`]]);
    const common = { ...props, production, deletionProtection, finalSnapshot, backupRetentionDays, allowed, kmsKeyArn, logRetentionDays };
    if (props.mode === 'rds') {
      const out = this.buildRds(common, props.rds!);
      this.dbInstance = out.instance;
      this.endpoint = out.instance.address;
      this.listenerAddresses = [];
      this.securityGroupId = out.securityGroupId;
      this.secretArn = out.instance.masterUserSecret.get(0).secretArn;
    } else {
      const out = this.buildAlwaysOn(common, props.alwaysOn!);
      this.nodes = out.nodes;
      this.listenerAddresses = out.listenerAddresses;
      this.endpoint = out.listenerAddresses.join(',');
      this.securityGroupId = out.securityGroupId;
      this.secretArn = out.secretArn;
    }
  }

  /** CPU and free storage (RDS), or availability group health, sync state and lag (Always On). */
  public monitors(thresholds: MonitorThresholds): MonitorSpec[] {
    return sqlServerMonitors({ name: this.clusterName, mode: this.mode, allocatedStorageGb: this.allocatedStorageGb }, thresholds.sqlServer);
  }

  private buildRds(p: Common, r: RdsSqlServerSettings) {
    const instanceClass = r.instanceClass ?? 'db.r6i.xlarge';
    const storageType = r.storageType ?? 'gp3';
    const allocated = r.allocatedStorageGb ?? 200;
    const maxAllocated = r.maxAllocatedStorageGb ?? allocated * 4;
    const timezone = r.timezone ?? 'Tokyo Standard Time';
    const multiAz = r.multiAz ?? true;
    const maintenanceWindow = r.maintenanceWindow ?? 'sun:18:30-sun:19:30';
    const backupWindow = p.backupWindow ?? '17:00-18:00';
    const major = /^(1[3-6])\.00\.\d+\.\d+\.v\d+$/.exec(r.engineVersion)?.[1];
    const engine = `sqlserver-${r.edition}`;

    const rules: Rule[] = [
      [!['ex', 'web', 'se', 'ee'].includes(r.edition), 'rds.edition', r.edition, '"ex", "web", "se" or "ee"'],
      // Express has no encryption at rest on RDS; this construct never stores data unencrypted.
      [r.edition === 'ex', 'rds.edition', r.edition, '"web", "se" or "ee": SQL Server Express on RDS does not support storage encryption, which is always on here'],
      [multiAz && (r.edition === 'ex' || r.edition === 'web'), 'rds.multiAz', multiAz, `false for edition "${r.edition}" (Multi-AZ needs "se" or "ee")`],
      [p.production && !multiAz, 'rds.multiAz', multiAz, 'true in production'],
      [major === undefined, 'rds.engineVersion', r.engineVersion, 'a version such as "16.00.4165.4.v1" (SQL Server 2016 to 2022)'],
      [allocated < 20 || allocated > 16384, 'rds.allocatedStorageGb', allocated, 'from 20 to 16384'],
      [maxAllocated < allocated, 'rds.maxAllocatedStorageGb', maxAllocated, `at least allocatedStorageGb (${allocated})`],
      [storageType === 'io2' && r.iops === undefined, 'rds.iops', r.iops, 'an IOPS figure for io2 storage'],
      [storageType === 'gp3' && r.iops !== undefined && r.iops < 3000, 'rds.iops', r.iops, 'at least 3000 for gp3'],
      [storageType !== 'gp3' && r.storageThroughput !== undefined, 'rds.storageThroughput', r.storageThroughput, 'nothing: throughput is set only for gp3'],
      [!BACKUP_WINDOW.test(backupWindow), 'backupWindow', backupWindow, '"hh:mm-hh:mm" in UTC'],
      [!MAINTENANCE_WINDOW.test(maintenanceWindow), 'rds.maintenanceWindow', maintenanceWindow, '"ddd:hh:mm-ddd:hh:mm" in UTC'],
      ...windowRules('backupWindow', backupWindow, 'rds.maintenanceWindow', maintenanceWindow),
    ];
    checkProps(this, 'SqlServerCluster', rules);

    const subnets = subnetGroup(this, p.name, p.subnets);
    const sg = clientSecurityGroup(this, p.name, p.vpcId, 1433, p.allowed);
    const monitoring = monitoringRole(this, p.name);

    const parameters = new DbParameterGroup(this, 'parameters', {
      namePrefix: `${p.name}-`,
      family: `${engine}-${major}.0`,
      description: `${p.name}: TLS required`,
      // Static parameter: takes effect at the next reboot (the maintenance window).
      parameter: [{ name: 'rds.force_ssl', value: '1', applyMethod: 'pending-reboot' }],
      lifecycle: { createBeforeDestroy: true },
    });

    const backupBucket = r.backupBucketName ?? new SecureBucket(this, 'backups', { bucketName: `${p.name}-native-backups`, kmsKeyArn: p.kmsKeyArn }).bucketName;
    // RDS recommends aws:SourceAccount / aws:SourceArn on the native backup role's trust
    // (docs.aws.amazon.com/AmazonRDS/latest/UserGuide/SQLServer.Procedural.Importing.Native.Enabling.html).
    const backupRole = new IamRole(this, 'backup-role', { name: `${p.name}-native-backup`, assumeRolePolicy: serviceTrust('rds.amazonaws.com', accountIdOf(this)) });
    new IamRolePolicy(this, 'backup-access', {
      role: backupRole.id,
      policy: policyDocument(
        { Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetBucketLocation'], Resource: `arn:aws:s3:::${backupBucket}` },
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'], Resource: `arn:aws:s3:::${backupBucket}/*` },
        { Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], Resource: p.kmsKeyArn },
      ),
    });
    const options = new DbOptionGroup(this, 'options', {
      namePrefix: `${p.name}-`,
      engineName: engine,
      majorEngineVersion: `${major}.00`,
      optionGroupDescription: `${p.name}: native backup and restore to S3`,
      option: [{ optionName: 'SQLSERVER_BACKUP_RESTORE', optionSettings: [{ name: 'IAM_ROLE_ARN', value: backupRole.arn }] }],
      lifecycle: { createBeforeDestroy: true },
    });

    const domainRole = r.joinDirectory
      ? new IamRole(this, 'directory-role', {
          name: `${p.name}-rds-directory`,
          assumeRolePolicy: serviceTrust('rds.amazonaws.com'),
        })
      : undefined;
    if (domainRole) attachManagedPolicies(this, 'directory-role', domainRole.name, ['service-role/AmazonRDSDirectoryServiceAccess']);

    // RDS creates /aws/rds/instance/<id>/<log> on the first export, with no key and no
    // retention: created first, they carry both from the first line.
    const logExports = ['agent', 'error'];
    const logGroups = logExports.map(
      (log) => new CloudwatchLogGroup(this, `log-${log}`, { name: `/aws/rds/instance/${p.name}/${log}`, retentionInDays: p.logRetentionDays, kmsKeyId: p.logsKmsKeyArn }),
    );

    const instance = new DbInstance(this, 'instance', {
      identifier: p.name,
      engine,
      engineVersion: r.engineVersion,
      licenseModel: 'license-included',
      instanceClass,
      multiAz,
      storageType,
      allocatedStorage: allocated,
      maxAllocatedStorage: maxAllocated,
      iops: r.iops,
      storageThroughput: r.storageThroughput,
      storageEncrypted: true,
      kmsKeyId: p.kmsKeyArn,
      username: 'sqladmin',
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: p.kmsKeyArn,
      timezone,
      characterSetName: r.collation,
      dbSubnetGroupName: subnets.name,
      vpcSecurityGroupIds: [sg.id],
      publiclyAccessible: false,
      parameterGroupName: parameters.name,
      optionGroupName: options.name,
      deletionProtection: p.deletionProtection,
      skipFinalSnapshot: !p.finalSnapshot,
      finalSnapshotIdentifier: p.finalSnapshot ? finalSnapshotIdentifier(this, p.name) : undefined,
      backupRetentionPeriod: p.backupRetentionDays,
      backupWindow,
      maintenanceWindow,
      copyTagsToSnapshot: true,
      // The repository owns the full engine version (see engineVersion).
      autoMinorVersionUpgrade: false,
      enabledCloudwatchLogsExports: logExports,
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: p.kmsKeyArn,
      performanceInsightsRetentionPeriod: 7,
      monitoringInterval: 60,
      monitoringRoleArn: monitoring.arn,
      domain: r.joinDirectory ? p.directoryId : undefined,
      domainIamRoleName: domainRole?.name,
      dependsOn: logGroups,
    });
    return { instance, securityGroupId: sg.id };
  }

  private buildAlwaysOn(p: Common, a: AlwaysOnSettings) {
    const instanceType = a.instanceType ?? 'r6i.xlarge';
    const snapshotTime = a.snapshotTime ?? '17:00';
    const volumes = { ...DEFAULT_VOLUMES, ...(a.volumes ?? {}) };
    const nodeZones = a.nodes.map((n) => n.availabilityZone);
    const subnetZones = new Set(p.subnets.map((s) => s.availabilityZone));
    const ips = a.nodes.flatMap((n) => [n.primaryIp, n.clusterIp, n.listenerIp]);
    // The witness keeps quorum when a zone with a node is lost, so it must not be in one.
    const witnessSubnet = p.subnets.find((s) => !nodeZones.includes(s.availabilityZone));

    const rules: Rule[] = [
      [a.nodes.length < 2 || a.nodes.length > 3, 'alwaysOn.nodes', a.nodes.length, '2 or 3 nodes (an availability group needs a secondary to fail over to)'],
      [new Set(nodeZones).size !== nodeZones.length, 'alwaysOn.nodes[].availabilityZone', nodeZones, 'a different zone for each node'],
      [nodeZones.some((z) => !subnetZones.has(z)), 'alwaysOn.nodes[].availabilityZone', nodeZones, `zones that have a subnet: ${[...subnetZones].join(', ')}`],
      [ips.some((ip) => !IPV4.test(ip)), 'alwaysOn.nodes[] addresses', ips.filter((ip) => !IPV4.test(ip)), 'IPv4 addresses'],
      [new Set(ips).size !== ips.length, 'alwaysOn.nodes[] addresses', ips, 'every primary, cluster and listener address distinct'],
      [!/^ami-[0-9a-f]{8,17}$/.test(a.imageId), 'alwaysOn.imageId', a.imageId, 'an AMI id'],
      [!/^([01]\d|2[0-3]):[0-5]\d$/.test(snapshotTime), 'alwaysOn.snapshotTime', snapshotTime, '"hh:mm" in UTC'],
      ['fsx' in a.witness && !witnessSubnet, 'alwaysOn.witness.fsx', `nodes in ${nodeZones.join(', ')}, subnets in ${[...subnetZones].join(', ')}`, 'a subnet in a zone with no node for the witness (a third zone)'],
      ['sharePath' in a.witness && !/^\\\\[^\\]+\\.+/.test(a.witness.sharePath), 'alwaysOn.witness.sharePath', 'sharePath' in a.witness ? a.witness.sharePath : '', 'a UNC path such as \\\\fileserver\\witness'],
      ...(Object.entries(volumes) as Array<[VolumeRole, VolumeSpec]>).flatMap(([role, v]): Rule[] => [
        [v.sizeGb < 1 || v.sizeGb > 16384, `alwaysOn.volumes.${role}.sizeGb`, v.sizeGb, 'from 1 to 16384'],
        [(v.type ?? 'gp3') === 'io2' && v.iops === undefined, `alwaysOn.volumes.${role}.iops`, v.iops, 'an IOPS figure for io2'],
        [(v.type ?? 'gp3') === 'gp3' && v.iops !== undefined && (v.iops < 3000 || v.iops > 16000), `alwaysOn.volumes.${role}.iops`, v.iops, 'from 3000 to 16000 for gp3'],
        [(v.type ?? 'gp3') !== 'gp3' && v.throughput !== undefined, `alwaysOn.volumes.${role}.throughput`, v.throughput, 'nothing: throughput is set only for gp3'],
        // CreateVolume refuses a gp3 volume above 500 IOPS per GiB or 0.25 MiB/s per IOPS
        // (https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html#gp3-ebs-volume-type).
        [(v.type ?? 'gp3') === 'gp3' && (v.iops ?? 3000) > 500 * v.sizeGb, `alwaysOn.volumes.${role}.iops`, v.iops ?? 3000, `at most 500 IOPS per GiB of gp3 (${500 * v.sizeGb} for ${v.sizeGb} GiB)`],
        [(v.type ?? 'gp3') === 'gp3' && (v.throughput ?? 125) > (v.iops ?? 3000) / 4, `alwaysOn.volumes.${role}.throughput`, v.throughput, `at most 0.25 MiB/s per IOPS of gp3 (${(v.iops ?? 3000) / 4} with ${v.iops ?? 3000} IOPS)`],
      ]),
    ];
    checkProps(this, 'SqlServerCluster', rules);

    // Clients reach SQL Server on 1433; the cluster's own ports are open only between nodes.
    const clientSg = clientSecurityGroup(this, p.name, p.vpcId, 1433, p.allowed);
    const nodeSg = new SecurityGroup(this, 'node-sg', {
      namePrefix: `${p.name}-nodes-`,
      description: `${p.name}: failover cluster and availability group traffic between nodes`,
      vpcId: p.vpcId,
      lifecycle: { createBeforeDestroy: true },
    });
    const clusterPorts: Array<[string, string, number, number]> = [
      ['sql', 'tcp', 1433, 1433],
      ['ag-endpoint', 'tcp', 5022, 5022],
      ['cluster-service-tcp', 'tcp', 3343, 3343],
      ['cluster-service-udp', 'udp', 3343, 3343],
      ['rpc-endpoint-mapper', 'tcp', 135, 135],
      ['smb', 'tcp', 445, 445],
      ['netbios-name', 'udp', 137, 137],
      ['rpc-dynamic', 'tcp', 49152, 65535],
      ['winrm', 'tcp', 5985, 5986],
      ['icmp', 'icmp', -1, -1],
    ];
    for (const [name, protocol, from, to] of clusterPorts) {
      new VpcSecurityGroupIngressRule(this, `node-${name}`, {
        securityGroupId: nodeSg.id, ipProtocol: protocol, fromPort: from, toPort: to, referencedSecurityGroupId: nodeSg.id, description: `Between nodes: ${name}`,
      });
    }
    new VpcSecurityGroupEgressRule(this, 'node-egress', {
      securityGroupId: nodeSg.id, ipProtocol: '-1', cidrIpv4: '0.0.0.0/0', description: 'AWS APIs, domain controllers, updates',
    });

    const role = new IamRole(this, 'node-role', {
      name: `${p.name}-sql-node`,
      assumeRolePolicy: serviceTrust('ec2.amazonaws.com'),
    });
    // Seamless domain join: Systems Manager runs the join on the instance, which then needs
    // AmazonSSMDirectoryServiceAccess (ds:CreateComputer, ds:DescribeDirectories) besides
    // AmazonSSMManagedInstanceCore (docs.aws.amazon.com/directoryservice/latest/admin-guide/launching_instance.html).
    const joinsDirectory = p.directoryId !== undefined;
    const attachments = attachManagedPolicies(this, 'node-role', role.name, ['AmazonSSMManagedInstanceCore', 'CloudWatchAgentServerPolicy', ...(joinsDirectory ? ['AmazonSSMDirectoryServiceAccess'] : [])]);
    const profile = new IamInstanceProfile(this, 'node-profile', { name: `${p.name}-sql-node`, role: role.name });

    // The administrator login's value is set outside Terraform (runbook), never in state.
    const secret = new SecretsmanagerSecret(this, 'admin-secret', {
      name: `${p.name}/sql-admin`,
      description: `SQL Server administrator login of ${p.name}; value set outside Terraform`,
      kmsKeyId: p.kmsKeyArn,
      recoveryWindowInDays: 30,
    });

    const snapshotTag = { SnapshotPolicy: p.name };
    const nodes = a.nodes.map((n, i) => {
      const subnet = p.subnets.find((s) => s.availabilityZone === n.availabilityZone)!;
      const eni = new NetworkInterface(this, `node-${i + 1}-eni`, {
        subnetId: subnet.id,
        securityGroups: [clientSg.id, nodeSg.id],
        privateIpListEnabled: true,
        // The first address is the node's; the others are moved by the cluster on failover.
        privateIpList: [n.primaryIp, n.clusterIp, n.listenerIp],
        description: `${p.name} node ${i + 1}: node, cluster and listener addresses`,
      });
      const node = new Instance(this, `node-${i + 1}`, {
        ami: a.imageId,
        instanceType,
        availabilityZone: n.availabilityZone,
        iamInstanceProfile: profile.name,
        primaryNetworkInterface: { networkInterfaceId: eni.id },
        metadataOptions: { httpTokens: 'required', httpEndpoint: 'enabled', httpPutResponseHopLimit: 1 },
        rootBlockDevice: { volumeType: 'gp3', volumeSize: 100, encrypted: true, kmsKeyId: p.kmsKeyArn, deleteOnTermination: true },
        disableApiTermination: p.deletionProtection || p.production,
        // Nobody stops a production node by accident. Volume attachments therefore never ask
        // Terraform to stop the instance first (stop_instance_before_detaching), which
        // StopInstances would refuse.
        disableApiStop: p.production,
        ebsOptimized: true,
        monitoring: true,
        // SqlServerCluster: the agent check's `sqlserver_cluster` tag and the monitor coverage check use it.
        tags: { Name: `${p.name}-${i + 1}`, SqlServerCluster: p.name, ...snapshotTag },
        // A newer AMI must not replace a database node: nodes are patched in place, one at a time.
        lifecycle: { ignoreChanges: ['ami'] },
      });
      for (const [role, v] of Object.entries(volumes) as Array<[VolumeRole, VolumeSpec]>) {
        const volume = new EbsVolume(this, `node-${i + 1}-${role}`, {
          availabilityZone: n.availabilityZone,
          size: v.sizeGb,
          type: v.type ?? 'gp3',
          iops: v.iops,
          throughput: (v.type ?? 'gp3') === 'gp3' ? (v.throughput ?? 125) : undefined,
          encrypted: true,
          kmsKeyId: p.kmsKeyArn,
          finalSnapshot: true,
          tags: { Name: `${p.name}-${i + 1}-${role}`, Role: role },
        });
        new VolumeAttachment(this, `node-${i + 1}-${role}-attach`, { deviceName: VOLUME_DEVICES[role], volumeId: volume.id, instanceId: node.id, stopInstanceBeforeDetaching: false });
      }
      return node;
    });

    if (joinsDirectory) {
      // AWS-JoinDirectoryServiceDomain takes directoryId and directoryName; dnsIpAddresses is
      // needed only where DHCP does not hand out the directory's DNS servers, and the account's
      // directory sets the VPC's DHCP options to them (constructs/directory). It is a
      // StringList, which aws_ssm_association's `parameters` (a map of strings, sent as a
      // one-element list: internal/service/ssm/association.go) cannot express anyway.
      new SsmAssociation(this, 'domain-join', {
        name: 'AWS-JoinDirectoryServiceDomain',
        associationName: `${p.name}-domain-join`,
        targets: [{ key: 'InstanceIds', values: nodes.map((n) => n.id) }],
        parameters: { directoryId: p.directoryId!, directoryName: p.directoryName! },
        // The join runs on the instance with its role: the policies must be there first.
        dependsOn: attachments,
      });
    }

    if ('fsx' in a.witness) {
      const fsx = a.witness.fsx;
      // One zone is enough for a witness: losing it with its zone costs one vote of three.
      new FsxWindowsFileSystem(this, 'witness', {
        activeDirectoryId: p.directoryId,
        deploymentType: 'SINGLE_AZ_2',
        storageType: 'SSD',
        storageCapacity: fsx.storageGb ?? 32,
        throughputCapacity: fsx.throughputMbps ?? 32,
        subnetIds: [witnessSubnet!.id],
        securityGroupIds: [nodeSg.id],
        kmsKeyId: p.kmsKeyArn,
        automaticBackupRetentionDays: 7,
        copyTagsToBackups: true,
        skipFinalBackup: false,
      });
    }

    const dlmRole = new IamRole(this, 'snapshot-role', {
      name: `${p.name}-snapshots`,
      // No aws:SourceAccount condition: DLM's service-role documentation names none.
      assumeRolePolicy: serviceTrust('dlm.amazonaws.com'),
    });
    attachManagedPolicies(this, 'snapshot-role', dlmRole.name, ['service-role/AWSDataLifecycleManagerServiceRole']);
    new DlmLifecyclePolicy(this, 'snapshots', {
      description: `${p.name} daily multi-volume snapshots of each node`,
      executionRoleArn: dlmRole.arn,
      state: 'ENABLED',
      policyDetails: {
        policyType: 'EBS_SNAPSHOT_MANAGEMENT',
        // INSTANCE: one crash-consistent snapshot set of all of a node's volumes, taken at the
        // same moment (data and log files agree), rather than one volume at a time.
        resourceTypes: ['INSTANCE'],
        targetTags: snapshotTag,
        parameters: { excludeBootVolume: false },
        schedule: [
          {
            name: 'daily',
            createRule: { interval: 24, intervalUnit: 'HOURS', times: [snapshotTime] },
            retainRule: { count: p.backupRetentionDays },
            copyTags: true,
          },
        ],
      },
    });

    return { nodes, listenerAddresses: a.nodes.map((n) => n.listenerIp), securityGroupId: clientSg.id, secretArn: secret.arn };
  }
}

type Common = SqlServerClusterProps & {
  readonly production: boolean;
  readonly deletionProtection: boolean;
  readonly finalSnapshot: boolean;
  readonly backupRetentionDays: number;
  readonly allowed: readonly string[];
  readonly kmsKeyArn: string;
  readonly logRetentionDays: number;
};
