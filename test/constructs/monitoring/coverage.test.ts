import { production } from '../../../accounts/production';
import { evaluate } from '../../../policies/engine';
import { ALL_RULES } from '../../../policies/packs';
import { Json, stackOf } from '../../../policies/rule';
import { Testing } from 'cdktf';
import { suppressionsUnder } from '../../../constructs/core/suppressions';
import { AccountStack } from '../../../stacks/account-stack';
import { testAccount } from '../../helpers';

/** The production account's stack, with every workload, and the suppressions its constructs declare. */
const stack = new AccountStack(Testing.app(), { account: testAccount({ ...production }) });
const json = stack.toTerraform() as Json;
const suppressions = suppressionsUnder(stack);
const coverage = ALL_RULES.filter((r) => ['MONITOR-COVERAGE', 'MONITOR-SIGNALS', 'DATADOG-MONITOR-ROUTED'].includes(r.id));

/** `json` without the monitors whose `target:` tag is `target`. */
function withoutMonitorsOf(target: string): Json {
  const copy = JSON.parse(JSON.stringify(json));
  for (const [name, m] of Object.entries(copy.resource.datadog_monitor as Json)) if ((m.tags as string[]).includes(`target:${target}`)) delete copy.resource.datadog_monitor[name];
  return copy;
}
const violations = (j: Json) => evaluate(stackOf('production', j), coverage, suppressions).violations.map((v) => `${v.rule.id} ${v.resource.type}`);

describe('monitor coverage over the production stack', () => {
  it('watches every Beanstalk environment, database, queue and Fastly service, and routes every monitor', () => {
    expect(violations(json)).toEqual([]);
  });

  it('covers what it claims: environments, clusters, Always On nodes and Fastly services are all checked', () => {
    const checked = evaluate(stackOf('production', json), coverage, suppressions).checks;
    const targets = ['aws_elastic_beanstalk_environment', 'aws_rds_cluster', 'aws_instance', 'fastly_service_vcl'].map((t) => Object.keys(json.resource[t] ?? {}).length);
    expect(targets.every((n) => n > 0)).toBe(true);
    expect(checked).toBeGreaterThan(targets.reduce((a, b) => a + b, 0));
  });

  it.each([
    ['a Beanstalk environment', 'hotel-partner-prod', 'aws_elastic_beanstalk_environment'],
    ['an Aurora cluster', 'restaurant', 'aws_rds_cluster'],
    ['the Always On cluster', 'hotel-core', 'aws_instance'],
    ['the Fastly service', 'production-hotel', 'fastly_service_vcl'],
    ['a mail queue', 'customer-mail', 'aws_sqs_queue'],
    ['a dead-letter queue', 'internal-mail-ses-events-dlq', 'aws_sqs_queue'],
    ['the hotel session cache', 'hotel-session', 'aws_elasticache_replication_group'],
  ])('fails when %s loses its monitors', (_what, target, type) => {
    expect(violations(withoutMonitorsOf(target))).toContain(`MONITOR-COVERAGE ${type}`);
  });

  it('fails when a monitor routes nowhere', () => {
    const copy = JSON.parse(JSON.stringify(json));
    const first = Object.values(copy.resource.datadog_monitor as Json)[0];
    first.message = String(first.message).replace(/@slack-[\w-]+/, '');
    expect(violations(copy)).toEqual(['DATADOG-MONITOR-ROUTED datadog_monitor']);
  });
});

describe('MONITOR-SIGNALS over the mail paths, with no suppression left', () => {
  const signals = ALL_RULES.filter((r) => r.id === 'MONITOR-SIGNALS');
  const report = (j: Json) => evaluate(stackOf('production', j), signals, suppressions);

  it('judges every dead-letter queue, Lambda function and DynamoDB table of the stack, and all pass', () => {
    const r = report(json);
    expect(r.suppressed.map((f) => `${f.resource.type} ${f.resource.path}`)).toEqual([]);
    expect(r.violations.map((v) => `${v.resource.type} ${v.resource.path}`)).toEqual([]);
    const judged = Object.keys(json.resource.aws_lambda_function ?? {}).length + Object.keys(json.resource.aws_dynamodb_table ?? {}).length;
    expect(judged).toBeGreaterThan(0);
    expect(r.checks).toBeGreaterThanOrEqual(judged);
  });

  it.each([
    ['the customer mail DLQ age', 'customer-mail-dlq', 'aws_sqs_queue'],
    ['the SES events DLQ age', 'internal-mail-ses-events-dlq', 'aws_sqs_queue'],
    ['the history table', 'customer-mail-history', 'aws_dynamodb_table'],
    ['the SendGrid webhook function', 'customer-mail-sendgrid-events', 'aws_lambda_function'],
    ['the SES events function', 'internal-mail-ses-events', 'aws_lambda_function'],
  ])('fails when %s loses its monitors', (_what, target, type) => {
    expect(report(withoutMonitorsOf(target)).violations.map((v) => `${v.rule.id} ${v.resource.type}`)).toContain(`MONITOR-SIGNALS ${type}`);
  });
});
