import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsSecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version';
import { ElasticacheParameterGroup } from '@cdktf/provider-aws/lib/elasticache-parameter-group';
import { ElasticacheReplicationGroup } from '@cdktf/provider-aws/lib/elasticache-replication-group';
import { ElasticacheSubnetGroup } from '@cdktf/provider-aws/lib/elasticache-subnet-group';
import { ElasticacheUser } from '@cdktf/provider-aws/lib/elasticache-user';
import { ElasticacheUserGroup } from '@cdktf/provider-aws/lib/elasticache-user-group';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Construct } from 'constructs';
import { policyDocument } from '../core/iam';
import { Rule, checkProps, distinctZones } from '../core/validation';
import { BACKUP_WINDOW, MAINTENANCE_WINDOW, clientSecurityGroup, encryptionKey, finalSnapshotIdentifier, windowRules } from '../database/database-base';
import { CACHE_REPLICATION_GROUP_TAG_KEY, cacheMonitors } from '../monitoring/catalogue';
import { MonitorSpec, MonitorThresholds, Monitored } from '../monitoring/spec';
import { LOG_RETENTION_DAYS, SubnetRef } from '../network/network';

export type CacheEngine = 'valkey' | 'redis';

/**
 * How clients authenticate. `iam`: one ElastiCache user per client, authenticated with IAM
 * (no password anywhere). `password`: one shared user whose password is a Secrets Manager
 * secret. `auth-token`: the Redis AUTH token, a Secrets Manager secret. The secret's value
 * is read by Terraform at plan time (it lands in the state, never in the JSON).
 * @see https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html
 * @see https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth-iam.html
 */
export type CacheAuth =
  | { readonly mode: 'iam' }
  | { readonly mode: 'password'; readonly passwordSecretArn: string }
  | { readonly mode: 'auth-token'; readonly tokenSecretArn: string };

export interface CacheClusterProps {
  /** Replication group id: 1-40 lower-case letters, digits and hyphens, starting with a letter. */
  readonly name: string;
  /** @default 'valkey' */
  readonly engine?: CacheEngine;
  /**
   * Major.minor engine version.
   * @default '8.0' for valkey, '7.1' for redis
   * @see https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/supported-engine-versions.html
   */
  readonly engineVersion?: string;
  /** Node type. @default 'cache.r7g.large' in production, else 'cache.t4g.small' */
  readonly nodeType?: string;
  /** Nodes: one primary and `nodes - 1` replicas (num_cache_clusters, 1-6). @default 2 in production, else 1 */
  readonly nodes?: number;
  /** Replicas in other zones and automatic failover. @default true in production, else false */
  readonly multiAz?: boolean;
  readonly vpcId: string;
  /** Subnets of the subnet group: at least two zones (isolated subnets recommended). */
  readonly subnets: readonly SubnetRef[];
  /** Security groups allowed to connect on 6379 (more with `admit`). @default [] */
  readonly allowedSecurityGroupIds?: readonly string[];
  /** Clients that get an IAM-authenticated user (`auth` mode `iam`). @default [] */
  readonly clients?: readonly string[];
  /** @default { mode: 'iam' } */
  readonly auth?: CacheAuth;
  /** KMS key for data at rest and snapshots. @default - a new key with rotation */
  readonly kmsKeyArn?: string;
  /** KMS key for the slow-log and engine-log groups. @default - CloudWatch Logs' own encryption */
  readonly logsKmsKeyArn?: string;
  /** Use production defaults (see each setting). @default false */
  readonly production?: boolean;
  /** Days of daily snapshots kept (0-35; 0 takes none). @default 14 in production, else 1 */
  readonly snapshotRetentionDays?: number;
  /** Daily snapshot window, UTC, 60 minutes or more. @default '17:00-18:00' (02:00 in Tokyo) */
  readonly snapshotWindow?: string;
  /** Weekly maintenance window, UTC, 60 minutes or more. @default 'sun:18:30-sun:19:30' */
  readonly maintenanceWindow?: string;
  /**
   * Take a snapshot `<name>-final-<first apply time>` when the group is deleted (unique per
   * group's life: DeleteReplicationGroup fails with SnapshotAlreadyExistsFault on a name
   * already taken, so a fixed `<name>-final` works for one delete only).
   * @default true in production, else false
   */
  readonly finalSnapshot?: boolean;
  /** Days to keep the slow log and engine log. @default 365 in production, else 30 */
  readonly logRetentionDays?: number;
  /** Engine parameters beside the family's defaults, e.g. `{ 'maxmemory-policy': 'volatile-lru' }`. @default {} */
  readonly parameters?: Readonly<Record<string, string>>;
}

/** The port Valkey and Redis OSS listen on. */
export const CACHE_PORT = 6379;

/**
 * internal/service/elasticache/replication_group.go, validateReplicationGroupID: 1 to 40
 * characters, letters, digits and hyphens, starting with a letter, no `--`, no trailing `-`.
 * Lower case only: the provider stores the id lower-cased (StateFunc), so an upper-case id
 * would differ from the state on every plan.
 */
export const REPLICATION_GROUP_ID = /^(?!.*--)[a-z][a-z0-9-]{0,39}(?<!-)$/;
/**
 * ElastiCache user ids and user group ids (CreateUser / CreateUserGroup in the ElastiCache
 * API reference: `[a-zA-Z][a-zA-Z0-9\-]*`); the group id is stored lower case.
 */
const USER_ID = /^[a-z][a-z0-9-]*$/;
/** Engine versions a parameter group family exists for (`valkey7`, `valkey8`, `redis7`). */
const FAMILIES: Record<CacheEngine, ReadonlyArray<[RegExp, string]>> = {
  valkey: [[/^7\.2$/, 'valkey7'], [/^8\.[0-9]+$/, 'valkey8']],
  redis: [[/^7\.[01]$/, 'redis7']],
};
/** internal/service/elasticache/replication_group.go: snapshot_retention_limit IntAtMost(35). */
const MAX_SNAPSHOT_RETENTION = 35;
/**
 * "The minimum maintenance window is a 60 minute period" (PreferredMaintenanceWindow,
 * CreateReplicationGroup / ModifyReplicationGroup in the ElastiCache API reference). The API
 * states no minimum for SnapshotWindow: the same floor is this construct's choice, and the
 * windows are kept apart so a snapshot never competes with maintenance for the node.
 */
const MINIMUM_WINDOW_MINUTES = 60;
/** 1 primary + 5 replicas: the most num_cache_clusters a cluster-mode-disabled group takes. */
const MAX_NODES = 6;

/**
 * An ElastiCache replication group (Valkey, or Redis OSS) for sessions and data caching:
 * cluster mode off, a primary and replicas across zones with automatic failover in
 * production, TLS required, encrypted at rest with a customer managed key, AUTH through
 * RBAC users (IAM or a password from Secrets Manager) or an AUTH token from Secrets
 * Manager, daily snapshots and a final one, slow log and engine log to CloudWatch Logs.
 */
export class CacheCluster extends Construct implements Monitored {
  public readonly replicationGroup: ElasticacheReplicationGroup;
  /** The replication group id as given (a plain string). */
  public readonly cacheName: string;
  /** The primary endpoint: it follows the primary on failover. */
  public readonly primaryEndpoint: string;
  /** The reader endpoint: spread over the replicas. */
  public readonly readerEndpoint: string;
  public readonly port: number;
  public readonly replicationGroupArn: string;
  public readonly securityGroupId: string;
  public readonly kmsKeyArn: string;
  public readonly auth: CacheAuth;
  /** ARN of the secret clients read (password or AUTH token); undefined with IAM auth. */
  public readonly authSecretArn?: string;
  /** Number of nodes (primary and replicas). */
  public readonly nodes: number;
  private readonly users = new Map<string, ElasticacheUser>();

  constructor(scope: Construct, id: string, props: CacheClusterProps) {
    super(scope, id);
    const production = props.production ?? false;
    const engine = props.engine ?? 'valkey';
    const engineVersion = props.engineVersion ?? (engine === 'valkey' ? '8.0' : '7.1');
    const nodeType = props.nodeType ?? (production ? 'cache.r7g.large' : 'cache.t4g.small');
    const nodes = props.nodes ?? (production ? 2 : 1);
    const multiAz = props.multiAz ?? production;
    const allowed = props.allowedSecurityGroupIds ?? [];
    const clients = props.clients ?? [];
    const auth = props.auth ?? { mode: 'iam' };
    const snapshotRetentionDays = props.snapshotRetentionDays ?? (production ? 14 : 1);
    const snapshotWindow = props.snapshotWindow ?? '17:00-18:00';
    const maintenanceWindow = props.maintenanceWindow ?? 'sun:18:30-sun:19:30';
    const finalSnapshot = props.finalSnapshot ?? production;
    const logRetentionDays = props.logRetentionDays ?? (production ? 365 : 30);
    const parameters = props.parameters ?? {};
    const family = FAMILIES[engine]?.find(([pattern]) => pattern.test(engineVersion))?.[1];
    const secretArn = auth.mode === 'password' ? auth.passwordSecretArn : auth.mode === 'auth-token' ? auth.tokenSecretArn : undefined;

    checkProps(this, 'CacheCluster', [
      [!REPLICATION_GROUP_ID.test(props.name), 'name', props.name, 'a replication group id: 1-40 lower-case letters, digits and hyphens, starting with a letter, without "--" or a trailing "-"'],
      [!['valkey', 'redis'].includes(engine), 'engine', engine, '"valkey" or "redis"'],
      [FAMILIES[engine] !== undefined && family === undefined, 'engineVersion', engineVersion, engine === 'valkey' ? '"7.2" or "8.x" (e.g. "8.0")' : '"7.0" or "7.1"'],
      [!/^cache\.[a-z0-9]+\.[a-z0-9]+$/.test(nodeType), 'nodeType', nodeType, 'a node type such as "cache.r7g.large"'],
      [!Number.isInteger(nodes) || nodes < 1 || nodes > MAX_NODES, 'nodes', nodes, `from 1 to ${MAX_NODES} (a primary and up to 5 replicas)`],
      // replication_group.go: automatic failover needs num_cache_clusters >= 2, and multi_az_enabled needs automatic failover.
      [multiAz && nodes < 2, 'nodes', nodes, 'at least 2 with multiAz (automatic failover needs a replica)'],
      [production && !multiAz, 'multiAz', multiAz, 'true in production (a replica in another zone takes over)'],
      [distinctZones(props.subnets).length < 2, 'subnets', props.subnets.map((s) => s.id), 'subnets in at least 2 availability zones'],
      [allowed.some((g) => !g.startsWith('sg-') && !g.startsWith('${')), 'allowedSecurityGroupIds', allowed, 'security group ids (sg-...): clients are admitted by group, never by CIDR'],
      [clients.some((c) => !USER_ID.test(c)), 'clients', clients, 'client names of lower-case letters, digits and hyphens'],
      [new Set(clients).size !== clients.length, 'clients', clients, 'each client once'],
      [!['iam', 'password', 'auth-token'].includes(auth.mode), 'auth.mode', auth.mode, '"iam", "password" or "auth-token"'],
      [secretArn !== undefined && !/^arn:aws:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+/.test(secretArn), auth.mode === 'password' ? 'auth.passwordSecretArn' : 'auth.tokenSecretArn', secretArn, 'a Secrets Manager secret ARN (never the secret itself)'],
      [!Number.isInteger(snapshotRetentionDays) || snapshotRetentionDays < 0 || snapshotRetentionDays > MAX_SNAPSHOT_RETENTION, 'snapshotRetentionDays', snapshotRetentionDays, `from 0 to ${MAX_SNAPSHOT_RETENTION}`],
      [production && snapshotRetentionDays < 7, 'snapshotRetentionDays', snapshotRetentionDays, 'at least 7 in production'],
      [production && !finalSnapshot, 'finalSnapshot', finalSnapshot, 'true in production'],
      [!BACKUP_WINDOW.test(snapshotWindow), 'snapshotWindow', snapshotWindow, '"hh:mm-hh:mm" in UTC'],
      [!MAINTENANCE_WINDOW.test(maintenanceWindow), 'maintenanceWindow', maintenanceWindow, '"ddd:hh:mm-ddd:hh:mm" in UTC'],
      ...windowRules('snapshotWindow', snapshotWindow, 'maintenanceWindow', maintenanceWindow, MINIMUM_WINDOW_MINUTES),
      [!LOG_RETENTION_DAYS.includes(logRetentionDays as never), 'logRetentionDays', logRetentionDays, `one of ${LOG_RETENTION_DAYS.join(', ')}`],
      ...Object.keys(parameters).map((k): Rule => [!/^[a-z][a-z0-9-]*$/.test(k), `parameters.${k}`, k, 'an engine parameter name such as "maxmemory-policy"']),
    ]);

    this.cacheName = props.name;
    this.nodes = nodes;
    this.auth = auth;
    this.authSecretArn = secretArn;

    const zones = distinctZones(props.subnets);
    const kmsKeyArn = encryptionKey(this, `${props.name}-cache`, props.kmsKeyArn);
    const subnets = new ElasticacheSubnetGroup(this, 'subnet-group', {
      name: props.name,
      description: `Subnets of ${props.name}`,
      subnetIds: props.subnets.map((s) => s.id),
    });
    const sg = clientSecurityGroup(this, props.name, props.vpcId, CACHE_PORT, allowed);
    this.securityGroupId = sg.id;

    // The family is in the name: a new family (engine upgrade) makes a new group, created
    // before the old one is dropped, because the replication group still uses the old one.
    // The description is ForceNew (parameter_group.go) under a name that stays: it names the
    // family only, so a minor version bump does not try to recreate a group of the same name.
    const parameterGroup = new ElasticacheParameterGroup(this, 'parameters', {
      name: `${props.name}-${family}`,
      family: family!,
      description: `${props.name} (${family})`,
      parameter: Object.entries(parameters).map(([name, value]) => ({ name, value })),
      lifecycle: { createBeforeDestroy: true },
    });

    const logGroups = (['slow-log', 'engine-log'] as const).map(
      (log) => [log, new CloudwatchLogGroup(this, `log-${log}`, { name: `/aws/elasticache/${props.name}/${log}`, retentionInDays: logRetentionDays, kmsKeyId: props.logsKmsKeyArn })] as const,
    );

    const secretValue = secretArn ? new DataAwsSecretsmanagerSecretVersion(this, 'auth-secret', { secretId: secretArn }).secretString : undefined;
    const userGroup = auth.mode === 'auth-token' ? undefined : this.buildUsers(props.name, engine, auth, clients, secretValue);

    this.replicationGroup = new ElasticacheReplicationGroup(this, 'replication-group', {
      replicationGroupId: props.name,
      description: `${props.name}: ${engine} cache`,
      engine,
      engineVersion,
      nodeType,
      numCacheClusters: nodes,
      // One zone per node in turn, the primary's first: without this ElastiCache may put a
      // replica in the primary's zone, and a zone failure would take both.
      preferredCacheClusterAzs: Array.from({ length: nodes }, (_, i) => zones[i % zones.length]),
      automaticFailoverEnabled: multiAz,
      multiAzEnabled: multiAz,
      port: CACHE_PORT,
      parameterGroupName: parameterGroup.name,
      subnetGroupName: subnets.name,
      securityGroupIds: [sg.id],
      atRestEncryptionEnabled: 'true',
      kmsKeyId: kmsKeyArn,
      transitEncryptionEnabled: true,
      // "required": the engine refuses plaintext connections ("preferred" would accept both).
      transitEncryptionMode: 'required',
      userGroupIds: userGroup ? [userGroup.userGroupId] : undefined,
      authToken: auth.mode === 'auth-token' ? secretValue : undefined,
      autoMinorVersionUpgrade: 'true',
      snapshotRetentionLimit: snapshotRetentionDays,
      snapshotWindow,
      maintenanceWindow,
      finalSnapshotIdentifier: finalSnapshot ? finalSnapshotIdentifier(this, props.name) : undefined,
      logDeliveryConfiguration: logGroups.map(([logType, group]) => ({ destinationType: 'cloudwatch-logs', destination: group.name, logFormat: 'json', logType })),
      // ElastiCache copies the group's tags to its nodes, and Datadog puts a node's tags on
      // its metrics: the monitors select the group by this tag (see the catalogue).
      tags: { [CACHE_REPLICATION_GROUP_TAG_KEY]: props.name },
    });

    this.primaryEndpoint = this.replicationGroup.primaryEndpointAddress;
    this.readerEndpoint = this.replicationGroup.readerEndpointAddress;
    this.port = CACHE_PORT;
    this.replicationGroupArn = this.replicationGroup.arn;
    this.kmsKeyArn = kmsKeyArn;
  }

  /**
   * RBAC: a user group with the `default` user every group must hold (switched off here, so
   * that a connection without a user name gets nothing), and the clients' users.
   */
  private buildUsers(name: string, engine: CacheEngine, auth: CacheAuth, clients: readonly string[], password: string | undefined): ElasticacheUserGroup {
    const defaultUser = new ElasticacheUser(this, 'default-user', {
      userId: `${name}-default`,
      userName: 'default',
      engine,
      accessString: 'off -@all',
      authenticationMode: { type: 'no-password-required' },
    });
    const members: ElasticacheUser[] = [defaultUser];
    const access = 'on ~* +@all -@dangerous';
    if (auth.mode === 'iam') {
      for (const client of clients) {
        // IAM authentication needs the user id and the user name to be the same.
        const user = new ElasticacheUser(this, `user-${client}`, { userId: `${name}-${client}`, userName: `${name}-${client}`, engine, accessString: access, authenticationMode: { type: 'iam' } });
        this.users.set(client, user);
        members.push(user);
      }
    } else {
      const user = new ElasticacheUser(this, 'app-user', { userId: `${name}-app`, userName: `${name}-app`, engine, accessString: access, authenticationMode: { type: 'password', passwords: [password!] } });
      members.push(user);
    }
    return new ElasticacheUserGroup(this, 'user-group', { userGroupId: name, engine, userIds: members.map((u) => u.userId) });
  }

  /** The user name a client connects as; undefined with an AUTH token. */
  public userNameFor(client: string): string | undefined {
    if (this.auth.mode === 'auth-token') return undefined;
    if (this.auth.mode === 'password') return `${this.cacheName}-app`;
    return this.users.has(client) ? `${this.cacheName}-${client}` : undefined;
  }

  /**
   * Lets a client in: its security groups reach port 6379, and with IAM auth its role may
   * `elasticache:Connect` as its own user to this group only.
   */
  public admit(client: string, access: { readonly securityGroupIds: readonly string[]; readonly roleName: string }): void {
    checkProps(this, 'CacheCluster', [[this.auth.mode === 'iam' && !this.users.has(client), 'clients', client, `a client listed in clients (${[...this.users.keys()].join(', ') || 'none'}) before it is admitted`]]);
    access.securityGroupIds.forEach(
      (source, i) =>
        new VpcSecurityGroupIngressRule(this, `client-${client}-${i}`, {
          securityGroupId: this.securityGroupId,
          ipProtocol: 'tcp',
          fromPort: CACHE_PORT,
          toPort: CACHE_PORT,
          referencedSecurityGroupId: source,
          description: `Cache client ${client} (${i})`,
        }),
    );
    const user = this.users.get(client);
    if (user) {
      new IamRolePolicy(this, `connect-${client}`, {
        name: `${this.cacheName}-connect`,
        role: access.roleName,
        policy: policyDocument({ Effect: 'Allow', Action: 'elasticache:Connect', Resource: [this.replicationGroupArn, user.arn] }),
      });
    }
  }

  /** CPU, engine CPU, memory, evictions, connections; replication lag and failovers with replicas. */
  public monitors(thresholds: MonitorThresholds): MonitorSpec[] {
    return cacheMonitors({ replicationGroupId: this.cacheName, nodes: this.nodes }, thresholds.cache);
  }
}
