import { hasRestrictingCondition, hasWildcardPrincipal, statementsOf } from '../policy-document';
import { Json, PolicyRule, SynthResource, SynthStack, attr, filled, refersTo, resourcesOf, verdict } from '../rule';

/** Storage, backups and data-at-rest rules: databases, volumes, buckets, queues, tables, logs. */

const DB_TYPES = ['aws_rds_cluster', 'aws_db_instance'];

/** The shortest retention any log group may have. */
export const MIN_LOG_RETENTION_DAYS = 30;

/** Default-encryption algorithms S3 accepts (aws_s3_bucket_server_side_encryption_configuration). */
const SSE_ALGORITHMS = ['AES256', 'aws:kms', 'aws:kms:dsse'];

/**
 * The bucket-level companion resources (`aws_s3_bucket_versioning`, ...) of `bucket`: they
 * name it by reference (`${aws_s3_bucket.x.id}`) or by its literal name.
 */
function companionsOf(stack: SynthStack, type: string, bucket: SynthResource): SynthResource[] {
  const name = attr(bucket, 'bucket');
  return resourcesOf(stack, type).filter((c) => refersTo(c.attributes.bucket, bucket) || (filled(name) && c.attributes.bucket === name));
}

/** Log groups that hold audit trails: database log exports and VPC flow logs. */
function isAuditLogGroup(group: SynthResource, stack: SynthStack): boolean {
  return /^\/aws\/rds\//.test(String(attr(group, 'name') ?? '')) || resourcesOf(stack, 'aws_flow_log').some((f) => refersTo(f.attributes.log_destination, group));
}

/** The log types each engine family can export; Aurora MySQL must export its audit and error logs. */
const REQUIRED_EXPORTS: ReadonlyArray<[engine: RegExp, logs: string[]]> = [[/^aurora-mysql$|^aurora$/, ['audit', 'error']]];
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
    partly: 'CKV_AWS_139 / CKV_AWS_293: production accounts only (staging and sandbox databases may be deleted)',
    resourceTypes: DB_TYPES,
    check: (r) => verdict(attr(r, 'deletion_protection') === true),
  },
  {
    id: 'RDS-FINAL-SNAPSHOT',
    pack: 'baseline',
    info: 'Databases take a named final snapshot when deleted.',
    explanation: 'Without a final snapshot a deleted database is gone; the name carries the first apply time of the database, so it is easy to find and unique per destroy (RDS refuses a name already taken).',
    fix: 'Do not set skip_final_snapshot; the database constructs name the snapshot <name>-final-<first apply time>.',
    resourceTypes: DB_TYPES,
    check: (r) => verdict(attr(r, 'skip_final_snapshot') === false && filled(attr(r, 'final_snapshot_identifier'))),
  },
  {
    id: 'RDS-BACKUP-RETENTION',
    pack: 'production',
    info: 'Production databases keep automated backups for at least 7 days.',
    explanation: 'Point-in-time recovery reaches back only as far as the retention; a week covers a bad release found after a weekend.',
    fix: 'Set backupRetentionDays to 7 or more (the production default is 14).',
    partly: 'CKV_AWS_133: production accounts only, where it asks 7 days or more',
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
    fix: 'Keep rds.multiAz true, or give the Aurora cluster at least one reader (in another zone, or with the zone left to AWS).',
    checkov: 'CKV_AWS_157',
    resourceTypes: DB_TYPES,
    check: (r, stack) => {
      if (r.type === 'aws_db_instance') return verdict(attr(r, 'multi_az') === true);
      const instances = resourcesOf(stack, 'aws_rds_cluster_instance').filter((i) => refersTo(i.attributes.cluster_identifier, r));
      if (instances.length < 2) return 'non-compliant';
      // An instance without availability_zone is placed by RDS across the subnet group's
      // zones; only instances all pinned to one zone cannot survive its loss.
      const pinned = instances.map((i) => i.attributes.availability_zone);
      return verdict(pinned.some((z) => !filled(z)) || new Set(pinned).size >= 2);
    },
  },
  {
    id: 'RDS-LOG-EXPORTS',
    pack: 'baseline',
    info: 'Databases export their logs to CloudWatch Logs (Aurora MySQL: at least audit and error).',
    explanation: 'Failed logins, errors and slow queries must outlive the instance and be searchable during an incident.',
    fix: 'Keep enabled_cloudwatch_logs_exports (the AuroraCluster and SqlServerCluster constructs set it per engine).',
    checkov: 'CKV_AWS_324 / CKV_AWS_129',
    partly: 'AwsSolutions-RDS16: the general log is not required (it records every statement: cost and personal data)',
    resourceTypes: DB_TYPES,
    check: (r) => {
      const exports = ((attr(r, 'enabled_cloudwatch_logs_exports') ?? []) as unknown[]).filter(filled);
      const required = REQUIRED_EXPORTS.find(([engine]) => engine.test(String(attr(r, 'engine') ?? '')))?.[1] ?? [];
      return verdict(exports.length > 0 && required.every((l) => exports.includes(l)));
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
    info: 'EBS volumes and the root and attached volumes of instances are encrypted.',
    explanation: 'Volumes hold database files and their snapshots can be shared by mistake; encrypted ones are useless outside the account.',
    fix: 'Use the constructs (they encrypt every volume); for an aws_instance set root_block_device.encrypted.',
    cdkNag: 'AwsSolutions-EC26',
    checkov: 'CKV_AWS_3 / CKV_AWS_8',
    resourceTypes: ['aws_ebs_volume', 'aws_instance'],
    check: (r) =>
      verdict(
        r.type === 'aws_ebs_volume'
          ? attr(r, 'encrypted') === true
          : attr(r, 'root_block_device.encrypted') === true && ((r.attributes.ebs_block_device ?? []) as Array<{ encrypted?: unknown }>).every((d) => d.encrypted === true),
      ),
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
    info: 'S3 buckets have default encryption configured with an algorithm (AES256 or aws:kms).',
    explanation: 'Default encryption is the record of intent; an empty rule encrypts nothing on purpose.',
    fix: 'Create buckets with the SecureBucket construct.',
    checkov: 'CKV_AWS_19',
    resourceTypes: ['aws_s3_bucket'],
    check: (r, stack) =>
      verdict(
        companionsOf(stack, 'aws_s3_bucket_server_side_encryption_configuration', r).some((c) =>
          ((c.attributes.rule ?? []) as Json[]).some((rule) => SSE_ALGORITHMS.includes(String([rule.apply_server_side_encryption_by_default].flat()[0]?.sse_algorithm))),
        ),
      ),
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
        companionsOf(stack, 'aws_s3_bucket_public_access_block', r).some(
          (b) => ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'].every((k) => b.attributes[k] === true),
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
    check: (r, stack) => verdict(companionsOf(stack, 'aws_s3_bucket_policy', r).some((p) => deniesInsecureTransport(p.attributes.policy, stack))),
  },
  {
    id: 'S3-VERSIONING',
    pack: 'baseline',
    info: 'S3 buckets keep object versions.',
    explanation: 'Versions let an overwritten or deleted backup or log be recovered.',
    fix: 'Create buckets with the SecureBucket construct.',
    checkov: 'CKV_AWS_21',
    resourceTypes: ['aws_s3_bucket'],
    check: (r, stack) => verdict(companionsOf(stack, 'aws_s3_bucket_versioning', r).some((v) => attr(v, 'versioning_configuration.status') === 'Enabled')),
  },
  {
    id: 'S3-LIFECYCLE',
    pack: 'baseline',
    info: 'S3 buckets have a lifecycle configuration with at least one enabled rule.',
    explanation: 'Without one, old versions of every overwritten object and unfinished uploads are kept, and paid for, forever.',
    fix: 'Create buckets with the SecureBucket construct (noncurrent versions expire; logs can expire).',
    checkov: 'CKV2_AWS_61',
    resourceTypes: ['aws_s3_bucket'],
    check: (r, stack) =>
      verdict(companionsOf(stack, 'aws_s3_bucket_lifecycle_configuration', r).some((l) => ((l.attributes.rule ?? []) as Array<{ status?: string }>).some((rule) => rule.status === 'Enabled'))),
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
    check: (r) => verdict(filled(attr(r, 'kms_master_key_id')) || attr(r, 'sqs_managed_sse_enabled') === true),
  },
  {
    id: 'SQS-DEAD-LETTER-QUEUE',
    pack: 'baseline',
    info: 'SQS queues have a dead-letter queue (or are one).',
    explanation: 'A message that always fails must be set aside and alerted on, not retried until it expires and is lost.',
    fix: 'Give the queue a redrive_policy to a dead-letter queue.',
    cdkNag: 'AwsSolutions-SQS3',
    resourceTypes: ['aws_sqs_queue'],
    check: (r, stack) => {
      const redrive = resourcesOf(stack, 'aws_sqs_queue_redrive_policy').find((p) => refersTo(p.attributes.queue_url, r))?.attributes.redrive_policy ?? attr(r, 'redrive_policy');
      const isDeadLetterQueue = [...resourcesOf(stack, 'aws_sqs_queue'), ...resourcesOf(stack, 'aws_sqs_queue_redrive_policy')].some((q) => q !== r && refersTo(q.attributes.redrive_policy, r));
      return verdict(isDeadLetterQueue || deadLetterTarget(redrive));
    },
  },
  {
    id: 'SQS-TLS-ONLY',
    pack: 'baseline',
    info: 'SQS queue policies deny requests not made over TLS.',
    explanation: 'Message bodies must not cross the network in clear text.',
    fix: 'Add an aws_sqs_queue_policy denying aws:SecureTransport = false.',
    cdkNag: 'AwsSolutions-SQS4',
    resourceTypes: ['aws_sqs_queue'],
    check: (r, stack) => verdict(resourcesOf(stack, 'aws_sqs_queue_policy').some((p) => refersTo(p.attributes.queue_url, r) && deniesInsecureTransport(p.attributes.policy, stack))),
  },
  {
    id: 'RESOURCE-POLICY-NOT-PUBLIC',
    pack: 'baseline',
    info: 'SQS, SNS, KMS key and S3 bucket policies allow the "*" principal only under a condition naming an account, ARN, organization or network.',
    explanation: 'A resource policy allowing "*" without a condition lets any AWS account read, send to, or use the resource.',
    fix: 'Name the service or account in Principal, or add a condition (aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID).',
    checkov: 'CKV_AWS_33 / CKV_AWS_168 / CKV_AWS_169 / CKV_AWS_387',
    partly: 'CKV_AWS_70: a "*" principal under such a condition is accepted',
    resourceTypes: ['aws_sqs_queue_policy', 'aws_sqs_queue', 'aws_sns_topic_policy', 'aws_sns_topic', 'aws_kms_key', 'aws_kms_key_policy', 'aws_s3_bucket_policy'],
    check: (r, stack) => {
      const policy = r.attributes.policy;
      if (policy === undefined || policy === null) return 'not-applicable';
      const statements = statementsOf(policy, stack);
      if (statements === undefined) return 'not-applicable';
      return verdict(!statements.some((s) => s.effect === 'Allow' && hasWildcardPrincipal(s) && !hasRestrictingCondition(s)));
    },
  },
  {
    id: 'SNS-ENCRYPTED',
    pack: 'baseline',
    info: 'SNS topics encrypt messages with a KMS key.',
    explanation: 'Topics carry mail delivery events with recipient addresses.',
    fix: 'Set kms_master_key_id (the mail path uses its own key).',
    checkov: 'CKV_AWS_26',
    resourceTypes: ['aws_sns_topic'],
    check: (r) => verdict(filled(attr(r, 'kms_master_key_id'))),
  },
  {
    id: 'DYNAMODB-ENCRYPTED',
    pack: 'baseline',
    info: 'DynamoDB tables are encrypted with a customer managed KMS key.',
    explanation: 'The mail history holds who was sent what; a customer managed key makes access auditable and revocable.',
    fix: 'Set server_side_encryption { enabled = true, kms_key_arn = <the key> }.',
    checkov: 'CKV_AWS_119',
    resourceTypes: ['aws_dynamodb_table'],
    check: (r) => verdict(attr(r, 'server_side_encryption.enabled') === true && filled(attr(r, 'server_side_encryption.kms_key_arn'))),
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
    info: `Log groups keep their logs for a set period of ${MIN_LOG_RETENTION_DAYS} days or more.`,
    explanation: 'Logs kept forever cost without end; logs kept a day or a week are gone before anyone asks about an incident.',
    fix: `Set retention_in_days to ${MIN_LOG_RETENTION_DAYS} or more (the constructs do).`,
    checkov: 'CKV_AWS_66',
    resourceTypes: ['aws_cloudwatch_log_group'],
    check: (r) => verdict(Number(attr(r, 'retention_in_days') ?? 0) >= MIN_LOG_RETENTION_DAYS),
  },
  {
    id: 'LOGS-AUDIT-RETENTION',
    pack: 'production',
    info: 'Production audit log groups (database log exports, VPC flow logs) keep their logs for at least 365 days.',
    explanation: 'Who logged in, what was refused and who talked to what are asked about months later, by auditors and after breaches found late.',
    fix: 'Set retention_in_days to 365 or more on database and flow log groups.',
    partly: 'CKV_AWS_338: only audit log groups; application and Lambda logs keep 90 days by design (cost, and they hold personal data)',
    resourceTypes: ['aws_cloudwatch_log_group'],
    check: (r, stack) => (isAuditLogGroup(r, stack) ? verdict(Number(attr(r, 'retention_in_days') ?? 0) >= 365) : 'not-applicable'),
  },
  {
    id: 'LOGS-ENCRYPTED',
    pack: 'baseline',
    info: 'Log groups are encrypted with a KMS key.',
    explanation: 'Logs carry request ids, addresses and errors; a KMS key makes reading them auditable.',
    fix: 'Pass the account logs key (AccountStack.logsKmsKeyArn) as kms_key_id.',
    checkov: 'CKV_AWS_158',
    resourceTypes: ['aws_cloudwatch_log_group'],
    check: (r) => verdict(filled(attr(r, 'kms_key_id'))),
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
  {
    id: 'CACHE-ENCRYPTED',
    pack: 'baseline',
    info: 'ElastiCache replication groups encrypt data at rest with a customer managed KMS key.',
    explanation: 'Snapshots and swapped data hold sessions and cached records; encryption at rest cannot be turned on without replacing the group.',
    fix: 'Use CacheCluster (it sets at_rest_encryption_enabled and kms_key_id).',
    checkov: 'CKV_AWS_29 / CKV_AWS_191',
    resourceTypes: ['aws_elasticache_replication_group'],
    // at_rest_encryption_enabled is a nullable bool: the provider takes "true" or true.
    check: (r) => verdict(String(attr(r, 'at_rest_encryption_enabled')) === 'true' && filled(attr(r, 'kms_key_id'))),
  },
  {
    id: 'CACHE-TLS-REQUIRED',
    pack: 'baseline',
    info: 'ElastiCache replication groups require TLS (transit_encryption_mode "required").',
    explanation: 'In "preferred" mode the engine still accepts plaintext connections, so session data and AUTH credentials can cross the network in clear.',
    fix: 'Use CacheCluster (transit_encryption_enabled = true, transit_encryption_mode = "required").',
    checkov: 'CKV_AWS_30',
    resourceTypes: ['aws_elasticache_replication_group'],
    check: (r) => verdict(attr(r, 'transit_encryption_enabled') === true && attr(r, 'transit_encryption_mode') === 'required'),
  },
  {
    id: 'CACHE-AUTH',
    pack: 'baseline',
    info: 'ElastiCache replication groups authenticate clients: an RBAC user group or an AUTH token.',
    explanation: 'Without AUTH anything that reaches the port can read and flush every session.',
    fix: 'Give CacheCluster an auth mode (iam is the default).',
    cdkNag: 'AwsSolutions-AEC6',
    partly: 'CKV_AWS_31: an RBAC user group counts as well as an AUTH token',
    resourceTypes: ['aws_elasticache_replication_group'],
    check: (r) => verdict(((attr(r, 'user_group_ids') as unknown[] | undefined) ?? []).length > 0 || filled(attr(r, 'auth_token'))),
  },
  {
    id: 'CACHE-MULTI-AZ',
    pack: 'production',
    info: 'Production replication groups have a replica and Multi-AZ with automatic failover.',
    explanation: 'With one node, or replicas without automatic failover, a node or zone failure takes the cache (and every session) down until someone acts.',
    fix: 'Leave CacheCluster multiAz and nodes at their production defaults (2 nodes, Multi-AZ).',
    cdkNag: 'AwsSolutions-AEC4',
    resourceTypes: ['aws_elasticache_replication_group'],
    check: (r) => verdict(attr(r, 'multi_az_enabled') === true && attr(r, 'automatic_failover_enabled') === true && Number(attr(r, 'num_cache_clusters') ?? 0) >= 2),
  },
  {
    id: 'CACHE-AUTH-PLANNABLE',
    pack: 'baseline',
    info: 'ElastiCache AUTH tokens and user passwords are not read from Secrets Manager at plan time.',
    explanation:
      'A secret read by a data source is read on every plan, and the CI plan role is denied secretsmanager:GetSecretValue (bootstrap/bootstrap-stack.ts, NoSecrets): every pull request plan of the account would fail.',
    fix: 'Use CacheCluster auth mode "iam" (the default), or suppress with the reason the account is planned by an identity that may read the secret.',
    resourceTypes: ['aws_elasticache_replication_group', 'aws_elasticache_user'],
    check: (r) => verdict(!JSON.stringify(r.attributes).includes('data.aws_secretsmanager_secret_version.')),
  },
];

/** Whether a policy document denies requests made without TLS. */
export function deniesInsecureTransport(policy: unknown, stack: SynthStack): boolean {
  return (statementsOf(policy, stack) ?? []).some((s) => s.effect === 'Deny' && (s.condition.Bool?.['aws:SecureTransport'] ?? []).includes('false'));
}

/** Whether an SQS redrive policy names a dead-letter queue (`null`, `""` or `{}` do not). */
function deadLetterTarget(redrive: unknown): boolean {
  if (typeof redrive === 'object' && redrive !== null) return filled((redrive as { deadLetterTargetArn?: unknown }).deadLetterTargetArn);
  if (!filled(redrive)) return false;
  try {
    return filled((JSON.parse(redrive) as { deadLetterTargetArn?: unknown }).deadLetterTargetArn);
  } catch {
    // `${jsonencode(...)}` cannot be read at synth time: it must at least name the target.
    return redrive.includes('deadLetterTargetArn');
  }
}

