import { Testing } from 'cdktf';
import { production } from '../../accounts/production';
import { suppressionsUnder } from '../../constructs/core/suppressions';
import { evaluate } from '../../policies/engine';
import { packsFor, rulesIn } from '../../policies/packs';
import { Json, stackOf } from '../../policies/rule';
import { scanJson } from '../../policies/secret-scan';
import { AccountStack } from '../../stacks/account-stack';
import { testAccount } from '../helpers';

/**
 * Realistic misconfigurations applied to the synthesized production stack (the same JSON
 * `npm start` writes), each expected to be caught by a named rule, and rewrites that change
 * nothing in meaning, expected to be caught by none. Resources are found by their construct
 * ids in the real output, so the cases follow the stack as it changes.
 */
const account = testAccount({ ...production });
const stack = new AccountStack(Testing.app(), { account });
const synthesized = stack.toTerraform() as Json;
const suppressions = suppressionsUnder(stack);
const rules = rulesIn(packsFor('production'));

const copy = (): Json => JSON.parse(JSON.stringify(synthesized));
/** The first resource of `type` whose Terraform name matches `name`. */
function find(json: Json, type: string, name: RegExp = /./): [string, Json] {
  const entry = Object.entries((json.resource[type] ?? {}) as Json).find(([n]) => name.test(n));
  if (!entry) throw new Error(`no ${type} matching ${name} in the production stack`);
  return entry as [string, Json];
}
const ref = (type: string, name: string, field = 'id') => `\${${type}.${name}.${field}}`;
const add = (json: Json, type: string, name: string, attributes: Json) => (json.resource[type] = { ...(json.resource[type] ?? {}), [name]: attributes });
const setting = (env: Json, name: string) => (env.setting as Json[]).find((s) => s.name === name)!;
const violations = (json: Json) => evaluate(stackOf('production', json), rules, suppressions).violations.map((v) => v.rule.id);
const trust = (statement: Json) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });

const misconfigurations: Array<[string, string, (json: Json) => void]> = [
  ['AdministratorAccess attached to an instance role', 'IAM-NO-ADMIN', (j) => add(j, 'aws_iam_role_policy_attachment', 'admin', { role: ref('aws_iam_role', find(j, 'aws_iam_role', /instance-role/)[0], 'name'), policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess' })],
  ['AdministratorAccess in managed_policy_arns', 'IAM-NO-ADMIN', (j) => (find(j, 'aws_iam_role', /node-role/)[1].managed_policy_arns = ['arn:aws:iam::aws:policy/AdministratorAccess'])],
  ['secrets readable on "*"', 'IAM-SENSITIVE-RESOURCES', (j) => {
    const [, p] = find(j, 'aws_iam_role_policy', /read-secrets/);
    const doc = JSON.parse(p.policy);
    doc.Statement[0].Resource = '*';
    p.policy = JSON.stringify(doc);
  }],
  ['an inline_policy block with a service wildcard', 'IAM-NO-WILDCARD-ACTIONS', (j) => (find(j, 'aws_iam_role', /worker_role/)[1].inline_policy = [{ name: 'debug', policy: trust({ Effect: 'Allow', Action: 's3:*', Resource: '*' }) }])],
  ['a Lambda role anyone can assume', 'IAM-TRUST-NOT-PUBLIC', (j) => (find(j, 'aws_iam_role', /worker_role/)[1].assume_role_policy = trust({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }))],
  ['the Datadog role trusting its account without the external id', 'IAM-TRUST-ACCOUNT-CONDITION', (j) => {
    const [, r] = find(j, 'aws_iam_role', /datadog/);
    const doc = JSON.parse(r.assume_role_policy);
    delete doc.Statement[0].Condition;
    r.assume_role_policy = JSON.stringify(doc);
  }],
  ['a GitHub OIDC role without a subject', 'IAM-OIDC-SUBJECT', (j) => add(j, 'aws_iam_role', 'ci', { assume_role_policy: trust({ Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com' }, Action: 'sts:AssumeRoleWithWebIdentity' }) })],
  ['RDP opened to the world with the legacy rule resource', 'SG-NO-OPEN-INGRESS', (j) => add(j, 'aws_security_group_rule', 'rdp', { type: 'ingress', protocol: 'tcp', from_port: 3389, to_port: 3389, cidr_blocks: ['0.0.0.0/0'], security_group_id: ref('aws_security_group', find(j, 'aws_security_group', /instance-sg/)[0]) })],
  ['open egress from an Aurora security group', 'DB-NO-OPEN-EGRESS', (j) => add(j, 'aws_vpc_security_group_egress_rule', 'db-out', { security_group_id: ref('aws_security_group', find(j, 'aws_security_group', /aurora-restaurant_security-group/)[0]), ip_protocol: '-1', cidr_ipv4: '0.0.0.0/0' })],
  ['PostgreSQL opened to the VPC range', 'DB-NO-CIDR-INGRESS', (j) => add(j, 'aws_vpc_security_group_ingress_rule', 'db-cidr', { security_group_id: ref('aws_security_group', find(j, 'aws_security_group', /aurora-restaurant_security-group/)[0]), ip_protocol: 'tcp', from_port: 5432, to_port: 5432, cidr_ipv4: '10.10.0.0/16' })],
  ['public IPs on launch in a private subnet', 'SUBNET-NO-AUTO-PUBLIC-IP', (j) => (find(j, 'aws_subnet', /private/)[1].map_public_ip_on_launch = true)],
  ['public IPs on Beanstalk instances', 'EC2-NO-PUBLIC-IP', (j) => (setting(find(j, 'aws_elastic_beanstalk_environment')[1], 'AssociatePublicIpAddress').value = 'true')],
  ['a public IP on a SQL Server node', 'EC2-NO-PUBLIC-IP', (j) => (find(j, 'aws_instance')[1].associate_public_ip_address = true)],
  ['a queue policy open to "*"', 'RESOURCE-POLICY-NOT-PUBLIC', (j) => {
    const [, p] = find(j, 'aws_sqs_queue_policy', /queue-policy/);
    const doc = JSON.parse(p.policy);
    doc.Statement.push({ Effect: 'Allow', Principal: '*', Action: 'sqs:SendMessage', Resource: '*' });
    p.policy = JSON.stringify(doc);
  }],
  ['a key policy open to "*"', 'RESOURCE-POLICY-NOT-PUBLIC', (j) => {
    const [, k] = find(j, 'aws_kms_key', /mail-customer/);
    const doc = JSON.parse(k.policy);
    doc.Statement.push({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*' });
    k.policy = JSON.stringify(doc);
  }],
  ['an unencrypted SNS topic', 'SNS-ENCRYPTED', (j) => delete find(j, 'aws_sns_topic')[1].kms_master_key_id],
  ['the mail history on the AWS owned key', 'DYNAMODB-ENCRYPTED', (j) => delete find(j, 'aws_dynamodb_table')[1].server_side_encryption.kms_key_arn],
  ['S3 default encryption with an empty algorithm', 'S3-ENCRYPTED', (j) => (find(j, 'aws_s3_bucket_server_side_encryption_configuration')[1].rule[0].apply_server_side_encryption_by_default.sse_algorithm = '')],
  ['an SQS queue with an empty key and no SQS-managed encryption', 'SQS-ENCRYPTED', (j) => Object.assign(find(j, 'aws_sqs_queue')[1], { sqs_managed_sse_enabled: false, kms_master_key_id: '' })],
  ['Aurora without log exports', 'RDS-LOG-EXPORTS', (j) => (find(j, 'aws_rds_cluster')[1].enabled_cloudwatch_logs_exports = [])],
  ['the database audit log kept 30 days', 'LOGS-AUDIT-RETENTION', (j) => (find(j, 'aws_cloudwatch_log_group', /log-audit/)[1].retention_in_days = 30)],
  ['a Lambda log group kept 1 day', 'LOGS-RETENTION', (j) => (find(j, 'aws_cloudwatch_log_group', /worker_logs/)[1].retention_in_days = 1)],
  ['a Fastly backend without a minimum TLS version', 'FASTLY-BACKEND-MIN-TLS', (j) => delete find(j, 'fastly_service_vcl')[1].backend[0].min_tls_version],
  ['a mail worker whose monitors were removed', 'MONITOR-SIGNALS', (j) => {
    for (const name of Object.keys(j.resource.datadog_monitor)) if (/customer-mail-worker/.test(name)) delete j.resource.datadog_monitor[name];
  }],
  ['a monitor still tagged for the queue but querying another', 'MONITOR-COVERAGE', (j) => {
    const [, m] = find(j, 'datadog_monitor', /customer-mail-oldest-message/);
    m.query = String(m.query).replace('queuename:customer-mail}', 'queuename:internal-mail}');
  }],
  ['an SLO whose burn-rate alerts were removed', 'DATADOG-MONITOR-ROUTED', (j) => {
    const [slo] = find(j, 'datadog_service_level_objective', /restaurant/);
    for (const [name, m] of Object.entries(j.resource.datadog_monitor as Json)) if (String((m as Json).query).includes(slo)) delete j.resource.datadog_monitor[name];
  }],
  ['DeploymentPolicy left out (AllAtOnce)', 'EB-IMMUTABLE-DEPLOYS', (j) => {
    const [, env] = find(j, 'aws_elastic_beanstalk_environment');
    env.setting = (env.setting as Json[]).filter((s) => s.name !== 'DeploymentPolicy');
  }],
  ['a lifecycle whose only rule is disabled', 'S3-LIFECYCLE', (j) => (find(j, 'aws_s3_bucket_lifecycle_configuration')[1].rule[0].status = 'Disabled')],
  ['a mail queue whose redrive policy is null', 'SQS-DEAD-LETTER-QUEUE', (j) => (find(j, 'aws_sqs_queue', /_queue_/)[1].redrive_policy = null)],
  ['a reader pinned to the writer\'s zone', 'RDS-MULTI-AZ', (j) => {
    const [, reader] = find(j, 'aws_rds_cluster_instance', /restaurant_reader/);
    reader.availability_zone = find(j, 'aws_rds_cluster_instance', /restaurant_writer/)[1].availability_zone;
  }],
  ['an empty final snapshot name', 'RDS-FINAL-SNAPSHOT', (j) => (find(j, 'aws_rds_cluster')[1].final_snapshot_identifier = '')],
  ['a required tag blanked on a queue', 'REQUIRED-TAGS', (j) => (find(j, 'aws_sqs_queue')[1].tags = { Team: '' })],
  ['a second function URL open to anyone, without a reason', 'LAMBDA-URL-AUTH', (j) => add(j, 'aws_lambda_function_url', 'debug', { authorization_type: 'NONE', function_name: 'x' })],
  ['image build instances with IMDSv1', 'IMAGEBUILDER-IMDSV2', (j) => (find(j, 'aws_imagebuilder_infrastructure_configuration')[1].instance_metadata_options.http_tokens = 'optional')],
  ['shared AMIs distributed without the AMI key', 'AMI-DISTRIBUTION-ENCRYPTED', (j) => delete find(j, 'aws_imagebuilder_distribution_configuration')[1].distribution[0].ami_distribution_configuration.kms_key_id],
  ['the Datadog agent installed with its key', 'IMAGEBUILDER-COMPONENT-NO-KEY', (j) => {
    const [, c] = find(j, 'aws_imagebuilder_component', /datadog-agent/);
    c.data = String(c.data).replace("'/i',$msi", "'/i',$msi,'APIKEY=$env:DD_KEY'");
  }],
];

/** Rewrites that keep the meaning: none may raise a finding. */
const equivalents: Array<[string, (json: Json) => void]> = [
  ['a role policy rendered by data.aws_iam_policy_document', (j) => {
    const [, p] = find(j, 'aws_iam_role_policy', /read-secrets/);
    const doc = JSON.parse(p.policy);
    j.data = { aws_iam_policy_document: { secrets: { statement: doc.Statement.map((s: Json) => ({ effect: s.Effect, actions: s.Action, resources: s.Resource })) } } };
    p.policy = '${data.aws_iam_policy_document.secrets.json}';
  }],
  ['a policy with a single-object Statement', (j) => {
    const [, p] = find(j, 'aws_iam_role_policy', /flow-logs-policy/);
    const doc = JSON.parse(p.policy);
    p.policy = JSON.stringify({ ...doc, Statement: doc.Statement[0] });
  }],
  ['Aurora instances with their zones left to AWS', (j) => {
    for (const i of Object.values(j.resource.aws_rds_cluster_instance as Json)) delete (i as Json).availability_zone;
  }],
  ['bucket companions naming the bucket literally', (j) => {
    const [name, bucket] = find(j, 'aws_s3_bucket');
    for (const type of Object.keys(j.resource).filter((t) => t.startsWith('aws_s3_bucket_'))) {
      for (const c of Object.values(j.resource[type] as Json)) if ((c as Json).bucket === ref('aws_s3_bucket', name)) (c as Json).bucket = bucket.bucket;
    }
  }],
  ['a policy written with jsonencode()', (j) => (find(j, 'aws_iam_role_policy', /flow-logs-policy/)[1].policy = '${jsonencode({Version = "2012-10-17", Statement = local.flow_logs})}')],
];

describe('realistic misconfigurations of the production stack', () => {
  it('finds nothing in the stack as synthesized (with its reasoned suppressions)', () => {
    expect(violations(copy())).toEqual([]);
  });

  it.each(misconfigurations)('%s: %s', (_what, rule, mutate) => {
    const json = copy();
    mutate(json);
    expect(violations(json)).toContain(rule);
  });

  it.each(equivalents)('raises nothing for %s', (_what, rewrite) => {
    const json = copy();
    rewrite(json);
    expect(violations(json)).toEqual([]);
  });
});

describe('secrets slipped into the production stack', () => {
  const found = (json: Json) => scanJson(json, 'stacks/production/cdk.tf.json', account).map((f) => f.kind);
  it('finds none as synthesized', () => expect(found(copy())).toEqual([]));
  it.each<[string, string, (json: Json) => void]>([
    ['a SendGrid key in a Lambda variable', 'literal value in secret-named variable "SENDGRID_API_KEY"', (j) => (find(j, 'aws_lambda_function', /worker/)[1].environment.variables.SENDGRID_API_KEY = 'SG.placeholder')],
    ['a password in a Beanstalk environment property', 'literal value in secret-named variable "DB_PASSWORD"', (j) => (find(j, 'aws_elastic_beanstalk_environment')[1].setting as Json[]).push({ namespace: 'aws:elasticbeanstalk:application:environment', name: 'DB_PASSWORD', value: 'correct-horse' })],
    ['credentials inside a URL in user_data', 'password in a URL', (j) => (find(j, 'aws_instance')[1].user_data = 'setx DB "sqlserver://sa:Winter2026!@10.10.64.12:1433"')],
  ])('%s', (_what, kind, mutate) => {
    const json = copy();
    mutate(json);
    expect(found(json)).toContain(kind);
  });
});
