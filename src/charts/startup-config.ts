import type { ChartConfiguration, LegendItem } from 'chart.js';
import type { StartupComponentReport, StartupComponentStatus, StartupReport } from '../core/startup/types.ts';
import type { Annotation } from './annotation.ts';
import { formatOffset } from './chart-series.ts';
import { LAYOUT, THEME } from './chart-theme.ts';

const font = (size: number, weight: 'normal' | 'bold' | number = 'normal') => ({
  family: THEME.fontFamily,
  size,
  weight,
});

const OUTCOME_WORDS: Readonly<Record<StartupReport['outcome'], string>> = {
  ready: 'completed',
  degraded: 'completed degraded',
  failed: 'failed',
  cancelled: 'cancelled',
};

const NAME_MAX = 24;

function shortName(name: string): string {
  const flat = name.replace(/\s+/g, ' ');
  return flat.length <= NAME_MAX ? flat : `${flat.slice(0, NAME_MAX - 1)}…`;
}

/** What a row notes after its bar: attempts, fallback, recovery, or why it has no bar. */
export function rowNotes(c: StartupComponentReport): string[] {
  const notes: string[] = [];
  if (c.status === 'skipped') notes.push('skipped: a dependency is down');
  if (c.status === 'pending') notes.push('still starting');
  if (c.status === 'failed') notes.push('failed');
  if (c.attempts > 1) notes.push(`${c.attempts} attempts`);
  if (c.fallback) notes.push('fallback');
  if (c.recovered_offset_ms !== undefined) notes.push(`recovered at ${formatOffset(c.recovered_offset_ms)}`);
  return notes;
}

/** The time axis' end: the whole start, and any bar or recovery past it. */
function axisEnd(report: StartupReport): number {
  let end = Math.max(1, report.duration_ms);
  for (const c of report.components) {
    end = Math.max(end, c.end_offset_ms ?? 0, c.start_offset_ms ?? 0, c.recovered_offset_ms ?? 0);
  }
  return end;
}

/** The rows drawn (at most `LAYOUT.startup.maxRows`) and how many were left out. */
export function startupRows(report: StartupReport): {
  rows: readonly StartupComponentReport[];
  hidden: number;
} {
  const max = LAYOUT.startup.maxRows;
  if (report.components.length <= max) return { rows: report.components, hidden: 0 };
  // Keep the critical path and the troubled ones first, then the rest in order.
  const important = (c: StartupComponentReport): boolean => c.on_critical_path || c.status !== 'ready';
  const keep = new Set<StartupComponentReport>();
  for (const c of report.components) if (keep.size < max && important(c)) keep.add(c);
  for (const c of report.components) if (keep.size < max) keep.add(c);
  const rows = report.components.filter((c) => keep.has(c));
  return { rows, hidden: report.components.length - rows.length };
}

const LEGEND: readonly { text: string; status: StartupComponentStatus }[] = [
  { text: 'ready', status: 'ready' },
  { text: 'degraded (fallback)', status: 'degraded' },
  { text: 'failed', status: 'failed' },
  { text: 'cancelled / still starting', status: 'cancelled' },
];

/** Height of the waterfall in CSS pixels for `rows` components. */
export function startupHeight(rows: number): number {
  const l = LAYOUT.startup;
  return l.headerHeight + Math.max(1, rows) * l.rowHeight + l.axisHeight;
}

/**
 * The start as a waterfall: one floating bar per component from its start to its
 * end, coloured by status, the critical path outlined in white with its names in
 * bold, and attempts, fallbacks and recoveries written after the bars.
 */
export function startupConfig(report: StartupReport): ChartConfiguration<'bar'> {
  const { rows, hidden } = startupRows(report);
  const end = axisEnd(report);
  const bars = rows.map((c): [number, number] | null => {
    if (c.start_offset_ms === null) return null;
    const to = c.end_offset_ms ?? end;
    // A component that took no measurable time still gets a visible sliver.
    return [c.start_offset_ms, Math.max(to, c.start_offset_ms + end / 150)];
  });
  const annotations: Record<string, Annotation> = {};
  rows.forEach((c, i) => {
    const notes = rowNotes(c);
    if (c.recovered_offset_ms !== undefined) {
      annotations[`recovered${i}`] = {
        type: 'point',
        xValue: c.recovered_offset_ms,
        yValue: i,
        radius: 4,
        backgroundColor: THEME.status.ready,
        borderColor: THEME.background,
        borderWidth: 1,
      };
    }
    if (notes.length === 0) return;
    const at = c.start_offset_ms === null ? 0 : (c.end_offset_ms ?? end);
    annotations[`notes${i}`] = {
      type: 'label',
      xValue: at,
      yValue: i,
      position: { x: 'start', y: 'center' },
      xAdjust: 6,
      content: notes.join(' · '),
      color: c.status === 'failed' ? THEME.critical : c.fallback ? THEME.warning : THEME.muted,
      font: font(THEME.font.label, 600),
      padding: 0,
    };
  });
  const critical = rows.map((c) => c.on_critical_path);
  const colors = rows.map((c) => THEME.status[c.status]);
  const title = `Startup ${OUTCOME_WORDS[report.outcome]} in ${formatOffset(report.duration_ms)} (${report.mode})`;
  const subtitle = [
    `${report.components.length} components`,
    `critical path: ${report.critical_path.length === 0 ? 'none' : `${report.critical_path.length} components, outlined`}`,
    `started ${new Date(report.started_at).toISOString().slice(0, 19).replace('T', ' ')} UTC`,
    ...(hidden > 0 ? [`${hidden} more not shown`] : []),
  ].join('  ·  ');
  return {
    type: 'bar',
    data: {
      labels: rows.map((c) => (c.on_critical_path ? `${shortName(c.name)} *` : shortName(c.name))),
      datasets: [
        {
          data: bars,
          backgroundColor: colors,
          borderColor: critical.map((on) => (on ? THEME.criticalPath : 'rgba(0,0,0,0)')),
          borderWidth: critical.map((on) => (on ? 2 : 0)),
          borderSkipped: false,
          borderRadius: 3,
          barPercentage: 0.72,
          categoryPercentage: 1,
        },
      ],
    },
    options: {
      indexAxis: 'y',
      animation: false,
      responsive: false,
      events: [],
      devicePixelRatio: THEME.pixelRatio,
      layout: { padding: { left: LAYOUT.padding, right: LAYOUT.padding + 8, top: 4, bottom: 8 } },
      plugins: {
        tooltip: { enabled: false },
        title: {
          display: true,
          text: title,
          align: 'start',
          color: THEME.text,
          font: font(THEME.font.title, 700),
          padding: { top: 8, bottom: 2 },
        },
        subtitle: {
          display: true,
          text: subtitle,
          align: 'start',
          color: THEME.muted,
          font: font(THEME.font.subtitle),
          padding: { bottom: 4 },
        },
        legend: {
          display: true,
          align: 'start',
          labels: {
            color: THEME.muted,
            font: font(THEME.font.label),
            boxWidth: 12,
            boxHeight: 12,
            generateLabels: (): LegendItem[] => [
              ...LEGEND.map((entry) => ({
                text: entry.text,
                fillStyle: THEME.status[entry.status],
                strokeStyle: THEME.status[entry.status],
                lineWidth: 0,
                fontColor: THEME.muted,
                hidden: false,
              })),
              {
                text: 'critical path (*)',
                fillStyle: 'rgba(0,0,0,0)',
                strokeStyle: THEME.criticalPath,
                lineWidth: 2,
                fontColor: THEME.muted,
                hidden: false,
              },
            ],
          },
        },
        annotation: { clip: false, annotations },
      },
      scales: {
        x: {
          type: 'linear',
          min: 0,
          // Rounded up by Chart.js to a tick, so the last label is a round one.
          suggestedMax: end,
          position: 'bottom',
          grid: { color: THEME.grid },
          border: { color: THEME.axis },
          ticks: {
            maxTicksLimit: 9,
            color: THEME.muted,
            font: font(THEME.font.tick),
            callback: (value) => formatOffset(Number(value)),
          },
          title: {
            display: true,
            text: 'time since the start began',
            color: THEME.muted,
            font: font(THEME.font.tick),
          },
        },
        y: {
          type: 'category',
          grid: { display: false },
          border: { color: THEME.axis },
          ticks: {
            autoSkip: false,
            color: (ctx: { index: number }) => (critical[ctx.index] ? THEME.text : THEME.muted),
            font: (ctx: { index: number }) => font(THEME.font.tick, critical[ctx.index] ? 700 : 'normal'),
          },
        },
      },
    },
  };
}

/** The waterfall's size in CSS pixels. */
export function startupSize(report: StartupReport): { width: number; height: number } {
  return { width: LAYOUT.startup.width, height: startupHeight(startupRows(report).rows.length) };
}
