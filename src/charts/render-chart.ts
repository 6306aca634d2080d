import type { Canvas } from '@napi-rs/canvas';
import type { ChartConfiguration, ChartItem, ChartType, Plugin } from 'chart.js';
import type { ChartModules } from './chart-modules.ts';
import type {
  ChartImage,
  ChartRequest,
  ResourceAlertChartRequest,
  ResourceMetric,
  ResourcesChartRequest,
} from './chart-requests.ts';
import { formatClock, formatMb, formatMs, formatPercent, timeStep } from './chart-series.ts';
import { LAYOUT, THEME } from './chart-theme.ts';
import { type PanelSpec, panelConfig } from './panel-config.ts';
import { startupConfig, startupSize } from './startup-config.ts';

interface MetricLook {
  readonly title: string;
  readonly format: (v: number) => string;
  readonly binaryTicks: boolean;
}

const METRICS: Readonly<Record<ResourceMetric, MetricLook>> = {
  memory: { title: 'Memory (RSS)', format: formatMb, binaryTicks: true },
  cpu: { title: 'CPU (% of one core)', format: formatPercent, binaryTicks: false },
  event_loop_lag: { title: 'Event-loop lag (worst per sample)', format: formatMs, binaryTicks: false },
};

/**
 * Draws one Chart.js chart on a canvas of `width` × `height` CSS pixels (Chart.js
 * scales it by the pixel ratio), lets `use` read it, then frees the chart: Chart.js
 * keeps every live chart in a registry, and clears the canvas when it lets go.
 */
function drawChart<T extends ChartType, R>(
  modules: ChartModules,
  width: number,
  height: number,
  config: ChartConfiguration<T>,
  use: (canvas: Canvas) => R,
): R {
  const canvas = modules.createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  const chart = new modules.Chart(
    ctx as unknown as ChartItem,
    {
      ...config,
      plugins: [background, ...(config.plugins ?? [])],
    } as ChartConfiguration,
  );
  try {
    return use(canvas);
  } finally {
    chart.destroy();
  }
}

function encode(canvas: Canvas): { png: Uint8Array; width: number; height: number } {
  // A copy with its own ArrayBuffer, so it can be transferred out of the worker.
  const png = new Uint8Array(canvas.encodeSync('png'));
  return {
    png,
    width: canvas.width,
    height: canvas.height,
  };
}

/** Fills the chart's own background, so the PNG is opaque and reads on either Discord theme. */
const background: Plugin = {
  id: 'opsBackground',
  beforeDraw(chart) {
    const { ctx } = chart;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = THEME.background;
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

const px = (n: number): number => Math.round(n * THEME.pixelRatio);

function fontCss(size: number, weight: number | 'normal' = 'normal'): string {
  return `${weight} ${px(size)}px ${THEME.fontFamily}`;
}

function resourcesImage(modules: ChartModules, r: ResourcesChartRequest): ReturnType<typeof encode> {
  const l = LAYOUT.resources;
  const panels: { metric: ResourceMetric; series: ResourcesChartRequest['memoryMb'] }[] = [
    { metric: 'memory', series: r.memoryMb },
    { metric: 'cpu', series: r.cpuPercent },
    { metric: 'event_loop_lag', series: r.lagMaxMs },
  ];
  const thresholdOf = {
    memory: r.thresholds.memory_mb,
    cpu: r.thresholds.cpu_percent,
    event_loop_lag: r.thresholds.event_loop_lag_ms,
  } as const;
  const heights = panels.map((_, i) => l.panelHeight + (i === panels.length - 1 ? l.lastPanelExtra : 0));
  const height = l.headerHeight + heights.reduce((sum, h) => sum + h, 0);
  const out = modules.createCanvas(px(l.width), px(height));
  const ctx = out.getContext('2d');
  ctx.fillStyle = THEME.background;
  ctx.fillRect(0, 0, out.width, out.height);
  const step = timeStep(r.toMs - r.fromMs);
  const span = `${formatClock(r.fromMs, step)}–${formatClock(r.toMs, step)} UTC`;
  const samples = r.memoryMb.times.length;
  ctx.fillStyle = THEME.text;
  ctx.font = fontCss(THEME.font.title, 700);
  ctx.fillText(`Resources, ${r.windowLabel}  ·  ${span}`, px(LAYOUT.padding), px(26));
  ctx.fillStyle = THEME.muted;
  ctx.font = fontCss(THEME.font.subtitle);
  ctx.fillText(
    `${samples} sample${samples === 1 ? '' : 's'}  ·  dashed: thresholds  ·  shaded: alert firing (yellow warning, red critical)`,
    px(LAYOUT.padding),
    px(46),
  );
  let y = l.headerHeight;
  panels.forEach((p, i) => {
    const panelHeight = heights[i] ?? l.panelHeight;
    const spec: PanelSpec = {
      title: METRICS[p.metric].title,
      color: THEME.series[p.metric],
      series: p.series,
      threshold: thresholdOf[p.metric],
      rule: r.rule,
      fromMs: r.fromMs,
      toMs: r.toMs,
      format: METRICS[p.metric].format,
      binaryTicks: METRICS[p.metric].binaryTicks,
      timeAxis: i === panels.length - 1,
      width: l.width,
      height: panelHeight,
    };
    drawChart(modules, l.width, panelHeight, panelConfig(spec), (canvas) => ctx.drawImage(canvas, 0, px(y)));
    y += panelHeight;
  });
  return encode(out);
}

/** The series' value at the last sample taken at or before `atMs`. */
function valueAt(series: ResourceAlertChartRequest['series'], atMs: number): number | undefined {
  let found: number | undefined;
  series.times.forEach((t, i) => {
    const v = series.values[i];
    if (t <= atMs && typeof v === 'number') found = v;
  });
  return found;
}

function alertImage(modules: ChartModules, r: ResourceAlertChartRequest): ReturnType<typeof encode> {
  const l = LAYOUT.alert;
  const m = METRICS[r.metric];
  const step = timeStep(r.toMs - r.fromMs);
  const value = valueAt(r.series, r.firedAtMs);
  const spec: PanelSpec = {
    title: `${m.title}: ${r.severity} alert at ${formatClock(r.firedAtMs, Math.min(step, 1_000))} UTC${value === undefined ? '' : `, ${m.format(value)}`}`,
    color: THEME.series[r.metric],
    series: r.series,
    threshold: r.threshold,
    // The shading shows values over the line; the marker says when the alert itself fired.
    rule: { consecutive: 1, resolveAfter: 1, hysteresis: 0 },
    fromMs: r.fromMs,
    // Room right of the moment it fired, so the marker and its label stand clear of the edge.
    toMs: Math.max(r.toMs, r.firedAtMs + Math.max(1_000, (r.firedAtMs - r.fromMs) * 0.08)),
    format: m.format,
    binaryTicks: m.binaryTicks,
    labels: 'left',
    timeAxis: true,
    marker: { atMs: r.firedAtMs, label: 'fired', severity: r.severity },
    width: l.width,
    height: l.height,
  };
  return drawChart(modules, l.width, l.height, panelConfig(spec), encode);
}

/** Draws the chart a request describes and encodes it as PNG. */
export function renderChart(modules: ChartModules, request: ChartRequest): ChartImage {
  const began = performance.now();
  let image: ReturnType<typeof encode>;
  switch (request.kind) {
    case 'resources':
      image = resourcesImage(modules, request);
      break;
    case 'startup': {
      const size = startupSize(request.report);
      image = drawChart(modules, size.width, size.height, startupConfig(request.report), encode);
      break;
    }
    case 'resource_alert':
      image = alertImage(modules, request);
      break;
    default:
      throw new Error(`unknown chart kind ${(request as { kind?: unknown }).kind}`);
  }
  return { kind: request.kind, ...image, renderMs: Math.round((performance.now() - began) * 10) / 10 };
}
