import type { ChartConfiguration } from 'chart.js';
import type { Threshold } from '../core/resources/types.ts';
import type { Annotation } from './annotation.ts';
import type { AlertRule, Series } from './chart-requests.ts';
import {
  downsample,
  type FiringPeriod,
  firingPeriods,
  formatClock,
  timeStep,
  timeTicks,
} from './chart-series.ts';
import { LAYOUT, THEME } from './chart-theme.ts';

/** One metric over time against its thresholds: a panel of `/resources` or an alert's chart. */
export interface PanelSpec {
  readonly title: string;
  readonly color: string;
  readonly series: Series;
  readonly threshold: Threshold;
  readonly rule: AlertRule;
  readonly fromMs: number;
  readonly toMs: number;
  /** Renders a value for the axis and the threshold labels. */
  readonly format: (value: number) => string;
  /** Ticks at powers of two (megabytes: 512 MB, 1 GB, 1.5 GB) rather than Chart.js's decimal steps. */
  readonly binaryTicks?: boolean;
  /** Show the time axis title and tick labels (the bottom panel). */
  readonly timeAxis: boolean;
  /** Where the threshold labels sit: apart (warning left, critical right), or both left. @default 'apart' */
  readonly labels?: 'apart' | 'left';
  /** A moment to mark with a vertical line (when an alert fired). */
  readonly marker?: {
    readonly atMs: number;
    readonly label: string;
    readonly severity: 'warning' | 'critical';
  };
  readonly height: number;
  readonly width: number;
}

const font = (size: number, weight: 'normal' | 'bold' | number = 'normal') => ({
  family: THEME.fontFamily,
  size,
  weight,
});

/**
 * The top of the value axis: the data with headroom, always the warning line, and the
 * critical line too once it is near or the data has reached warning. A critical
 * line left out is named in the panel title instead.
 */
export function valueAxisMax(dataMax: number, t: Threshold): { max: number; showsCritical: boolean } {
  // Headroom above a line leaves room for its label.
  const base = Math.max(Number.isFinite(dataMax) ? dataMax * 1.15 : 0, t.warning * 1.2);
  if (t.critical <= base * 1.3 || dataMax >= t.warning) {
    return { max: Math.max(base, t.critical * 1.2), showsCritical: true };
  }
  return { max: base, showsCritical: false };
}

/** A power-of-two step that puts at most five ticks under `max`. */
export function binaryStep(max: number): number {
  let step = 1;
  while (max / step > 5) step *= 2;
  return step;
}

function thresholdLine(
  level: 'warning' | 'critical',
  value: number,
  format: (v: number) => string,
  labels: 'apart' | 'left',
): Annotation {
  const color = level === 'critical' ? THEME.critical : THEME.warning;
  const left = labels === 'left' || level === 'warning';
  return {
    type: 'line',
    scaleID: 'y',
    value,
    borderColor: color,
    borderWidth: 1.5,
    borderDash: level === 'critical' ? [2, 3] : [7, 4],
    drawTime: 'afterDatasetsDraw',
    label: {
      display: true,
      content: `${level} ${format(value)}`,
      // Apart, so two close thresholds (CPU 80 % and 95 %) keep readable labels.
      position: left ? 'start' : 'end',
      backgroundColor: 'rgba(43, 45, 49, 0.85)',
      color,
      font: font(THEME.font.label, 600),
      padding: { top: 1, bottom: 1, left: 4, right: 4 },
      yAdjust: -9,
      xAdjust: left ? 4 : -4,
    },
  };
}

function shade(period: FiringPeriod): Annotation {
  return {
    type: 'box',
    xMin: period.fromMs,
    xMax: period.toMs,
    backgroundColor: period.severity === 'critical' ? THEME.criticalShade : THEME.warningShade,
    borderWidth: 0,
    drawTime: 'beforeDatasetsDraw',
  };
}

function markerLine(marker: NonNullable<PanelSpec['marker']>): Annotation {
  const color = marker.severity === 'critical' ? THEME.critical : THEME.warning;
  return {
    type: 'line',
    scaleID: 'x',
    value: marker.atMs,
    borderColor: color,
    borderWidth: 2,
    drawTime: 'afterDatasetsDraw',
    label: {
      display: true,
      content: marker.label,
      position: 'start',
      backgroundColor: color,
      color: '#1e1f22',
      font: font(THEME.font.label, 700),
      padding: { top: 2, bottom: 2, left: 5, right: 5 },
    },
  };
}

/** A line chart of one metric with its thresholds, the periods its alert fired shaded. */
export function panelConfig(spec: PanelSpec): ChartConfiguration<'line'> {
  const points = downsample(spec.series, LAYOUT.maxPoints);
  let dataMax = 0;
  let latest: number | null = null;
  for (const v of spec.series.values) {
    if (typeof v !== 'number') continue;
    dataMax = Math.max(dataMax, v);
    latest = v;
  }
  const { max, showsCritical } = valueAxisMax(dataMax, spec.threshold);
  const periods = firingPeriods(spec.series, spec.threshold, spec.rule);
  const annotations: Record<string, Annotation> = {};
  periods.forEach((p, i) => {
    annotations[`firing${i}`] = shade(p);
  });
  const labels = spec.labels ?? 'apart';
  annotations.warning = thresholdLine('warning', spec.threshold.warning, spec.format, labels);
  if (showsCritical) {
    annotations.critical = thresholdLine('critical', spec.threshold.critical, spec.format, labels);
  }
  if (spec.marker !== undefined) annotations.marker = markerLine(spec.marker);

  const step = timeStep(spec.toMs - spec.fromMs);
  const yStep = spec.binaryTicks === true ? binaryStep(max) : undefined;
  const facts = [
    latest === null ? 'no value' : `now ${spec.format(latest)}`,
    `peak ${spec.format(dataMax)}`,
    ...(showsCritical ? [] : [`critical ${spec.format(spec.threshold.critical)} is off the scale`]),
  ];
  return {
    type: 'line',
    data: {
      datasets: [
        {
          data: points,
          borderColor: spec.color,
          backgroundColor: `${spec.color}33`,
          fill: 'origin',
          borderWidth: 1.8,
          pointRadius: points.length <= 2 ? 2.5 : 0,
          pointBackgroundColor: spec.color,
          tension: 0,
          spanGaps: false,
        },
      ],
    },
    options: {
      animation: false,
      responsive: false,
      events: [],
      devicePixelRatio: THEME.pixelRatio,
      parsing: false,
      normalized: true,
      layout: { padding: { left: LAYOUT.padding, right: LAYOUT.padding + 6, top: 2, bottom: 4 } },
      plugins: {
        legend: { display: false },
        tooltip: { enabled: false },
        title: {
          display: true,
          text: spec.title,
          align: 'start',
          color: THEME.text,
          font: font(THEME.font.panel, 700),
          padding: { top: 6, bottom: 2 },
        },
        subtitle: {
          display: true,
          text: facts.join('  ·  '),
          align: 'start',
          color: THEME.muted,
          font: font(THEME.font.label),
          padding: { bottom: 6 },
        },
        annotation: { clip: true, annotations },
      },
      scales: {
        x: {
          type: 'linear',
          min: spec.fromMs,
          max: spec.toMs,
          grid: { color: THEME.grid, drawTicks: spec.timeAxis },
          border: { color: THEME.axis },
          // Chart.js spreads stepped ticks evenly between a min and max that are not
          // multiples of the step; the ticks are set here instead, on round times.
          afterBuildTicks: (scale) => {
            scale.ticks = timeTicks(spec.fromMs, spec.toMs, step).map((value) => ({ value }));
          },
          ticks: {
            display: spec.timeAxis,
            autoSkip: false,
            maxRotation: 0,
            color: THEME.muted,
            font: font(THEME.font.tick),
            callback: (value) => formatClock(Number(value), step),
          },
          title: {
            display: spec.timeAxis,
            text: 'time (UTC)',
            color: THEME.muted,
            font: font(THEME.font.tick),
            padding: { top: 2 },
          },
        },
        y: {
          type: 'linear',
          min: 0,
          ...(yStep === undefined ? { suggestedMax: max } : { max: Math.ceil(max / yStep) * yStep }),
          grid: { color: THEME.grid },
          border: { color: THEME.axis },
          ticks: {
            ...(yStep === undefined ? { maxTicksLimit: 6 } : { stepSize: yStep }),
            color: THEME.muted,
            font: font(THEME.font.tick),
            callback: (value) => spec.format(Number(value)),
          },
          afterFit: (scale) => {
            scale.width = LAYOUT.yAxisWidth;
          },
        },
      },
    },
  };
}
