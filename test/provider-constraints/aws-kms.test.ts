/** KMS keys and aliases of every account stack against internal/service/kms/key.go and alias.go. */
import { accountResources } from '../helpers';

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
