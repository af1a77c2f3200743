/**
 * Which resource types are "stateful": deleting or replacing one loses data, a public
 * address, or an identity that takes long to restore. Such a delete or replace is listed
 * first under CAUTION and fails the check until a reviewer adds the `allow-destroy` label.
 *
 * The list is deliberate: each type says why it is in. `NOT_STATEFUL` says why some types
 * that look stateful are out. Accounts add types with `accounts/<name>/stateful-types.json`
 * (or `--stateful-types FILE`): a JSON object of `"<resource type>": "<why>"`.
 */
import { existsSync, readFileSync } from 'node:fs';

const DATA = 'holds data that is lost with it';

/** Resource type -> why deleting or replacing it is dangerous. */
export const STATEFUL_TYPES: Readonly<Record<string, string>> = {
  // Databases and caches: the data itself.
  aws_db_instance: `${DATA} (final snapshot only if configured)`,
  aws_rds_cluster: `${DATA}: the cluster volume`,
  aws_rds_cluster_instance: 'replacing the writer fails over; deleting the last instance takes the database offline',
  aws_rds_global_cluster: 'its member clusters replicate through it; deleting it detaches every region',
  aws_dynamodb_table: DATA,
  aws_dynamodb_global_table: `${DATA} in every replica region`,
  aws_dynamodb_table_replica: `${DATA}: the replica region's copy`,
  aws_elasticache_cluster: `${DATA} (cache and Redis/Valkey data, sessions)`,
  aws_elasticache_replication_group: `${DATA} (Redis/Valkey data, sessions)`,
  aws_elasticache_serverless_cache: DATA,
  aws_elasticache_global_replication_group: 'its member replication groups replicate through it',
  aws_opensearch_domain: `${DATA}: the indices`,
  aws_elasticsearch_domain: `${DATA}: the indices`,
  aws_neptune_cluster: DATA,
  aws_docdb_cluster: DATA,
  aws_docdbelastic_cluster: DATA,
  aws_redshift_cluster: DATA,
  aws_redshiftserverless_namespace: DATA,
  aws_kinesis_stream: `${DATA}: the unread records`,
  aws_msk_cluster: `${DATA}: the Kafka topics`,
  aws_sqs_queue: `${DATA}: the messages not yet processed (the mail queue)`,
  // Storage.
  aws_s3_bucket: `${DATA}: the objects; the name may be taken by someone else once free`,
  aws_efs_file_system: DATA,
  aws_fsx_windows_file_system: DATA,
  aws_fsx_lustre_file_system: DATA,
  aws_fsx_ontap_file_system: DATA,
  aws_fsx_openzfs_file_system: DATA,
  aws_ebs_volume: DATA,
  aws_ebs_snapshot: `${DATA}: a backup`,
  aws_instance: `${DATA} on its volumes (the SQL Server cluster nodes run on EC2)`,
  aws_ecr_repository: `${DATA}: the images deploys and rollbacks pull`,
  aws_backup_vault: `${DATA}: the recovery points`,
  aws_cloudwatch_log_group: `${DATA}: the logs`,
  aws_cognito_user_pool: `${DATA}: the users and their passwords`,
  // Keys and secrets: what they protect becomes unreadable.
  aws_kms_key: 'everything encrypted with it becomes unreadable once the deletion window ends',
  aws_secretsmanager_secret: 'the secret value is lost once the recovery window ends',
  // Public addresses and names others point at.
  aws_route53_zone: 'a new zone gets new name servers: the domain stops resolving until the registrar is updated',
  aws_eip: 'the public IP address is released for good; partners allow-list it',
  aws_lb: 'its DNS name (and a network load balancer\'s static IPs) change: everything pointing at it breaks',
  aws_cloudfront_distribution: 'its *.cloudfront.net name changes and a new one takes minutes to deploy',
  aws_globalaccelerator_accelerator: 'its static anycast IP addresses are released for good',
  aws_elastic_beanstalk_environment: 'the environment\'s CNAME, load balancer and instances are rebuilt: the site is down meanwhile',
  fastly_service_vcl: 'the service ID changes, domains and TLS must be re-attached, and the cache starts cold',
  fastly_tls_subscription: 'the certificate is deleted with it: HTTPS (force_ssl, HSTS, HTTP/3) fails on its domains until a new one is validated and issued',
  // Identities that take days to restore.
  aws_directory_service_directory:
    'the domain itself (users, computer accounts, DNS zone): a new directory is a new domain, and the FSx witness, RDS Windows authentication and the SQL Server nodes joined to the old one must all be re-joined',
  aws_ses_domain_identity: 'sending stops until the domain is verified again (DKIM, reputation)',
  aws_sesv2_email_identity: 'sending stops until the identity is verified again (DKIM, reputation)',
  aws_ses_email_identity: 'sending stops until the address is verified again',
};

/** Types that look stateful but are out, and why (documentation, checked by a test). */
export const NOT_STATEFUL: Readonly<Record<string, string>> = {
  aws_route53_record: 'recreated from the code in seconds; resolvers keep the old answer for the TTL',
  aws_acm_certificate: 'DNS validation reissues it automatically with the same validation record',
  aws_security_group: 'rules are all in the code; a replacement is created before the old one is detached',
  aws_iam_role: 'policies are all in the code',
  aws_lambda_function: 'the code is in the repository and redeployed from it',
  aws_sns_topic: 'holds no messages; subscriptions are in the code',
  aws_ssm_parameter: 'values managed here are in the code; secrets live in Secrets Manager',
  aws_db_parameter_group: 'settings are all in the code',
  aws_elasticache_parameter_group: 'settings are all in the code',
  datadog_monitor: 'defined in the code; only its alert history is lost',
  datadog_service_level_objective: 'defined in the code; Datadog recomputes its history from the metrics',
  fastly_tls_subscription_validation: 'holds nothing: a new one only waits again for the subscription\'s certificate',
};

const TYPE_NAME = /^[a-z][a-z0-9]*_[a-z0-9_]+$/;

/**
 * Extra stateful types from a JSON file `{ "<type>": "<why>" }`. Throws with the file,
 * the key and what is allowed when the file is malformed.
 */
export function readStatefulTypes(file: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}; expected a JSON object of "<resource type>": "<why it is stateful>"`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${file}: expected a JSON object of "<resource type>": "<why it is stateful>", got ${Array.isArray(parsed) ? 'an array' : JSON.stringify(parsed)}`);
  }
  for (const [type, why] of Object.entries(parsed)) {
    if (!TYPE_NAME.test(type)) throw new Error(`${file}: ${JSON.stringify(type)} is not a Terraform resource type (lower case, provider prefix, e.g. "aws_mq_broker")`);
    if (typeof why !== 'string' || why.trim() === '') throw new Error(`${file}: "${type}" must say why it is stateful (a non-empty string), got ${JSON.stringify(why)}`);
  }
  return parsed as Record<string, string>;
}

/** The account's own extension file, read when it exists (paths are relative to the repository root). */
export const accountStatefulFile = (stack: string) => `accounts/${stack}/stateful-types.json`;

/** The built-in list plus each extra file's types. */
export function statefulTypes(files: readonly string[]): Record<string, string> {
  const all: Record<string, string> = { ...STATEFUL_TYPES };
  for (const file of files) Object.assign(all, readStatefulTypes(file));
  return all;
}

/** The files to read for `stack`: its account file when present, then the ones given. */
export function statefulFiles(stack: string, given: readonly string[]): string[] {
  const own = accountStatefulFile(stack);
  return [...(existsSync(own) ? [own] : []), ...given];
}
