import { loadAccounts } from '../../accounts';
import { ELB_LOG_ACCOUNTS, LoadBalancerLogBucket, elbLogWriter } from '../../constructs/beanstalk/access-log-bucket';
import { AWS_REGIONS } from '../../accounts/schema';
import { TerraformJson, errorOf, onlyResource, resourcesOf, synthAccount, synthConstructs } from '../helpers';

/**
 * ALB access logs, per docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html:
 * the bucket is in the load balancer's Region; SSE-S3 is the only default encryption
 * supported (not SSE-KMS); the policy lets the Region's ELB account (Regions opened before
 * August 2022, ap-northeast-1 among them: 582318560864) or, in newer Regions, the service
 * principal logdelivery.elasticloadbalancing.amazonaws.com put objects under
 * bucket/prefix/AWSLogs/<account id>/. Beanstalk turns them on with the aws:elbv2:loadbalancer
 * options AccessLogsS3Enabled, AccessLogsS3Bucket and AccessLogsS3Prefix
 * (docs.aws.amazon.com/elasticbeanstalk/latest/dg/command-options-general.html#command-options-general-elbv2).
 */
const statements = (json: TerraformJson) => JSON.parse(onlyResource(json, 'aws_s3_bucket_policy').policy).Statement;
const build = (region: string, expireAfterDays?: number) =>
  synthConstructs((stack) => new LoadBalancerLogBucket(stack, 'alb-logs', { bucketName: 'production-alb-logs', accountId: '111111111111', region, expireAfterDays }));

describe('LoadBalancerLogBucket', () => {
  const json = build('ap-northeast-1');

  it('names the ELB account of an older Region (ap-northeast-1: 582318560864) and limits it to PutObject under AWSLogs/<account>/', () => {
    const write = statements(json).find((s: TerraformJson) => s.Sid === 'LoadBalancersWriteAccessLogs');
    expect(write).toEqual({
      Sid: 'LoadBalancersWriteAccessLogs',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::582318560864:root' },
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::production-alb-logs-111111111111/*/AWSLogs/111111111111/*',
    });
    expect(onlyResource(json, 'aws_s3_bucket').bucket).toBe('production-alb-logs-111111111111');
  });

  it('names the log delivery service principal in a Region opened since August 2022', () => {
    const write = statements(build('ap-southeast-3')).find((s: TerraformJson) => s.Sid === 'LoadBalancersWriteAccessLogs');
    expect(write.Principal).toEqual({ Service: 'logdelivery.elasticloadbalancing.amazonaws.com' });
  });

  it('knows the ELB account of every Region an account may use', () => {
    expect(AWS_REGIONS.filter((r) => ELB_LOG_ACCOUNTS[r] === undefined)).toEqual([]);
    expect(elbLogWriter('ap-northeast-1')).toEqual({ AWS: 'arn:aws:iam::582318560864:root' });
  });

  it('encrypts with SSE-S3 (ALB access logs support no SSE-KMS) and deletes logs after a year by default', () => {
    const sse = onlyResource(json, 'aws_s3_bucket_server_side_encryption_configuration').rule[0].apply_server_side_encryption_by_default;
    expect(sse).toEqual({ sse_algorithm: 'AES256' });
    expect(onlyResource(json, 'aws_s3_bucket_lifecycle_configuration').rule[0].expiration).toEqual([{ days: 365 }]);
    expect(onlyResource(build('ap-northeast-1', 30), 'aws_s3_bucket_lifecycle_configuration').rule[0].expiration).toEqual([{ days: 30 }]);
  });

  it('refuses a retention below a day, naming the prop', () => {
    expect(errorOf(() => build('ap-northeast-1', 0))).toMatch(/expireAfterDays: got 0, expected a whole number of days, at least 1/);
  });
});

describe.each(loadAccounts().filter((a) => a.apps.length > 0).map((a) => [a.name, a] as const))('access logs of %s', (_name, account) => {
  const json = synthAccount(account);
  const [bucketId, bucket] = Object.entries(resourcesOf(json, 'aws_s3_bucket')).find(([id]) => id.startsWith('alb-logs'))!;
  const policyId = Object.keys(resourcesOf(json, 'aws_s3_bucket_policy')).find((id) => id.startsWith('alb-logs'))!;
  const environments = Object.values(resourcesOf(json, 'aws_elastic_beanstalk_environment'));
  const setting = (e: TerraformJson, name: string) => e.setting.find((s: TerraformJson) => s.namespace === 'aws:elbv2:loadbalancer' && s.name === name)?.value;

  it('has environments to check', () => expect(environments.length).toBeGreaterThan(0));

  it("every Beanstalk load balancer logs into the account's bucket, under its environment's name, once the bucket policy exists", () => {
    for (const e of environments) {
      expect([e.name, setting(e, 'AccessLogsS3Enabled'), setting(e, 'AccessLogsS3Bucket'), setting(e, 'AccessLogsS3Prefix')]).toEqual([e.name, 'true', `\${aws_s3_bucket.${bucketId}.bucket}`, e.name]);
      expect(e.depends_on).toContain(`aws_s3_bucket_policy.${policyId}`);
    }
  });

  it("the bucket is the account's, in its Region, written by that Region's load balancers", () => {
    expect(bucket.bucket).toBe(`${account.name}-alb-logs-${account.accountId}`);
    const write = JSON.parse(resourcesOf(json, 'aws_s3_bucket_policy')[policyId].policy).Statement.find((s: TerraformJson) => s.Sid === 'LoadBalancersWriteAccessLogs');
    expect(write.Principal).toEqual(elbLogWriter(account.region));
    expect(write.Resource).toBe(`arn:aws:s3:::${bucket.bucket}/*/AWSLogs/${account.accountId}/*`);
  });

  it('carries no LB-ACCESS-LOGS suppression any more', () => {
    expect(account.apps.flatMap((a) => (a.suppressions ?? []).map((s) => s.rule))).not.toContain('LB-ACCESS-LOGS');
  });
});
