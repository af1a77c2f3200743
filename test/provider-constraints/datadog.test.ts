/**
 * What the Datadog provider (DataDog/terraform-provider-datadog v3.82.0, the version
 * @cdktf/provider-datadog 12.15.2 binds) refuses at plan time and the typed bindings do
 * not: each rule names the provider source file it comes from. The rules run over every
 * account of the repository that has monitoring on, and over deliberately broken configs,
 * so that each rule is seen to catch what it describes.
 */
import { TerraformStack, TerraformVariable } from 'cdktf';
import { loadAccounts } from '../../accounts';
import { DatadogAwsIntegration } from '../../constructs/monitoring/aws-integration';
import { DatadogFastlyIntegration } from '../../constructs/monitoring/fastly-integration';
import { DATADOG_FASTLY_API_KEY_VARIABLE } from '../../stacks/account-stack';
import { TerraformJson, errorOf, resourcesOf, synthAccount, synthConstructs } from '../helpers';

const SOURCE = 'DataDog/terraform-provider-datadog v3.82.0';

/** A block is present in Terraform JSON when it is an object (or a one-element list of one). */
const block = (v: unknown): Record<string, unknown> | undefined => {
  const one = Array.isArray(v) ? (v.length === 1 ? v[0] : undefined) : v;
  return one !== null && typeof one === 'object' ? (one as Record<string, unknown>) : undefined;
};
const set = (v: unknown) => v !== undefined && v !== null;

/**
 * datadog/fwprovider/resource_datadog_integration_aws_account.go, ConfigValidators() and
 * Schema(): ExactlyOneOf(aws_regions), ExactlyOneOf(aws_auth_config_keys, aws_auth_config_role),
 * RequiredTogether(aws_auth_config_role, role_name), ExactlyOneOf(logs_config),
 * ExactlyOneOf(logs_config.lambda_forwarder), ExactlyOneOf(metrics_config.namespace_filters),
 * Conflicting(include_only, exclude_only), ExactlyOneOf(traces_config.xray_services),
 * Conflicting(xray include_all, include_only), ExactlyOneOf(resources_config),
 * Conflicting(aws_regions include_all, include_only); aws_account_id matches ^[0-9]{12}$;
 * aws_partition is one of aws, aws-cn, aws-us-gov; CSPM collection requires extended_collection.
 */
function awsAccountProblems(r: TerraformJson): string[] {
  const out: string[] = [];
  const regions = block(r.aws_regions);
  const auth = block(r.auth_config);
  const role = block(auth?.aws_auth_config_role);
  const keys = block(auth?.aws_auth_config_keys);
  const logs = block(r.logs_config);
  const metrics = block(r.metrics_config);
  const filters = block(metrics?.namespace_filters);
  const xray = block(block(r.traces_config)?.xray_services);
  const resources = block(r.resources_config);
  if (!regions) out.push('aws_regions block missing (ExactlyOneOf)');
  if (regions && set(regions.include_all) && set(regions.include_only)) out.push('aws_regions include_all conflicts with include_only');
  if (Boolean(role) === Boolean(keys)) out.push('exactly one of auth_config.aws_auth_config_role / aws_auth_config_keys');
  if (role && !set(role.role_name)) out.push('aws_auth_config_role needs role_name (RequiredTogether)');
  if (!logs) out.push('logs_config block missing (ExactlyOneOf)');
  if (logs && !block(logs.lambda_forwarder)) out.push('logs_config.lambda_forwarder block missing (ExactlyOneOf)');
  if (!filters) out.push('metrics_config.namespace_filters block missing (ExactlyOneOf)');
  if (filters && set(filters.include_only) && set(filters.exclude_only)) out.push('namespace_filters include_only conflicts with exclude_only');
  if (!xray) out.push('traces_config.xray_services block missing (ExactlyOneOf)');
  if (xray && set(xray.include_all) && set(xray.include_only)) out.push('xray_services include_all conflicts with include_only');
  if (!resources) out.push('resources_config block missing (ExactlyOneOf)');
  if (resources?.cloud_security_posture_management_collection === true && resources.extended_collection === false) out.push('CSPM collection requires extended_collection');
  if (!/^[0-9]{12}$/.test(String(r.aws_account_id))) out.push(`aws_account_id ${r.aws_account_id} does not match ^[0-9]{12}$`);
  if (!['aws', 'aws-cn', 'aws-us-gov'].includes(r.aws_partition)) out.push(`aws_partition ${r.aws_partition}`);
  return out;
}

/**
 * datadog/internal/validators/tags_set_is_nomalized.go refuses a tag that
 * datadog/internal/utils/tags.go NormalizeTag would change. For ASCII tags NormalizeTag keeps
 * a tag of at most 200 characters that starts with a-z or ':', continues with a-z, 0-9,
 * ':', '.', '/', '-', and has an underscore only before one of those.
 */
function normalizedTag(t: string): boolean {
  const valid = (c: string) => /[a-z0-9:./-]/.test(c);
  if (t.length === 0) return true;
  if (t.length > 200 || !/[a-z:]/.test(t[0])) return false;
  for (let i = 1; i < t.length; i++) {
    if (valid(t[i])) continue;
    if (t[i] === '_' && i + 1 < t.length && valid(t[i + 1])) i++;
    else return false;
  }
  return true;
}

/**
 * datadog/fwprovider/resource_datadog_integration_fastly_account.go: `name` and `api_key`
 * Required; `api_key` is not marked Sensitive in the schema, so only a sensitive variable
 * keeps it out of plan output. resource_datadog_integration_fastly_service.go: `service_id`
 * Required, `tags` a set validated by validators.TagsSetIsNormalized().
 */
function fastlyProblems(json: TerraformJson): string[] {
  const out: string[] = [];
  const variables = json.variable ?? {};
  for (const [id, a] of Object.entries(resourcesOf(json, 'datadog_integration_fastly_account'))) {
    if (!set(a.name)) out.push(`${id}: name missing`);
    const ref = /^\$\{var\.([\w-]+)\}$/.exec(String(a.api_key ?? ''));
    if (!ref) out.push(`${id}: api_key is not a Terraform variable reference (${a.api_key === undefined ? 'missing' : 'a literal'})`);
    else if (variables[ref[1]]?.sensitive !== true) out.push(`${id}: api_key variable ${ref[1]} is not sensitive`);
  }
  for (const [id, s] of Object.entries(resourcesOf(json, 'datadog_integration_fastly_service'))) {
    if (!set(s.service_id)) out.push(`${id}: service_id missing`);
    for (const t of s.tags ?? []) if (!normalizedTag(t)) out.push(`${id}: tag ${t} is not normalized`);
  }
  return out;
}

/**
 * datadog/resource_datadog_monitor.go and docs/resources/monitor.md: name, message, query and
 * type Required; type one of the MonitorType enum; priority an integer 1-5 as a string;
 * monitor_thresholds values are float strings (validators.ValidateFloatString);
 * renotify_statuses in {alert, warn, no data}; notify_no_data conflicts with on_missing_data.
 */
const MONITOR_TYPES = ['composite', 'event alert', 'log alert', 'metric alert', 'process alert', 'query alert', 'rum alert', 'service check', 'synthetics alert', 'trace-analytics alert', 'slo alert', 'event-v2 alert', 'audit alert', 'ci-pipelines alert', 'ci-tests alert', 'error-tracking alert', 'database-monitoring alert', 'network-performance alert', 'cost alert'];
function monitorProblems(id: string, m: TerraformJson): string[] {
  const out: string[] = [];
  for (const f of ['name', 'message', 'query', 'type']) if (!set(m[f])) out.push(`${id}: ${f} missing`);
  if (!MONITOR_TYPES.includes(m.type)) out.push(`${id}: type ${m.type}`);
  if (set(m.priority) && !/^[1-5]$/.test(String(m.priority))) out.push(`${id}: priority ${m.priority}`);
  const thresholds = block(m.monitor_thresholds) ?? {};
  for (const [k, v] of Object.entries(thresholds)) if (set(v) && !(typeof v === 'string' && Number.isFinite(Number(v)))) out.push(`${id}: monitor_thresholds.${k} ${v} is not a float string`);
  for (const s of m.renotify_statuses ?? []) if (!['alert', 'warn', 'no data'].includes(s)) out.push(`${id}: renotify_statuses ${s}`);
  if (set(m.notify_no_data) && set(m.on_missing_data)) out.push(`${id}: notify_no_data conflicts with on_missing_data`);
  return out;
}

/**
 * datadog/resource_datadog_service_level_objective.go and docs/resources/service_level_objective.md:
 * type in {metric, monitor, time_slice}; `query` ConflictsWith sli_specification; a time
 * slice has a comparator in {>, >=, <, <=}, a threshold, query_interval_seconds in {60, 300}
 * and exactly one formula (MinItems/MaxItems 1); thresholds' timeframe in {7d, 30d, 90d, custom}
 * with a target in (0, 100).
 */
function sloProblems(id: string, s: TerraformJson): string[] {
  const out: string[] = [];
  if (!['metric', 'monitor', 'time_slice'].includes(s.type)) out.push(`${id}: type ${s.type}`);
  if (set(s.query) && set(s.sli_specification)) out.push(`${id}: query conflicts with sli_specification`);
  if (s.type === 'metric' && !(block(s.query)?.numerator && block(s.query)?.denominator)) out.push(`${id}: a metric SLO needs query.numerator and denominator`);
  if (s.type === 'time_slice') {
    const slice = block(block(s.sli_specification)?.time_slice);
    if (!slice) out.push(`${id}: time_slice missing`);
    else {
      if (!['>', '>=', '<', '<='].includes(String(slice.comparator))) out.push(`${id}: comparator ${slice.comparator}`);
      if (typeof slice.threshold !== 'number') out.push(`${id}: threshold ${slice.threshold}`);
      if (set(slice.query_interval_seconds) && ![60, 300].includes(slice.query_interval_seconds as number)) out.push(`${id}: query_interval_seconds ${slice.query_interval_seconds}`);
      const formula = block(slice.query)?.formula;
      if (!block(formula)) out.push(`${id}: exactly one formula`);
    }
  }
  for (const t of s.thresholds ?? []) {
    if (!['7d', '30d', '90d', 'custom'].includes(t.timeframe)) out.push(`${id}: timeframe ${t.timeframe}`);
    if (!(t.target > 0 && t.target < 100)) out.push(`${id}: target ${t.target}`);
  }
  return out;
}

/** datadog/resource_datadog_dashboard_json.go: `dashboard` Required, validation.StringIsJSON; the Read path needs `layout_type`. */
function dashboardProblems(id: string, d: TerraformJson): string[] {
  try {
    const parsed = JSON.parse(d.dashboard);
    return set(parsed.layout_type) ? [] : [`${id}: dashboard has no layout_type`];
  } catch {
    return [`${id}: dashboard is not JSON`];
  }
}

function allProblems(json: TerraformJson): string[] {
  return [
    ...Object.values(resourcesOf(json, 'datadog_integration_aws_account')).flatMap(awsAccountProblems),
    ...fastlyProblems(json),
    ...Object.entries(resourcesOf(json, 'datadog_monitor')).flatMap(([id, m]) => monitorProblems(id, m)),
    ...Object.entries(resourcesOf(json, 'datadog_service_level_objective')).flatMap(([id, s]) => sloProblems(id, s)),
    ...Object.entries(resourcesOf(json, 'datadog_dashboard_json')).flatMap(([id, d]) => dashboardProblems(id, d)),
  ];
}

const monitored = loadAccounts().filter((a) => a.monitoring.enabled);
const stacks = monitored.map((a) => ({ account: a, json: synthAccount(a) }));

describe(`Datadog resources the accounts synthesize meet ${SOURCE}'s validators`, () => {
  it('has accounts with monitoring to check', () => {
    expect(stacks.length).toBeGreaterThan(0);
  });

  it.each(stacks.map((s) => [s.account.name, s.json] as const))('%s: no provider validator would refuse a Datadog resource', (_name, json) => {
    expect(allProblems(json)).toEqual([]);
    for (const type of ['datadog_integration_aws_account', 'datadog_monitor', 'datadog_dashboard_json']) expect(Object.keys(resourcesOf(json, type)).length).toBeGreaterThan(0);
  });

  // datadog/fwprovider/resource_datadog_integration_aws_external_id.go: only a computed `id`;
  // docs/resources/integration_aws_external_id.md: a new external id expires unless an AWS
  // account integration uses it within 48 hours, so it is used in the same apply.
  it.each(stacks.map((s) => [s.account.name, s.json] as const))('%s: the external id is used by the account integration and the role trust of the same stack', (_name, json) => {
    const ids = Object.keys(resourcesOf(json, 'datadog_integration_aws_external_id'));
    expect(ids).toHaveLength(1);
    expect(Object.keys(Object.values(resourcesOf(json, 'datadog_integration_aws_external_id'))[0]).filter((k) => k !== '//')).toEqual([]);
    const ref = `\${datadog_integration_aws_external_id.${ids[0]}.id}`;
    const account = Object.values(resourcesOf(json, 'datadog_integration_aws_account'))[0];
    expect(account.auth_config.aws_auth_config_role.external_id).toBe(ref);
    const trusts = Object.values(resourcesOf(json, 'aws_iam_role')).map((r) => r.assume_role_policy as string).filter((p) => p.includes(ref));
    expect(trusts).toHaveLength(1);
  });

  it.each(stacks.filter((s) => s.account.cdn.length > 0).map((s) => [s.account.name, s] as const))(
    '%s: registers every fastly_service_vcl of the stack with the Fastly integration, by the resource\'s id',
    (_name, { account, json }) => {
      const services = Object.keys(resourcesOf(json, 'fastly_service_vcl'));
      const registered = Object.values(resourcesOf(json, 'datadog_integration_fastly_service'));
      expect(services.length).toBe(account.cdn.length);
      expect(registered.map((r) => r.service_id).sort()).toEqual(services.map((id) => `\${fastly_service_vcl.${id}.id}`).sort());
      expect(registered.every((r) => /^\$\{datadog_integration_fastly_account\.[\w-]+\.id\}$/.test(r.account_id))).toBe(true);
      expect(json.variable[DATADOG_FASTLY_API_KEY_VARIABLE]).toMatchObject({ type: 'string', sensitive: true });
      expect(JSON.stringify(json)).not.toMatch(/"api_key":\s*"(?!\$\{var\.)/);
    },
  );
});

/** The CloudWatch namespace behind each Datadog AWS metric prefix (Datadog's AWS integration docs). */
const NAMESPACE_OF: Record<string, string> = {
  applicationelb: 'AWS/ApplicationELB', elasticbeanstalk: 'AWS/ElasticBeanstalk', ec2: 'AWS/EC2', rds: 'AWS/RDS', sqs: 'AWS/SQS', lambda: 'AWS/Lambda', ses: 'AWS/SES', dynamodb: 'AWS/DynamoDB', autoscaling: 'AWS/AutoScaling', elasticache: 'AWS/ElastiCache', billing: 'AWS/Billing', sns: 'AWS/SNS',
};

describe('only metrics that will exist', () => {
  it.each(stacks.map((s) => [s.account.name, s.json] as const))('%s: every AWS metric a monitor or SLO reads is in a namespace the integration collects', (_name, json) => {
    const collected: string[] = Object.values(resourcesOf(json, 'datadog_integration_aws_account'))[0].metrics_config.namespace_filters.include_only;
    const queries = [
      ...Object.values(resourcesOf(json, 'datadog_monitor')).map((m) => m.query as string),
      ...Object.values(resourcesOf(json, 'datadog_service_level_objective')).map((s) => JSON.stringify(s.query ?? s.sli_specification)),
    ];
    const prefixes = [...new Set(queries.flatMap((q) => [...q.matchAll(/\baws\.([a-z0-9]+)\./g)].map((m) => m[1])))];
    expect(prefixes.length).toBeGreaterThan(3);
    for (const p of prefixes) expect(collected).toContain(NAMESPACE_OF[p] ?? `a known namespace for aws.${p}`);
    // Beanstalk's Auto Scaling groups publish no group metrics: nothing may read them.
    expect(queries.filter((q) => q.includes('aws.autoscaling.'))).toEqual([]);
  });
});

describe('the rules catch what they describe', () => {
  const aws = () => {
    const json = synthConstructs((stack) => new DatadogAwsIntegration(stack, 'dd', { accountId: '111111111111', region: 'ap-northeast-1', site: 'ap1.datadoghq.com' }));
    return Object.values(resourcesOf(json, 'datadog_integration_aws_account'))[0];
  };

  it('datadog_integration_aws_account: refuses a config without logs_config.lambda_forwarder or traces_config.xray_services (as the binding allows)', () => {
    const { logs_config: _l, traces_config: _t, ...without } = aws();
    expect(awsAccountProblems(aws())).toEqual([]);
    expect(awsAccountProblems(without)).toEqual(['logs_config block missing (ExactlyOneOf)', 'traces_config.xray_services block missing (ExactlyOneOf)']);
    expect(awsAccountProblems({ ...aws(), logs_config: {}, aws_regions: { include_all: true, include_only: ['x'] } })).toEqual([
      'aws_regions include_all conflicts with include_only',
      'logs_config.lambda_forwarder block missing (ExactlyOneOf)',
    ]);
    expect(awsAccountProblems({ ...aws(), resources_config: undefined, auth_config: { aws_auth_config_role: {} } })).toEqual([
      'aws_auth_config_role needs role_name (RequiredTogether)',
      'resources_config block missing (ExactlyOneOf)',
    ]);
  });

  it('datadog_integration_fastly_account / _service: refuses a literal API key, a non-sensitive variable and unnormalized tags', () => {
    const build = (apiKey: (stack: TerraformStack) => string, tags?: string[]) =>
      synthConstructs((stack) => new DatadogFastlyIntegration(stack, 'f', { accountName: 'a', apiKey: apiKey(stack), services: [{ name: 'web', id: 'abc' }], tags }));
    const variable = (sensitive: boolean) => (stack: TerraformStack) => new TerraformVariable(stack, 'k', { type: 'string', sensitive }).stringValue;
    expect(fastlyProblems(build(variable(true)))).toEqual([]);
    expect(fastlyProblems(build(() => 'literal-key'))).toEqual([expect.stringMatching(/^f_account_\w+: api_key is not a Terraform variable reference \(a literal\)$/)]);
    expect(fastlyProblems(build(variable(false)))).toEqual([expect.stringMatching(/: api_key variable k is not sensitive$/)]);
    const json = build(variable(true));
    Object.values(resourcesOf(json, 'datadog_integration_fastly_service'))[0].tags.push('Env:Prod');
    expect(fastlyProblems(json)).toEqual([expect.stringContaining('tag Env:Prod is not normalized')]);
    expect(['env:prod', 'a_b', 'service:production-hotel'].every(normalizedTag)).toBe(true);
    expect(['a__b', 'a_', '1abc', 'a b'].some(normalizedTag)).toBe(false);
  });

  it('DatadogFastlyIntegration refuses unnormalized tags itself, naming the tag', () => {
    expect(errorOf(() => synthConstructs((stack) => new DatadogFastlyIntegration(stack, 'f', { accountName: 'a', apiKey: 'x', services: [{ name: 'Web', id: 'abc' }] })))).toContain(
      'services[0] tag: got "service:Web", expected a normalized Datadog tag',
    );
  });

  it('datadog_monitor: refuses an unknown type, a priority outside 1-5, non-numeric thresholds and unknown renotify statuses', () => {
    expect(monitorProblems('m', { name: 'n', message: 'm', query: 'q', type: 'metric', priority: '0', monitor_thresholds: { critical: 'high' }, renotify_statuses: ['warning'] })).toEqual([
      'm: type metric',
      'm: priority 0',
      'm: monitor_thresholds.critical high is not a float string',
      'm: renotify_statuses warning',
    ]);
  });

  it('datadog_service_level_objective: refuses a query with a time slice, a 120 s slice, and a target of 100', () => {
    expect(
      sloProblems('s', {
        type: 'time_slice',
        query: { numerator: 'a', denominator: 'b' },
        sli_specification: { time_slice: { comparator: '<', threshold: 1, query_interval_seconds: 120, query: { formula: { formula_expression: 'a' } } } },
        thresholds: [{ timeframe: '30d', target: 100 }],
      }),
    ).toEqual(['s: query conflicts with sli_specification', 's: query_interval_seconds 120', 's: target 100']);
  });

  it('datadog_dashboard_json: refuses a dashboard that is not JSON', () => {
    expect(dashboardProblems('d', { dashboard: '{"title": ' })).toEqual(['d: dashboard is not JSON']);
    expect(dashboardProblems('d', { dashboard: '{"title": "x"}' })).toEqual(['d: dashboard has no layout_type']);
  });
});
