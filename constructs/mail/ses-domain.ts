import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { Sesv2ConfigurationSet } from '@cdktf/provider-aws/lib/sesv2-configuration-set';
import { Sesv2ConfigurationSetEventDestination } from '@cdktf/provider-aws/lib/sesv2-configuration-set-event-destination';
import { Sesv2EmailIdentity } from '@cdktf/provider-aws/lib/sesv2-email-identity';
import { Sesv2EmailIdentityMailFromAttributes } from '@cdktf/provider-aws/lib/sesv2-email-identity-mail-from-attributes';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { denyInsecureTransport, policyDocument } from '../core/iam';
import { MAIL_DEAD_LETTER_RETENTION_SECONDS } from '../monitoring/spec';

export interface SesDomainProps {
  /** Name of the configuration set, topic and events queue. */
  readonly name: string;
  readonly domain: string;
  /** @default 'mail' */
  readonly mailFromSubdomain?: string;
  readonly region: string;
  readonly accountId: string;
  /** Route 53 zone of the domain: DKIM, MAIL FROM MX and SPF records go there. @default - not created */
  readonly hostedZoneId?: string;
  /** KMS key for the events topic. */
  readonly kmsKeyArn: string;
}

/**
 * An SES sending domain: identity with DKIM (2048-bit), custom MAIL FROM, a configuration
 * set that requires TLS, tracks reputation and suppresses addresses that bounce or
 * complain, and bounce / complaint / delivery / reject events to SNS and an SQS queue.
 */
export class SesDomain extends Construct {
  public readonly identityArn: string;
  public readonly configurationSetName: string;
  public readonly configurationSetArn: string;
  public readonly eventsQueue: SqsQueue;

  constructor(scope: Construct, id: string, props: SesDomainProps) {
    super(scope, id);
    const mailFrom = `${props.mailFromSubdomain ?? 'mail'}.${props.domain}`;

    const configurationSet = new Sesv2ConfigurationSet(this, 'configuration-set', {
      configurationSetName: props.name,
      // Never hand mail to a receiving server in clear text.
      deliveryOptions: { tlsPolicy: 'REQUIRE' },
      reputationOptions: { reputationMetricsEnabled: true },
      sendingOptions: { sendingEnabled: true },
      suppressionOptions: { suppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
    const identity = new Sesv2EmailIdentity(this, 'identity', {
      emailIdentity: props.domain,
      configurationSetName: configurationSet.configurationSetName,
      dkimSigningAttributes: { nextSigningKeyLength: 'RSA_2048_BIT' },
    });
    new Sesv2EmailIdentityMailFromAttributes(this, 'mail-from', { emailIdentity: identity.emailIdentity, mailFromDomain: mailFrom, behaviorOnMxFailure: 'USE_DEFAULT_VALUE' });

    const topic = new SnsTopic(this, 'events-topic', {
      name: `${props.name}-ses-events`,
      kmsMasterKeyId: props.kmsKeyArn,
      policy: policyDocument({
        Sid: 'SesPublishes',
        Effect: 'Allow',
        Principal: { Service: 'ses.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: `arn:aws:sns:${props.region}:${props.accountId}:${props.name}-ses-events`,
        Condition: { StringEquals: { 'aws:SourceAccount': props.accountId } },
      }),
    });
    const dlq = new SqsQueue(this, 'events-dlq', { name: `${props.name}-ses-events-dlq`, sqsManagedSseEnabled: true, messageRetentionSeconds: MAIL_DEAD_LETTER_RETENTION_SECONDS });
    this.eventsQueue = new SqsQueue(this, 'events-queue', {
      name: `${props.name}-ses-events`,
      sqsManagedSseEnabled: true,
      visibilityTimeoutSeconds: 180,
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 10 }),
    });
    new SqsQueuePolicy(this, 'events-queue-policy', {
      queueUrl: this.eventsQueue.url,
      policy: policyDocument(denyInsecureTransport('sqs:*', this.eventsQueue.arn), {
        Sid: 'TopicDelivers',
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: this.eventsQueue.arn,
        Condition: { ArnEquals: { 'aws:SourceArn': topic.arn } },
      }),
    });
    new SqsQueuePolicy(this, 'events-dlq-policy', { queueUrl: dlq.url, policy: policyDocument(denyInsecureTransport('sqs:*', dlq.arn)) });
    new SnsTopicSubscription(this, 'events-subscription', { topicArn: topic.arn, protocol: 'sqs', endpoint: this.eventsQueue.arn });
    new Sesv2ConfigurationSetEventDestination(this, 'events', {
      configurationSetName: configurationSet.configurationSetName,
      eventDestinationName: 'to-history',
      eventDestination: { enabled: true, matchingEventTypes: ['BOUNCE', 'COMPLAINT', 'DELIVERY', 'REJECT'], snsDestination: { topicArn: topic.arn } },
    });

    if (props.hostedZoneId) {
      const zoneId = props.hostedZoneId;
      // Easy DKIM: three CNAMEs from the tokens SES issues.
      for (let i = 0; i < 3; i++) {
        const token = Fn.element(identity.dkimSigningAttributes.tokens, i);
        new Route53Record(this, `dkim-${i}`, { zoneId, name: `${token}._domainkey.${props.domain}`, type: 'CNAME', ttl: 1800, records: [`${token}.dkim.amazonses.com`] });
      }
      new Route53Record(this, 'mail-from-mx', { zoneId, name: mailFrom, type: 'MX', ttl: 1800, records: [`10 feedback-smtp.${props.region}.amazonses.com`] });
      new Route53Record(this, 'mail-from-spf', { zoneId, name: mailFrom, type: 'TXT', ttl: 1800, records: ['v=spf1 include:amazonses.com ~all'] });
    }

    this.identityArn = `arn:aws:ses:${props.region}:${props.accountId}:identity/${props.domain}`;
    this.configurationSetName = props.name;
    this.configurationSetArn = `arn:aws:ses:${props.region}:${props.accountId}:configuration-set/${props.name}`;
  }
}
