/**
 * What the AWS provider (hashicorp/terraform-provider-aws 6.25.0, the version
 * @cdktf/provider-aws 21.22.1 binds) and the ElastiCache API refuse, and the typed bindings
 * do not: each rule names its source. Provider files were read from
 * internal/service/elasticache/ (replication_group.go, user.go, user_group.go,
 * subnet_group.go, parameter_group.go); the stored copies are not tagged, so where a file
 * may differ at 6.25.0 the API reference is cited as well. The rules run over every cache of
 * every account in the repository, and over broken configs, so each is seen to catch what it
 * describes.
 */
import { loadAccounts } from '../../accounts';
import { CacheCluster, CacheClusterProps } from '../../constructs/cache/cache-cluster';
import { TerraformJson, errorOf, resourcesOf, synthAccount, synthConstructs, testSubnets } from '../helpers';
import { literalParts } from './aws';

type Resource = Record<string, unknown>;
type Check = (r: Resource) => string[];

/** replication_group.go, validateReplicationGroupID: StringLenBetween(1, 40), ^[0-9A-Za-z-]+$, ^[A-Za-z], no `--`, no trailing `-`. */
const replicationGroupId: Check = (r) => {
  const id = String(r.replication_group_id);
  return id.length >= 1 && id.length <= 40 && /^[0-9A-Za-z-]+$/.test(id) && /^[A-Za-z]/.test(id) && !id.includes('--') && !id.endsWith('-') ? [] : [`replication_group_id ${id}`];
};
/** replication_group.go, engine: StringInSlice([]string{engineRedis, engineValkey}) ("redis", "valkey"). */
const engine: Check = (r) => (['redis', 'valkey'].includes(String(r.engine)) ? [] : [`engine ${r.engine}`]);
/**
 * replication_group.go, replicationGroupValidateAutomaticFailoverNumCacheClusters:
 * `"num_cache_clusters": must be at least 2 if automatic_failover_enabled is true`;
 * replicationGroupValidateMultiAZAutomaticFailover: automatic_failover_enabled must be
 * true if multi_az_enabled is true.
 */
const failover: Check = (r) => [
  ...(r.automatic_failover_enabled === true && Number(r.num_cache_clusters) < 2 ? ['automatic failover with fewer than 2 cache clusters'] : []),
  ...(r.multi_az_enabled === true && r.automatic_failover_enabled !== true ? ['multi_az_enabled without automatic_failover_enabled'] : []),
];
/**
 * replication_group.go, transit_encryption_mode: enum.Validate[awstypes.TransitEncryptionMode]
 * ("preferred", "required" in aws-sdk-go-v2 service/elasticache/types/enums.go); the API
 * takes the mode only with transit encryption on (TransitEncryptionMode,
 * CreateReplicationGroup, ElastiCache API reference).
 */
const transitMode: Check = (r) => (['preferred', 'required'].includes(String(r.transit_encryption_mode)) && r.transit_encryption_enabled === true ? [] : [`transit_encryption_mode ${r.transit_encryption_mode}`]);
/**
 * replication_group.go, log_delivery_configuration: MaxItems 2; destination_type
 * DestinationType ("cloudwatch-logs", "kinesis-firehose"), log_format LogFormat ("text",
 * "json"), log_type LogType ("slow-log", "engine-log"): the enums of aws-sdk-go-v2
 * service/elasticache/types/enums.go (LogDeliveryConfigurationRequest, ElastiCache API reference).
 */
const logDelivery: Check = (r) => {
  const logs = (r.log_delivery_configuration ?? []) as Resource[];
  return [
    ...(logs.length > 2 ? ['more than 2 log_delivery_configuration blocks'] : []),
    ...logs.flatMap((l) => [
      ...(['cloudwatch-logs', 'kinesis-firehose'].includes(String(l.destination_type)) ? [] : [`destination_type ${l.destination_type}`]),
      ...(['text', 'json'].includes(String(l.log_format)) ? [] : [`log_format ${l.log_format}`]),
      ...(['slow-log', 'engine-log'].includes(String(l.log_type)) ? [] : [`log_type ${l.log_type}`]),
    ]),
    ...(new Set(logs.map((l) => l.log_type)).size !== logs.length ? ['a log_type delivered twice'] : []),
  ];
};
/**
 * replication_group.go: snapshot_retention_limit IntAtMost(35); auth_token ConflictsWith
 * user_group_ids. PreferredCacheClusterAZs: "The number of Availability Zones listed must
 * equal the value of NumCacheClusters" (CreateReplicationGroup, ElastiCache API reference).
 */
const snapshotsAndAuth: Check = (r) => [
  ...(r.preferred_cache_cluster_azs !== undefined && (r.preferred_cache_cluster_azs as unknown[]).length !== Number(r.num_cache_clusters) ? ['preferred_cache_cluster_azs not one per cache cluster'] : []),
  ...(Number(r.snapshot_retention_limit ?? 0) > 35 ? [`snapshot_retention_limit ${r.snapshot_retention_limit}`] : []),
  ...(r.auth_token !== undefined && r.user_group_ids !== undefined ? ['auth_token with user_group_ids'] : []),
];
/**
 * DeleteReplicationGroup takes the final snapshot under FinalSnapshotIdentifier and fails with
 * SnapshotAlreadyExistsFault when that name is taken
 * (https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_DeleteReplicationGroup.html):
 * a literal name works for one delete only, so it must carry an interpolated part.
 */
const finalSnapshot: Check = (r) => {
  const id = r.final_snapshot_identifier;
  return typeof id === 'string' && literalParts(id) === id ? [`final_snapshot_identifier ${id} is the same for every delete`] : [];
};
/**
 * user.go: engine StringInSlice(redis, valkey); authentication_mode.type
 * InputAuthenticationType ("password", "no-password-required", "iam"); passwords only
 * with "password". IAM authentication: "the user ID and user name must be identical"
 * (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth-iam.html, Limitations).
 * User ids: `[a-zA-Z][a-zA-Z0-9\-]*` (CreateUser, ElastiCache API reference).
 */
const user: Check = (u) => {
  const mode = (u.authentication_mode ?? {}) as Resource;
  return [
    ...(['redis', 'valkey'].includes(String(u.engine)) ? [] : [`user engine ${u.engine}`]),
    ...(['password', 'no-password-required', 'iam'].includes(String(mode.type)) ? [] : [`authentication_mode.type ${mode.type}`]),
    ...(mode.passwords !== undefined && mode.type !== 'password' ? ['passwords without type password'] : []),
    ...(mode.type === 'iam' && u.user_id !== u.user_name ? [`IAM user ${u.user_id} named ${u.user_name}`] : []),
    ...(/^[a-zA-Z][a-zA-Z0-9-]*$/.test(String(u.user_id)) ? [] : [`user_id ${u.user_id}`]),
  ];
};
/**
 * user_group.go: engine redis or valkey, lower case: the provider's CHANGELOG for 6.0.0
 * deprecates an upper-case `engine` on aws_elasticache_replication_group, aws_elasticache_user
 * and aws_elasticache_user_group (#42419); the stored user_group.go predates Valkey and
 * accepted "REDIS" only (the API: "The options are valkey or redis",
 * CreateUserGroup, ElastiCache API reference); "A user named default must be included"
 * (UserIds, AWS::ElastiCache::UserGroup in the CloudFormation reference); the group id is
 * `[a-z][a-z0-9\-]*`.
 */
const userGroup = (json: TerraformJson): Check => (g) => {
  const users = resourcesOf(json, 'aws_elasticache_user');
  const members = ((g.user_ids ?? []) as string[]).map((ref) => Object.entries(users).find(([name]) => ref.includes(`.${name}.`))?.[1]);
  return [
    ...(['redis', 'valkey'].includes(String(g.engine)) ? [] : [`user group engine ${g.engine}`]),
    ...(members.some((m) => m?.user_name === 'default') ? [] : [`user group ${g.user_group_id} without a "default" user`]),
    ...(/^[a-z][a-z0-9-]*$/.test(String(g.user_group_id)) ? [] : [`user_group_id ${g.user_group_id}`]),
  ];
};
/**
 * subnet_group.go and parameter_group.go: name is stored lower-cased (StateFunc
 * strings.ToLower): an upper-case name would show a change on every plan. parameter_group.go:
 * family required; the ElastiCache families for these engines are valkey7, valkey8 and redis7
 * (CreateCacheParameterGroup, CacheParameterGroupFamily, ElastiCache API reference).
 */
const lowerCaseName: Check = (r) => (String(r.name) === String(r.name).toLowerCase() ? [] : [`name ${r.name}`]);
const family: Check = (r) => (['valkey7', 'valkey8', 'redis7'].includes(String(r.family)) ? [] : [`family ${r.family}`]);

function problemsOf(json: TerraformJson): string[] {
  const each = (type: string, ...checks: Check[]) => Object.values(resourcesOf(json, type)).flatMap((r) => checks.flatMap((c) => c(r)));
  return [
    ...each('aws_elasticache_replication_group', replicationGroupId, engine, failover, transitMode, logDelivery, snapshotsAndAuth, finalSnapshot),
    ...each('aws_elasticache_user', user),
    ...each('aws_elasticache_user_group', userGroup(json)),
    ...each('aws_elasticache_subnet_group', lowerCaseName),
    ...each('aws_elasticache_parameter_group', lowerCaseName, family),
  ];
}

const accountsWithCaches = loadAccounts().filter((a) => (a.caches ?? []).length > 0);
const props = (p: Partial<CacheClusterProps> = {}): CacheClusterProps => ({ name: 'hotel-session', vpcId: 'vpc-1', subnets: testSubnets('iso'), clients: ['hotel-customer'], ...p });
const synthCache = (p: CacheClusterProps) => synthConstructs((stack) => new CacheCluster(stack, 'cache', p));

describe('ElastiCache provider constraints (hashicorp/terraform-provider-aws 6.25.0, internal/service/elasticache)', () => {
  it('some account of the repository has a cache', () => expect(accountsWithCaches.length).toBeGreaterThan(0));

  it.each(accountsWithCaches.map((a) => [a.name, a] as const))('%s: every ElastiCache resource passes', (_name, account) => {
    expect(problemsOf(synthAccount(account))).toEqual([]);
  });

  it.each<[string, CacheClusterProps]>([
    ['IAM auth, production', props({ production: true, clients: ['a', 'b'] })],
    ['password auth', props({ auth: { mode: 'password', passwordSecretArn: 'arn:aws:secretsmanager:ap-northeast-1:111111111111:secret:p' } })],
    ['AUTH token, Redis OSS', props({ engine: 'redis', auth: { mode: 'auth-token', tokenSecretArn: 'arn:aws:secretsmanager:ap-northeast-1:111111111111:secret:t' } })],
    ['Valkey 7.2, three nodes', props({ engineVersion: '7.2', nodes: 3, multiAz: true })],
  ])('CacheCluster with %s passes', (_what, p) => {
    expect(problemsOf(synthCache(p))).toEqual([]);
  });

  describe('each check catches what it describes', () => {
    const base = synthCache(props({ production: true }));
    const broken = (type: string, change: Resource) => {
      const copy = JSON.parse(JSON.stringify(base)) as TerraformJson;
      for (const r of Object.values(copy.resource[type] as Record<string, Resource>)) Object.assign(r, change);
      return problemsOf(copy);
    };
    it.each<[string, string, Resource, RegExp]>([
      ['a 41-character id', 'aws_elasticache_replication_group', { replication_group_id: `a${'b'.repeat(40)}` }, /replication_group_id/],
      ['an id with "--"', 'aws_elasticache_replication_group', { replication_group_id: 'a--b' }, /replication_group_id/],
      ['an id starting with a digit', 'aws_elasticache_replication_group', { replication_group_id: '1a' }, /replication_group_id/],
      ['memcached', 'aws_elasticache_replication_group', { engine: 'memcached' }, /engine memcached/],
      ['failover on one node', 'aws_elasticache_replication_group', { num_cache_clusters: 1 }, /fewer than 2/],
      ['Multi-AZ without failover', 'aws_elasticache_replication_group', { automatic_failover_enabled: false }, /multi_az_enabled without/],
      ['an unknown transit mode', 'aws_elasticache_replication_group', { transit_encryption_mode: 'strict' }, /transit_encryption_mode strict/],
      ['a log to S3', 'aws_elasticache_replication_group', { log_delivery_configuration: [{ destination_type: 's3', log_format: 'json', log_type: 'slow-log' }] }, /destination_type s3/],
      ['a log in XML', 'aws_elasticache_replication_group', { log_delivery_configuration: [{ destination_type: 'cloudwatch-logs', log_format: 'xml', log_type: 'slow-log' }] }, /log_format xml/],
      ['a command log', 'aws_elasticache_replication_group', { log_delivery_configuration: [{ destination_type: 'cloudwatch-logs', log_format: 'json', log_type: 'command-log' }] }, /log_type command-log/],
      ['36 days of snapshots', 'aws_elasticache_replication_group', { snapshot_retention_limit: 36 }, /snapshot_retention_limit/],
      ['a zone list shorter than the nodes', 'aws_elasticache_replication_group', { preferred_cache_cluster_azs: ['ap-northeast-1a'] }, /preferred_cache_cluster_azs not one per cache cluster/],
      ['a fixed final snapshot name (the second delete fails)', 'aws_elasticache_replication_group', { final_snapshot_identifier: 'hotel-session-final' }, /is the same for every delete/],
      ['an AUTH token beside a user group', 'aws_elasticache_replication_group', { auth_token: 'x' }, /auth_token with user_group_ids/],
      ['an IAM user named unlike its id', 'aws_elasticache_user', { user_name: 'someone' }, /IAM user hotel-session-hotel-customer named someone/],
      ['a password on an IAM user', 'aws_elasticache_user', { authentication_mode: { type: 'iam', passwords: ['x'] } }, /passwords without type password/],
      ['an unknown authentication type', 'aws_elasticache_user', { authentication_mode: { type: 'kerberos' } }, /authentication_mode.type kerberos/],
      ['an upper-case user group id', 'aws_elasticache_user_group', { user_group_id: 'Hotel' }, /user_group_id Hotel/],
      ['an upper-case subnet group name', 'aws_elasticache_subnet_group', { name: 'Hotel' }, /name Hotel/],
      ['a memcached family', 'aws_elasticache_parameter_group', { family: 'memcached1.6' }, /family memcached1.6/],
    ])('%s', (_what, type, change, message) => {
      expect(broken(type, change).join('\n')).toMatch(message);
    });

    it('a user group without the "default" user', () => {
      const copy = JSON.parse(JSON.stringify(base)) as TerraformJson;
      const defaultUser = Object.entries(copy.resource.aws_elasticache_user as Record<string, Resource>).find(([, u]) => u.user_name === 'default')![0];
      for (const g of Object.values(copy.resource.aws_elasticache_user_group as Record<string, Resource>)) g.user_ids = (g.user_ids as string[]).filter((ref) => !ref.includes(defaultUser));
      expect(problemsOf(copy).join('\n')).toMatch(/without a "default" user/);
    });
  });

  it('CacheCluster refuses at synth what the provider would refuse at plan', () => {
    expect(errorOf(() => synthCache(props({ name: `a${'b'.repeat(40)}` })))).toMatch(/name: got/);
    expect(errorOf(() => synthCache(props({ multiAz: true, nodes: 1 })))).toMatch(/nodes: got 1, expected at least 2 with multiAz/);
    expect(errorOf(() => synthCache(props({ snapshotRetentionDays: 36 })))).toMatch(/snapshotRetentionDays: got 36/);
  });
});
