// `node --import ./src/ts-loader.mjs bench/charts-bench.ts [--quick]`: the charts alone (also part of `npm run bench`).
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../src/core/index.ts';
import {
  type ChartKind,
  type ChartRequest,
  createChartRenderer,
  resourceAlertChartRequest,
  resourcesChartRequest,
} from '../src/discord/index.ts';
import { resourcesView, startupReport } from '../test/support/chart-data.ts';
import { startEmulator } from '../test/support/emulator/index.ts';
import { startBotProcess } from './support/bot-process.ts';
import { type Percentiles, percentiles, type Stats, stats } from './support/stats.ts';

export interface ChartsBenchOptions {
  /** Timed renders of each chart (after a warm-up). */
  readonly renders: number;
  /** Interleaved off/on pairs of bot runs for the /resources acknowledgement. */
  readonly pairs: number;
  /** /resources invocations per run and pace, one at a time. */
  readonly commands: number;
  /** Pause between paced invocations, ms. @default 250 */
  readonly gapMs?: number;
}

export interface ChartRenderFigures {
  readonly kind: string;
  /** Drawing and PNG encoding, timed inside the render process. */
  readonly render_ms: Percentiles;
  /** From render() to the PNG back in the bot: the hop to the render process and back included. */
  readonly round_trip_ms: Percentiles;
  readonly png_bytes: number;
  readonly width: number;
  readonly height: number;
}

export interface ChartsBenchResult {
  readonly renders: number;
  readonly charts: readonly ChartRenderFigures[];
  /** Time for the render process to load Chart.js, the canvas and the font. */
  readonly worker_load_ms: number;
  /**
   * /resources sent one at a time with a pause between (as operators send them):
   * dispatch to first callback, ms, per mode (all runs of that mode pooled).
   */
  readonly resources_ack_ms: { readonly off: Percentiles; readonly on: Percentiles };
  /** The same, dispatch to the final answer (with the chart when on). */
  readonly resources_answer_ms: { readonly off: Percentiles; readonly on: Percentiles };
  /** p99 on − p99 off of each pair, paced. */
  readonly ack_p99_delta_ms: Stats;
  /** Back to back (the next sent as the previous is answered): each ack meets the previous chart's tail. */
  readonly back_to_back_ack_ms: { readonly off: Percentiles; readonly on: Percentiles };
  readonly gap_ms: number;
  /** The bot's own RSS after its runs, charts on − off, per pair (the render process's memory is apart). */
  readonly rss_delta_mb: Stats;
  readonly pairs: number;
  readonly commands_per_run: number;
  readonly answers_with_chart: number;
}

const NOW = Date.UTC(2024, 0, 15, 14, 30, 0);

/** The three charts at full size: an hour of 15 s samples, a start of nine components, an alert. */
function requests(): Record<ChartKind, ChartRequest> {
  const view = resourcesView(NOW);
  const resources = resourcesChartRequest(view, '1h', NOW);
  const alert = resourceAlertChartRequest(
    view,
    'event_loop_lag',
    Date.parse(view.history[210]?.at ?? ''),
    'warning',
  );
  if (resources === undefined || alert === undefined) throw new Error('bench data made no chart');
  return { resources, startup: { kind: 'startup', report: startupReport(NOW) }, resource_alert: alert };
}

async function benchRenders(renders: number): Promise<{ charts: ChartRenderFigures[]; loadMs: number }> {
  let loadMs = 0;
  const log = {
    ...silentLogger,
    child: () => log,
    info: (event: string, _msg: string, detail?: Readonly<Record<string, unknown>>) => {
      if (event === 'charts_ready') loadMs = Number(detail?.load_ms ?? 0);
    },
  };
  const renderer = createChartRenderer({ log, timeoutMs: 30_000 });
  if (!(await renderer.start())) throw new Error('charts are unavailable on this machine');
  try {
    const charts: ChartRenderFigures[] = [];
    for (const [kind, request] of Object.entries(requests())) {
      for (let i = 0; i < 5; i++) await renderer.render(request);
      const inWorker: number[] = [];
      const roundTrip: number[] = [];
      let last: Awaited<ReturnType<typeof renderer.render>>;
      for (let i = 0; i < renders; i++) {
        const began = performance.now();
        last = await renderer.render(request);
        roundTrip.push(performance.now() - began);
        if (last === undefined) throw new Error(`the ${kind} chart failed`);
        inWorker.push(last.renderMs);
      }
      charts.push({
        kind,
        render_ms: percentiles(inWorker, 1),
        round_trip_ms: percentiles(roundTrip, 1),
        png_bytes: last?.png.byteLength ?? 0,
        width: last?.width ?? 0,
        height: last?.height ?? 0,
      });
    }
    return { charts, loadMs };
  } finally {
    await renderer.close();
  }
}

interface RunFigures {
  readonly ack: number[];
  readonly answer: number[];
  readonly backToBack: number[];
  readonly withChart: number;
  readonly rssMb: number;
}

async function resourcesRun(charts: boolean, commands: number, gapMs: number): Promise<RunFigures> {
  const emulator = await startEmulator();
  const bot = await startBotProcess(emulator, {
    env: { LOG_LEVEL: 'info', RESOURCE_SAMPLE_INTERVAL_MS: '1000', OBS_ENABLE_CHARTS: String(charts) },
    console: true,
    prometheus: false,
  });
  try {
    const input = { name: 'resources', user: 'admin' } as const;
    // A few samples first (there is no chart without one), the same wait in both modes;
    // then a warm-up, in which the first answers compile the code.
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    for (let i = 0; i < 10; i++) await emulator.invokeCommand(input).settled(15_000);
    const ack: number[] = [];
    const answer: number[] = [];
    let withChart = 0;
    for (let i = 0; i < commands; i++) {
      await new Promise((resolve) => setTimeout(resolve, gapMs));
      const began = Date.now();
      const r = await emulator.invokeCommand(input).settled(15_000);
      if (r.ackMs === null) continue;
      ack.push(r.ackMs);
      answer.push(Date.now() - began);
      if (r.attachments.length > 0) withChart += 1;
    }
    const backToBack: number[] = [];
    for (let i = 0; i < commands; i++) {
      const r = await emulator.invokeCommand(input).settled(15_000);
      if (r.ackMs !== null) backToBack.push(r.ackMs);
    }
    const sample = await bot.sample(true);
    return { ack, answer, backToBack, withChart, rssMb: sample.rss_bytes / 1024 / 1024 };
  } finally {
    await bot.close();
    await emulator.close();
  }
}

/**
 * Chart rendering in the render process (each chart's time and PNG size), and what charts
 * cost `/resources`: the real bot in a child process, charts off and on in
 * interleaved runs, acknowledgement and final-answer times.
 */
export async function benchCharts(options: ChartsBenchOptions): Promise<ChartsBenchResult> {
  const { charts, loadMs } = await benchRenders(options.renders);
  const gapMs = options.gapMs ?? 250;
  const pool = () => ({ ack: [] as number[], answer: [] as number[], backToBack: [] as number[] });
  const pooled = { off: pool(), on: pool() };
  const ackDeltas: number[] = [];
  const rssDeltas: number[] = [];
  let answersWithChart = 0;
  for (let p = 0; p < options.pairs; p++) {
    const off = await resourcesRun(false, options.commands, gapMs);
    const on = await resourcesRun(true, options.commands, gapMs);
    for (const [mode, run] of [
      ['off', off],
      ['on', on],
    ] as const) {
      pooled[mode].ack.push(...run.ack);
      pooled[mode].answer.push(...run.answer);
      pooled[mode].backToBack.push(...run.backToBack);
    }
    answersWithChart += on.withChart;
    ackDeltas.push(percentiles(on.ack).p99 - percentiles(off.ack).p99);
    rssDeltas.push(on.rssMb - off.rssMb);
  }
  return {
    renders: options.renders,
    charts,
    worker_load_ms: loadMs,
    resources_ack_ms: { off: percentiles(pooled.off.ack), on: percentiles(pooled.on.ack) },
    resources_answer_ms: { off: percentiles(pooled.off.answer), on: percentiles(pooled.on.answer) },
    ack_p99_delta_ms: stats(ackDeltas),
    back_to_back_ack_ms: { off: percentiles(pooled.off.backToBack), on: percentiles(pooled.on.backToBack) },
    gap_ms: gapMs,
    rss_delta_mb: stats(rssDeltas, 1),
    pairs: options.pairs,
    commands_per_run: options.commands,
    answers_with_chart: answersWithChart,
  };
}

/** The charts' rows for RESULTS.md. */
export function formatChartsBench(r: ChartsBenchResult): string {
  const p = (x: Percentiles): string => `${x.p50} / ${x.p99} / ${x.max}`;
  return [
    '| chart | PNG size | pixels | render in the render process, ms (p50 / p99 / max) | render() round trip, ms (p50 / p99 / max) |',
    '| --- | --- | --- | --- | --- |',
    ...r.charts.map(
      (c) =>
        `| ${c.kind} | ${(c.png_bytes / 1024).toFixed(1)} KB | ${c.width} × ${c.height} | ${p(c.render_ms)} | ${p(c.round_trip_ms)} |`,
    ),
    '',
    '| /resources, ms (p50 / p99 / max) | charts off | charts on |',
    '| --- | --- | --- |',
    `| acknowledged (first callback), ${r.gap_ms} ms apart | ${p(r.resources_ack_ms.off)} | ${p(r.resources_ack_ms.on)} |`,
    `| final answer (with the chart when on), ${r.gap_ms} ms apart | ${p(r.resources_answer_ms.off)} | ${p(r.resources_answer_ms.on)} |`,
    `| acknowledged, back to back | ${p(r.back_to_back_ack_ms.off)} | ${p(r.back_to_back_ack_ms.on)} |`,
    '',
    `Ack p99 on − off per pair, ${r.gap_ms} ms apart: ${r.ack_p99_delta_ms.min} / ${r.ack_p99_delta_ms.median} / ${r.ack_p99_delta_ms.max} ms (min / median / max of ${r.pairs}); ` +
      `${r.answers_with_chart} of ${r.pairs * r.commands_per_run} answers with charts on carried the PNG. ` +
      `The render process loads in ${r.worker_load_ms} ms. Charts on add ${r.rss_delta_mb.median} MB to the bot's own RSS (median of the pairs, after a full GC); the render process's own memory is apart, and goes when it stops.`,
  ].join('\n');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const quick = process.argv.includes('--quick');
  const result = await benchCharts(
    quick ? { renders: 20, pairs: 1, commands: 30 } : { renders: 100, pairs: 2, commands: 100 },
  );
  process.stdout.write(`${formatChartsBench(result)}\n\n${JSON.stringify(result, null, 2)}\n`);
}
