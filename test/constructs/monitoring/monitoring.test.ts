import { DATADOG_STANDARD_ACTIONS, DATADOG_WRITE_ACTIONS_LEFT_OUT, DatadogAwsIntegration } from '../../../constructs/monitoring/aws-integration';
import { Monitoring, MonitoringProps, SloSpec, graphQuery } from '../../../constructs/monitoring/monitoring';
import { SOURCE_DELAY_MINUTES, defaultBurnRateAlerts, maxBurnRate, windowHours } from '../../../constructs/monitoring/slo';
import { MonitorSpec } from '../../../constructs/monitoring/spec';
import { errorOf, onlyResource, resourcesOf, synthConstructs } from '../../helpers';

const spec = (key: string, priority: MonitorSpec['priority'], notifyNoData = false): MonitorSpec => ({
  key, title: key, type: 'query alert', query: 'avg(last_5m):avg:x{*} > 1', priority, critical: 1, unit: 'things', what: 'w', action: 'a', notifyNoData, service: 'svc', target: { kind: 'database', name: 'db' },
});
const props = (changes: Partial<MonitoringProps> = {}): MonitoringProps => ({
  account: 'production',
  environment: 'production',
  team: 'platform',
  slack: { workspace: 'example-co', immediate: 'prod-immediate', watch: 'prod-watch' },
  monitors: [spec('p1', 1, true), spec('p2', 2), spec('p3', 3), spec('p5', 5)],
  ...changes,
});
const synth = (p: MonitoringProps) => synthConstructs((stack) => new Monitoring(stack, 'monitoring', p));
const slo = (changes: Partial<SloSpec> = {}): SloSpec => ({ name: 'web', service: 'production-web', source: 'fastly', kind: 'availability', target: 99.9, ...changes });

describe('Monitoring: routing', () => {
  const monitors = Object.values(resourcesOf(synth(props()), 'datadog_monitor'));
  const named = (key: string) => monitors.find((m) => m.name.endsWith(key))!;

  it('sends P1-P2 to the immediate channel and P3-P5 to the watch channel', () => {
    expect(named('p1').message).toMatch(/@slack-example-co-prod-immediate$/);
    expect(named('p2').message).toMatch(/@slack-example-co-prod-immediate$/);
    expect(named('p3').message).toMatch(/@slack-example-co-prod-watch$/);
    expect(named('p5').message).toMatch(/@slack-example-co-prod-watch$/);
  });

  it('names and tags every monitor with priority, env, service, team and account', () => {
    expect(named('p2').name).toBe('[P2] [production] p2');
    expect(named('p2').priority).toBe('2');
    expect(named('p2').tags).toEqual(['env:production', 'team:platform', 'account:production', 'managed-by:cdktf', 'service:svc', 'target:db', 'priority:p2']);
  });

  it('says what it means and what to do', () => {
    expect(named('p3').message).toContain('**What it means:** w\n**What to do:** a');
  });

  it('re-notifies P1 and P2 only, and notifies on no data only where asked', () => {
    expect(named('p1')).toMatchObject({ renotify_interval: 30, renotify_statuses: ['alert', 'no data'], notify_no_data: true, no_data_timeframe: 30 });
    expect(named('p2')).toMatchObject({ renotify_interval: 60, renotify_statuses: ['alert'], notify_no_data: false });
    expect(named('p3').renotify_interval).toBeUndefined();
  });

  it('refuses a bad channel and duplicate keys', () => {
    const message = errorOf(() => synth(props({ slack: { workspace: 'example-co', immediate: '#Alerts', watch: 'w' }, monitors: [spec('a', 2), spec('a', 3)] })));
    expect(message).toContain('slack.immediate: got "#Alerts", expected a Slack channel name');
    expect(message).toContain('monitors[].key: got ["a"], expected unique monitor keys');
  });
});

describe('Monitoring: SLOs and burn-rate alerts', () => {
  const json = synth(props({ slos: [slo(), slo({ name: 'web-latency', service: 'web-prod', source: 'load-balancer', kind: 'latency', target: 99, latencySeconds: 1.5 })] }));
  const slos = Object.values(resourcesOf(json, 'datadog_service_level_objective'));
  const burns = Object.values(resourcesOf(json, 'datadog_monitor')).filter((m) => m.type === 'slo alert');

  it('measures availability at Fastly as 1-minute time slices, since fastly.* are gauges that metric SLOs do not take', () => {
    expect(slos[0]).toMatchObject({
      type: 'time_slice',
      thresholds: [{ timeframe: '30d', target: 99.9 }],
      sli_specification: {
        time_slice: {
          comparator: '<=',
          threshold: 1,
          query_interval_seconds: 60,
          query: {
            formula: { formula_expression: 'default_zero(errors) / requests * 100' },
            query: [
              { metric_query: { name: 'errors', query: 'sum:fastly.status_5xx{service:production-web}' } },
              { metric_query: { name: 'requests', query: 'sum:fastly.requests{service:production-web}' } },
            ],
          },
        },
      },
    });
    expect(slos[0].query).toBeUndefined();
  });

  it('measures availability at the load balancer as good / (good + bad) response classes, which cannot go negative', () => {
    const lb = Object.values(resourcesOf(synth(props({ slos: [slo({ name: 'lb', service: 'web-prod', source: 'load-balancer' })] })), 'datadog_service_level_objective'))[0];
    const terms = (q: string) => q.split(' + ').map((t) => t.trim());
    expect(lb.type).toBe('metric');
    // Every term is a count added, never subtracted (request_count - elb_5xx went negative with no healthy target).
    expect(lb.query.numerator).not.toContain(' - ');
    expect(lb.query.denominator).not.toContain(' - ');
    expect(lb.query.numerator).not.toContain('request_count');
    // The good events are a subset of the total events, and the rest of the total is 5xx.
    const good = terms(lb.query.numerator);
    const total = terms(lb.query.denominator);
    expect(total.slice(0, good.length)).toEqual(good);
    expect(total.slice(good.length).map((t) => /httpcode_(\w+)\{/.exec(t)![1])).toEqual(['target_5xx', 'elb_5xx']);
    expect(good.every((t) => /httpcode_(target|elb)_[234]xx\{elasticbeanstalk:environment-name:web-prod\}\.as_count\(\)$/.test(t))).toBe(true);
  });

  it('measures latency as time slices with p95 under the threshold at the load balancer', () => {
    expect(slos[1]).toMatchObject({ type: 'time_slice', sli_specification: { time_slice: { comparator: '<', threshold: 1.5 } } });
  });

  it('alerts on burn rate per Datadog guidance for a 30-day SLO: 14.4 over 1h/5m and 6 over 6h/30m', () => {
    const queries = burns.filter((b) => b.name.includes('] web:')).map((b) => b.query);
    expect(queries[0]).toMatch(/^burn_rate\("\$\{datadog_service_level_objective\.monitoring_slo-web_\w+\.id\}"\)\.over\("30d"\)\.long_window\("1h"\)\.short_window\("5m"\) > 14\.4$/);
    expect(queries[1]).toMatch(/long_window\("6h"\)\.short_window\("30m"\) > 6$/);
    expect(burns[0].message).toMatch(/@slack-example-co-prod-immediate$/);
  });

  it('gives load-balancer SLOs short windows the 15-minute CloudWatch delay leaves data in, and Fastly ones the 5-minute window', () => {
    expect(defaultBurnRateAlerts('30d', 'load-balancer').map((a) => [a.longWindow, a.shortWindow])).toEqual([['1h', '30m'], ['6h', '1h'], ['24h', '2h']]);
    expect(defaultBurnRateAlerts('30d', 'fastly').map((a) => [a.longWindow, a.shortWindow])).toEqual([['1h', '5m'], ['6h', '30m'], ['24h', '2h']]);
    for (const source of ['fastly', 'load-balancer'] as const) {
      for (const a of defaultBurnRateAlerts('30d', source)) expect(windowHours(a.shortWindow)! * 60).toBeGreaterThanOrEqual(2 * SOURCE_DELAY_MINUTES[source]);
    }
    const lbBurns = Object.values(resourcesOf(synth(props({ slos: [slo({ name: 'lb', service: 'web-prod', source: 'load-balancer' })] })), 'datadog_monitor')).filter((m) => m.type === 'slo alert');
    expect(lbBurns.map((b) => /short_window\("(\w+)"\)/.exec(b.query)![1])).toEqual(['30m', '1h', '2h']);
  });

  it('refuses a short window inside the source\'s data delay: a 5-minute window over CloudWatch data holds nothing', () => {
    const message = errorOf(() => synth(props({ slos: [slo({ source: 'load-balancer', service: 'web-prod', burnRateAlerts: [{ burnRate: 14.4, longWindow: '1h', shortWindow: '5m', priority: 2 }] })] })));
    expect(message).toContain('slos[0].burnRateAlerts[0].shortWindow: got "5m", expected at least 30m for source "load-balancer"');
  });

  it('scales the default thresholds for 7- and 90-day SLOs', () => {
    expect(defaultBurnRateAlerts('30d', 'fastly').map((a) => a.burnRate)).toEqual([14.4, 6, 3]);
    expect(defaultBurnRateAlerts('7d', 'fastly').map((a) => a.burnRate)).toEqual([3.4, 1.4, 0.7]);
    expect(defaultBurnRateAlerts('90d', 'load-balancer').map((a) => a.burnRate)).toEqual([43.2, 18, 9]);
  });

  it('refuses a burn rate above 1/(1-target)', () => {
    expect(maxBurnRate(99)).toBeCloseTo(100);
    const message = errorOf(() => synth(props({ slos: [slo({ target: 95, burnRateAlerts: [{ burnRate: 30, longWindow: '1h', shortWindow: '5m', priority: 2 }] })] })));
    expect(message).toContain('slos[0].burnRateAlerts[0].burnRate: got 30, expected above 0 and at most 20 (1 / (1 - target) for a 95% target');
  });

  it('refuses default alerts a low target cannot reach', () => {
    expect(errorOf(() => synth(props({ slos: [slo({ target: 97, timeframe: '90d' })] })))).toContain('slos[0].burnRateAlerts[0].burnRate: got 43.2, expected above 0 and at most 33.33');
  });

  it('refuses a short window not shorter than its long window', () => {
    expect(errorOf(() => synth(props({ slos: [slo({ burnRateAlerts: [{ burnRate: 6, longWindow: '1h', shortWindow: '1h', priority: 2 }] })] })))).toContain(
      'slos[0].burnRateAlerts[0].shortWindow: got "1h", expected a window shorter than longWindow (1h)',
    );
  });

  it('refuses a long window outside 1h to 48h', () => {
    const message = errorOf(() => synth(props({ slos: [slo({ burnRateAlerts: [{ burnRate: 1, longWindow: '3d', shortWindow: '6h', priority: 3 }, { burnRate: 10, longWindow: '30m', shortWindow: '5m', priority: 2 }] })] })));
    expect(message).toContain('slos[0].burnRateAlerts[0].longWindow: got "3d", expected from 1h to 48h');
    expect(message).toContain('slos[0].burnRateAlerts[1].longWindow: got "30m", expected from 1h to 48h');
  });

  it('refuses a target outside (0, 100) and a latency SLO at Fastly', () => {
    const message = errorOf(() => synth(props({ slos: [slo({ target: 100 }), slo({ name: 'l', kind: 'latency' })] })));
    expect(message).toContain('slos[0].target: got 100');
    expect(message).toContain('slos[1].source: got "fastly", expected "load-balancer" for a latency SLO');
  });
});

describe('Monitoring: dashboard', () => {
  it('shows the SLOs, then a group per target with the graph of each monitor', () => {
    const json = synth(props({ slos: [slo()] }));
    const dashboard = JSON.parse(onlyResource(json, 'datadog_dashboard_json').dashboard);
    expect(dashboard.title).toBe('production: services, databases and SLOs');
    expect(dashboard.widgets[0].definition).toMatchObject({ type: 'slo', title: 'web' });
    expect(dashboard.widgets[1].definition).toMatchObject({ type: 'group', title: 'db (database)' });
    expect(dashboard.widgets[1].definition.widgets[0].definition.requests[0].q).toBe('avg:x{*}');
  });

  it('graphs the expression of a monitor query', () => {
    expect(graphQuery('sum(last_10m):sum:a{x}.as_count() / sum:b{x}.as_count() * 100 > 5')).toBe('sum:a{x}.as_count() / sum:b{x}.as_count() * 100');
    expect(graphQuery('min(last_15m):min:aws.rds.free_storage_space{db:x} < 21474836480')).toBe('min:aws.rds.free_storage_space{db:x}');
  });
});

describe('DatadogAwsIntegration', () => {
  const json = synthConstructs((stack) => new DatadogAwsIntegration(stack, 'dd', { accountId: '111111111111', region: 'ap-northeast-1', site: 'ap1.datadoghq.com' }));

  it('lets only Datadog (for the AP1 site) assume the role, with the external id Datadog issued', () => {
    const trust = JSON.parse(onlyResource(json, 'aws_iam_role').assume_role_policy).Statement[0];
    expect(trust.Principal).toEqual({ AWS: 'arn:aws:iam::417141415827:root' });
    expect(trust.Condition.StringEquals['sts:ExternalId']).toMatch(/datadog_integration_aws_external_id\..*\.id/);
  });

  it("grants Datadog's standard integration policy minus the log-forwarding write actions", () => {
    const actions: string[] = JSON.parse(onlyResource(json, 'aws_iam_role_policy').policy).Statement[0].Action;
    expect(actions).toContain('autoscaling:Describe*'); // covers autoscaling:DescribeTags
    expect(actions).toContain('tag:GetResources');
    expect(DATADOG_STANDARD_ACTIONS.filter((a) => !actions.includes(a))).toEqual([...DATADOG_WRITE_ACTIONS_LEFT_OUT]);
    expect(actions.filter((a) => !DATADOG_STANDARD_ACTIONS.includes(a))).toEqual([]);
    expect(actions.every((a) => /:(Get|List|Describe|BatchGet|LookupEvents|FilterLogEvents|TestMetricFilter|ViewBudget|GET)/.test(a))).toBe(true);
  });

  it('keeps the inline policy under IAM\'s 10,240-character limit for a role\'s inline policies (IAM quotas, docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html)', () => {
    expect(onlyResource(json, 'aws_iam_role_policy').policy.replace(/\s/g, '').length).toBeLessThan(10240);
  });

  it('registers the account for its region with the role', () => {
    expect(onlyResource(json, 'datadog_integration_aws_account')).toMatchObject({
      aws_account_id: '111111111111', aws_partition: 'aws', aws_regions: { include_only: ['ap-northeast-1'] },
      auth_config: { aws_auth_config_role: { role_name: 'DatadogIntegrationRole' } },
    });
  });

  it('refuses an unknown Datadog site', () => {
    expect(errorOf(() => synthConstructs((stack) => new DatadogAwsIntegration(stack, 'dd', { accountId: '1', region: 'x', site: 'example.com' })))).toContain('site: got "example.com"');
  });
});
