import type {
  ResourceSample,
  ResourcesView,
  ResourceThresholds,
  Threshold,
} from '../core/resources/types.ts';
import type { StartupReport } from '../core/startup/types.ts';

/**
 * What a chart is drawn from: plain data only (numbers, strings, arrays), so a
 * request crosses to the render worker by structured clone and a render is a pure
 * function of it.
 */
export type ChartRequest = ResourcesChartRequest | StartupChartRequest | ResourceAlertChartRequest;

export type ChartKind = ChartRequest['kind'];

/** The three resource figures that have thresholds and alerts. */
export type ResourceMetric = 'memory' | 'cpu' | 'event_loop_lag';

/** When an alert fires and resolves, so the shading matches the alert engine. */
export interface AlertRule {
  /** Consecutive samples at or above a level before it fires (ALERT_CONSECUTIVE_SAMPLES). */
  readonly consecutive: number;
  /** Consecutive samples under the clearing level before it resolves. */
  readonly resolveAfter: number;
  /** The clearing level sits this fraction below the threshold. */
  readonly hysteresis: number;
}

export const DEFAULT_ALERT_RULE = {
  consecutive: 2,
  resolveAfter: 2,
  hysteresis: 0.05,
} as const satisfies AlertRule;

/** One metric over time: `times[i]` (epoch ms) goes with `values[i]`; null where it was not measured. */
export interface Series {
  readonly times: readonly number[];
  readonly values: readonly (number | null)[];
}

/** `/resources`: memory, CPU and event-loop lag on one time axis, with thresholds and firing periods. */
export interface ResourcesChartRequest {
  readonly kind: 'resources';
  /** The window shown, epoch ms. */
  readonly fromMs: number;
  readonly toMs: number;
  /** "last 15 min", "last hour", "all kept (58 min)". */
  readonly windowLabel: string;
  readonly memoryMb: Series;
  readonly cpuPercent: Series;
  /** The worst lag of each sample window (what the lag alert watches). */
  readonly lagMaxMs: Series;
  readonly thresholds: ResourceThresholds;
  readonly rule: AlertRule;
}

/** `/startup`: the last start as a waterfall. */
export interface StartupChartRequest {
  readonly kind: 'startup';
  readonly report: StartupReport;
}

/** A resource alert: its metric in the minutes before it fired, with the thresholds. */
export interface ResourceAlertChartRequest {
  readonly kind: 'resource_alert';
  readonly metric: ResourceMetric;
  readonly series: Series;
  readonly threshold: Threshold;
  /** When the alert fired (or escalated), epoch ms. */
  readonly firedAtMs: number;
  readonly severity: 'warning' | 'critical';
  readonly fromMs: number;
  readonly toMs: number;
}

/** A rendered chart. */
export interface ChartImage {
  readonly kind: ChartKind;
  readonly png: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** Time spent drawing and encoding, in the worker. */
  readonly renderMs: number;
}

/** The windows `/resources` offers. */
export const RESOURCE_WINDOWS = {
  '15m': { label: 'last 15 min', ms: 15 * 60_000 },
  '1h': { label: 'last hour', ms: 60 * 60_000 },
  all: { label: 'all kept', ms: Number.POSITIVE_INFINITY },
} as const satisfies Record<string, { readonly label: string; readonly ms: number }>;

export type ResourceWindow = keyof typeof RESOURCE_WINDOWS;

export function isResourceWindow(value: unknown): value is ResourceWindow {
  return typeof value === 'string' && Object.hasOwn(RESOURCE_WINDOWS, value);
}

const MB = 1024 * 1024;

/** "45 s", "12 min", "2 h 5 min". */
export function describeSpan(ms: number): string {
  if (ms < 60_000) return `${Math.max(1, Math.round(ms / 1000))} s`;
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  return minutes % 60 === 0 ? `${minutes / 60} h` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function seriesOf(samples: readonly ResourceSample[], pick: (s: ResourceSample) => number | null): Series {
  const times: number[] = [];
  const values: (number | null)[] = [];
  for (const s of samples) {
    const at = Date.parse(s.at);
    if (!Number.isFinite(at)) continue;
    const v = pick(s);
    times.push(at);
    values.push(typeof v === 'number' && Number.isFinite(v) ? v : null);
  }
  return { times, values };
}

/** What each metric plots: the same figure its alert watches. */
export const METRIC_VALUE: Readonly<Record<ResourceMetric, (s: ResourceSample) => number | null>> = {
  memory: (s) => s.rss_bytes / MB,
  cpu: (s) => s.cpu_percent,
  event_loop_lag: (s) => s.event_loop_lag_ms.max,
};

const THRESHOLD_OF: Readonly<Record<ResourceMetric, keyof ResourceThresholds>> = {
  memory: 'memory_mb',
  cpu: 'cpu_percent',
  event_loop_lag: 'event_loop_lag_ms',
};

function inWindow(history: readonly ResourceSample[], fromMs: number, toMs: number): ResourceSample[] {
  return history.filter((s) => {
    const at = Date.parse(s.at);
    return at >= fromMs && at <= toMs;
  });
}

/**
 * The `/resources` chart's request for a window ending now; undefined when no
 * sample falls in it (nothing to draw).
 */
export function resourcesChartRequest(
  view: ResourcesView,
  window: ResourceWindow,
  nowMs: number,
  rule: AlertRule = DEFAULT_ALERT_RULE,
): ResourcesChartRequest | undefined {
  if (!view.enabled || view.history.length === 0) return undefined;
  const firstAt = Date.parse(view.history[0]?.at ?? '');
  const spec = RESOURCE_WINDOWS[window];
  const toMs = nowMs;
  const wanted = nowMs - spec.ms;
  const samples = inWindow(view.history, wanted, toMs);
  if (samples.length === 0 || !Number.isFinite(firstAt)) return undefined;
  // A window reaching back past the first sample kept starts at that sample, so the
  // lines fill the chart instead of hugging its right edge.
  // (A history a sample or two short of the window still shows the window asked for.)
  const clamped = !Number.isFinite(spec.ms) || !(wanted >= firstAt - spec.ms * 0.05);
  const fromMs = clamped ? Math.min(firstAt, nowMs - 1_000) : wanted;
  return {
    kind: 'resources',
    fromMs,
    toMs,
    windowLabel: clamped ? `all kept (${describeSpan(toMs - fromMs)})` : spec.label,
    memoryMb: seriesOf(samples, METRIC_VALUE.memory),
    cpuPercent: seriesOf(samples, METRIC_VALUE.cpu),
    lagMaxMs: seriesOf(samples, METRIC_VALUE.event_loop_lag),
    thresholds: view.thresholds,
    rule,
  };
}

/** The request for a resource alert's chart: the metric over `spanMs` up to when it fired. */
export function resourceAlertChartRequest(
  view: ResourcesView,
  metric: ResourceMetric,
  firedAtMs: number,
  severity: 'warning' | 'critical',
  spanMs = 15 * 60_000,
): ResourceAlertChartRequest | undefined {
  if (!view.enabled || !Number.isFinite(firedAtMs)) return undefined;
  const latest = Date.parse(view.latest?.at ?? '');
  const toMs = Number.isFinite(latest) ? Math.max(latest, firedAtMs) : firedAtMs;
  const fromMs = firedAtMs - spanMs;
  const samples = inWindow(view.history, fromMs, toMs);
  if (samples.length === 0) return undefined;
  return {
    kind: 'resource_alert',
    metric,
    series: seriesOf(samples, METRIC_VALUE[metric]),
    threshold: view.thresholds[THRESHOLD_OF[metric]],
    firedAtMs,
    severity,
    fromMs: Math.max(fromMs, Date.parse(samples[0]?.at ?? '') || fromMs),
    toMs,
  };
}
