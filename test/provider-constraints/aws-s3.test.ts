/**
 * The S3 backend and the S3 resources the stacks and the bootstrap emit, against what
 * Terraform and the AWS provider accept: hashicorp/terraform
 * internal/backend/remote-state/s3/validate.go (kms_key_id: key id, key ARN, alias name or
 * alias ARN, since Terraform 1.6.1) and hashicorp/terraform-provider-aws
 * internal/service/s3/bucket.go (validBucketName), bucket_server_side_encryption_configuration.go.
 */
import { Testing } from 'cdktf';
import { loadAccounts } from '../../accounts';
import { BootstrapStack } from '../../bootstrap/bootstrap-stack';
import { TerraformJson, resourcesOf, synthAccount } from '../helpers';

const accounts = loadAccounts();
const stacks = accounts.flatMap((a) => [
  [a.name, synthAccount(a)] as const,
  [`bootstrap-${a.name}`, new BootstrapStack(Testing.app(), { account: a }).toTerraform() as TerraformJson] as const,
]);
const all = (type: string) => stacks.flatMap(([stack, json]) => Object.entries(resourcesOf(json, type)).map(([id, r]) => [`${stack} ${id}`, r] as const));

describe('S3 backend (validate.go)', () => {
  it.each(accounts.map((a) => [a.name, a] as const))('%s: kms_key_id is an alias ARN of the account and region, with encrypt on and S3-native locking', (_name, a) => {
    const backend = synthAccount(a).terraform.backend.s3;
    expect(backend.kms_key_id).toMatch(new RegExp(`^arn:aws:kms:${a.region}:${a.accountId}:alias/[a-zA-Z0-9/_-]+$`)); // aliasRegexPattern in isKeyARN
    expect(backend).toMatchObject({ encrypt: true, use_lockfile: true, bucket: a.state.bucket });
  });
});

describe('aws_s3_bucket and its configuration resources', () => {
  it.each(all('aws_s3_bucket'))('%s: a valid, account-unique bucket name (validBucketName)', (id, b) => {
    expect(b.bucket).toMatch(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/);
    expect(b.bucket).toMatch(new RegExp(`-${accounts.find((a) => id.split(' ')[0].endsWith(a.name))!.accountId}$`));
  });

  it.each(all('aws_s3_bucket_server_side_encryption_configuration'))('%s: sse_algorithm AES256 or aws:kms; a KMS key only with aws:kms', (_id, c) => {
    const byDefault = c.rule[0].apply_server_side_encryption_by_default;
    expect(['AES256', 'aws:kms', 'aws:kms:dsse']).toContain(byDefault.sse_algorithm);
    if (byDefault.kms_master_key_id !== undefined) expect(byDefault.sse_algorithm).toBe('aws:kms');
  });

  it.each(all('aws_s3_bucket_lifecycle_configuration'))('%s: every rule has an id, a status and one filter (bucket_lifecycle_configuration.go)', (_id, l) => {
    for (const rule of l.rule) {
      expect(rule.id.length).toBeLessThanOrEqual(255);
      expect(['Enabled', 'Disabled']).toContain(rule.status);
      expect(rule.filter).toHaveLength(1);
    }
  });
});
