/**
 * SLOs and their multi-window burn-rate alerts.
 *
 * Burn rate = how many times faster than "exactly on budget" the error budget is spent.
 * Datadog's guidance for a 30-day SLO: page at 14.4 over 1 h (checked over the last
 * 5 min too, so the alert clears fast), and at 6 over 6 h (30 min short window). Those
 * numbers are "2% (or 5%) of the budget gone in the long window"; for other timeframes
 * the same budget fractions give the thresholds: burn = fraction * timeframe / window.
 */
import { AWS_METRIC_DELAY_SECONDS, FASTLY_METRIC_INTERVAL_SECONDS, Priority } from './spec';

/** Where an SLO counts its events. */
export type SloSource = 'fastly' | 'load-balancer';

/**
 * How late each source's data reaches Datadog, in minutes: Fastly's is collected every
 * minute; CloudWatch's (the load balancer) arrives 10-15 minutes late. A burn-rate short
 * window inside this delay holds no data, so the alert could never fire: short windows must
 * be at least twice the delay, so that at least half of the window has data.
 */
export const SOURCE_DELAY_MINUTES: Record<SloSource, number> = {
  fastly: FASTLY_METRIC_INTERVAL_SECONDS / 60,
  'load-balancer': AWS_METRIC_DELAY_SECONDS / 60,
};

export type SloTimeframe = '7d' | '30d' | '90d';
export const SLO_TIMEFRAME_HOURS: Record<SloTimeframe, number> = { '7d': 168, '30d': 720, '90d': 2160 };

export interface BurnRateAlert {
  /** Alert when the budget burns this many times too fast. */
  readonly burnRate: number;
  /** Long window, e.g. "1h" (1h to 48h). */
  readonly longWindow: string;
  /** Short window, shorter than the long one, e.g. "5m". */
  readonly shortWindow: string;
  readonly priority: Priority;
}

/** One budget-fraction tier of the default alerts. */
interface Tier {
  readonly budgetFraction: number;
  readonly longWindow: string;
  readonly shortWindow: string;
  readonly priority: Priority;
}

/**
 * 2% in 1 h and 5% in 6 h page (immediate); 10% in 24 h is for the watch channel. Fastly
 * data is a minute old, so Datadog's short windows (1/12 of the long one) work. Load-balancer
 * data is 15 minutes late: its short windows are 30 min, 1 h and 2 h, the shortest that still
 * see 15 minutes of data; a fast burn there is seen 15-30 minutes later than at the edge.
 */
const DEFAULT_TIERS: Record<SloSource, readonly Tier[]> = {
  fastly: [
    { budgetFraction: 0.02, longWindow: '1h', shortWindow: '5m', priority: 2 },
    { budgetFraction: 0.05, longWindow: '6h', shortWindow: '30m', priority: 2 },
    { budgetFraction: 0.1, longWindow: '24h', shortWindow: '2h', priority: 3 },
  ],
  'load-balancer': [
    { budgetFraction: 0.02, longWindow: '1h', shortWindow: '30m', priority: 2 },
    { budgetFraction: 0.05, longWindow: '6h', shortWindow: '1h', priority: 2 },
    { budgetFraction: 0.1, longWindow: '24h', shortWindow: '2h', priority: 3 },
  ],
};

/** Parses "5m", "1h", "2d" to hours; undefined when malformed. */
export function windowHours(window: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([mhd])$/.exec(window);
  if (!m) return undefined;
  return Number(m[1]) * { m: 1 / 60, h: 1, d: 24 }[m[2] as 'm' | 'h' | 'd'];
}

/** The default alerts for a timeframe and source, with thresholds rounded to 0.1. */
export function defaultBurnRateAlerts(timeframe: SloTimeframe, source: SloSource): BurnRateAlert[] {
  return DEFAULT_TIERS[source].map((t) => ({
    burnRate: Math.round(((t.budgetFraction * SLO_TIMEFRAME_HOURS[timeframe]) / windowHours(t.longWindow)!) * 10) / 10,
    longWindow: t.longWindow,
    shortWindow: t.shortWindow,
    priority: t.priority,
  }));
}

/** The highest burn rate an SLO can show: every event failing, 1 / (1 - target). */
export function maxBurnRate(targetPercent: number): number {
  return 1 / (1 - targetPercent / 100);
}

/** Problems with a set of burn-rate alerts, as [prop, got, expected]. */
export function burnRateProblems(prefix: string, targetPercent: number, source: SloSource, alerts: readonly BurnRateAlert[]): Array<[string, unknown, string]> {
  const max = maxBurnRate(targetPercent);
  const minShortMinutes = 2 * SOURCE_DELAY_MINUTES[source];
  return alerts.flatMap((a, i): Array<[string, unknown, string]> => {
    const p = `${prefix}.burnRateAlerts[${i}]`;
    const long = windowHours(a.longWindow);
    const short = windowHours(a.shortWindow);
    const out: Array<[string, unknown, string]> = [];
    if (!(a.burnRate > 0) || a.burnRate > max) {
      out.push([`${p}.burnRate`, a.burnRate, `above 0 and at most ${Number(max.toFixed(2))} (1 / (1 - target) for a ${targetPercent}% target: a higher burn rate can never happen)`]);
    }
    if (long === undefined || long < 1 || long > 48) out.push([`${p}.longWindow`, a.longWindow, 'from 1h to 48h (Datadog burn-rate windows)']);
    if (short === undefined || (long !== undefined && short >= long)) out.push([`${p}.shortWindow`, a.shortWindow, `a window shorter than longWindow (${a.longWindow}); 1/12 of it is usual`]);
    else if (short * 60 < minShortMinutes) {
      out.push([`${p}.shortWindow`, a.shortWindow, `at least ${minShortMinutes}m for source "${source}" (twice its ${SOURCE_DELAY_MINUTES[source]}-minute data delay: a shorter window holds no data and cannot fire)`]);
    }
    return out;
  });
}
