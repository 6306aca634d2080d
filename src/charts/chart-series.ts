import type { Threshold } from '../core/resources/types.ts';
import type { AlertRule, Series } from './chart-requests.ts';

/** A point as Chart.js takes it on a linear time axis. */
export interface Point {
  readonly x: number;
  readonly y: number | null;
}

/**
 * The series as points, at most `maxPoints` of them: longer series keep each
 * bucket's highest value (at its own time), so a spike survives the thinning.
 */
export function downsample(series: Series, maxPoints: number): Point[] {
  const n = Math.min(series.times.length, series.values.length);
  const points: Point[] = [];
  if (n <= maxPoints || maxPoints < 1) {
    for (let i = 0; i < n; i += 1) points.push({ x: series.times[i] as number, y: series.values[i] ?? null });
    return points;
  }
  for (let b = 0; b < maxPoints; b += 1) {
    const from = Math.floor((b * n) / maxPoints);
    const to = Math.max(from + 1, Math.floor(((b + 1) * n) / maxPoints));
    let best = -1;
    for (let i = from; i < to; i += 1) {
      const v = series.values[i];
      if (typeof v !== 'number') continue;
      if (best < 0 || v > (series.values[best] as number)) best = i;
    }
    const at = best < 0 ? from : best;
    points.push({ x: series.times[at] as number, y: best < 0 ? null : (series.values[best] as number) });
  }
  return points;
}

/** A stretch of time during which an alert would have been firing, at its severity then. */
export interface FiringPeriod {
  readonly fromMs: number;
  readonly toMs: number;
  readonly severity: 'warning' | 'critical';
}

/**
 * Replays the alert engine's rule over a series: it fires once `consecutive`
 * samples reach the warning level (critical when they also reach critical),
 * escalates, falls back to warning and resolves after `resolveAfter` samples under
 * the clearing level. Samples without a value are skipped, as the engine skips
 * them. A period still open at the end runs to the last sample.
 */
export function firingPeriods(series: Series, threshold: Threshold, rule: AlertRule): FiringPeriod[] {
  const periods: FiringPeriod[] = [];
  const clearWarning = threshold.warning * (1 - rule.hysteresis);
  const clearCritical = threshold.critical * (1 - rule.hysteresis);
  let above = 0;
  let aboveCritical = 0;
  let below = 0;
  let belowCritical = 0;
  let open: { fromMs: number; severity: 'warning' | 'critical' } | undefined;
  let lastAt: number | undefined;
  const close = (at: number): void => {
    if (open !== undefined && at > open.fromMs) periods.push({ ...open, toMs: at });
    open = undefined;
  };
  const n = Math.min(series.times.length, series.values.length);
  for (let i = 0; i < n; i += 1) {
    const v = series.values[i];
    const at = series.times[i] as number;
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    lastAt = at;
    above = v >= threshold.warning ? above + 1 : 0;
    aboveCritical = v >= threshold.critical ? aboveCritical + 1 : 0;
    below = v < clearWarning ? below + 1 : 0;
    belowCritical = v < clearCritical ? belowCritical + 1 : 0;
    if (open === undefined) {
      if (above >= rule.consecutive) {
        open = { fromMs: at, severity: aboveCritical >= rule.consecutive ? 'critical' : 'warning' };
      }
      continue;
    }
    if (below >= rule.resolveAfter) {
      close(at);
      continue;
    }
    if (open.severity === 'warning' && aboveCritical >= rule.consecutive) {
      close(at);
      open = { fromMs: at, severity: 'critical' };
    } else if (open.severity === 'critical' && belowCritical >= rule.resolveAfter) {
      close(at);
      open = { fromMs: at, severity: 'warning' };
    }
  }
  if (open !== undefined && lastAt !== undefined) {
    // A period that began on the last sample still gets a sliver, so it shows.
    periods.push({ ...open, toMs: Math.max(lastAt, open.fromMs + 1) });
  }
  return periods;
}

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const TICK_STEPS = [
  SECOND,
  2 * SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  24 * HOUR,
] as const;

/** The smallest round step that puts at most `maxTicks` ticks on a span. */
export function timeStep(spanMs: number, maxTicks = 8): number {
  for (const step of TICK_STEPS) if (spanMs / step <= maxTicks) return step;
  return Math.ceil(spanMs / maxTicks / (24 * HOUR)) * 24 * HOUR;
}

/** The multiples of `step` (round UTC times) from `fromMs` to `toMs`. */
export function timeTicks(fromMs: number, toMs: number, step: number): number[] {
  const ticks: number[] = [];
  if (!(step > 0) || !(toMs >= fromMs)) return ticks;
  for (let t = Math.ceil(fromMs / step) * step; t <= toMs && ticks.length < 100; t += step) ticks.push(t);
  return ticks;
}

/** A tick label in UTC: `14:05`, or `14:05:30` when the step is under a minute. */
export function formatClock(ms: number, step: number): string {
  const iso = new Date(ms).toISOString();
  return step < MINUTE ? iso.slice(11, 19) : iso.slice(11, 16);
}

/** Megabytes for people: `512 MB`, `1.2 GB`. */
export function formatMb(mb: number): string {
  return Math.abs(mb) >= 1024 ? `${trim(mb / 1024)} GB` : `${Math.round(mb)} MB`;
}

/** Milliseconds for a lag axis: `0.5 ms`, `120 ms`, `1.5 s`. */
export function formatMs(ms: number): string {
  if (Math.abs(ms) >= 1000) return `${trim(ms / 1000)} s`;
  return Math.abs(ms) < 10 && ms !== 0 ? `${trim(ms)} ms` : `${Math.round(ms)} ms`;
}

export function formatPercent(p: number): string {
  return Math.abs(p) < 10 && p !== 0 ? `${trim(p)}%` : `${Math.round(p)}%`;
}

/** One decimal, without a trailing `.0`. */
function trim(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}

/** A start offset for a waterfall axis: `0`, `250 ms`, `1.5 s`, `2m 05s`. */
export function formatOffset(ms: number): string {
  if (ms === 0) return '0';
  if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`;
  if (Math.abs(ms) < 60_000) return `${trim(ms / 1000)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return `${m}m ${String(s).padStart(2, '0')}s`;
}
