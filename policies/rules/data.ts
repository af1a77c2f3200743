import { PolicyRule, attr, refersTo, resourcesOf, verdict } from '../rule';

/** Storage, backups and data-at-rest rules: databases, volumes, buckets, queues, tables, logs. */

const DB_TYPES = ['aws_rds_cluster', 'aws_db_instance'];

export const dataRules: PolicyRule[] = [
  {
    id: 'RDS-ENCRYPTED',
    pack: 'baseline',
    info: 'Aurora clusters and RDS instances encrypt storage at rest.',
    explanation: 'Unencrypted storage exposes data in snapshots and on retired disks; encryption cannot be added to an existing database without a restore.',
    fix: 'Remove storageEncrypted: false from the database config (encryption is the default).',
    cdkNag: 'AwsSolutions-RDS2',
    checkov: 'CKV_AWS_16 / CKV_AWS_96',
    resourceTypes: DB_TYPES,
    check: (r) => verdict(attr(r, 'storage_encrypted') === true),
  },
  {
    id: 'RDS-DELETION-PROTECTION',
    pack: 'production',
    info: 'Production databases have deletion protection on.',
    explanation: 'A plan that replaces or destroys a production database must fail at AWS, not delete the data.',
    fix: 'Remove deletionProtection: false from the database config.',
    cdkNag: 'AwsSolutions-RDS10',
    checkov: 'CKV_AWS_139 / CKV_AWS_293',
    resourceTypes: DB_TYPES,
    check: (r) => verdict(attr(r, 'deletion_protection') === true),
  },
  {
    id: 'RDS-FINAL-SNAPSHOT',
    pack: 'baseline',
    info: 'Databases take a named final snapshot when deleted.',
    explanation: 'Without a final snapshot a deleted database is gone; a fixed name makes the snapshot easy to find.',
    fix: 'Do not set skip_final_snapshot; the database constructs name the snapshot <name>-final.',
    resourceTypes: DB_TYPES,
    check: (r) => verdict(attr(r, 'skip_final_snapshot') === false && typeof attr(r, 'final_snapshot_identifier') === 'string'),
  },
  {
    id: 'RDS-BACKUP-RETENTION',
    pack: 'production',
    info: 'Production databases keep automated backups for at least 7 days.',
    explanation: 'Point-in-time recovery reaches back only as far as the retention; a week covers a bad release found after a weekend.',
    fix: 'Set backupRetentionDays to 7 or more (the production default is 14).',
    checkov: 'CKV_AWS_133',
    resourceTypes: DB_TYPES,
    check: (r) => verdict(Number(attr(r, 'backup_retention_period') ?? 0) >= 7),
  },
  {
    id: 'RDS-NOT-PUBLIC',
    pack: 'baseline',
    info: 'Database instances are not publicly accessible.',
    explanation: 'A public database is one security group mistake away from the internet.',
    fix: 'Do not set publicly_accessible; databases live in the isolated subnets.',
    checkov: 'CKV_AWS_17',
    resourceTypes: ['aws_db_instance', 'aws_rds_cluster_instance'],
    check: (r) => verdict(attr(r, 'publicly_accessible') !== true),
  },
  {
    id: 'RDS-TLS-REQUIRED',
    pack: 'baseline',
    info: 'Databases refuse connections without TLS (parameter group).',
    explanation: 'Credentials and data must not cross the network in clear text, whatever the client asks for.',
    fix: 'Use the AuroraCluster / SqlServerCluster constructs, whose parameter groups set require_secure_transport / rds.force_ssl.',
    resourceTypes: DB_TYPES,
    check: (r, stack) => {
      const groupType = r.type === 'aws_rds_cluster' ? 'aws_rds_cluster_parameter_group' : 'aws_db_parameter_group';
      const groupAttr = r.type === 'aws_rds_cluster' ? 'db_cluster_parameter_group_name' : 'parameter_group_name';
      const group = resourcesOf(stack, groupType).find((g) => refersTo(attr(r, groupAttr), g));
      const params = (group?.attributes.parameter ?? []) as Array<{ name: string; value: string }>;
      return verdict(params.some((p) => (p.name === 'require_secure_transport' && p.value.toUpperCase() === 'ON') || (p.name === 'rds.force_ssl' && p.value === '1')));
    },
  },
  {
    id: 'RDS-MULTI-AZ',
    pack: 'production',
    info: 'Production databases survive the loss of a zone.',
    explanation: 'An RDS instance needs Multi-AZ, and an Aurora cluster a second instance in another zone, to fail over instead of going down with its zone.',
    fix: 'Keep rds.multiAz true, or give the Aurora cluster at least one reader.',
    checkov: 'CKV_AWS_157',
    resourceTypes: DB_TYPES,
    check: (r, stack) => {
      if (r.type === 'aws_db_instance') return verdict(attr(r, 'multi_az') === true);
      const instances = resourcesOf(stack, 'aws_rds_cluster_instance').filter((i) => refersTo(i.attributes.cluster_identifier, r));
      return verdict(new Set(instances.map((i) => i.attributes.availability_zone)).size >= 2);
    },
  },
  {
    id: 'RDS-MONITORING',
    pack: 'baseline',
    info: 'Database instances have enhanced monitoring and Performance Insights.',
    explanation: 'When a database is slow at 3 a.m., OS metrics and query waits must already be recorded.',
    fix: 'Keep monitoringIntervalSeconds above 0; the constructs turn Performance Insights on.',
    checkov: 'CKV_AWS_118 / CKV_AWS_353',
    resourceTypes: ['aws_db_instance', 'aws_rds_cluster_instance'],
    check: (r) => verdict(Number(attr(r, 'monitoring_interval') ?? 0) > 0 && attr(r, 'performance_insights_enabled') === true),
  },
  {
    id: 'EBS-ENCRYPTED',
    pack: 'baseline',
    info: 'EBS volumes and instance root volumes are encrypted.',
    explanation: 'Volumes hold database files and their snapshots can be shared by mistake; encrypted ones are useless outside the account.',
    fix: 'Use the constructs (they encrypt every volume); for an aws_instance set root_block_device.encrypted.',
    cdkNag: 'AwsSolutions-EC26',
    checkov: 'CKV_AWS_3 / CKV_AWS_8',
    resourceTypes: ['aws_ebs_volume', 'aws_instance'],
    check: (r) => verdict(r.type === 'aws_ebs_volume' ? attr(r, 'encrypted') === true : attr(r, 'root_block_device.encrypted') === true),
  },
  {
    id: 'EBS-DEFAULT-ENCRYPTION',
    pack: 'baseline',
    info: 'Accounts that run instances turn on EBS encryption by default.',
    explanation: 'Beanstalk launch templates have no encryption setting: the account default is what encrypts their root volumes.',
    fix: 'AccountStack adds aws_ebs_encryption_by_default; do not remove it.',
    checkov: 'CKV_AWS_106',
    resourceTypes: ['aws_instance', 'aws_elastic_beanstalk_environment'],
    check: (_r, stack) => verdict(resourcesOf(stack, 'aws_ebs_encryption_by_default').some((d) => d.attributes.enabled === true)),
  },
  {
    id: 'S3-ENCRYPTED',
    pack: 'baseline',
    info: 'S3 buckets have default encryption configured.',
    explanation: 'Default encryption is the record of intent and lets a KMS key restrict who can read objects.',
    fix: 'Create buckets with the SecureBucket construct.',
    checkov: 'CKV_AWS_145',
    resourceTypes: ['aws_s3_bucket'],
    check: (r, stack) => verdict(resourcesOf(stack, 'aws_s3_bucket_server_side_encryption_configuration').some((c) => refersTo(c.attributes.bucket, r))),
  },
  {
    id: 'S3-PUBLIC-ACCESS-BLOCKED',
    pack: 'baseline',
    info: 'S3 buckets block every form of public access.',
    explanation: 'Logs and backups must never become public through an ACL or policy slip.',
    fix: 'Create buckets with the SecureBucket construct.',
    cdkNag: 'AwsSolutions-S2',
    checkov: 'CKV_AWS_53 / CKV_AWS_54 / CKV_AWS_55 / CKV_AWS_56',
    resourceTypes: ['aws_s3_bucket'],
    check: (r, stack) =>
      verdict(
        resourcesOf(stack, 'aws_s3_bucket_public_access_block').some(
          (b) => refersTo(b.attributes.bucket, r) && ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'].every((k) => b.attributes[k] === true),
        ),
      ),
  },
  {
    id: 'S3-TLS-ONLY',
    pack: 'baseline',
    info: 'S3 bucket policies deny requests not made over TLS.',
    explanation: 'Without the deny, a misconfigured client can read or write objects in clear text.',
    fix: 'Create buckets with the SecureBucket construct.',
    cdkNag: 'AwsSolutions-S10',
    resourceTypes: ['aws_s3_bucket'],
    check: (r, stack) => verdict(resourcesOf(stack, 'aws_s3_bucket_policy').some((p) => refersTo(p.attributes.bucket, r) && deniesInsecureTransport(p.attributes.policy))),
  },
  {
    id: 'S3-VERSIONING',
    pack: 'baseline',
    info: 'S3 buckets keep object versions.',
    explanation: 'Versions let an overwritten or deleted backup or log be recovered.',
    fix: 'Create buckets with the SecureBucket construct.',
    checkov: 'CKV_AWS_21',
    resourceTypes: ['aws_s3_bucket'],
    check: (r, stack) => verdict(resourcesOf(stack, 'aws_s3_bucket_versioning').some((v) => refersTo(v.attributes.bucket, r) && attr(v, 'versioning_configuration.status') === 'Enabled')),
  },
  {
    id: 'S3-LIFECYCLE',
    pack: 'baseline',
    info: 'S3 buckets have a lifecycle configuration.',
    explanation: 'Without one, old versions of every overwritten object and unfinished uploads are kept, and paid for, forever.',
    fix: 'Create buckets with the SecureBucket construct (noncurrent versions expire; logs can expire).',
    checkov: 'CKV2_AWS_61',
    resourceTypes: ['aws_s3_bucket'],
    check: (r, stack) => verdict(resourcesOf(stack, 'aws_s3_bucket_lifecycle_configuration').some((l) => refersTo(l.attributes.bucket, r))),
  },
  {
    id: 'SQS-ENCRYPTED',
    pack: 'baseline',
    info: 'SQS queues encrypt messages at rest.',
    explanation: 'Queued mail holds customer addresses and content.',
    fix: 'Set kms_master_key_id, or sqs_managed_sse_enabled = true.',
    cdkNag: 'AwsSolutions-SQS2',
    checkov: 'CKV_AWS_27',
    resourceTypes: ['aws_sqs_queue'],
    check: (r) => verdict(typeof attr(r, 'kms_master_key_id') === 'string' || attr(r, 'sqs_managed_sse_enabled') === true),
  },
  {
    id: 'SQS-DEAD-LETTER-QUEUE',
    pack: 'baseline',
    info: 'SQS queues have a dead-letter queue (or are one).',
    explanation: 'A message that always fails must be set aside and alerted on, not retried until it expires and is lost.',
    fix: 'Give the queue a redrive_policy to a dead-letter queue.',
    cdkNag: 'AwsSolutions-SQS3',
    resourceTypes: ['aws_sqs_queue'],
    check: (r, stack) =>
      verdict(attr(r, 'redrive_policy') !== undefined || resourcesOf(stack, 'aws_sqs_queue').some((q) => q !== r && refersTo(q.attributes.redrive_policy, r))),
  },
  {
    id: 'SQS-TLS-ONLY',
    pack: 'baseline',
    info: 'SQS queue policies deny requests not made over TLS.',
    explanation: 'Message bodies must not cross the network in clear text.',
    fix: 'Add an aws_sqs_queue_policy denying aws:SecureTransport = false.',
    cdkNag: 'AwsSolutions-SQS4',
    resourceTypes: ['aws_sqs_queue'],
    check: (r, stack) => verdict(resourcesOf(stack, 'aws_sqs_queue_policy').some((p) => refersTo(p.attributes.queue_url, r) && deniesInsecureTransport(p.attributes.policy))),
  },
  {
    id: 'DYNAMODB-ENCRYPTED',
    pack: 'baseline',
    info: 'DynamoDB tables are encrypted with a KMS key.',
    explanation: 'The mail history holds who was sent what; a KMS key makes access auditable and revocable.',
    fix: 'Set server_side_encryption { enabled = true } (with a KMS key).',
    checkov: 'CKV_AWS_119',
    resourceTypes: ['aws_dynamodb_table'],
    check: (r) => verdict(attr(r, 'server_side_encryption.enabled') === true),
  },
  {
    id: 'DYNAMODB-PITR',
    pack: 'baseline',
    info: 'DynamoDB tables have point-in-time recovery.',
    explanation: 'A bad write or a deleted item can be restored to any second of the last 35 days.',
    fix: 'Set point_in_time_recovery { enabled = true }.',
    cdkNag: 'AwsSolutions-DDB3',
    checkov: 'CKV_AWS_28',
    resourceTypes: ['aws_dynamodb_table'],
    check: (r) => verdict(attr(r, 'point_in_time_recovery.enabled') === true),
  },
  {
    id: 'DYNAMODB-DELETION-PROTECTION',
    pack: 'production',
    info: 'Production DynamoDB tables have deletion protection.',
    explanation: 'Support looks up sent mail in the history table; a plan must not be able to drop it.',
    fix: 'Set deletion_protection_enabled = true.',
    resourceTypes: ['aws_dynamodb_table'],
    check: (r) => verdict(attr(r, 'deletion_protection_enabled') === true),
  },
  {
    id: 'LOGS-RETENTION',
    pack: 'baseline',
    info: 'Log groups have a retention period.',
    explanation: 'Logs kept forever cost without end; logs kept by accident too briefly are missing when needed.',
    fix: 'Set retention_in_days (the constructs do).',
    checkov: 'CKV_AWS_66',
    resourceTypes: ['aws_cloudwatch_log_group'],
    check: (r) => verdict(Number(attr(r, 'retention_in_days') ?? 0) > 0),
  },
  {
    id: 'LOGS-ENCRYPTED',
    pack: 'baseline',
    info: 'Log groups are encrypted with a KMS key.',
    explanation: 'Logs carry request ids, addresses and errors; a KMS key makes reading them auditable.',
    fix: 'Pass the account logs key (AccountStack.logsKmsKeyArn) as kms_key_id.',
    checkov: 'CKV_AWS_158',
    resourceTypes: ['aws_cloudwatch_log_group'],
    check: (r) => verdict(typeof attr(r, 'kms_key_id') === 'string'),
  },
  {
    id: 'KMS-ROTATION',
    pack: 'baseline',
    info: 'Customer managed KMS keys rotate.',
    explanation: 'Yearly rotation limits what one exposed key version can decrypt.',
    fix: 'Set enable_key_rotation = true.',
    checkov: 'CKV_AWS_7',
    resourceTypes: ['aws_kms_key'],
    check: (r) => verdict(attr(r, 'enable_key_rotation') === true),
  },
];

/** Whether a policy document denies requests made without TLS. */
export function deniesInsecureTransport(policy: unknown): boolean {
  try {
    const doc = JSON.parse(String(policy)) as { Statement?: Array<{ Effect?: string; Condition?: { Bool?: Record<string, unknown> } }> };
    return (doc.Statement ?? []).some((s) => s.Effect === 'Deny' && String(s.Condition?.Bool?.['aws:SecureTransport']) === 'false');
  } catch {
    return false;
  }
}
