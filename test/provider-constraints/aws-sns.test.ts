/** SNS topics and subscriptions of every account stack against internal/service/sns/topic.go and topic_subscription.go. */
import { accountResources } from '../helpers';

describe('aws_sns_topic (internal/service/sns/topic.go)', () => {
  it.each(accountResources('aws_sns_topic'))('%s: name 1-256 of A-Z a-z 0-9 _ -, policy JSON', (_id, t) => {
    expect(t.name).toMatch(/^[A-Za-z0-9_-]{1,256}$/);
    if (t.policy !== undefined) expect(JSON.parse(t.policy).Version).toBe('2012-10-17');
  });
});

describe('aws_sns_topic_subscription (topic_subscription.go)', () => {
  it.each(accountResources('aws_sns_topic_subscription'))('%s: a protocol of the enum, endpoint and topic_arn (Required)', (_id, s) => {
    expect(['application', 'email', 'email-json', 'firehose', 'http', 'https', 'lambda', 'sms', 'sqs']).toContain(s.protocol);
    expect(s.endpoint).toBeTruthy();
    expect(s.topic_arn).toBeTruthy();
  });
});
