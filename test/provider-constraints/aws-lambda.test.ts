/**
 * What hashicorp/terraform-provider-aws refuses for the Lambda resources the mail paths
 * emit, over every account of the repository. Sources: internal/service/lambda/function.go,
 * permission.go, function_url.go, event_source_mapping.go.
 */
import { loadAccounts } from '../../accounts';
import { BUNDLE_TARGET, LAMBDA_RUNTIME } from '../../constructs/mail/bundle';
import { AWS_PROVIDER_VERSION, requiredAwsVersion } from '../../stacks/account-foundation';
import { resourcesOf, synthAccount } from '../helpers';

const stacks = loadAccounts().map((a) => [a.name, synthAccount(a)] as const);
const all = (type: string) => stacks.flatMap(([stack, json]) => Object.entries(resourcesOf(json, type)).map(([id, r]) => [`${stack} ${id}`, r] as const));
const functions = all('aws_lambda_function');
const semver = (v: string) => v.split('.').map(Number).reduce((n, part) => n * 1000 + part, 0);

describe('aws_lambda_function (function.go)', () => {
  it('the repository has functions to check', () => expect(functions.length).toBeGreaterThan(0));

  it.each(functions)('%s: name, runtime, package, architecture, tracing and log format the validators accept', (_id, fn) => {
    expect(fn.function_name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/); // validFunctionName
    expect(fn.runtime).toBe(LAMBDA_RUNTIME); // enum.Validate[awstypes.Runtime]: nodejs24.x since SDK release 2025-10-23
    expect([fn.filename, fn.image_uri, fn.s3_bucket].filter((v) => v !== undefined)).toHaveLength(1); // ExactlyOneOf filename, image_uri, s3_bucket
    expect(fn.architectures).toHaveLength(1); // MaxItems: 1
    expect(['arm64', 'x86_64']).toContain(fn.architectures[0]);
    expect(['Active', 'PassThrough']).toContain(fn.tracing_config.mode);
    expect(['JSON', 'Text']).toContain(fn.logging_config.log_format);
  });

  // PutFunctionConcurrency refuses a reservation that leaves fewer than 100 unreserved
  // executions in the account and region (docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html);
  // the default quota is 1,000, and new accounts start lower (docs.aws.amazon.com/lambda/latest/dg/limits.html:
  // constructs/mail/README.md asks for the quota before the first apply).
  it.each(stacks)('%s: the functions reserve at most 900 executions (1,000 default quota minus the 100 AWS keeps unreserved)', (_stack, json) => {
    const reserved = Object.values(resourcesOf(json, 'aws_lambda_function')).reduce((n, fn) => n + Math.max(0, fn.reserved_concurrent_executions ?? 0), 0);
    expect(reserved).toBeLessThanOrEqual(1000 - 100);
  });

  it('bundles for the Node.js major the runtime runs', () => {
    expect(BUNDLE_TARGET.replace('node', '')).toBe(/^nodejs(\d+)\.x$/.exec(LAMBDA_RUNTIME)![1]);
  });
});

describe('aws_lambda_permission (permission.go)', () => {
  const permissions = all('aws_lambda_permission');

  it.each(permissions)('%s: action, auth type and statement id as the schema allows', (_id, p) => {
    expect(p.action).toMatch(/^lambda:[a-zA-Z]+$/); // validPermissionAction
    if (p.function_url_auth_type !== undefined) expect(['AWS_IAM', 'NONE']).toContain(p.function_url_auth_type); // enum FunctionUrlAuthType
    expect(p.statement_id === undefined || p.statement_id_prefix === undefined).toBe(true); // ConflictsWith
    expect(p.statement_id).toMatch(/^[a-zA-Z0-9_-]{1,100}$/); // validPolicyStatementID
  });

  it('invoked_via_function_url exists only from provider 6.28.0 (CHANGELOG, #44858): the stacks require at least that', () => {
    expect(permissions.some(([, p]) => p.invoked_via_function_url === true)).toBe(true);
    for (const [, json] of stacks) expect(semver(json.terraform.required_providers.aws.version)).toBeGreaterThanOrEqual(semver('6.28.0'));
    expect(AWS_PROVIDER_VERSION).toBe('6.28.0');
  });

  it('the pin raises the bindings\' provider version to 6.28.0, never lowers it (npm run migrate:cdktn brings bindings of 6.66.0)', () => {
    expect(requiredAwsVersion('6.25.0')).toBe('6.28.0');
    expect(requiredAwsVersion('6.3.0')).toBe('6.28.0');
    expect(requiredAwsVersion('6.28.0')).toBe('6.28.0');
    expect(requiredAwsVersion('6.66.0')).toBe('6.66.0');
    expect(requiredAwsVersion('6.100.0')).toBe('6.100.0');
    expect(requiredAwsVersion('7.0.0')).toBe('7.0.0');
  });
});

describe('aws_lambda_function_url and aws_lambda_event_source_mapping (function_url.go, event_source_mapping.go)', () => {
  it.each(all('aws_lambda_function_url'))('%s: authorization_type is AWS_IAM or NONE', (_id, url) => {
    expect(['AWS_IAM', 'NONE']).toContain(url.authorization_type);
  });

  // A throttled SQS batch returns to the queue and counts as a receive: with more pollers than
  // the function's reserved concurrency, a burst reaches the dead-letter queue unprocessed
  // (docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html, maximum concurrency).
  it.each(stacks)('%s: every SQS event source caps its concurrency at the function\'s reserved concurrency', (_stack, json) => {
    const functions = resourcesOf(json, 'aws_lambda_function');
    const mappings = Object.entries(resourcesOf(json, 'aws_lambda_event_source_mapping'));
    const uncapped = mappings.flatMap(([id, m]) => {
      const fn = Object.entries(functions).find(([fid]) => m.function_name === `\${aws_lambda_function.${fid}.arn}`)?.[1];
      if (!fn) return [`${id}: no function of this stack found for ${m.function_name}`];
      const reserved = fn.reserved_concurrent_executions;
      return reserved !== undefined && !(m.scaling_config?.maximum_concurrency <= reserved) ? [`${id}: maximum_concurrency ${m.scaling_config?.maximum_concurrency} over reserved ${reserved}`] : [];
    });
    expect(uncapped).toEqual([]);
  });

  it.each(all('aws_lambda_event_source_mapping'))('%s: SQS batch size 1-10000 and maximum_concurrency 2-1000', (_id, m) => {
    expect(m.batch_size >= 1 && m.batch_size <= 10000).toBe(true);
    if (m.scaling_config) expect(m.scaling_config.maximum_concurrency >= 2 && m.scaling_config.maximum_concurrency <= 1000).toBe(true);
  });
});
