import { DashboardJson } from '@cdktf/provider-datadog/lib/dashboard-json';
import { Monitor } from '@cdktf/provider-datadog/lib/monitor';
import { ServiceLevelObjective } from '@cdktf/provider-datadog/lib/service-level-objective';
import { Construct } from 'constructs';
import { Rule, checkProps } from '../core/validation';
import { fastlyScope, loadBalancerEvents } from './catalogue';
import { BurnRateAlert, SLO_TIMEFRAME_HOURS, SloSource, SloTimeframe, burnRateProblems, defaultBurnRateAlerts } from './slo';
import { MonitorSpec, Priority } from './spec';

/**
 * Where alerts go. Datadog's Slack handle is `@slack-<workspace>-<channel>`, the workspace
 * being the Slack account's name in Datadog's Slack integration.
 */
export interface SlackChannels {
  /** The Slack account's name in Datadog's Slack integration. */
  readonly workspace: string;
  /** P1-P2: needs action now. */
  readonly immediate: string;
  /** P3-P5: needs a look. */
  readonly watch: string;
}

/** A service level objective on a public service. */
export interface SloSpec {
  /** Unique name in the account, e.g. `hotel-availability`. */
  readonly name: string;
  /** What the SLO promises, for the SLO page. @default - generated */
  readonly description?: string;
  /** The Fastly service name or Beanstalk environment name it measures. */
  readonly service: string;
  /** Where requests are counted: at Fastly (what customers see) or at the load balancer. */
  readonly source: SloSource;
  /**
   * `availability` at the load balancer: non-5xx / all responses (a metric SLO over counts).
   * `availability` at Fastly: share of 1-minute slices with at most `sliceErrorPercent` 5xx
   * (a time-slice SLO: Datadog's Fastly metrics are gauges, which metric SLOs do not take).
   * `latency`: share of 5-minute slices with p95 under the threshold.
   */
  readonly kind: 'availability' | 'latency';
  /** Target, percent (e.g. 99.9). */
  readonly target: number;
  /** @default '30d' */
  readonly timeframe?: SloTimeframe;
  /** p95 threshold for latency SLOs, seconds. @default 1 */
  readonly latencySeconds?: number;
  /** Fastly availability: a minute is good when at most this percent of its requests are 5xx. @default 1 */
  readonly sliceErrorPercent?: number;
  /** @default - Datadog's guidance, scaled to the timeframe, with short windows the source's data delay allows: see slo.ts */
  readonly burnRateAlerts?: readonly BurnRateAlert[];
}

export interface MonitoringProps {
  /** Account name (tag `account:` and part of every monitor name). */
  readonly account: string;
  /** Environment (tag `env:`). */
  readonly environment: string;
  /** Owning team (tag `team:`). */
  readonly team: string;
  readonly slack: SlackChannels;
  /** The monitors AccountStack chose for this account. */
  readonly monitors: readonly MonitorSpec[];
  /** @default [] */
  readonly slos?: readonly SloSpec[];
  /** Runbook index linked from every alert. @default - none */
  readonly runbookUrl?: string;
}

/** Re-notify while still alerting: P1 every 30 min, P2 hourly, others never. */
const RENOTIFY_MINUTES: Record<Priority, number | undefined> = { 1: 30, 2: 60, 3: undefined, 4: undefined, 5: undefined };

/**
 * The account's Datadog monitors, SLOs with burn-rate alerts, and dashboard. Every alert
 * goes to Slack: P1-P2 to the immediate channel, P3-P5 to the watch channel.
 */
export class Monitoring extends Construct {
  public readonly monitors: readonly Monitor[];
  public readonly slos: readonly ServiceLevelObjective[];
  public readonly dashboard: DashboardJson;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const slos = props.slos ?? [];
    const keys = props.monitors.map((m) => m.key);
    const channel = /^[a-z0-9][a-z0-9_-]{0,79}$/;
    const rules: Rule[] = [
      [!channel.test(props.slack.workspace), 'slack.workspace', props.slack.workspace, 'the Slack account name in the Datadog Slack integration'],
      [!channel.test(props.slack.immediate), 'slack.immediate', props.slack.immediate, 'a Slack channel name (lower-case, no #)'],
      [!channel.test(props.slack.watch), 'slack.watch', props.slack.watch, 'a Slack channel name (lower-case, no #)'],
      [new Set(keys).size !== keys.length, 'monitors[].key', keys.filter((k, i) => keys.indexOf(k) !== i), 'unique monitor keys'],
      ...props.monitors.map((m): Rule => [![1, 2, 3, 4, 5].includes(m.priority), `monitors[${m.key}].priority`, m.priority, '1 to 5']),
      ...slos.flatMap((s, i): Rule[] => {
        const p = `slos[${i}]`;
        const timeframe = s.timeframe ?? '30d';
        return [
          [!(s.target > 0 && s.target < 100), `${p}.target`, s.target, 'a percentage above 0 and below 100'],
          [!(timeframe in SLO_TIMEFRAME_HOURS), `${p}.timeframe`, timeframe, '"7d", "30d" or "90d"'],
          [s.kind === 'latency' && !((s.latencySeconds ?? 1) > 0), `${p}.latencySeconds`, s.latencySeconds, 'above 0'],
          [s.kind === 'latency' && s.source === 'fastly', `${p}.source`, s.source, '"load-balancer" for a latency SLO (Fastly reports no percentiles)'],
          [s.sliceErrorPercent !== undefined && !(s.sliceErrorPercent > 0 && s.sliceErrorPercent < 100), `${p}.sliceErrorPercent`, s.sliceErrorPercent, 'a percentage above 0 and below 100'],
          ...burnRateProblems(p, s.target, s.source, s.burnRateAlerts ?? defaultBurnRateAlerts(timeframe, s.source)).map(([prop, got, expected]): Rule => [true, prop, got, expected]),
        ];
      }),
    ];
    checkProps(this, 'Monitoring', rules);

    const baseTags = [`env:${props.environment}`, `team:${props.team}`, `account:${props.account}`, 'managed-by:cdktf'];
    const handle = (priority: Priority) => `@slack-${props.slack.workspace}-${priority <= 2 ? props.slack.immediate : props.slack.watch}`;
    const message = (what: string, action: string, priority: Priority) =>
      [
        `{{#is_alert}}ALERT{{/is_alert}}{{#is_warning}}WARNING{{/is_warning}}{{#is_recovery}}RECOVERED{{/is_recovery}} (P${priority})`,
        '',
        `**What it means:** ${what}`,
        `**What to do:** ${action}`,
        ...(props.runbookUrl ? [`**Runbook:** ${props.runbookUrl}`] : []),
        '',
        handle(priority),
      ].join('\n');

    this.monitors = props.monitors.map(
      (m) =>
        new Monitor(this, m.key, {
          name: `[P${m.priority}] [${props.account}] ${m.title}`,
          type: m.type,
          query: m.query,
          message: message(m.what, m.action, m.priority),
          priority: String(m.priority),
          tags: [...baseTags, `service:${m.service}`, `target:${m.target.name}`, `priority:p${m.priority}`],
          monitorThresholds: { critical: String(m.critical), warning: m.warning === undefined ? undefined : String(m.warning) },
          notifyNoData: m.notifyNoData,
          noDataTimeframe: m.notifyNoData ? 30 : undefined,
          renotifyInterval: RENOTIFY_MINUTES[m.priority],
          renotifyStatuses: RENOTIFY_MINUTES[m.priority] ? (m.notifyNoData ? ['alert', 'no data'] : ['alert']) : undefined,
          evaluationDelay: m.evaluationDelaySeconds || undefined,
          includeTags: true,
          requireFullWindow: false,
        }),
    );

    this.slos = slos.map((s) => {
      const timeframe = s.timeframe ?? '30d';
      const tags = [...baseTags, `service:${s.service}`, `slo:${s.kind}`];
      const slo = new ServiceLevelObjective(this, `slo-${s.name}`, {
        name: `[${props.account}] ${s.name}`,
        description: s.description ?? describeSlo(s),
        tags,
        thresholds: [{ timeframe, target: s.target }],
        ...sloDefinition(s),
      });
      (s.burnRateAlerts ?? defaultBurnRateAlerts(timeframe, s.source)).forEach(
        (a) =>
          new Monitor(this, `slo-${s.name}-burn-${a.longWindow}`, {
            name: `[P${a.priority}] [${props.account}] ${s.name}: error budget burning ${a.burnRate}x over ${a.longWindow}`,
            type: 'slo alert',
            query: `burn_rate("${slo.id}").over("${timeframe}").long_window("${a.longWindow}").short_window("${a.shortWindow}") > ${a.burnRate}`,
            message: message(
              `The ${s.name} SLO (${s.target}% over ${timeframe}) is spending its error budget ${a.burnRate} times too fast, over both the last ${a.longWindow} and ${a.shortWindow}.`,
              'Find what fails (the service\'s 5xx and latency monitors, recent deploys); roll back first, investigate after.',
              a.priority,
            ),
            priority: String(a.priority),
            tags: [...tags, `target:${s.service}`, `priority:p${a.priority}`],
            monitorThresholds: { critical: String(a.burnRate) },
            renotifyInterval: RENOTIFY_MINUTES[a.priority],
          }),
      );
      return slo;
    });

    this.dashboard = new DashboardJson(this, 'dashboard', { dashboard: dashboardJson(props, this.slos) });
  }
}

function describeSlo(s: SloSpec): string {
  if (s.kind === 'latency') return `${s.target}% of 5-minute periods have p95 latency under ${s.latencySeconds ?? 1}s for ${s.service}, measured at the load balancer.`;
  return s.source === 'fastly'
    ? `${s.target}% of minutes have at most ${s.sliceErrorPercent ?? 1}% of requests to ${s.service} failing (5xx), counted at the Fastly edge.`
    : `${s.target}% of requests to ${s.service} succeed (not 5xx), counted at the load balancer.`;
}

/** The good / total events (load-balancer availability) or time slices (latency, Fastly availability) of an SLO. */
function sloDefinition(s: SloSpec) {
  if (s.kind === 'latency') {
    const scope = `{elasticbeanstalk:environment-name:${s.service}}`;
    return {
      type: 'time_slice',
      sliSpecification: {
        timeSlice: {
          comparator: '<',
          threshold: s.latencySeconds ?? 1,
          query: { formula: { formulaExpression: 'p95' }, query: [{ metricQuery: { name: 'p95', query: `avg:aws.applicationelb.target_response_time.p95${scope}` } }] },
        },
      },
    };
  }
  if (s.source === 'fastly') {
    // fastly.* are gauges of per-minute counts (fastly/metadata.csv), collected every 60 s:
    // one-minute slices, each good when its 5xx share is at most sliceErrorPercent. Fastly
    // omits zero counts, so a minute without 5xx has no errors series: default_zero.
    const scope = fastlyScope(s.service);
    return {
      type: 'time_slice',
      sliSpecification: {
        timeSlice: {
          comparator: '<=',
          threshold: s.sliceErrorPercent ?? 1,
          queryIntervalSeconds: 60,
          query: {
            formula: { formulaExpression: 'default_zero(errors) / requests * 100' },
            query: [
              { metricQuery: { name: 'errors', query: `sum:fastly.status_5xx${scope}` } },
              { metricQuery: { name: 'requests', query: `sum:fastly.requests${scope}` } },
            ],
          },
        },
      },
    };
  }
  const events = loadBalancerEvents(`{elasticbeanstalk:environment-name:${s.service}}`);
  return { type: 'metric', query: { numerator: events.good, denominator: events.total } };
}

/** One dashboard per account: SLOs first, then a group per monitored service with its key graphs. */
function dashboardJson(props: MonitoringProps, slos: readonly ServiceLevelObjective[]): string {
  const graph = (title: string, q: string) => ({ definition: { type: 'timeseries', title, requests: [{ q, display_type: 'line' }] } });
  const byTarget = new Map<string, MonitorSpec[]>();
  for (const m of props.monitors) byTarget.set(m.target.name, [...(byTarget.get(m.target.name) ?? []), m]);
  const groups = [...byTarget.entries()].map(([target, monitors]) => ({
    definition: {
      type: 'group',
      title: `${target} (${monitors[0].target.kind})`,
      layout_type: 'ordered',
      // The left-hand side of each monitor's query is the graph of what it alerts on.
      widgets: monitors.filter((m) => m.type === 'query alert').map((m) => graph(m.title, graphQuery(m.query))),
    },
  }));
  const sloWidgets = slos.map((slo, i) => ({
    definition: { type: 'slo', title: props.slos![i].name, slo_id: slo.id, view_type: 'detail', time_windows: ['7d', '30d', '90d'], show_error_budget: true, view_mode: 'overall' },
  }));
  return JSON.stringify({
    title: `${props.account}: services, databases and SLOs`,
    description: `Managed by cdktf in the ${props.account} account stack. Alerts: #${props.slack.immediate} (P1-P2), #${props.slack.watch} (P3-P5).`,
    layout_type: 'ordered',
    widgets: [...sloWidgets, ...groups],
    template_variables: [],
  });
}

/** The metric expression of a monitor query: `avg(last_5m):<expr> > 3` -> `<expr>`. */
export function graphQuery(query: string): string {
  return query.replace(/^[a-z]+\(last_\w+\):/, '').replace(/\s*[<>]=?\s*[\d.e+-]+$/, '');
}
