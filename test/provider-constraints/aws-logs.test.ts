/** Log groups of every account stack against internal/service/logs/group.go. */
import { accountResources } from '../helpers';

// group.go: retention_in_days validation.IntInSlice of the values CloudWatch Logs accepts.
const RETENTION_DAYS = [0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

describe('aws_cloudwatch_log_group (internal/service/logs/group.go)', () => {
  it.each(accountResources('aws_cloudwatch_log_group'))('%s: a valid name, a retention CloudWatch accepts, the account key', (_id, g) => {
    expect(g.name).toMatch(/^[.\-_/#A-Za-z0-9]{1,512}$/);
    expect(RETENTION_DAYS).toContain(g.retention_in_days);
    expect(g.kms_key_id).toMatch(/^\$\{aws_kms_key\.[\w-]+\.arn\}$/);
  });
});
