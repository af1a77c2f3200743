import { AuroraCluster, AuroraClusterProps, parameterGroupFamily } from '../../constructs/aurora/aurora-cluster';
import { errorOf, onlyResource, resourcesOf, synthConstructs, testSubnets } from '../helpers';

function props(changes: Partial<AuroraClusterProps> = {}): AuroraClusterProps {
  return {
    name: 'restaurant',
    engine: 'aurora-postgresql',
    engineVersion: '16.6',
    vpcId: 'vpc-1',
    subnets: testSubnets('iso'),
    allowedSecurityGroupIds: ['sg-0app'],
    ...changes,
  };
}
const synth = (p: AuroraClusterProps) => synthConstructs((stack) => new AuroraCluster(stack, 'db', p));

describe('AuroraCluster: production defaults', () => {
  const json = synth(props({ production: true }));
  const cluster = onlyResource(json, 'aws_rds_cluster');

  it('encrypts storage with its own rotating KMS key', () => {
    expect(cluster.storage_encrypted).toBe(true);
    expect(cluster.kms_key_id).toMatch(/aws_kms_key\..*\.arn/);
    expect(onlyResource(json, 'aws_kms_key').enable_key_rotation).toBe(true);
  });

  it('protects from deletion and names the final snapshot after the first apply time, unique per destroy', () => {
    expect(cluster).toMatchObject({ deletion_protection: true, skip_final_snapshot: false });
    const [id, created] = Object.entries(resourcesOf(json, 'terraform_data'))[0];
    expect(created).toMatchObject({ input: { at: '${plantimestamp()}' }, lifecycle: { ignore_changes: ['input'] } });
    expect(cluster.final_snapshot_identifier).toBe(`restaurant-final-\${formatdate("YYYYMMDDhhmmss", terraform_data.${id}.output.at)}`);
  });

  it('owns the full engine version: no instance takes automatic minor upgrades', () => {
    expect(cluster.engine_version).toBe('16.6');
    const instances = Object.values(resourcesOf(json, 'aws_rds_cluster_instance'));
    expect(instances.length).toBeGreaterThan(0);
    expect(instances.every((i) => i.auto_minor_version_upgrade === false)).toBe(true);
  });

  it('keeps 14 days of backups and copies tags to snapshots', () => {
    expect(cluster).toMatchObject({ backup_retention_period: 14, copy_tags_to_snapshot: true, preferred_backup_window: '17:00-18:00' });
  });

  it('lets RDS manage the master password in Secrets Manager', () => {
    expect(cluster.manage_master_user_password).toBe(true);
    expect(cluster.master_password).toBeUndefined();
    expect(cluster.master_user_secret_kms_key_id).toMatch(/aws_kms_key/);
  });

  it('forces TLS through the cluster parameter group', () => {
    const group = onlyResource(json, 'aws_rds_cluster_parameter_group');
    expect(group).toMatchObject({ family: 'aurora-postgresql16', parameter: [{ name: 'rds.force_ssl', value: '1' }] });
    expect(cluster.db_cluster_parameter_group_name).toMatch(/aws_rds_cluster_parameter_group/);
  });

  it('runs a writer and a reader in different zones, with insights and enhanced monitoring', () => {
    const instances = Object.values(resourcesOf(json, 'aws_rds_cluster_instance'));
    expect(instances.map((i) => [i.identifier, i.availability_zone, i.promotion_tier])).toEqual([
      ['restaurant-1', 'ap-northeast-1a', 0],
      ['restaurant-2', 'ap-northeast-1c', 1],
    ]);
    for (const i of instances) {
      expect(i).toMatchObject({ instance_class: 'db.r6g.large', publicly_accessible: false, performance_insights_enabled: true, monitoring_interval: 60 });
      expect(i.monitoring_role_arn).toMatch(/aws_iam_role\..*monitoring/);
    }
  });

  it('exports logs to log groups with retention', () => {
    expect(cluster.enabled_cloudwatch_logs_exports).toEqual(['postgresql']);
    expect(onlyResource(json, 'aws_cloudwatch_log_group')).toMatchObject({ name: '/aws/rds/cluster/restaurant/postgresql', retention_in_days: 365 });
  });

  it('admits only the given security groups, on the engine port', () => {
    const rules = Object.values(resourcesOf(json, 'aws_vpc_security_group_ingress_rule'));
    expect(rules).toEqual([expect.objectContaining({ referenced_security_group_id: 'sg-0app', from_port: 5432, to_port: 5432 })]);
    expect(rules[0].cidr_ipv4).toBeUndefined();
  });

  it('spans the subnet group over the given subnets', () => {
    expect(onlyResource(json, 'aws_db_subnet_group').subnet_ids).toEqual(['subnet-iso0', 'subnet-iso1', 'subnet-iso2']);
  });

  it('does not replace the cluster when RDS reports other zones', () => {
    expect(cluster.lifecycle.ignore_changes).toEqual(['availability_zones']);
    expect(cluster.availability_zones).toBeUndefined();
  });
});

describe('AuroraCluster: other settings', () => {
  it('runs Serverless v2 on db.serverless instances', () => {
    const json = synth(props({ engine: 'aurora-mysql', engineVersion: '8.0.mysql_aurora.3.08.0', serverlessV2: { minCapacity: 0.5, maxCapacity: 16 } }));
    const cluster = onlyResource(json, 'aws_rds_cluster');
    expect(cluster.serverlessv2_scaling_configuration).toEqual({ min_capacity: 0.5, max_capacity: 16 });
    expect(onlyResource(json, 'aws_rds_cluster_instance').instance_class).toBe('db.serverless');
    expect(onlyResource(json, 'aws_rds_cluster_parameter_group').parameter[0]).toEqual({ name: 'require_secure_transport', value: 'ON' });
    expect(cluster.port).toBe(3306);
    expect(cluster.enabled_cloudwatch_logs_exports).toEqual(['audit', 'error', 'slowquery']);
  });

  // Aurora MySQL exports only the logs its parameters turn on:
  // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Integrating.CloudWatch.html
  it('turns on the audit and slow query logs it exports (written to files, so they can be exported)', () => {
    const json = synth(props({ engine: 'aurora-mysql', engineVersion: '8.0.mysql_aurora.3.08.0' }));
    const parameters = Object.fromEntries(onlyResource(json, 'aws_rds_cluster_parameter_group').parameter.map((p: { name: string; value: string; apply_method?: string }) => [p.name, p]));
    expect(parameters).toMatchObject({
      server_audit_logging: { value: '1', apply_method: 'immediate' },
      server_audit_events: { value: 'CONNECT,QUERY_DCL,QUERY_DDL' },
      slow_query_log: { value: '1', apply_method: 'immediate' },
      long_query_time: { value: '2' },
      log_output: { value: 'FILE' },
    });
    expect(parameters.general_log).toBeUndefined();
    const errorOnly = synth(props({ engine: 'aurora-mysql', engineVersion: '8.0.mysql_aurora.3.08.0', logExports: ['error'] }));
    expect(onlyResource(errorOnly, 'aws_rds_cluster_parameter_group').parameter).toEqual([{ name: 'require_secure_transport', value: 'ON' }]);
  });

  it('scales readers on CPU when asked', () => {
    const json = synth(props({ readers: 1, readerAutoScaling: { maxReaders: 4 } }));
    expect(onlyResource(json, 'aws_appautoscaling_target')).toMatchObject({ min_capacity: 1, max_capacity: 4, scalable_dimension: 'rds:cluster:ReadReplicaCount' });
    const policy = onlyResource(json, 'aws_appautoscaling_policy');
    expect(policy.target_tracking_scaling_policy_configuration).toMatchObject({ target_value: 70, predefined_metric_specification: { predefined_metric_type: 'RDSReaderAverageCPUUtilization' } });
  });

  it('uses a given KMS key instead of creating one, and IAM auth when asked', () => {
    const json = synth(props({ kmsKeyArn: 'arn:aws:kms:ap-northeast-1:111111111111:key/abc', iamAuthentication: true }));
    expect(resourcesOf(json, 'aws_kms_key')).toEqual({});
    expect(onlyResource(json, 'aws_rds_cluster')).toMatchObject({ kms_key_id: 'arn:aws:kms:ap-northeast-1:111111111111:key/abc', iam_database_authentication_enabled: true });
  });

  it('has no reader and no deletion protection outside production by default', () => {
    const json = synth(props());
    expect(Object.keys(resourcesOf(json, 'aws_rds_cluster_instance'))).toHaveLength(1);
    expect(onlyResource(json, 'aws_rds_cluster')).toMatchObject({ deletion_protection: false, backup_retention_period: 7, skip_final_snapshot: false });
  });

  it('skips the final snapshot, and its creation-time record, when finalSnapshot is false (previews)', () => {
    const json = synth(props({ finalSnapshot: false }));
    const cluster = onlyResource(json, 'aws_rds_cluster');
    expect([cluster.skip_final_snapshot, cluster.final_snapshot_identifier]).toEqual([true, undefined]);
    expect(resourcesOf(json, 'terraform_data')).toEqual({});
  });
});

describe('AuroraCluster: validation', () => {
  const refused = (changes: Partial<AuroraClusterProps>) => errorOf(() => synth(props(changes)));

  it('refuses a Serverless v2 maximum below the minimum', () => {
    expect(refused({ serverlessV2: { minCapacity: 8, maxCapacity: 4 } })).toContain('serverlessV2.maxCapacity: got 4, expected at least serverlessV2.minCapacity (8)');
  });

  it('refuses capacity off the 0.5 ACU steps', () => {
    expect(refused({ serverlessV2: { minCapacity: 0.3, maxCapacity: 4 } })).toContain('serverlessV2.minCapacity: got 0.3, expected from 0 to 256 ACUs in steps of 0.5');
  });

  it('refuses a subnet group in one zone', () => {
    expect(refused({ subnets: [{ id: 'subnet-1', availabilityZone: 'ap-northeast-1a' }] })).toContain('subnets: got ["subnet-1"], expected subnets in at least 2 availability zones');
  });

  it('refuses a CIDR as a client', () => {
    expect(refused({ allowedSecurityGroupIds: ['0.0.0.0/0'] })).toContain('allowedSecurityGroupIds: got ["0.0.0.0/0"], expected security group ids');
  });

  it('refuses production without deletion protection, a final snapshot, a reader or a week of backups', () => {
    const message = refused({ production: true, deletionProtection: false, finalSnapshot: false, readers: 0, backupRetentionDays: 3 });
    expect(message).toContain('deletionProtection: got false, expected true in production');
    expect(message).toContain('finalSnapshot: got false, expected true in production');
    expect(message).toContain('readers: got 0, expected at least 1 in production');
    expect(message).toContain('backupRetentionDays: got 3, expected at least 7 in production');
    expect(message).toMatch(/^AuroraCluster test\/db: 4 problems:/);
  });

  it('refuses an unknown engine version, log type and monitoring interval', () => {
    const message = refused({ engineVersion: '8.0', logExports: ['slowquery'], monitoringIntervalSeconds: 45 });
    expect(message).toContain('engineVersion: got "8.0", expected an Aurora PostgreSQL version such as "16.6"');
    expect(message).toContain('logExports: got ["slowquery"], expected log types of aurora-postgresql');
    expect(message).toContain('monitoringIntervalSeconds: got 45');
  });

  it('refuses reader autoscaling that cannot add a reader', () => {
    expect(refused({ readers: 2, readerAutoScaling: { maxReaders: 2 } })).toContain('readerAutoScaling.maxReaders: got 2, expected more than readers (2) and at most 15');
  });
});

describe('parameterGroupFamily', () => {
  it('derives the family from the version', () => {
    expect(parameterGroupFamily('aurora-mysql', '8.0.mysql_aurora.3.08.0')).toBe('aurora-mysql8.0');
    expect(parameterGroupFamily('aurora-postgresql', '15.10')).toBe('aurora-postgresql15');
    expect(parameterGroupFamily('aurora-postgresql', 'latest')).toBeUndefined();
  });
});
