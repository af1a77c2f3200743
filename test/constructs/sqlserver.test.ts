import { AlwaysOnSettings, RdsSqlServerSettings, SqlServerCluster, SqlServerClusterProps } from '../../constructs/sqlserver/sqlserver-cluster';
import { errorOf, managedPoliciesOf, onlyResource, resourcesOf, synthConstructs, testSubnets } from '../helpers';

const rds: RdsSqlServerSettings = { edition: 'se', engineVersion: '16.00.4165.4.v1' };
const alwaysOn: AlwaysOnSettings = {
  imageId: 'ami-0f9e8d7c6b5a49382',
  nodes: [
    { availabilityZone: 'ap-northeast-1a', primaryIp: '10.0.64.10', clusterIp: '10.0.64.11', listenerIp: '10.0.64.12' },
    { availabilityZone: 'ap-northeast-1c', primaryIp: '10.0.80.10', clusterIp: '10.0.80.11', listenerIp: '10.0.80.12' },
  ],
  witness: { fsx: {} },
};
const directoryId = 'd-95671a2b3c';
const directoryName = 'corp.example-hotel.jp';
function props(changes: Partial<SqlServerClusterProps> = {}): SqlServerClusterProps {
  return { name: 'hotel-core', mode: 'rds', vpcId: 'vpc-1', subnets: testSubnets('iso'), allowedSecurityGroupIds: ['sg-0app'], rds, ...changes };
}
const synth = (p: SqlServerClusterProps) => synthConstructs((stack) => new SqlServerCluster(stack, 'sql', p));

describe('SqlServerCluster: rds mode', () => {
  const json = synth(props({ production: true }));
  const db = onlyResource(json, 'aws_db_instance');

  it('runs Multi-AZ, license included, encrypted, with the master password in Secrets Manager', () => {
    expect(db).toMatchObject({
      engine: 'sqlserver-se', license_model: 'license-included', multi_az: true, storage_encrypted: true,
      manage_master_user_password: true, publicly_accessible: false, timezone: 'Tokyo Standard Time',
    });
    expect(db.password).toBeUndefined();
  });

  it('uses gp3 storage with an autoscaling ceiling', () => {
    expect(db).toMatchObject({ storage_type: 'gp3', allocated_storage: 200, max_allocated_storage: 800 });
  });

  it('protects production data: deletion protection, final snapshot, 14 days of backups', () => {
    expect(db).toMatchObject({ deletion_protection: true, skip_final_snapshot: false, backup_retention_period: 14, copy_tags_to_snapshot: true });
  });

  it('names the final snapshot after the time the instance was first applied, so a second destroy does not collide', () => {
    const created = Object.entries(resourcesOf(json, 'terraform_data'));
    expect(created).toHaveLength(1);
    const [id, data] = created[0];
    expect(data).toMatchObject({ input: { at: '${plantimestamp()}' }, lifecycle: { ignore_changes: ['input'] } });
    expect(db.final_snapshot_identifier).toBe(`hotel-core-final-\${formatdate("YYYYMMDDhhmmss", terraform_data.${id}.output.at)}`);
  });

  it('owns the full engine version: no automatic minor upgrade for the next plan to undo', () => {
    expect(db).toMatchObject({ engine_version: '16.00.4165.4.v1', auto_minor_version_upgrade: false });
  });

  it('pre-creates the log groups RDS would create for its exports, with the given key and a retention', () => {
    const withKey = synth(props({ production: true, logsKmsKeyArn: 'arn:aws:kms:ap-northeast-1:111111111111:key/logs' }));
    const groups = Object.values(resourcesOf(withKey, 'aws_cloudwatch_log_group'));
    expect(groups.map((g) => g.name).sort()).toEqual(onlyResource(withKey, 'aws_db_instance').enabled_cloudwatch_logs_exports.map((l: string) => `/aws/rds/instance/hotel-core/${l}`).sort());
    expect(groups.every((g) => g.kms_key_id === 'arn:aws:kms:ap-northeast-1:111111111111:key/logs' && g.retention_in_days === 365)).toBe(true);
    expect(onlyResource(withKey, 'aws_db_instance').depends_on).toEqual(expect.arrayContaining(groups.map(() => expect.stringMatching(/^aws_cloudwatch_log_group\./))));
  });

  it('forces TLS through the parameter group', () => {
    expect(onlyResource(json, 'aws_db_parameter_group')).toMatchObject({ family: 'sqlserver-se-16.0', parameter: [{ name: 'rds.force_ssl', value: '1', apply_method: 'pending-reboot' }] });
  });

  it('enables native backup and restore to an encrypted, private, TLS-only bucket', () => {
    const options = onlyResource(json, 'aws_db_option_group');
    expect(options).toMatchObject({ engine_name: 'sqlserver-se', major_engine_version: '16.00' });
    expect(options.option[0].option_name).toBe('SQLSERVER_BACKUP_RESTORE');
    expect(options.option[0].option_settings[0]).toMatchObject({ name: 'IAM_ROLE_ARN' });
    expect(onlyResource(json, 'aws_s3_bucket').bucket).toBe('hotel-core-native-backups-${data.aws_caller_identity.caller-identity.account_id}') // no provider here: the caller's account;
    expect(onlyResource(json, 'aws_s3_bucket_public_access_block')).toMatchObject({ block_public_acls: true, restrict_public_buckets: true });
    expect(onlyResource(json, 'aws_s3_bucket_lifecycle_configuration').rule[0]).toMatchObject({
      status: 'Enabled', noncurrent_version_expiration: [{ noncurrent_days: 90 }], abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
    });
    expect(onlyResource(json, 'aws_s3_bucket_lifecycle_configuration').rule[0].expiration).toBeUndefined();
    const policy = JSON.parse(onlyResource(json, 'aws_s3_bucket_policy').policy);
    expect(policy.Statement[0]).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': false } } });
  });

  it('admits only the given security groups on 1433', () => {
    expect(Object.values(resourcesOf(json, 'aws_vpc_security_group_ingress_rule'))).toEqual([
      expect.objectContaining({ referenced_security_group_id: 'sg-0app', from_port: 1433, to_port: 1433 }),
    ]);
  });

  it('joins Active Directory when asked', () => {
    const joined = synth(props({ directoryId: 'd-1234567890', rds: { ...rds, joinDirectory: true } }));
    expect(onlyResource(joined, 'aws_db_instance').domain).toBe('d-1234567890');
    expect(Object.values(resourcesOf(joined, 'aws_iam_role_policy_attachment')).map((a) => a.policy_arn)).toContain('arn:aws:iam::aws:policy/service-role/AmazonRDSDirectoryServiceAccess');
  });

  it('takes io2 with provisioned IOPS', () => {
    expect(onlyResource(synth(props({ rds: { ...rds, storageType: 'io2', iops: 20000 } })), 'aws_db_instance')).toMatchObject({ storage_type: 'io2', iops: 20000 });
  });
});

describe('SqlServerCluster: ec2-always-on mode', () => {
  let cluster!: SqlServerCluster;
  const json = synthConstructs((stack) => (cluster = new SqlServerCluster(stack, 'sql', props({ mode: 'ec2-always-on', rds: undefined, alwaysOn, production: true, directoryId, directoryName }))));
  const instances = Object.values(resourcesOf(json, 'aws_instance'));

  it('runs one node per zone, IMDSv2-only, termination-protected, managed through SSM', () => {
    expect(instances.map((i) => i.availability_zone)).toEqual(['ap-northeast-1a', 'ap-northeast-1c']);
    for (const i of instances) {
      expect(i.metadata_options).toMatchObject({ http_tokens: 'required' });
      expect(i.disable_api_termination).toBe(true);
      expect(i.root_block_device).toMatchObject({ encrypted: true, volume_type: 'gp3' });
    }
    expect(managedPoliciesOf(json, 'hotel-core-sql-node')).toContain('arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore');
  });

  it('joins the nodes to the directory through Systems Manager (seamless domain join: docs.aws.amazon.com/directoryservice/latest/admin-guide/launching_instance.html)', () => {
    expect(managedPoliciesOf(json, 'hotel-core-sql-node')).toEqual(expect.arrayContaining(['arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore', 'arn:aws:iam::aws:policy/AmazonSSMDirectoryServiceAccess']));
    const join = onlyResource(json, 'aws_ssm_association');
    expect(join).toMatchObject({ name: 'AWS-JoinDirectoryServiceDomain', association_name: 'hotel-core-domain-join', parameters: { directoryId, directoryName } });
    expect(join.targets).toEqual([{ key: 'InstanceIds', values: Object.keys(resourcesOf(json, 'aws_instance')).map((k) => `\${aws_instance.${k}.id}`) }]);
    // The join runs with the instance's role: after its policies are attached.
    const attachments = Object.keys(resourcesOf(json, 'aws_iam_role_policy_attachment')).filter((k) => k.includes('node-role')).map((k) => `aws_iam_role_policy_attachment.${k}`);
    expect(join.depends_on).toEqual(expect.arrayContaining(attachments));
  });

  it('does not join, nor get the directory policy, without a directory', () => {
    const alone = synth(props({ mode: 'ec2-always-on', rds: undefined, alwaysOn: { ...alwaysOn, witness: { sharePath: '\\\\files01\\witness' } } }));
    expect(resourcesOf(alone, 'aws_ssm_association')).toEqual({});
    expect(managedPoliciesOf(alone, 'hotel-core-sql-node')).not.toContain('arn:aws:iam::aws:policy/AmazonSSMDirectoryServiceAccess');
  });

  it('gives each node its own, cluster and listener addresses', () => {
    const enis = Object.values(resourcesOf(json, 'aws_network_interface'));
    expect(enis.map((e) => e.private_ip_list)).toEqual([
      ['10.0.64.10', '10.0.64.11', '10.0.64.12'],
      ['10.0.80.10', '10.0.80.11', '10.0.80.12'],
    ]);
    expect(cluster.listenerAddresses).toEqual(['10.0.64.12', '10.0.80.12']);
  });

  it('puts data, log, tempdb and backups on separate encrypted volumes with their own performance', () => {
    const volumes = Object.values(resourcesOf(json, 'aws_ebs_volume'));
    expect(volumes).toHaveLength(8);
    expect(volumes.every((v) => v.encrypted === true)).toBe(true);
    const data = volumes.find((v) => v.tags.Role === 'data')!;
    expect(data).toMatchObject({ size: 500, type: 'gp3', iops: 6000, throughput: 500 });
    expect(Object.values(resourcesOf(json, 'aws_volume_attachment')).map((a) => a.device_name).slice(0, 4)).toEqual(['xvdf', 'xvdg', 'xvdh', 'xvdi']);
  });

  it('opens 1433 to clients, and the cluster ports only between nodes', () => {
    const rules = Object.values(resourcesOf(json, 'aws_vpc_security_group_ingress_rule'));
    const clients = rules.filter((r) => r.referenced_security_group_id === 'sg-0app');
    expect(clients).toEqual([expect.objectContaining({ from_port: 1433 })]);
    const between = rules.filter((r) => r.referenced_security_group_id !== 'sg-0app');
    expect(between.every((r) => r.referenced_security_group_id === r.security_group_id)).toBe(true);
    expect(between.map((r) => r.from_port)).toEqual(expect.arrayContaining([5022, 3343, 1433, 445]));
    expect(rules.some((r) => r.cidr_ipv4)).toBe(false);
  });

  it('keeps quorum with an FSx witness in the zone with no node, joined to the directory', () => {
    const witness = onlyResource(json, 'aws_fsx_windows_file_system');
    expect(witness).toMatchObject({ deployment_type: 'SINGLE_AZ_2', active_directory_id: directoryId, subnet_ids: ['subnet-iso2'] });
    const nodeZones = instances.map((i) => i.availability_zone);
    const witnessZone = testSubnets('iso').find((s) => s.id === witness.subnet_ids[0])!.availabilityZone;
    expect(nodeZones).not.toContain(witnessZone);
  });

  it('never asks Terraform to stop a node that refuses API stops before detaching a volume', () => {
    expect(instances.every((i) => i.disable_api_stop === true)).toBe(true);
    expect(Object.values(resourcesOf(json, 'aws_volume_attachment')).every((a) => a.stop_instance_before_detaching === false)).toBe(true);
  });

  it('snapshots each node as one multi-volume, crash-consistent set daily and keeps them for the retention period', () => {
    const policy = onlyResource(json, 'aws_dlm_lifecycle_policy');
    expect(policy.policy_details).toMatchObject({ policy_type: 'EBS_SNAPSHOT_MANAGEMENT', resource_types: ['INSTANCE'], parameters: { exclude_boot_volume: false } });
    expect(policy.policy_details.target_tags).toEqual({ SnapshotPolicy: 'hotel-core' });
    // The tag selects instances (whose every volume is in the set), not volumes one by one.
    expect(instances.every((i) => i.tags.SnapshotPolicy === 'hotel-core')).toBe(true);
    expect(Object.values(resourcesOf(json, 'aws_ebs_volume')).some((v) => 'SnapshotPolicy' in v.tags)).toBe(false);
    expect(policy.policy_details.schedule[0]).toMatchObject({ create_rule: { interval: 24, times: ['17:00'] }, retain_rule: { count: 14 } });
  });

  it('keeps the admin login in a secret whose value is set outside Terraform', () => {
    expect(onlyResource(json, 'aws_secretsmanager_secret').name).toBe('hotel-core/sql-admin');
    expect(resourcesOf(json, 'aws_secretsmanager_secret_version')).toEqual({});
  });

  it('takes a file share path as the witness instead of FSx', () => {
    const shared = synth(props({ mode: 'ec2-always-on', alwaysOn: { ...alwaysOn, witness: { sharePath: '\\\\files01\\witness' } } }));
    expect(resourcesOf(shared, 'aws_fsx_windows_file_system')).toEqual({});
  });
});

describe('SqlServerCluster: validation', () => {
  const refused = (changes: Partial<SqlServerClusterProps>) => errorOf(() => synth(props(changes)));

  it('refuses SQL Server Express, which RDS cannot encrypt', () => {
    expect(refused({ rds: { ...rds, edition: 'ex', multiAz: false } })).toContain('rds.edition: got "ex", expected "web", "se" or "ee": SQL Server Express on RDS does not support storage encryption');
  });

  it('refuses Multi-AZ on Web edition', () => {
    expect(refused({ rds: { ...rds, edition: 'web' } })).toContain('rds.multiAz: got true, expected false for edition "web"');
  });

  it('refuses an Always On cluster with one node', () => {
    expect(refused({ mode: 'ec2-always-on', directoryId, directoryName, alwaysOn: { ...alwaysOn, nodes: alwaysOn.nodes.slice(0, 1) } })).toContain('alwaysOn.nodes: got 1, expected 2 or 3 nodes');
  });

  it('refuses two nodes in one zone and reused addresses', () => {
    const nodes = [alwaysOn.nodes[0], { ...alwaysOn.nodes[0], primaryIp: '10.0.64.20' }];
    const message = refused({ mode: 'ec2-always-on', directoryId, directoryName, alwaysOn: { ...alwaysOn, nodes } });
    expect(message).toContain('alwaysOn.nodes[].availabilityZone: got ["ap-northeast-1a", "ap-northeast-1a"], expected a different zone for each node');
    expect(message).toContain('expected every primary, cluster and listener address distinct');
  });

  it('refuses a mode without its settings', () => {
    expect(refused({ mode: 'ec2-always-on' })).toContain('alwaysOn: got nothing, expected the Always On settings when mode is "ec2-always-on"');
  });

  it('refuses io2 without IOPS and a bad version', () => {
    const message = refused({ rds: { ...rds, engineVersion: '2022', storageType: 'io2' } });
    expect(message).toContain('rds.engineVersion: got "2022"');
    expect(message).toContain('rds.iops: got nothing, expected an IOPS figure for io2 storage');
  });

  // CreateVolume's gp3 ratios (https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html#gp3-ebs-volume-type).
  it('refuses gp3 volumes above 0.25 MiB/s per IOPS or 500 IOPS per GiB', () => {
    const message = refused({ mode: 'ec2-always-on', rds: undefined, directoryId, directoryName, alwaysOn: { ...alwaysOn, volumes: { log: { sizeGb: 200, throughput: 1000 }, tempdb: { sizeGb: 10, iops: 6000 } } } });
    expect(message).toContain('alwaysOn.volumes.log.throughput: got 1000, expected at most 0.25 MiB/s per IOPS of gp3 (750 with 3000 IOPS)');
    expect(message).toContain('alwaysOn.volumes.tempdb.iops: got 6000, expected at most 500 IOPS per GiB of gp3 (5000 for 10 GiB)');
  });

  it('refuses an FSx witness when no zone is free of nodes', () => {
    const twoZones = testSubnets('iso').slice(0, 2);
    expect(refused({ mode: 'ec2-always-on', rds: undefined, alwaysOn, directoryId, directoryName, subnets: twoZones })).toContain(
      'alwaysOn.witness.fsx: got "nodes in ap-northeast-1a, ap-northeast-1c, subnets in ap-northeast-1a, ap-northeast-1c", expected a subnet in a zone with no node for the witness (a third zone)',
    );
  });

  it('refuses an FSx witness or a directory join without a directory', () => {
    expect(refused({ mode: 'ec2-always-on', rds: undefined, alwaysOn })).toContain('directoryId: got nothing, expected the directory the FSx witness joins');
    expect(refused({ rds: { ...rds, joinDirectory: true } })).toContain('directoryId: got nothing, expected the directory rds.joinDirectory joins');
    expect(refused({ mode: 'ec2-always-on', rds: undefined, alwaysOn, directoryId })).toContain('directoryName: got nothing, expected the domain name of directoryId, which the nodes join');
    expect(refused({ directoryName })).toContain('directoryId: got nothing, expected the id of the directory directoryName names');
    expect(refused({ directoryId: 'corp.example.jp' })).toContain('directoryId: got "corp.example.jp", expected a directory id');
  });

  it('refuses production without deletion protection or without a final snapshot', () => {
    expect(refused({ production: true, deletionProtection: false })).toContain('deletionProtection: got false, expected true in production');
    expect(refused({ production: true, finalSnapshot: false })).toContain('finalSnapshot: got false, expected true in production');
  });

  it('skips the final snapshot, and its creation-time record, when finalSnapshot is false (previews)', () => {
    const json = synth(props({ finalSnapshot: false }));
    const db = onlyResource(json, 'aws_db_instance');
    expect([db.skip_final_snapshot, db.final_snapshot_identifier]).toEqual([true, undefined]);
    expect(resourcesOf(json, 'terraform_data')).toEqual({});
  });
});
