import type { APIEmbed, APIEmbedField } from 'discord-api-types/v10';
import type { ResourceSample, ResourcesView, Threshold } from '../../core/resources/types.ts';
import { EMBED_COLORS, relativeTime } from './embed-text.ts';

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;
const MB = 1024 * 1024;
/** Characters of a sparkline: narrow enough to stay on one line in the Discord client. */
export const SPARKLINE_WIDTH = 36;

type Level = 'ok' | 'warning' | 'critical' | 'unknown';

/**
 * Draws values as unicode blocks, scaled between their own min and max. Longer
 * series are downsampled to `width` by keeping each bucket's maximum, so a spike
 * survives; missing values show as `·`.
 */
export function sparkline(values: readonly (number | null)[], width = SPARKLINE_WIDTH): string {
  if (values.length === 0 || width < 1) return '';
  const buckets: (number | null)[] = [];
  const n = Math.min(width, values.length);
  for (let b = 0; b < n; b += 1) {
    const from = Math.floor((b * values.length) / n);
    const to = Math.max(from + 1, Math.floor(((b + 1) * values.length) / n));
    let best: number | null = null;
    for (let i = from; i < to; i += 1) {
      const v = values[i];
      if (typeof v === 'number' && Number.isFinite(v) && (best === null || v > best)) best = v;
    }
    buckets.push(best);
  }
  const finite = buckets.filter((v): v is number => v !== null);
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  return buckets
    .map((v) => {
      if (v === null) return '·';
      if (!(max > min)) return BLOCKS[0];
      const i = Math.min(BLOCKS.length - 1, Math.floor(((v - min) / (max - min)) * BLOCKS.length));
      return BLOCKS[i];
    })
    .join('');
}

function levelOf(value: number | null, t: Threshold | undefined): Level {
  if (value === null || !Number.isFinite(value)) return 'unknown';
  if (t === undefined) return 'ok';
  if (value >= t.critical) return 'critical';
  if (value >= t.warning) return 'warning';
  return 'ok';
}

const ICONS: Record<Level, string> = { ok: '✅', warning: '⚠️', critical: '❌', unknown: '❔' };

function num(value: number | null, unit: string, digits = 0): string {
  if (value === null || !Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${value.toExponential(2)}${unit}`;
  return `${value.toFixed(digits)}${unit}`;
}

function megabytes(mb: number | null): string {
  if (mb === null || !Number.isFinite(mb)) return 'n/a';
  return Math.abs(mb) >= 1024 ? num(mb / 1024, 'GB', 1) : num(mb, 'MB');
}

function field(
  name: string,
  level: Level,
  now: string,
  t: Threshold | undefined,
  fmt: (v: number) => string,
  series: readonly (number | null)[],
): APIEmbedField {
  const limits = t === undefined ? '' : ` · warn ${fmt(t.warning)} · crit ${fmt(t.critical)}`;
  const spark = sparkline(series);
  return {
    name,
    value: `${ICONS[level]} ${now}${limits}${spark === '' ? '' : `\n\`\`\`\n${spark}\n\`\`\``}`,
  };
}

const worst = (levels: readonly Level[]): Level =>
  levels.includes('critical') ? 'critical' : levels.includes('warning') ? 'warning' : 'ok';

/** What `/resources` shows: each figure against its thresholds, with a sparkline of the recent history. */
export function renderResourcesEmbed(view: ResourcesView, nowMs?: number): APIEmbed {
  const stamp =
    nowMs !== undefined && Number.isFinite(nowMs) ? { timestamp: new Date(nowMs).toISOString() } : {};
  if (!view.enabled) {
    return {
      title: '📊 Resources',
      description: 'Resource monitoring is off (`OBS_ENABLE_RESOURCE_METRICS=false`).',
      color: EMBED_COLORS.info,
      ...stamp,
    };
  }
  const s: ResourceSample | undefined = view.latest;
  if (s === undefined) {
    return {
      title: '📊 Resources',
      description: 'No sample yet; the first arrives shortly.',
      color: EMBED_COLORS.info,
      ...stamp,
    };
  }
  const t = view.thresholds;
  const h = view.history;
  const memoryMb = s.rss_bytes / MB;
  const lag = s.event_loop_lag_ms;
  const levels = {
    memory: levelOf(memoryMb, t.memory_mb),
    cpu: levelOf(s.cpu_percent, t.cpu_percent),
    lag: levelOf(lag.max, t.event_loop_lag_ms),
  };
  /** A figure without thresholds: its count and its history. */
  const count = (name: string, read: (x: ResourceSample) => number | null): APIEmbedField =>
    field(name, levelOf(read(s), undefined), num(read(s), ''), undefined, String, h.map(read));
  const ms = (v: number): string => num(v, 'ms', v < 10 ? 1 : 0);
  const pct = (v: number): string => num(v, '%', v < 10 ? 1 : 0);
  const fields: APIEmbedField[] = [
    field(
      '🧠 Memory (RSS)',
      levels.memory,
      `${megabytes(memoryMb)} · heap ${megabytes(s.heap_used_bytes / MB)} of ${megabytes(s.heap_total_bytes / MB)}`,
      t.memory_mb,
      megabytes,
      h.map((x) => x.rss_bytes / MB),
    ),
    field(
      '⚙️ CPU',
      levels.cpu,
      s.cpu_percent === null ? 'n/a' : pct(s.cpu_percent),
      t.cpu_percent,
      pct,
      h.map((x) => x.cpu_percent),
    ),
    field(
      '⏱️ Event loop lag (max per window)',
      levels.lag,
      `mean ${ms(lag.mean)} · p99 ${ms(lag.p99)} · max ${ms(lag.max)}`,
      t.event_loop_lag_ms,
      ms,
      h.map((x) => x.event_loop_lag_ms.max),
    ),
    count('📂 Open files', (x) => x.open_files),
    count('🧵 Threads', (x) => x.threads),
  ];
  const overall = worst([levels.memory, levels.cpu, levels.lag]);
  const first = h[0]?.at ?? s.at;
  const span = Date.parse(s.at) - Date.parse(first);
  const spanText =
    Number.isFinite(span) && span > 0 ? ` over ${Math.max(1, Math.round(span / 60_000))} min` : '';
  return {
    title: `📊 Resources ${ICONS[overall]}`,
    description: `Latest sample ${relativeTime(s.at)} · ${h.length} sample${h.length === 1 ? '' : 's'}${spanText} in the sparklines (oldest left).`,
    color:
      overall === 'critical'
        ? EMBED_COLORS.critical
        : overall === 'warning'
          ? EMBED_COLORS.warning
          : EMBED_COLORS.ok,
    fields,
    ...stamp,
  };
}
