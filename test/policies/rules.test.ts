import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_RULES } from '../../policies/packs';
import { Json, SynthStack, Verdict, stackOf } from '../../policies/rule';

/** A stack from `[type, name, attributes]` triples, with the account's default tags. */
function stack(resources: Array<[string, string, Json]>, json: Json = {}): SynthStack {
  const resource: Json = {};
  for (const [type, name, attributes] of resources) resource[type] = { ...(resource[type] ?? {}), [name]: attributes };
  return stackOf('test', {
    provider: { aws: [{ default_tags: [{ tags: { Environment: 'x', Account: 'x', Team: 'x', CostCenter: 'x', ManagedBy: 'x', Repository: 'x' } }] }] },
    ...json,
    resource,
  });
}
const ref = (type: string, name: string, field = 'id') => `\${${type}.${name}.${field}}`;
const policy = (...statements: Json[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const denyInsecure = policy({ Effect: 'Deny', Principal: '*', Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': false } } });
const ebEnv = (settings: Array<[string, string, string]>) => ({ setting: settings.map(([namespace, name, value]) => ({ namespace, name, value })) });
const goodEb: Array<[string, string, string]> = [
  ['aws:autoscaling:launchconfiguration', 'DisableIMDSv1', 'true'],
  ['aws:elbv2:listener:443', 'Protocol', 'HTTPS'],
  ['aws:elbv2:listener:443', 'SSLPolicy', 'ELBSecurityPolicy-TLS13-1-2-2021-06'],
  ['aws:elbv2:listener:default', 'ListenerEnabled', 'false'],
  ['aws:elasticbeanstalk:environment', 'LoadBalancerType', 'application'],
  ['aws:elasticbeanstalk:managedactions', 'ManagedActionsEnabled', 'true'],
  ['aws:elasticbeanstalk:healthreporting:system', 'SystemType', 'enhanced'],
  ['aws:elasticbeanstalk:cloudwatch:logs', 'StreamLogs', 'true'],
  ['aws:elasticbeanstalk:command', 'DeploymentPolicy', 'Immutable'],
  ['aws:elbv2:loadbalancer', 'SecurityGroups', ref('aws_security_group', 'lb')],
];
const without = (settings: Array<[string, string, string]>, name: string, value = 'false') => settings.map(([ns, n, v]): [string, string, string] => (n === name ? [ns, n, value] : [ns, n, v]));
const bucket = (extra: Array<[string, string, Json]> = []) => stack([['aws_s3_bucket', 'b', { bucket: 'x' }], ...extra]);
const db = (attrs: Json) => ({ storage_encrypted: true, deletion_protection: true, skip_final_snapshot: false, final_snapshot_identifier: 'x-final', backup_retention_period: 14, ...attrs });
const instance = (attrs: Json) => ({ monitoring_interval: 60, performance_insights_enabled: true, ...attrs });
const ingress = (attrs: Json): [string, string, Json] => ['aws_vpc_security_group_ingress_rule', 'rule', { ip_protocol: 'tcp', security_group_id: ref('aws_security_group', 'lb'), ...attrs }];
const backend = (attrs: Json) => ({ name: 'b', use_ssl: true, ssl_check_cert: true, ssl_cert_hostname: 'origin.example.jp', ...attrs });
const queue = (attrs: Json): [string, string, Json] => ['aws_sqs_queue', 'q', { sqs_managed_sse_enabled: true, ...attrs }];

/** For each rule: the resource (type, name) to judge, a stack where it complies, and one where it does not. */
const cases: Record<string, { target: [string, string]; compliant: SynthStack; nonCompliant: SynthStack }> = {
  'RDS-ENCRYPTED': { target: ['aws_rds_cluster', 'c'], compliant: stack([['aws_rds_cluster', 'c', db({})]]), nonCompliant: stack([['aws_rds_cluster', 'c', db({ storage_encrypted: false })]]) },
  'RDS-DELETION-PROTECTION': { target: ['aws_db_instance', 'd'], compliant: stack([['aws_db_instance', 'd', db({})]]), nonCompliant: stack([['aws_db_instance', 'd', db({ deletion_protection: false })]]) },
  'RDS-FINAL-SNAPSHOT': { target: ['aws_rds_cluster', 'c'], compliant: stack([['aws_rds_cluster', 'c', db({})]]), nonCompliant: stack([['aws_rds_cluster', 'c', db({ skip_final_snapshot: true })]]) },
  'RDS-BACKUP-RETENTION': { target: ['aws_db_instance', 'd'], compliant: stack([['aws_db_instance', 'd', db({ backup_retention_period: 7 })]]), nonCompliant: stack([['aws_db_instance', 'd', db({ backup_retention_period: 3 })]]) },
  'RDS-NOT-PUBLIC': { target: ['aws_rds_cluster_instance', 'i'], compliant: stack([['aws_rds_cluster_instance', 'i', { publicly_accessible: false }]]), nonCompliant: stack([['aws_rds_cluster_instance', 'i', { publicly_accessible: true }]]) },
  'RDS-TLS-REQUIRED': {
    target: ['aws_rds_cluster', 'c'],
    compliant: stack([['aws_rds_cluster_parameter_group', 'p', { parameter: [{ name: 'require_secure_transport', value: 'ON' }] }], ['aws_rds_cluster', 'c', db({ db_cluster_parameter_group_name: ref('aws_rds_cluster_parameter_group', 'p', 'name') })]]),
    nonCompliant: stack([['aws_rds_cluster_parameter_group', 'p', { parameter: [{ name: 'max_connections', value: '100' }] }], ['aws_rds_cluster', 'c', db({ db_cluster_parameter_group_name: ref('aws_rds_cluster_parameter_group', 'p', 'name') })]]),
  },
  'RDS-MULTI-AZ': {
    target: ['aws_rds_cluster', 'c'],
    compliant: stack([['aws_rds_cluster', 'c', db({})], ['aws_rds_cluster_instance', 'w', { cluster_identifier: ref('aws_rds_cluster', 'c'), availability_zone: 'a' }], ['aws_rds_cluster_instance', 'r', { cluster_identifier: ref('aws_rds_cluster', 'c'), availability_zone: 'c' }]]),
    nonCompliant: stack([['aws_rds_cluster', 'c', db({})], ['aws_rds_cluster_instance', 'w', { cluster_identifier: ref('aws_rds_cluster', 'c'), availability_zone: 'a' }]]),
  },
  'RDS-MONITORING': { target: ['aws_db_instance', 'd'], compliant: stack([['aws_db_instance', 'd', instance({})]]), nonCompliant: stack([['aws_db_instance', 'd', instance({ monitoring_interval: 0 })]]) },
  'EBS-ENCRYPTED': { target: ['aws_ebs_volume', 'v'], compliant: stack([['aws_ebs_volume', 'v', { encrypted: true }]]), nonCompliant: stack([['aws_ebs_volume', 'v', { encrypted: false }]]) },
  'EBS-DEFAULT-ENCRYPTION': {
    target: ['aws_instance', 'n'],
    compliant: stack([['aws_instance', 'n', {}], ['aws_ebs_encryption_by_default', 'e', { enabled: true }]]),
    nonCompliant: stack([['aws_instance', 'n', {}]]),
  },
  'S3-ENCRYPTED': { target: ['aws_s3_bucket', 'b'], compliant: bucket([['aws_s3_bucket_server_side_encryption_configuration', 'e', { bucket: ref('aws_s3_bucket', 'b') }]]), nonCompliant: bucket() },
  'S3-PUBLIC-ACCESS-BLOCKED': {
    target: ['aws_s3_bucket', 'b'],
    compliant: bucket([['aws_s3_bucket_public_access_block', 'p', { bucket: ref('aws_s3_bucket', 'b'), block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true }]]),
    nonCompliant: bucket([['aws_s3_bucket_public_access_block', 'p', { bucket: ref('aws_s3_bucket', 'b'), block_public_acls: true, block_public_policy: false, ignore_public_acls: true, restrict_public_buckets: true }]]),
  },
  'S3-TLS-ONLY': {
    target: ['aws_s3_bucket', 'b'],
    compliant: bucket([['aws_s3_bucket_policy', 'p', { bucket: ref('aws_s3_bucket', 'b'), policy: denyInsecure }]]),
    nonCompliant: bucket([['aws_s3_bucket_policy', 'p', { bucket: ref('aws_s3_bucket', 'b'), policy: policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }) }]]),
  },
  'S3-VERSIONING': {
    target: ['aws_s3_bucket', 'b'],
    compliant: bucket([['aws_s3_bucket_versioning', 'v', { bucket: ref('aws_s3_bucket', 'b'), versioning_configuration: { status: 'Enabled' } }]]),
    nonCompliant: bucket([['aws_s3_bucket_versioning', 'v', { bucket: ref('aws_s3_bucket', 'b'), versioning_configuration: { status: 'Suspended' } }]]),
  },
  'S3-LIFECYCLE': {
    target: ['aws_s3_bucket', 'b'],
    compliant: bucket([['aws_s3_bucket_lifecycle_configuration', 'l', { bucket: ref('aws_s3_bucket', 'b'), rule: [{ id: 'x', status: 'Enabled' }] }]]),
    nonCompliant: bucket([['aws_s3_bucket_lifecycle_configuration', 'l', { bucket: ref('aws_s3_bucket', 'other'), rule: [] }]]),
  },
  'SQS-ENCRYPTED': { target: ['aws_sqs_queue', 'q'], compliant: stack([queue({})]), nonCompliant: stack([queue({ sqs_managed_sse_enabled: false })]) },
  'SQS-DEAD-LETTER-QUEUE': {
    target: ['aws_sqs_queue', 'dlq'],
    compliant: stack([['aws_sqs_queue', 'dlq', {}], queue({ redrive_policy: JSON.stringify({ deadLetterTargetArn: ref('aws_sqs_queue', 'dlq', 'arn') }) })]),
    nonCompliant: stack([['aws_sqs_queue', 'dlq', {}], queue({})]),
  },
  'SQS-TLS-ONLY': {
    target: ['aws_sqs_queue', 'q'],
    compliant: stack([queue({}), ['aws_sqs_queue_policy', 'p', { queue_url: ref('aws_sqs_queue', 'q', 'url'), policy: denyInsecure }]]),
    nonCompliant: stack([queue({})]),
  },
  'DYNAMODB-ENCRYPTED': { target: ['aws_dynamodb_table', 't'], compliant: stack([['aws_dynamodb_table', 't', { server_side_encryption: { enabled: true } }]]), nonCompliant: stack([['aws_dynamodb_table', 't', {}]]) },
  'DYNAMODB-PITR': { target: ['aws_dynamodb_table', 't'], compliant: stack([['aws_dynamodb_table', 't', { point_in_time_recovery: { enabled: true } }]]), nonCompliant: stack([['aws_dynamodb_table', 't', { point_in_time_recovery: { enabled: false } }]]) },
  'DYNAMODB-DELETION-PROTECTION': { target: ['aws_dynamodb_table', 't'], compliant: stack([['aws_dynamodb_table', 't', { deletion_protection_enabled: true }]]), nonCompliant: stack([['aws_dynamodb_table', 't', {}]]) },
  'LOGS-RETENTION': { target: ['aws_cloudwatch_log_group', 'l'], compliant: stack([['aws_cloudwatch_log_group', 'l', { retention_in_days: 30 }]]), nonCompliant: stack([['aws_cloudwatch_log_group', 'l', {}]]) },
  'LOGS-ENCRYPTED': { target: ['aws_cloudwatch_log_group', 'l'], compliant: stack([['aws_cloudwatch_log_group', 'l', { kms_key_id: ref('aws_kms_key', 'k', 'arn') }]]), nonCompliant: stack([['aws_cloudwatch_log_group', 'l', {}]]) },
  'KMS-ROTATION': { target: ['aws_kms_key', 'k'], compliant: stack([['aws_kms_key', 'k', { enable_key_rotation: true }]]), nonCompliant: stack([['aws_kms_key', 'k', {}]]) },
  'SG-NO-OPEN-INGRESS': {
    target: ['aws_vpc_security_group_ingress_rule', 'rule'],
    compliant: stack([['aws_security_group', 'lb', {}], ['aws_elastic_beanstalk_environment', 'e', ebEnv(goodEb)], ingress({ from_port: 443, to_port: 443, cidr_ipv4: '0.0.0.0/0' })]),
    nonCompliant: stack([['aws_security_group', 'lb', {}], ingress({ from_port: 443, to_port: 443, cidr_ipv4: '0.0.0.0/0' })]),
  },
  'DB-NO-CIDR-INGRESS': {
    target: ['aws_vpc_security_group_ingress_rule', 'rule'],
    compliant: stack([ingress({ from_port: 1433, to_port: 1433, referenced_security_group_id: 'sg-app' })]),
    nonCompliant: stack([ingress({ from_port: 1433, to_port: 1433, cidr_ipv4: '10.0.0.0/8' })]),
  },
  'VPC-FLOW-LOGS': {
    target: ['aws_vpc', 'v'],
    compliant: stack([['aws_vpc', 'v', {}], ['aws_flow_log', 'f', { vpc_id: ref('aws_vpc', 'v') }]]),
    nonCompliant: stack([['aws_vpc', 'v', {}]]),
  },
  'VPC-DEFAULT-SG-CLOSED': {
    target: ['aws_vpc', 'v'],
    compliant: stack([['aws_vpc', 'v', {}], ['aws_default_security_group', 'd', { vpc_id: ref('aws_vpc', 'v'), ingress: [], egress: [] }]]),
    nonCompliant: stack([['aws_vpc', 'v', {}], ['aws_default_security_group', 'd', { vpc_id: ref('aws_vpc', 'v'), ingress: [{ from_port: 0, to_port: 0, protocol: '-1', self: true }], egress: [] }]]),
  },
  'EC2-IMDSV2': { target: ['aws_instance', 'n'], compliant: stack([['aws_instance', 'n', { metadata_options: { http_tokens: 'required' } }]]), nonCompliant: stack([['aws_instance', 'n', { metadata_options: { http_tokens: 'optional' } }]]) },
  'EB-IMDSV2': { target: ['aws_elastic_beanstalk_environment', 'e'], compliant: stack([['aws_elastic_beanstalk_environment', 'e', ebEnv(goodEb)]]), nonCompliant: stack([['aws_elastic_beanstalk_environment', 'e', ebEnv(without(goodEb, 'DisableIMDSv1'))]]) },
  'EB-HTTPS-LISTENER': {
    target: ['aws_elastic_beanstalk_environment', 'e'],
    compliant: stack([['aws_elastic_beanstalk_environment', 'e', ebEnv(goodEb)]]),
    nonCompliant: stack([['aws_elastic_beanstalk_environment', 'e', ebEnv(without(goodEb, 'SSLPolicy', 'ELBSecurityPolicy-2016-08'))]]),
  },
  'EB-APPLICATION-LB': { target: ['aws_elastic_beanstalk_environment', 'e'], compliant: stack([['aws_elastic_beanstalk_environment', 'e', ebEnv(goodEb)]]), nonCompliant: stack([['aws_elastic_beanstalk_environment', 'e', ebEnv(without(goodEb, 'LoadBalancerType', 'classic'))]]) },
  'EB-MANAGED-UPDATES': { target: ['aws_elastic_beanstalk_environment', 'e'], compliant: stack([['aws_elastic_beanstalk_environment', 'e', ebEnv(goodEb)]]), nonCompliant: stack([['aws_elastic_beanstalk_environment', 'e', ebEnv(without(goodEb, 'ManagedActionsEnabled'))]]) },
  'EB-ENHANCED-HEALTH': { target: ['aws_elastic_beanstalk_environment', 'e'], compliant: stack([['aws_elastic_beanstalk_environment', 'e', ebEnv(goodEb)]]), nonCompliant: stack([['aws_elastic_beanstalk_environment', 'e', ebEnv(without(goodEb, 'SystemType', 'basic'))]]) },
  'EB-LOG-STREAMING': { target: ['aws_elastic_beanstalk_environment', 'e'], compliant: stack([['aws_elastic_beanstalk_environment', 'e', ebEnv(goodEb)]]), nonCompliant: stack([['aws_elastic_beanstalk_environment', 'e', ebEnv(without(goodEb, 'StreamLogs'))]]) },
  'EB-IMMUTABLE-DEPLOYS': { target: ['aws_elastic_beanstalk_environment', 'e'], compliant: stack([['aws_elastic_beanstalk_environment', 'e', ebEnv(goodEb)]]), nonCompliant: stack([['aws_elastic_beanstalk_environment', 'e', ebEnv(without(goodEb, 'DeploymentPolicy', 'AllAtOnce'))]]) },
  'IAM-NO-WILDCARD-ACTIONS': {
    target: ['aws_iam_role_policy', 'p'],
    compliant: stack([['aws_iam_role_policy', 'p', { policy: policy({ Effect: 'Allow', Action: ['s3:GetObject'], Resource: '*' }, { Effect: 'Deny', Action: '*', Resource: '*' }) }]]),
    nonCompliant: stack([['aws_iam_role_policy', 'p', { policy: policy({ Effect: 'Allow', Action: 's3:*', Resource: '*' }) }]]),
  },
  'FASTLY-BACKEND-CERT-CHECK': {
    target: ['fastly_service_vcl', 's'],
    compliant: stack([['fastly_service_vcl', 's', { backend: [backend({}), backend({ name: 'plain', use_ssl: false, ssl_check_cert: undefined, ssl_cert_hostname: undefined })] }]]),
    nonCompliant: stack([['fastly_service_vcl', 's', { backend: [backend({ ssl_check_cert: false })] }]]),
  },
  'FASTLY-BACKEND-TLS': {
    target: ['fastly_service_vcl', 's'],
    compliant: stack([['fastly_service_vcl', 's', { backend: [backend({})] }]]),
    nonCompliant: stack([['fastly_service_vcl', 's', { backend: [backend({}), backend({ name: 'plain', use_ssl: false })] }]]),
  },
  'FASTLY-NO-FORCE-DESTROY': { target: ['fastly_service_vcl', 's'], compliant: stack([['fastly_service_vcl', 's', { force_destroy: false }]]), nonCompliant: stack([['fastly_service_vcl', 's', { force_destroy: true }]]) },
  'SES-REQUIRE-TLS': {
    target: ['aws_sesv2_configuration_set', 'c'],
    compliant: stack([['aws_sesv2_configuration_set', 'c', { delivery_options: [{ tls_policy: 'REQUIRE' }] }]]),
    nonCompliant: stack([['aws_sesv2_configuration_set', 'c', { delivery_options: [{ tls_policy: 'OPTIONAL' }] }]]),
  },
  'DATADOG-MONITOR-ROUTED': {
    target: ['datadog_monitor', 'm'],
    compliant: stack([['datadog_monitor', 'm', { priority: '2', message: 'CPU high. @slack-production-immediate' }]]),
    nonCompliant: stack([['datadog_monitor', 'm', { priority: '2', message: 'CPU high, nobody told.' }]]),
  },
  'MONITOR-COVERAGE': {
    target: ['aws_rds_cluster', 'c'],
    compliant: stack([['aws_rds_cluster', 'c', { cluster_identifier: 'orders' }], ['datadog_monitor', 'm', { tags: ['env:x', 'target:orders'] }]]),
    nonCompliant: stack([['aws_rds_cluster', 'c', { cluster_identifier: 'orders' }], ['datadog_monitor', 'm', { tags: ['env:x', 'target:other'] }]]),
  },
  'REQUIRED-TAGS': {
    target: ['aws_vpc', 'v'],
    compliant: stack([['aws_vpc', 'v', { tags: { Name: 'x' } }]]),
    nonCompliant: stack([['aws_vpc', 'v', { tags: { Team: '' } }]]),
  },
};

function verdictOf(ruleId: string, s: SynthStack, [type, name]: [string, string]): Verdict {
  const rule = ALL_RULES.find((r) => r.id === ruleId)!;
  const resource = s.resources.find((r) => r.type === type && r.name === name)!;
  expect(rule.resourceTypes.includes('*') || rule.resourceTypes.includes(type)).toBe(true);
  return rule.check(resource, s);
}

describe('policy rules', () => {
  it('has at least 25 rules, each with unique id, info, explanation and fix', () => {
    expect(ALL_RULES.length).toBeGreaterThanOrEqual(25);
    expect(new Set(ALL_RULES.map((r) => r.id)).size).toBe(ALL_RULES.length);
    for (const r of ALL_RULES) for (const text of [r.info, r.explanation, r.fix]) expect(text.length).toBeGreaterThan(10);
  });

  it('has a compliant and a non-compliant case for every rule', () => {
    expect(Object.keys(cases).sort()).toEqual(ALL_RULES.map((r) => r.id).sort());
  });

  describe.each(ALL_RULES.map((r) => r.id))('%s', (id) => {
    it('passes the compliant case', () => expect(verdictOf(id, cases[id].compliant, cases[id].target)).toBe('compliant'));
    it('fails the non-compliant case', () => expect(verdictOf(id, cases[id].nonCompliant, cases[id].target)).toBe('non-compliant'));
  });
});

describe('policies/README.md', () => {
  const readme = readFileSync(join(__dirname, '../../policies/README.md'), 'utf8');

  it.each(ALL_RULES.map((r) => [r.id, r] as const))('lists %s with its pack and matching ids', (id, rule) => {
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${id}\` |`));
    expect(row).toBeDefined();
    expect(row).toContain(`| ${rule.pack} |`);
    expect(row).toContain(rule.info);
    expect(row).toContain(`| ${rule.cdkNag ?? '-'} | ${rule.checkov ?? '-'} |`);
  });
});
