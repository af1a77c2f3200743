import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SecureBucket } from '../../constructs/core/bucket';
import { Testing } from 'cdktf';
import { loadAccounts } from '../../accounts';
import { BootstrapStack } from '../../bootstrap/bootstrap-stack';
import { TerraformJson, errorOf, onlyResource, synthAccount, synthConstructs } from '../helpers';

// S3 bucket names are global across every AWS account
// (docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html): a name made of the
// app's name alone is taken by the first account that uses it.
describe('SecureBucket names', () => {
  it('appends the account id the stack\'s AWS provider is pinned to', () => {
    const json = synthConstructs((s) => {
      new AwsProvider(s, 'aws', { region: 'ap-northeast-1', allowedAccountIds: ['222222222222'] });
      new SecureBucket(s, 'b', { bucketName: 'hotel-core-native-backups' });
    });
    expect(onlyResource(json, 'aws_s3_bucket').bucket).toBe('hotel-core-native-backups-222222222222');
  });

  it('keeps a name that already ends with the account id, and takes an explicit account id', () => {
    const kept = synthConstructs((s) => new SecureBucket(s, 'b', { bucketName: 'example-co-tfstate-111111111111', accountId: '111111111111' }));
    expect(onlyResource(kept, 'aws_s3_bucket').bucket).toBe('example-co-tfstate-111111111111');
    const explicit = synthConstructs((s) => new SecureBucket(s, 'b', { bucketName: 'logs', accountId: '333333333333' }));
    expect(onlyResource(explicit, 'aws_s3_bucket').bucket).toBe('logs-333333333333');
  });

  it('names the state bucket the backend reads exactly as the bootstrap creates it, for every account', () => {
    for (const account of loadAccounts()) {
      const backend = synthAccount({ ...account, state: { bucket: 'example-co-tfstate' } }).terraform.backend.s3.bucket;
      const created = new BootstrapStack(Testing.app(), { account: { ...account, state: { bucket: 'example-co-tfstate' } } }).toTerraform() as TerraformJson;
      expect(backend).toBe(`example-co-tfstate-${account.accountId}`);
      expect(onlyResource(created, 'aws_s3_bucket').bucket).toBe(backend);
    }
  });

  it('resolves the account at plan time (aws_caller_identity) when no provider pins it', () => {
    const json = synthConstructs((s) => new SecureBucket(s, 'b', { bucketName: 'logs' }));
    expect(onlyResource(json, 'aws_s3_bucket').bucket).toBe('logs-${data.aws_caller_identity.caller-identity.account_id}');
  });

  it('refuses a name S3 would refuse once the account id is appended, naming the prop and the limit', () => {
    const long = 'x'.repeat(51);
    expect(errorOf(() => synthConstructs((s) => new SecureBucket(s, 'b', { bucketName: long, accountId: '111111111111' })))).toBe(
      `test/b: bucketName: got "${long}", which makes the bucket name "${long}-111111111111"; expected 3-63 lower-case letters, digits, dots or hyphens with the account id appended (so at most 50 characters before it)`,
    );
    expect(errorOf(() => synthConstructs((s) => new SecureBucket(s, 'b', { bucketName: 'Logs', accountId: '111111111111' })))).toContain('bucketName: got "Logs"');
  });
});
