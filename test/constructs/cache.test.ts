import { TerraformStack } from 'cdktf';
import { CacheCluster, CacheClusterProps } from '../../constructs/cache/cache-cluster';
import { resolveThresholds } from '../../constructs/monitoring/spec';
import { errorOf, onlyResource, resourcesOf, synthConstructs, testSubnets } from '../helpers';

const PASSWORD_ARN = 'arn:aws:secretsmanager:ap-northeast-1:111111111111:secret:hotel/cache-password-AbCdEf';
const TOKEN_ARN = 'arn:aws:secretsmanager:ap-northeast-1:111111111111:secret:hotel/cache-token-GhIjKl';

function props(changes: Partial<CacheClusterProps> = {}): CacheClusterProps {
  return { name: 'hotel-session', vpcId: 'vpc-1', subnets: testSubnets('iso'), clients: ['hotel-customer'], ...changes };
}
const synth = (p: CacheClusterProps, build: (c: CacheCluster, stack: TerraformStack) => void = () => undefined) =>
  synthConstructs((stack) => build(new CacheCluster(stack, 'cache', p), stack));
const group = (json: ReturnType<typeof synth>) => onlyResource(json, 'aws_elasticache_replication_group');

describe('CacheCluster: production defaults', () => {
  const json = synth(props({ production: true, logsKmsKeyArn: 'arn:aws:kms:ap-northeast-1:111111111111:key/logs' }));
  const rg = group(json);

  it('tags the group (and so its nodes) with the replication_group tag its monitors select on', () => {
    expect(rg.tags).toEqual({ replication_group: 'hotel-session' });
  });

  it('runs Valkey 8.0 on two nodes with Multi-AZ and automatic failover', () => {
    expect(rg).toMatchObject({ replication_group_id: 'hotel-session', engine: 'valkey', engine_version: '8.0', node_type: 'cache.r7g.large', num_cache_clusters: 2, multi_az_enabled: true, automatic_failover_enabled: true, port: 6379 });
  });

  it('places the primary and the replica in different zones', () => {
    expect(rg.preferred_cache_cluster_azs).toEqual(['ap-northeast-1a', 'ap-northeast-1c']);
  });

  it('requires TLS and encrypts at rest with its own rotating KMS key', () => {
    expect(rg).toMatchObject({ transit_encryption_enabled: true, transit_encryption_mode: 'required', at_rest_encryption_enabled: 'true' });
    expect(rg.kms_key_id).toMatch(/aws_kms_key\..*\.arn/);
    expect(onlyResource(json, 'aws_kms_key').enable_key_rotation).toBe(true);
  });

  it('keeps 14 days of snapshots and takes a final one named after the first apply time, unique per destroy', () => {
    expect(rg).toMatchObject({ snapshot_retention_limit: 14, snapshot_window: '17:00-18:00', maintenance_window: 'sun:18:30-sun:19:30' });
    // DeleteReplicationGroup fails with SnapshotAlreadyExistsFault when the final snapshot's
    // name is taken (https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_DeleteReplicationGroup.html).
    const [id, created] = Object.entries(resourcesOf(json, 'terraform_data'))[0];
    expect(created).toMatchObject({ input: { at: '${plantimestamp()}' }, lifecycle: { ignore_changes: ['input'] } });
    expect(rg.final_snapshot_identifier).toBe(`hotel-session-final-\${formatdate("YYYYMMDDhhmmss", terraform_data.${id}.output.at)}`);
  });

  it('delivers the slow log and the engine log, as JSON, to encrypted log groups kept a year', () => {
    const groups = Object.values(resourcesOf(json, 'aws_cloudwatch_log_group'));
    expect(groups.map((g) => [g.name, g.retention_in_days, g.kms_key_id])).toEqual([
      ['/aws/elasticache/hotel-session/slow-log', 365, 'arn:aws:kms:ap-northeast-1:111111111111:key/logs'],
      ['/aws/elasticache/hotel-session/engine-log', 365, 'arn:aws:kms:ap-northeast-1:111111111111:key/logs'],
    ]);
    expect(rg.log_delivery_configuration.map((l: Record<string, string>) => [l.log_type, l.destination_type, l.log_format])).toEqual([
      ['slow-log', 'cloudwatch-logs', 'json'],
      ['engine-log', 'cloudwatch-logs', 'json'],
    ]);
  });

  it('puts the group in the given subnets and its own security group', () => {
    expect(onlyResource(json, 'aws_elasticache_subnet_group')).toMatchObject({ name: 'hotel-session', subnet_ids: testSubnets('iso').map((s) => s.id) });
    expect(rg.subnet_group_name).toMatch(/aws_elasticache_subnet_group/);
    expect(rg.security_group_ids).toEqual([expect.stringMatching(/aws_security_group\..*\.id/)]);
    expect(resourcesOf(json, 'aws_vpc_security_group_ingress_rule')).toEqual({});
  });

  it('uses a parameter group of the engine family, replaced before the old one goes', () => {
    const params = onlyResource(json, 'aws_elasticache_parameter_group');
    expect(params).toMatchObject({ name: 'hotel-session-valkey8', family: 'valkey8', lifecycle: { create_before_destroy: true } });
    expect(rg.parameter_group_name).toMatch(/aws_elasticache_parameter_group/);
  });

  it('keeps the parameter group across a minor version bump (its description is ForceNew in parameter_group.go)', () => {
    const of = (engineVersion: string) => onlyResource(synth(props({ production: true, engineVersion })), 'aws_elasticache_parameter_group');
    expect(of('8.1')).toEqual(of('8.0'));
  });
});

describe('CacheCluster: elsewhere', () => {
  const json = synth(props());
  const rg = group(json);
  it('runs one small node without failover, one day of snapshots and no final snapshot', () => {
    expect(rg).toMatchObject({ node_type: 'cache.t4g.small', num_cache_clusters: 1, multi_az_enabled: false, automatic_failover_enabled: false, snapshot_retention_limit: 1 });
    expect(rg.final_snapshot_identifier).toBeUndefined();
    expect(resourcesOf(json, 'terraform_data')).toEqual({});
  });

  it('runs Redis OSS 7.1 with the redis7 family when asked', () => {
    const json = synth(props({ engine: 'redis', parameters: { 'maxmemory-policy': 'volatile-lru' } }));
    expect(group(json)).toMatchObject({ engine: 'redis', engine_version: '7.1' });
    expect(onlyResource(json, 'aws_elasticache_parameter_group')).toMatchObject({ family: 'redis7', parameter: [{ name: 'maxmemory-policy', value: 'volatile-lru' }] });
  });
});

describe('CacheCluster: authentication', () => {
  it('iam (default): a user group with a switched-off default user and one IAM user per client', () => {
    const json = synth(props({ clients: ['hotel-customer', 'hotel-partner'] }));
    const users = Object.values(resourcesOf(json, 'aws_elasticache_user'));
    expect(users.map((u) => [u.user_id, u.user_name, u.authentication_mode.type, u.access_string])).toEqual([
      ['hotel-session-default', 'default', 'no-password-required', 'off -@all'],
      ['hotel-session-hotel-customer', 'hotel-session-hotel-customer', 'iam', 'on ~* +@all -@dangerous'],
      ['hotel-session-hotel-partner', 'hotel-session-hotel-partner', 'iam', 'on ~* +@all -@dangerous'],
    ]);
    const userGroup = onlyResource(json, 'aws_elasticache_user_group');
    expect(userGroup).toMatchObject({ user_group_id: 'hotel-session', engine: 'valkey' });
    expect(userGroup.user_ids).toHaveLength(3);
    expect(group(json).user_group_ids).toEqual([expect.stringMatching(/aws_elasticache_user_group\..*\.user_group_id/)]);
    expect(group(json).auth_token).toBeUndefined();
  });

  it('password: one user whose password is read from the secret, never written in the JSON', () => {
    const json = synth(props({ auth: { mode: 'password', passwordSecretArn: PASSWORD_ARN } }));
    const app = Object.values(resourcesOf(json, 'aws_elasticache_user')).find((u) => u.user_name === 'hotel-session-app')!;
    expect(app.authentication_mode).toEqual({ type: 'password', passwords: [expect.stringMatching(/^\$\{data\.aws_secretsmanager_secret_version\..*\.secret_string\}$/)] });
    expect(Object.values(json.data.aws_secretsmanager_secret_version).map((d) => (d as { secret_id: string }).secret_id)).toEqual([PASSWORD_ARN]);
  });

  it('auth-token: the AUTH token comes from the secret and there is no user group', () => {
    const json = synth(props({ auth: { mode: 'auth-token', tokenSecretArn: TOKEN_ARN } }));
    expect(group(json).auth_token).toMatch(/^\$\{data\.aws_secretsmanager_secret_version\..*\.secret_string\}$/);
    expect(group(json).user_group_ids).toBeUndefined();
    expect(resourcesOf(json, 'aws_elasticache_user')).toEqual({});
  });

  it('tells each client the user it connects as and the secret it reads', () => {
    synthConstructs((stack) => {
      const iam = new CacheCluster(stack, 'iam', props());
      expect([iam.userNameFor('hotel-customer'), iam.authSecretArn]).toEqual(['hotel-session-hotel-customer', undefined]);
      const password = new CacheCluster(stack, 'password', props({ name: 'pw', auth: { mode: 'password', passwordSecretArn: PASSWORD_ARN } }));
      expect([password.userNameFor('hotel-customer'), password.authSecretArn]).toEqual(['pw-app', PASSWORD_ARN]);
      const token = new CacheCluster(stack, 'token', props({ name: 'tk', auth: { mode: 'auth-token', tokenSecretArn: TOKEN_ARN } }));
      expect([token.userNameFor('hotel-customer'), token.authSecretArn]).toEqual([undefined, TOKEN_ARN]);
    });
  });
});

describe('CacheCluster: admitting a client', () => {
  const json = synth(props(), (c) => c.admit('hotel-customer', { securityGroupIds: ['sg-0prod', 'sg-0canary'], roleName: 'hotel-customer-instance' }));

  it('opens 6379 to each of its security groups, and nothing else', () => {
    const rules = Object.values(resourcesOf(json, 'aws_vpc_security_group_ingress_rule'));
    expect(rules.map((r) => [r.referenced_security_group_id, r.from_port, r.to_port, r.cidr_ipv4])).toEqual([
      ['sg-0prod', 6379, 6379, undefined],
      ['sg-0canary', 6379, 6379, undefined],
    ]);
  });

  it('lets its role connect as its own user to this group only (IAM auth)', () => {
    const policy = onlyResource(json, 'aws_iam_role_policy');
    expect(policy.role).toBe('hotel-customer-instance');
    const statement = JSON.parse(policy.policy).Statement[0];
    expect(statement.Action).toBe('elasticache:Connect');
    expect(statement.Resource).toEqual([expect.stringMatching(/aws_elasticache_replication_group\..*\.arn/), expect.stringMatching(/aws_elasticache_user\..*hotel-customer.*\.arn/)]);
  });

  it('refuses a client it has no user for', () => {
    expect(errorOf(() => synth(props(), (c) => c.admit('restaurant', { securityGroupIds: ['sg-1'], roleName: 'r' })))).toMatch(/clients: got "restaurant", expected a client listed in clients \(hotel-customer\)/);
  });
});

describe('CacheCluster: monitors', () => {
  const t = resolveThresholds({ cache: { engineCpuPercent: 70 } });
  const monitorsOf = (p: CacheClusterProps) => {
    let specs: ReturnType<CacheCluster['monitors']> = [];
    synthConstructs((stack) => (specs = new CacheCluster(stack, 'c', p).monitors(t)));
    return specs;
  };

  it('watches CPU, engine CPU, memory, evictions, connections, replication lag and failovers, by node', () => {
    const specs = monitorsOf(props({ production: true }));
    expect(specs.map((s) => s.key)).toEqual(['engine-cpu', 'cpu', 'memory', 'evictions', 'connections', 'replication-lag', 'failover'].map((k) => `hotel-session-${k}`));
    expect(specs.every((s) => s.query.includes('{replication_group:hotel-session}') && s.target.kind === 'cache')).toBe(true);
    expect(specs[0].query).toBe('avg(last_15m):avg:aws.elasticache.engine_cpuutilization{replication_group:hotel-session} by {cacheclusterid} > 70');
  });

  it('has no replication lag or failover monitors on a single node', () => {
    expect(monitorsOf(props()).map((s) => s.key)).not.toContain('hotel-session-failover');
  });
});

describe('CacheCluster: validation', () => {
  const refuse = (p: Partial<CacheClusterProps>) => errorOf(() => synth(props(p)));
  it.each<[string, Partial<CacheClusterProps>, RegExp]>([
    ['an upper-case id', { name: 'Hotel' }, /name: got "Hotel", expected a replication group id/],
    ['an id over 40 characters', { name: `a${'b'.repeat(40)}` }, /name: got "ab+", expected a replication group id: 1-40/],
    ['two hyphens in a row', { name: 'hotel--session' }, /name: got "hotel--session"/],
    ['a trailing hyphen', { name: 'hotel-' }, /name: got "hotel-"/],
    ['an unknown engine', { engine: 'memcached' as never }, /engine: got "memcached", expected "valkey" or "redis"/],
    ['a Valkey version without a family', { engineVersion: '7.0' }, /engineVersion: got "7.0", expected "7.2" or "8.x"/],
    ['a Redis 6 version', { engine: 'redis', engineVersion: '6.2' }, /engineVersion: got "6.2", expected "7.0" or "7.1"/],
    ['a node type that is not one', { nodeType: 'r7g.large' }, /nodeType: got "r7g.large", expected a node type/],
    ['seven nodes', { nodes: 7 }, /nodes: got 7, expected from 1 to 6/],
    ['Multi-AZ on one node', { multiAz: true, nodes: 1 }, /nodes: got 1, expected at least 2 with multiAz/],
    ['production without Multi-AZ', { production: true, multiAz: false }, /multiAz: got false, expected true in production/],
    ['subnets in one zone', { subnets: testSubnets('iso').slice(0, 1) }, /subnets: got \[.*\], expected subnets in at least 2 availability zones/],
    ['a CIDR as a client', { allowedSecurityGroupIds: ['10.0.0.0/8'] }, /allowedSecurityGroupIds: got \["10.0.0.0\/8"\], expected security group ids/],
    ['a client name with capitals', { clients: ['Hotel'] }, /clients: got \["Hotel"\], expected client names/],
    ['a client twice', { clients: ['a', 'a'] }, /clients: got \["a", "a"\], expected each client once/],
    ['an unknown auth mode', { auth: { mode: 'none' } as never }, /auth.mode: got "none"/],
    ['a password in place of its ARN', { auth: { mode: 'password', passwordSecretArn: 'hunter2hunter2hunter2' } }, /auth.passwordSecretArn: got <redacted>, expected a Secrets Manager secret ARN/],
    ['a token ARN of SSM', { auth: { mode: 'auth-token', tokenSecretArn: 'arn:aws:ssm:ap-northeast-1:111111111111:parameter/t' } }, /auth.tokenSecretArn: got <redacted>, expected a Secrets Manager secret ARN/],
    ['36 days of snapshots', { snapshotRetentionDays: 36 }, /snapshotRetentionDays: got 36, expected from 0 to 35/],
    ['3 days of snapshots in production', { production: true, snapshotRetentionDays: 3 }, /snapshotRetentionDays: got 3, expected at least 7 in production/],
    ['no final snapshot in production', { production: true, finalSnapshot: false }, /finalSnapshot: got false, expected true in production/],
    ['a malformed snapshot window', { snapshotWindow: '5:00-6:00' }, /snapshotWindow: got "5:00-6:00", expected "hh:mm-hh:mm" in UTC/],
    ['a malformed maintenance window', { maintenanceWindow: 'sunday 3am' }, /maintenanceWindow: got "sunday 3am"/],
    ['a 30-minute snapshot window', { snapshotWindow: '17:00-17:30' }, /snapshotWindow: got "17:00-17:30", expected a window of at least 60 minutes/],
    ['a 45-minute maintenance window', { maintenanceWindow: 'sun:19:00-sun:19:45' }, /maintenanceWindow: got "sun:19:00-sun:19:45", expected a window of at least 60 minutes/],
    ['overlapping windows', { snapshotWindow: '18:00-19:00' }, /maintenanceWindow: got "sun:18:30-sun:19:30", expected a window that does not overlap snapshotWindow/],
    ['a log retention CloudWatch does not offer', { logRetentionDays: 10 }, /logRetentionDays: got 10, expected one of 1, 3, 5/],
    ['a parameter name that is not one', { parameters: { 'Max Memory': 'x' } }, /parameters.Max Memory: got "Max Memory", expected an engine parameter name/],
  ])('refuses %s, naming the prop, the value and what is allowed', (_what, change, message) => {
    expect(refuse(change)).toMatch(message);
  });

  it('reports every problem at once, naming the construct', () => {
    const message = refuse({ name: 'Bad', nodes: 0 });
    expect(message).toMatch(/^CacheCluster test\/cache: 2 problems:/);
  });

  it('accepts the props of every account in the repository (validated by synth above)', () => {
    expect(() => synth(props({ production: true }))).not.toThrow();
  });
});
