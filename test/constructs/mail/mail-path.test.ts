import { MailPath, MailPathProps } from '../../../constructs/mail/mail-path';
import { DEFAULT_THRESHOLDS } from '../../../constructs/monitoring/spec';
import { TerraformJson, errorOf, onlyResource, resourcesOf, synthConstructs } from '../../helpers';

const publicKey = 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEXKW3K11rYL0Ud37XPjxEBlFCOs4jD4tW4U9wlwV5sVRlPYFlF4UdnXOJ6OrJHhA2hG26xwCB7d1gPSAPmBWJzw==';
const sendgrid = (changes: Partial<MailPathProps> = {}): MailPathProps => ({
  name: 'customer', provider: 'sendgrid', region: 'ap-northeast-1', accountId: '111111111111', sendgrid: { eventWebhookPublicKey: publicKey }, ...changes,
});
const ses = (changes: Partial<MailPathProps> = {}): MailPathProps => ({
  name: 'internal', provider: 'ses', region: 'ap-northeast-1', accountId: '111111111111', ses: { domain: 'ops.example-hotel.jp' }, hostedZoneId: 'Z04512341ABCDEFGHIJK', ...changes,
});
function synth(p: MailPathProps): { json: TerraformJson; path: MailPath } {
  let path!: MailPath;
  const json = synthConstructs((stack) => (path = new MailPath(stack, 'mail', p)));
  return { json, path };
}
const byName = (json: TerraformJson, type: string, name: string) => Object.values(resourcesOf(json, type)).find((r) => r.name === name || r.function_name === name)!;
const statements = (json: TerraformJson, roleName: string) => {
  const role = Object.entries(resourcesOf(json, 'aws_iam_role')).find(([, r]) => r.name === roleName)![0];
  return Object.values(resourcesOf(json, 'aws_iam_role_policy')).filter((p) => p.role.includes(`.${role}.`)).flatMap((p) => JSON.parse(p.policy).Statement);
};

describe('MailPath: the queue path (both providers)', () => {
  const { json, path } = synth(sendgrid({ production: true }));

  it('has an encrypted queue with a dead-letter queue and redrive', () => {
    const queue = byName(json, 'aws_sqs_queue', 'customer-mail');
    expect(queue).toMatchObject({ sqs_managed_sse_enabled: true, visibility_timeout_seconds: 180 });
    expect(JSON.parse(queue.redrive_policy)).toEqual({ deadLetterTargetArn: expect.stringMatching(/aws_sqs_queue\.mail_dlq_\w+\.arn/), maxReceiveCount: 20 });
    expect(byName(json, 'aws_sqs_queue', 'customer-mail-dlq')).toMatchObject({ sqs_managed_sse_enabled: true, message_retention_seconds: 14 * 86400 });
  });

  it('refuses non-TLS requests on both queues', () => {
    const policies = Object.values(resourcesOf(json, 'aws_sqs_queue_policy')).map((p) => JSON.parse(p.policy).Statement[0]);
    expect(policies).toHaveLength(2);
    for (const s of policies) expect(s).toMatchObject({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': false } } });
  });

  it('runs the worker from the queue with partial batch responses', () => {
    const mapping = Object.values(resourcesOf(json, 'aws_lambda_event_source_mapping'))[0];
    expect(mapping).toMatchObject({ batch_size: 10, function_response_types: ['ReportBatchItemFailures'], scaling_config: { maximum_concurrency: 10 } });
    expect(mapping.event_source_arn).toMatch(/aws_sqs_queue\.mail_queue_\w+\.arn/);
    const worker = byName(json, 'aws_lambda_function', 'customer-mail-worker');
    expect(worker).toMatchObject({ runtime: 'nodejs24.x', handler: 'worker.handler', architectures: ['arm64'], timeout: 30, reserved_concurrent_executions: 10 });
    expect(worker.filename).toMatch(/^assets\/mail_worker_code_\w+\/[0-9A-F]+\/worker\.zip$/);
    expect(worker.source_code_hash).toMatch(/^[A-Za-z0-9+/]{43}=$/); // base64 SHA-256 of the zip, as Lambda reports it
    expect(worker.environment.variables).toMatchObject({ PROVIDER: 'sendgrid', LEASE_SECONDS: '60', RETENTION_DAYS: '400' });
  });

  it('keeps a history table: encrypted with its key, point-in-time recovery, TTL, a recipient index, protected in production', () => {
    const table = onlyResource(json, 'aws_dynamodb_table');
    expect(table).toMatchObject({
      name: 'customer-mail-history', billing_mode: 'PAY_PER_REQUEST', hash_key: 'idempotencyKey',
      ttl: { attribute_name: 'expiresAt', enabled: true }, point_in_time_recovery: { enabled: true }, deletion_protection_enabled: true,
      global_secondary_index: [{ name: 'by-recipient', hash_key: 'recipient', range_key: 'createdAt', projection_type: 'ALL' }],
    });
    expect(table.server_side_encryption).toMatchObject({ enabled: true, kms_key_arn: expect.stringMatching(/aws_kms_key\.mail_key_\w+\.arn/) });
  });

  it('gives apps a producer policy that may only send to the queue', () => {
    const statement = JSON.parse(onlyResource(json, 'aws_iam_policy').policy).Statement;
    expect(statement).toEqual([{ Sid: 'SendMail', Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:GetQueueUrl', 'sqs:GetQueueAttributes'], Resource: expect.stringMatching(/aws_sqs_queue\.mail_queue_\w+\.arn/) }]);
    expect(path.producerPolicyArn).toMatch(/\$\{TfToken/);
  });

  it('gives the worker exactly what it needs', () => {
    const sids = statements(json, 'customer-mail-worker').map((s) => `${s.Sid}:${[s.Action].flat().join(',')}`);
    expect(sids).toEqual([
      'OwnLogs:logs:CreateLogStream,logs:PutLogEvents',
      'XRayWrite:xray:PutTraceSegments,xray:PutTelemetryRecords',
      'Queue:sqs:ReceiveMessage,sqs:DeleteMessage,sqs:GetQueueAttributes,sqs:ChangeMessageVisibility',
      'DeadLetters:sqs:SendMessage',
      'History:dynamodb:UpdateItem,dynamodb:GetItem',
      'Key:kms:Decrypt,kms:Encrypt,kms:GenerateDataKey',
      'SendGridKey:secretsmanager:GetSecretValue',
    ]);
  });

  // Active tracing makes Lambda check the role's X-Ray write permission at create time
  // (docs.aws.amazon.com/lambda/latest/dg/services-xray.html), and IAM is eventually
  // consistent: every function depends on its role policy, which grants X-Ray write.
  it.each(['customer-mail-worker', 'customer-mail-sendgrid-events'])('%s traces actively, may write traces, and is created after its role policy', (name) => {
    const fn = byName(json, 'aws_lambda_function', name);
    expect(fn.tracing_config).toEqual({ mode: 'Active' });
    const [policyId, policy] = Object.entries(resourcesOf(json, 'aws_iam_role_policy')).find(([, p]) => fn.role.replace('.arn}', '') === p.role.replace('.id}', ''))!;
    expect(JSON.parse(policy.policy).Statement).toContainEqual({ Sid: 'XRayWrite', Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' });
    expect(fn.depends_on).toContain(`aws_iam_role_policy.${policyId}`);
  });

  it('writes function logs to log groups with retention', () => {
    expect(byName(json, 'aws_cloudwatch_log_group', '/aws/lambda/customer-mail-worker').retention_in_days).toBe(90);
  });
});

describe('MailPath: SendGrid', () => {
  const { json, path } = synth(sendgrid({ hostedZoneId: 'Z04512341ABCDEFGHIJK', sendgrid: { eventWebhookPublicKey: publicKey, dnsRecords: [{ name: 'em1.example.jp', value: 'u1.wl.sendgrid.net' }] } }));

  it('keeps the API key in a secret with no value in Terraform', () => {
    expect(onlyResource(json, 'aws_secretsmanager_secret')).toMatchObject({ name: 'customer-mail/sendgrid-api-key', recovery_window_in_days: 30 });
    expect(resourcesOf(json, 'aws_secretsmanager_secret_version')).toEqual({});
    expect(JSON.stringify(json)).not.toMatch(/SG\.[\w-]{10}/);
  });

  it('receives the Event Webhook on a public function URL that checks SendGrid\'s signature', () => {
    expect(onlyResource(json, 'aws_lambda_function_url')).toMatchObject({ authorization_type: 'NONE' });
    const webhook = byName(json, 'aws_lambda_function', 'customer-mail-sendgrid-events');
    expect(webhook).toMatchObject({ handler: 'events.sendGridWebhookHandler', reserved_concurrent_executions: 5 });
    expect(webhook.environment.variables.SENDGRID_WEBHOOK_PUBLIC_KEY).toBe(publicKey);
    expect(path.webhookUrl).toMatch(/\$\{TfToken/);
  });

  // A NONE-auth URL answers 403 unless the resource policy allows lambda:InvokeFunctionUrl
  // (function_url_auth_type NONE) and, for URLs created since October 2025,
  // lambda:InvokeFunction with lambda:InvokedViaFunctionUrl (docs.aws.amazon.com/lambda/latest/dg/urls-auth.html;
  // internal/service/lambda/permission.go: function_url_auth_type, invoked_via_function_url).
  it('lets anyone call the webhook URL, and only through the URL', () => {
    const fn = `\${aws_lambda_function.${Object.entries(resourcesOf(json, 'aws_lambda_function')).find(([, f]) => f.function_name === 'customer-mail-sendgrid-events')![0]}.function_name}`;
    const permissions = Object.values(resourcesOf(json, 'aws_lambda_permission'));
    expect(permissions).toHaveLength(2);
    expect(permissions).toContainEqual(expect.objectContaining({ function_name: fn, action: 'lambda:InvokeFunctionUrl', principal: '*', function_url_auth_type: 'NONE' }));
    expect(permissions).toContainEqual(expect.objectContaining({ function_name: fn, action: 'lambda:InvokeFunction', principal: '*', invoked_via_function_url: true }));
    // Without invoked_via_function_url the second statement would let anyone call Invoke directly.
    expect(permissions.filter((p) => p.action === 'lambda:InvokeFunction' && p.invoked_via_function_url !== true)).toEqual([]);
  });

  // aws_lambda_function_url adds its own statements on create (CHANGELOG 6.28.0, #44858);
  // parallel AddPermission calls on one function can be lost (internal/service/lambda/permission.go,
  // the mutex comment), so the permissions are added after the URL, not beside it.
  it('adds the URL permissions after the URL exists', () => {
    const [urlId] = Object.keys(resourcesOf(json, 'aws_lambda_function_url'));
    expect(Object.values(resourcesOf(json, 'aws_lambda_permission')).map((p) => p.depends_on)).toEqual([[`aws_lambda_function_url.${urlId}`], [`aws_lambda_function_url.${urlId}`]]);
  });

  it('creates the domain authentication records when given', () => {
    expect(onlyResource(json, 'aws_route53_record')).toMatchObject({ zone_id: 'Z04512341ABCDEFGHIJK', name: 'em1.example.jp', type: 'CNAME', records: ['u1.wl.sendgrid.net'] });
  });
});

describe('MailPath: SES', () => {
  const { json, path } = synth(ses());

  it('verifies the domain with 2048-bit DKIM and a custom MAIL FROM', () => {
    expect(onlyResource(json, 'aws_sesv2_email_identity')).toMatchObject({ email_identity: 'ops.example-hotel.jp', dkim_signing_attributes: { next_signing_key_length: 'RSA_2048_BIT' } });
    expect(onlyResource(json, 'aws_sesv2_email_identity_mail_from_attributes')).toMatchObject({ mail_from_domain: 'mail.ops.example-hotel.jp', behavior_on_mx_failure: 'USE_DEFAULT_VALUE' });
  });

  it('requires TLS, tracks reputation and suppresses bounces and complaints', () => {
    expect(onlyResource(json, 'aws_sesv2_configuration_set')).toMatchObject({
      configuration_set_name: 'internal-mail',
      delivery_options: { tls_policy: 'REQUIRE' },
      reputation_options: { reputation_metrics_enabled: true },
      suppression_options: { suppressed_reasons: ['BOUNCE', 'COMPLAINT'] },
    });
  });

  it('sends bounce, complaint, delivery and reject events to SNS and on to a queue the events function reads', () => {
    const destination = onlyResource(json, 'aws_sesv2_configuration_set_event_destination').event_destination;
    expect(destination.matching_event_types).toEqual(['BOUNCE', 'COMPLAINT', 'DELIVERY', 'REJECT']);
    expect(destination.sns_destination.topic_arn).toMatch(/aws_sns_topic\.mail_ses_events-topic_\w+\.arn/);
    expect(onlyResource(json, 'aws_sns_topic').kms_master_key_id).toMatch(/aws_kms_key/);
    expect(onlyResource(json, 'aws_sns_topic_subscription')).toMatchObject({ protocol: 'sqs' });
    const eventsPolicy = Object.values(resourcesOf(json, 'aws_sqs_queue_policy')).map((p) => JSON.parse(p.policy).Statement).find((s) => s.length === 2)!;
    expect(eventsPolicy[1]).toMatchObject({ Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage' });
    expect(byName(json, 'aws_lambda_function', 'internal-mail-ses-events').handler).toBe('events.sesEventsHandler');
  });

  // Templated sends (templateId) are authorized on the SES template as well
  // (github.com/aws/serverless-application-model/issues/2844: refused without the template ARN).
  it('lets the worker send only as the domain, through the configuration set, with the account\'s templates', () => {
    const send = statements(json, 'internal-mail-worker').find((s) => s.Sid === 'SendThroughTheConfigurationSet');
    expect(send).toMatchObject({
      Action: ['ses:SendEmail'],
      Resource: [
        'arn:aws:ses:ap-northeast-1:111111111111:identity/ops.example-hotel.jp',
        'arn:aws:ses:ap-northeast-1:111111111111:configuration-set/internal-mail',
        'arn:aws:ses:ap-northeast-1:111111111111:template/*',
      ],
    });
  });

  it('publishes DKIM, MAIL FROM MX and SPF records in the zone', () => {
    const records = Object.values(resourcesOf(json, 'aws_route53_record')).map((r) => `${r.type} ${r.name}`);
    expect(records.filter((r) => r.startsWith('CNAME') && r.endsWith('._domainkey.ops.example-hotel.jp'))).toHaveLength(3);
    expect(records).toEqual(expect.arrayContaining(['MX mail.ops.example-hotel.jp', 'TXT mail.ops.example-hotel.jp']));
  });

  it('is watched: queue age, dead letters and their age, the functions\' errors, worker throttles, the history table, events, SES reputation', () => {
    expect(path.monitors(DEFAULT_THRESHOLDS).map((m) => m.key)).toEqual([
      'internal-mail-oldest-message', 'internal-mail-dead-letters', 'internal-mail-dead-letters-age', 'internal-mail-worker-errors', 'internal-mail-worker-throttles',
      'internal-mail-history-throttles', 'internal-mail-history-errors', 'internal-mail-ses-events-errors', 'internal-mail-ses-events-dead-letters-age',
      'internal-mail-ses-events-waiting', 'internal-mail-ses-events-dead-letters', 'internal-mail-bounce-rate', 'internal-mail-complaint-rate',
    ]);
  });
});

describe('MailPath: validation', () => {
  it('wants the settings of its provider', () => {
    expect(errorOf(() => synth(sendgrid({ sendgrid: undefined })))).toContain('sendgrid: got nothing, expected the SendGrid settings when provider is "sendgrid"');
    expect(errorOf(() => synth(ses({ ses: undefined })))).toContain('ses: got nothing, expected the SES settings when provider is "ses"');
  });

  it('refuses a webhook key that is not SendGrid\'s verification key, and DNS records without a zone', () => {
    const message = errorOf(() => synth(sendgrid({ sendgrid: { eventWebhookPublicKey: 'abc', dnsRecords: [{ name: 'a', value: 'b' }] } })));
    expect(message).toContain('sendgrid.eventWebhookPublicKey: got "abc"');
    expect(message).toContain('hostedZoneId: got nothing, expected a Route 53 zone id when sendgrid.dnsRecords are given');
  });

  it('refuses a concurrency the SQS event source cannot use', () => {
    expect(errorOf(() => synth(sendgrid({ maxConcurrency: 1 })))).toContain('maxConcurrency: got 1, expected from 2 to 1000');
  });
});
