import { synthAccount, testAccount } from '../helpers';

describe('AccountStack', () => {
  const account = testAccount({ name: 'staging' });
  const json = synthAccount(account);
  const aws = json.provider.aws[0];

  it('pins the AWS provider to the account and its region', () => {
    expect(aws.allowed_account_ids).toEqual(['222222222222']);
    expect(aws.region).toBe('ap-northeast-1');
  });

  it('assumes the plan role unless ci_role says apply', () => {
    expect(json.variable.ci_role.default).toBe('plan');
    expect(json.variable.ci_role.validation[0].condition).toBe('${contains(["plan", "apply"], var.ci_role)}');
    const roleArn: string = aws.assume_role[0].role_arn;
    expect(roleArn).toContain('"plan" = "arn:aws:iam::222222222222:role/infra-ci-plan"');
    expect(roleArn).toContain('"apply" = "arn:aws:iam::222222222222:role/infra-ci-apply"');
    expect(roleArn).toMatch(/\[var\.ci_role\]\}$/);
    expect(aws.assume_role[0].session_name).toBe('cdktf-staging');
  });

  it('tags every resource through default_tags', () => {
    expect(aws.default_tags[0].tags).toEqual({
      Environment: 'staging',
      Account: 'staging',
      ManagedBy: 'cdktf',
      Repository: 'example-co/infrastructure',
      Team: 'platform',
      CostCenter: 'CC-2200',
    });
  });

  it('keeps state in the account bucket, encrypted, with S3-native locking', () => {
    expect(json.terraform.backend.s3).toEqual({
      bucket: 'example-co-tfstate-222222222222',
      key: 'staging/terraform.tfstate',
      region: 'ap-northeast-1',
      encrypt: true,
      use_lockfile: true,
      allowed_account_ids: ['222222222222'],
    });
    expect(json.terraform.backend.s3.dynamodb_table).toBeUndefined();
  });

  it('derives the state key from the stack name', () => {
    const other = synthAccount(testAccount({ name: 'qa', accountId: '444444444444' }));
    expect(other.terraform.backend.s3.key).toBe('qa/terraform.tfstate');
  });

  it('configures Datadog from the environment only: no key in the JSON', () => {
    expect(json.provider.datadog).toEqual([{ api_url: 'https://api.ap1.datadoghq.com/' }]);
    expect(JSON.stringify(json)).not.toMatch(/api_key|app_key/);
  });

  it('pins provider versions', () => {
    expect(json.terraform.required_providers.aws.version).toMatch(/^6\./);
    expect(json.terraform.required_providers.datadog.version).toMatch(/^3\./);
  });
});
