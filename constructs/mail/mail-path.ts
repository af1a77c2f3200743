import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { LambdaFunctionUrl } from '@cdktf/provider-aws/lib/lambda-function-url';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { Construct } from 'constructs';
import { Statement, denyInsecureTransport, policyDocument } from '../core/iam';
import { accountKmsKey, servicesPublish } from '../core/kms';
import { suppress } from '../core/suppressions';
import { Rule, checkProps } from '../core/validation';
import { mailMonitors } from '../monitoring/catalogue';
import { MAIL_DEAD_LETTER_RETENTION_SECONDS, MonitorSpec, MonitorThresholds, Monitored } from '../monitoring/spec';
import { LOG_RETENTION_DAYS } from '../network/network';
import { MailFunction } from './lambda';
import { SesDomain } from './ses-domain';

/** A DNS record SendGrid asks for to authenticate the sending domain. */
export interface DnsRecord {
  /** Full record name, e.g. `em1234.example-hotel.jp`. */
  readonly name: string;
  /** The CNAME target SendGrid gives. */
  readonly value: string;
}

export interface SendGridSettings {
  /**
   * The Event Webhook's verification key from SendGrid's settings (base64 DER; it is a
   * public key, not a secret).
   */
  readonly eventWebhookPublicKey: string;
  /** Domain authentication CNAMEs to create in `hostedZoneId`. @default [] */
  readonly dnsRecords?: readonly DnsRecord[];
}

export interface SesSettings {
  /** The sending domain, verified with DKIM. */
  readonly domain: string;
  /** Custom MAIL FROM subdomain (bounces come back here). @default 'mail' */
  readonly mailFromSubdomain?: string;
}

export interface MailPathProps {
  /** Path name, unique in the account (resource names derive from it). */
  readonly name: string;
  readonly provider: 'sendgrid' | 'ses';
  /** Required when provider is 'sendgrid'. @default - none */
  readonly sendgrid?: SendGridSettings;
  /** Required when provider is 'ses'. @default - none */
  readonly ses?: SesSettings;
  /** Route 53 zone for the sending domain's records. @default - records are not created */
  readonly hostedZoneId?: string;
  /** AWS region (SES endpoints and ARNs). */
  readonly region: string;
  readonly accountId: string;
  /** Days the history of each message is kept (DynamoDB TTL). @default 400 */
  readonly historyRetentionDays?: number;
  /** Worker copies at once: caps the send rate the provider sees. @default 10 */
  readonly maxConcurrency?: number;
  /** Receives before a message goes to the dead-letter queue (with backoff up to 15 min). @default 20 */
  readonly maxReceives?: number;
  /** Deletion protection on the history table. @default true in production */
  readonly production?: boolean;
  /** @default 90 */
  readonly logRetentionDays?: number;
  readonly logsKmsKeyArn?: string;
}

const WORKER_TIMEOUT = 30;
/** Copies of the SES events function at once (its reserved concurrency and its queue's maximum concurrency). */
const SES_EVENTS_CONCURRENCY = 5;

/**
 * One mail path, from the app's queue to delivered mail and a searchable history: apps
 * put a JSON message on the queue (they attach `producerPolicyArn`); the worker sends it
 * through SendGrid or SES exactly once, records it, and events (bounces, complaints,
 * deliveries) update the record.
 */
export class MailPath extends Construct implements Monitored {
  public readonly queue: SqsQueue;
  public readonly deadLetterQueue: SqsQueue;
  public readonly historyTable: DynamodbTable;
  public readonly worker: MailFunction;
  /** The IAM policy an app attaches to send mail. */
  public readonly producerPolicyArn: string;
  public readonly queueUrl: string;
  /** SendGrid path: the Event Webhook URL to give SendGrid. */
  public readonly webhookUrl?: string;
  /** SendGrid path: the secret to put the API key in (outside Terraform). */
  public readonly sendGridSecretArn?: string;
  public readonly sesDomain?: SesDomain;
  private readonly pathName: string;

  constructor(scope: Construct, id: string, props: MailPathProps) {
    super(scope, id);
    const retentionDays = props.historyRetentionDays ?? 400;
    const maxConcurrency = props.maxConcurrency ?? 10;
    const maxReceives = props.maxReceives ?? 20;
    const production = props.production ?? false;
    const logRetentionDays = props.logRetentionDays ?? 90;
    const rules: Rule[] = [
      [!/^[a-z][a-z0-9-]{1,40}$/.test(props.name), 'name', props.name, 'a kebab-case name of 2 to 41 characters'],
      [props.provider === 'sendgrid' && !props.sendgrid, 'sendgrid', props.sendgrid, 'the SendGrid settings when provider is "sendgrid"'],
      [props.provider === 'ses' && !props.ses, 'ses', props.ses, 'the SES settings when provider is "ses"'],
      [!!props.sendgrid && !/^[A-Za-z0-9+/=]{80,}$/.test(props.sendgrid.eventWebhookPublicKey), 'sendgrid.eventWebhookPublicKey', props.sendgrid?.eventWebhookPublicKey, 'the base64 verification key from SendGrid\'s Event Webhook settings'],
      [retentionDays < 1 || retentionDays > 3650, 'historyRetentionDays', retentionDays, 'from 1 to 3650'],
      [maxConcurrency < 2 || maxConcurrency > 1000, 'maxConcurrency', maxConcurrency, 'from 2 to 1000 (the SQS event source needs 2 or more)'],
      [maxReceives < 3 || maxReceives > 1000, 'maxReceives', maxReceives, 'from 3 to 1000'],
      [!LOG_RETENTION_DAYS.includes(logRetentionDays as never), 'logRetentionDays', logRetentionDays, `one of ${LOG_RETENTION_DAYS.join(', ')}`],
      [!!props.sendgrid?.dnsRecords?.length && !props.hostedZoneId, 'hostedZoneId', props.hostedZoneId, 'a Route 53 zone id when sendgrid.dnsRecords are given'],
    ];
    checkProps(this, 'MailPath', rules);
    this.pathName = props.name;
    const base = `${props.name}-mail`;

    // History, secrets and events are encrypted with the path's own key.
    const key = accountKmsKey(this, 'key', `Mail path ${props.name}: history table, SendGrid key, SES events topic`, props.accountId,
      // SES publishes events to the encrypted topic.
      servicesPublish('SesPublishes', 'ses.amazonaws.com', props.accountId),
    );
    new KmsAlias(this, 'key-alias', { name: `alias/${base}`, targetKeyId: key.keyId });

    this.deadLetterQueue = new SqsQueue(this, 'dlq', { name: `${base}-dlq`, sqsManagedSseEnabled: true, messageRetentionSeconds: MAIL_DEAD_LETTER_RETENTION_SECONDS });
    this.queue = new SqsQueue(this, 'queue', {
      name: base,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: 4 * 86400,
      // Six times the worker's timeout, as AWS recommends for SQS event sources.
      visibilityTimeoutSeconds: WORKER_TIMEOUT * 6,
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: this.deadLetterQueue.arn, maxReceiveCount: maxReceives }),
    });
    for (const [qid, q] of [['queue-policy', this.queue], ['dlq-policy', this.deadLetterQueue]] as const) {
      new SqsQueuePolicy(this, qid, { queueUrl: q.url, policy: policyDocument(denyInsecureTransport('sqs:*', q.arn)) });
    }
    this.queueUrl = this.queue.url;

    this.historyTable = new DynamodbTable(this, 'history', {
      name: `${base}-history`,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'idempotencyKey',
      attribute: [
        { name: 'idempotencyKey', type: 'S' },
        { name: 'recipient', type: 'S' },
        { name: 'createdAt', type: 'S' },
      ],
      // Support looks messages up by recipient, newest first.
      globalSecondaryIndex: [{ name: 'by-recipient', hashKey: 'recipient', rangeKey: 'createdAt', projectionType: 'ALL' }],
      ttl: { attributeName: 'expiresAt', enabled: true },
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: key.arn },
      deletionProtectionEnabled: production,
    });

    const tableAccess: Statement = { Sid: 'History', Effect: 'Allow', Action: ['dynamodb:UpdateItem', 'dynamodb:GetItem'], Resource: this.historyTable.arn };
    const keyAccess: Statement = { Sid: 'Key', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], Resource: key.arn };
    const common = { logRetentionDays, logsKmsKeyArn: props.logsKmsKeyArn };
    const historyEnv = { HISTORY_TABLE: this.historyTable.name, RETENTION_DAYS: String(retentionDays), PROVIDER: props.provider };

    let providerEnv: Record<string, string>;
    let providerAccess: Statement;
    if (props.provider === 'sendgrid') {
      // The API key is put in by hand (or by the SendGrid admin's script): never in code or state.
      const secret = new SecretsmanagerSecret(this, 'sendgrid-key', {
        name: `${base}/sendgrid-api-key`,
        description: `SendGrid API key (Mail Send only) of the ${props.name} mail path; value set outside Terraform`,
        kmsKeyId: key.arn,
        recoveryWindowInDays: 30,
      });
      this.sendGridSecretArn = secret.arn;
      providerEnv = { SENDGRID_SECRET_ARN: secret.arn };
      providerAccess = { Sid: 'SendGridKey', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: secret.arn };
      const webhook = new MailFunction(this, 'sendgrid-webhook', {
        ...common,
        functionName: `${base}-sendgrid-events`,
        which: 'sendgridWebhook',
        environment: { ...historyEnv, SENDGRID_WEBHOOK_PUBLIC_KEY: props.sendgrid!.eventWebhookPublicKey },
        statements: [tableAccess, keyAccess],
        timeoutSeconds: 10,
        reservedConcurrency: 5,
      });
      // SendGrid cannot sign AWS requests: the URL is public and every request must carry
      // SendGrid's ECDSA signature, checked by the function.
      const url = new LambdaFunctionUrl(this, 'sendgrid-webhook-url', { functionName: webhook.function.functionName, authorizationType: 'NONE' });
      suppress(url, 'LAMBDA-URL-AUTH', "SendGrid's Event Webhook cannot sign with SigV4; the function rejects any request without SendGrid's ECDSA signature");
      this.webhookUrl = url.functionUrl;
      // A public URL still needs the function's resource policy to allow it, with both
      // statements AWS requires of URLs created since October 2025
      // (docs.aws.amazon.com/lambda/latest/dg/urls-auth.html): lambda:InvokeFunctionUrl for
      // auth type NONE, and lambda:InvokeFunction only when invoked through a URL.
      // aws_lambda_function_url adds statements of its own when it creates a NONE URL
      // (CHANGELOG 6.28.0, #44858), and AddPermission calls made in parallel on one function
      // can be lost (internal/service/lambda/permission.go serializes its own with a mutex,
      // not the URL's): the permissions wait for the URL.
      const afterUrl = { dependsOn: [url] };
      new LambdaPermission(this, 'sendgrid-webhook-url-invoke-url', {
        ...afterUrl,
        functionName: webhook.function.functionName,
        statementId: 'PublicUrlInvokeFunctionUrl',
        action: 'lambda:InvokeFunctionUrl',
        principal: '*',
        functionUrlAuthType: 'NONE',
      });
      // invoked_via_function_url came with provider 6.28.0 (internal/service/lambda/permission.go);
      // the 6.25.0 bindings lack it, so it is written as an override.
      new LambdaPermission(this, 'sendgrid-webhook-url-invoke', {
        ...afterUrl,
        functionName: webhook.function.functionName,
        statementId: 'PublicUrlInvokeFunction',
        action: 'lambda:InvokeFunction',
        principal: '*',
      }).addOverride('invoked_via_function_url', true);
      props.sendgrid!.dnsRecords?.forEach(
        (r, i) => new Route53Record(this, `sendgrid-dns-${i}`, { zoneId: props.hostedZoneId!, name: r.name, type: 'CNAME', ttl: 3600, records: [r.value] }),
      );
    } else {
      this.sesDomain = new SesDomain(this, 'ses', {
        name: base,
        domain: props.ses!.domain,
        mailFromSubdomain: props.ses!.mailFromSubdomain,
        region: props.region,
        accountId: props.accountId,
        hostedZoneId: props.hostedZoneId,
        kmsKeyArn: key.arn,
      });
      providerEnv = { SES_CONFIGURATION_SET: this.sesDomain.configurationSetName };
      providerAccess = {
        Sid: 'SendThroughTheConfigurationSet',
        Effect: 'Allow',
        Action: ['ses:SendEmail'],
        // A message with templateId names an SES template, and SendEmail is authorized on the
        // template too: without it every templated send is refused
        // (github.com/aws/serverless-application-model/issues/2844). Templates are made outside
        // Terraform, so any template of the account in the region.
        Resource: [this.sesDomain.identityArn, this.sesDomain.configurationSetArn, `arn:aws:ses:${props.region}:${props.accountId}:template/*`],
      };
      const events = new MailFunction(this, 'ses-events', {
        ...common,
        functionName: `${base}-ses-events`,
        which: 'sesEvents',
        environment: historyEnv,
        statements: [tableAccess, keyAccess, { Sid: 'EventsQueue', Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], Resource: this.sesDomain.eventsQueue.arn }],
        timeoutSeconds: 30,
        reservedConcurrency: SES_EVENTS_CONCURRENCY,
      });
      new LambdaEventSourceMapping(this, 'ses-events-source', {
        eventSourceArn: this.sesDomain.eventsQueue.arn,
        functionName: events.function.arn,
        batchSize: 10,
        functionResponseTypes: ['ReportBatchItemFailures'],
        // No more pollers than the function's reserved concurrency: a throttled batch goes
        // back to the queue and counts as a receive, so a burst of events would reach the
        // dead-letter queue unprocessed (docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html).
        scalingConfig: { maximumConcurrency: SES_EVENTS_CONCURRENCY },
      });
    }

    this.worker = new MailFunction(this, 'worker', {
      ...common,
      functionName: `${base}-worker`,
      which: 'worker',
      environment: {
        ...historyEnv,
        ...providerEnv,
        QUEUE_URL: this.queue.url,
        DEAD_LETTER_QUEUE_URL: this.deadLetterQueue.url,
        LEASE_SECONDS: String(WORKER_TIMEOUT * 2),
      },
      statements: [
        { Sid: 'Queue', Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'], Resource: this.queue.arn },
        { Sid: 'DeadLetters', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: this.deadLetterQueue.arn },
        tableAccess,
        keyAccess,
        providerAccess,
      ],
      timeoutSeconds: WORKER_TIMEOUT,
      reservedConcurrency: maxConcurrency,
    });
    new LambdaEventSourceMapping(this, 'worker-source', {
      eventSourceArn: this.queue.arn,
      functionName: this.worker.function.arn,
      batchSize: 10,
      maximumBatchingWindowInSeconds: 1,
      // Only the failed messages of a batch come back, not the whole batch.
      functionResponseTypes: ['ReportBatchItemFailures'],
      scalingConfig: { maximumConcurrency: maxConcurrency },
    });

    this.producerPolicyArn = new IamPolicy(this, 'producer', {
      name: `${base}-producer`,
      description: `Lets an app put mail on the ${props.name} mail queue`,
      policy: policyDocument({ Sid: 'SendMail', Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:GetQueueUrl', 'sqs:GetQueueAttributes'], Resource: this.queue.arn }),
    }).arn;
  }

  /** Oldest message, dead letters (count and age), the functions' errors, worker throttles, the history table's throttles and errors; SES reputation on SES paths. */
  public monitors(thresholds: MonitorThresholds): MonitorSpec[] {
    return mailMonitors(
      {
        name: `${this.pathName}-mail`,
        queueName: `${this.pathName}-mail`,
        deadLetterQueueName: `${this.pathName}-mail-dlq`,
        workerFunctionName: `${this.pathName}-mail-worker`,
        historyTableName: `${this.pathName}-mail-history`,
        webhookFunctionName: this.sesDomain ? undefined : `${this.pathName}-mail-sendgrid-events`,
        sesEventsFunctionName: this.sesDomain ? `${this.pathName}-mail-ses-events` : undefined,
        sesConfigurationSet: this.sesDomain ? `${this.pathName}-mail` : undefined,
        sesEventsQueueName: this.sesDomain ? `${this.pathName}-mail-ses-events` : undefined,
        sesEventsDeadLetterQueueName: this.sesDomain ? `${this.pathName}-mail-ses-events-dlq` : undefined,
      },
      thresholds.mail,
    );
  }
}
