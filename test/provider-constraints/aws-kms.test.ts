/** KMS keys and aliases of every account stack against internal/service/kms/key.go and alias.go. */
import { Testing } from 'cdktf';
import { loadAccounts } from '../../accounts';
import { management } from '../../accounts/management';
import { accountIds } from '../../accounts/management-schema';
import { ManagementStack } from '../../stacks/management-stack';
import { TerraformJson, accountResources, resourcesOf, synthAccount } from '../helpers';

describe('aws_kms_key (internal/service/kms/key.go)', () => {
  it.each(accountResources('aws_kms_key'))('%s: deletion_window_in_days 7-30 (IntBetween), rotation on, policy JSON', (_id, key) => {
    expect(key.deletion_window_in_days >= 7 && key.deletion_window_in_days <= 30).toBe(true);
    expect(key.enable_key_rotation).toBe(true);
    expect(String(key.description).length).toBeLessThanOrEqual(8192);
    if (key.policy !== undefined) expect(JSON.parse(key.policy).Version).toBe('2012-10-17');
  });
});

describe('aws_kms_alias (internal/service/kms/alias.go)', () => {
  it.each(accountResources('aws_kms_alias'))('%s: name starts with alias/ and not alias/aws/ (validNameForResource)', (_id, alias) => {
    expect(alias.name).toMatch(/^alias\/[a-zA-Z0-9/_-]+$/);
    expect(alias.name.startsWith('alias/aws/')).toBe(false);
  });
});

/**
 * "Adding the aws:SourceAccount and aws:SourceArn to a AWS KMS policy is not supported for
 * EventBridge-to-encrypted topics" (docs.aws.amazon.com/sns/latest/dg/sns-key-management.html;
 * awslabs/landing-zone-accelerator-on-aws#407): with such a condition every event the rule
 * sends to the topic is dropped, silently. Every key of every stack, management included.
 */
describe('keys EventBridge publishes with', () => {
  const stacks = [
    ...loadAccounts().map((a) => synthAccount(a) as TerraformJson),
    new ManagementStack(Testing.app(), { config: management, accountIds: accountIds(management, loadAccounts()) }).toTerraform() as TerraformJson,
  ];
  const statements = stacks.flatMap((s) =>
    Object.values(resourcesOf(s, 'aws_kms_key')).flatMap((k) => ((k.policy === undefined ? [] : JSON.parse(k.policy as string).Statement) as TerraformJson[]).filter((st) => JSON.stringify(st.Principal ?? '').includes('events.amazonaws.com'))),
  );

  it('carry no aws:SourceAccount or aws:SourceArn condition (the failed-build and break-glass alerts)', () => {
    expect(statements.length).toBeGreaterThanOrEqual(2);
    for (const st of statements) expect(JSON.stringify(st.Condition ?? {})).not.toMatch(/aws:Source(Account|Arn)/);
  });
});
