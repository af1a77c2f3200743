/** SQS queues of every account stack against internal/service/sqs/queue.go and queue_policy.go. */
import { accountResources } from '../helpers';

describe('aws_sqs_queue (internal/service/sqs/queue.go)', () => {
  it.each(accountResources('aws_sqs_queue'))('%s: name, retention, visibility, encryption and redrive as the schema allows', (_id, q) => {
    expect(q.name).toMatch(/^[0-9A-Za-z_-]{1,80}$/); // standard queue names (".fifo" only for FIFO queues)
    if (q.message_retention_seconds !== undefined) expect(q.message_retention_seconds >= 60 && q.message_retention_seconds <= 1209600).toBe(true);
    if (q.visibility_timeout_seconds !== undefined) expect(q.visibility_timeout_seconds >= 0 && q.visibility_timeout_seconds <= 43200).toBe(true);
    expect(q.sqs_managed_sse_enabled === true && q.kms_master_key_id !== undefined).toBe(false); // ConflictsWith
    if (q.redrive_policy !== undefined) {
      const redrive = JSON.parse(q.redrive_policy);
      expect(redrive.maxReceiveCount >= 1 && redrive.maxReceiveCount <= 1000).toBe(true);
      expect(redrive.deadLetterTargetArn).toMatch(/^\$\{aws_sqs_queue\.[\w-]+\.arn\}$/);
    }
  });
});

describe('aws_sqs_queue_policy (queue_policy.go)', () => {
  it.each(accountResources('aws_sqs_queue_policy'))('%s: queue_url and a JSON policy (Required)', (_id, p) => {
    expect(p.queue_url).toBeTruthy();
    expect(JSON.parse(p.policy).Version).toBe('2012-10-17');
  });
});
