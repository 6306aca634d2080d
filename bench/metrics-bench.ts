import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import {
  type ComponentStatus,
  createMetrics,
  type GatewaySnapshot,
  type HealthSnapshot,
  type Metrics,
  type MetricsSources,
  type ResourceSample,
  type StartupReport,
  type TaskSnapshot,
} from '../src/core/index.ts';
import type { Verdict } from './support/report.ts';
import { threadSchedstat } from './support/schedstat.ts';

/** Options of {@link benchMetrics}. */
export interface MetricsBenchOptions {
  /** Component and task counts to render at (each size has as many tasks as components). @default [50, 200] */
  readonly sizes?: readonly number[];
  /** Timed renders per size and writer (after a warm-up). @default 200 */
  readonly renders?: number;
  /** Calls per hot-path measurement. @default 200000 */
  readonly calls?: number;
}

export interface Percentiles {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** The `/metrics` render at one size. */
export interface MetricsRenderResult {
  readonly components: number;
  readonly tasks: number;
  readonly series: number;
  readonly exposition_bytes: number;
  /** Wall time of one render, ms: what a scrape waits for. */
  readonly render_ms: Percentiles;
  /** CPU time of one render (process.cpuUsage, so GC threads included), ms: the render's own cost. */
  readonly render_cpu_ms: Percentiles;
  /**
   * Wall time less the time the thread waited for a CPU during the render (runnable, not
   * running: /proc/thread-self/schedstat), ms: what the render holds the loop for, the
   * machine's preemption taken out. Absent where schedstat is missing.
   */
  readonly render_own_ms?: Percentiles;
  /** The same registry written by prom-client's own `registry.metrics()`, renders interleaved with ours. */
  readonly prom_client_ms: Percentiles;
  readonly prom_client_cpu_ms: Percentiles;
}

export interface MetricsBenchResult {
  readonly renders: number;
  readonly sizes: readonly MetricsRenderResult[];
  /** The first size's figures, as older results had them. */
  readonly components: number;
  readonly tasks: number;
  readonly render_ms: Percentiles;
  readonly exposition_bytes: number;
  /** Cost of one hot-path call, ns, with metrics off (no-op) and on (prom-client). */
  readonly hot_path_ns: {
    readonly off: { readonly interaction: number; readonly taskHeartbeat: number };
    readonly on: { readonly interaction: number; readonly taskHeartbeat: number };
  };
}

const DEFAULTS = {
  sizes: [50, 200],
  renders: 200,
  calls: 200_000,
} as const satisfies Required<MetricsBenchOptions>;
const AT = '2026-01-15T14:30:45.123Z';

async function renderAt(size: number, renders: number): Promise<MetricsRenderResult> {
  const sources = benchSources(size, size);
  const on = await createMetrics({ enabled: true });
  on.bindSources(sources);
  on.startupFinished(sources.startup() as StartupReport);
  for (let i = 0; i < size; i += 1) on.componentError(`component_${i}`);
  for (let i = 0; i < size; i += 1) on.taskHeartbeat(`task_${i}`);
  for (const command of ['health', 'resources', 'tasks', 'startup', 'alerts'])
    on.interaction(command, 'ok', 0.05);
  const sched = threadSchedstat();
  const timed = async (render: () => Promise<string>) => {
    const waitedBefore = sched?.read().wait ?? 0;
    const cpu = process.cpuUsage();
    const start = performance.now();
    const text = await render();
    const ms = performance.now() - start;
    const used = process.cpuUsage(cpu);
    const waitedMs = ((sched?.read().wait ?? 0) - waitedBefore) / 1e6;
    return { ms, cpuMs: (used.user + used.system) / 1000, ownMs: Math.max(0, ms - waitedMs), text };
  };
  const ours = () => on.metricsText();
  const theirs = () => on.registry.metrics();
  for (let i = 0; i < 20; i += 1) {
    await ours();
    await theirs();
  }
  const wall: number[] = [];
  const cpu: number[] = [];
  const own: number[] = [];
  const promWall: number[] = [];
  const promCpu: number[] = [];
  let text = '';
  for (let i = 0; i < renders; i += 1) {
    // Alternate which writer goes first, so neither always pays for the other's garbage.
    const order = i % 2 === 0 ? [ours, theirs] : [theirs, ours];
    for (const render of order) {
      const r = await timed(render);
      if (render === ours) {
        wall.push(r.ms);
        cpu.push(r.cpuMs);
        own.push(r.ownMs);
        text = r.text;
      } else {
        promWall.push(r.ms);
        promCpu.push(r.cpuMs);
      }
    }
  }
  sched?.close();
  return {
    components: size,
    tasks: size,
    series: text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length,
    exposition_bytes: Buffer.byteLength(text),
    render_ms: percentiles(wall),
    render_cpu_ms: percentiles(cpu),
    ...(sched === undefined ? {} : { render_own_ms: percentiles(own) }),
    prom_client_ms: percentiles(promWall),
    prom_client_cpu_ms: percentiles(promCpu),
  };
}

/** Measures the `/metrics` render with many components and tasks, and the hot-path cost of metrics off vs on. */
export async function benchMetrics(options: MetricsBenchOptions = {}): Promise<MetricsBenchResult> {
  const o = { ...DEFAULTS, ...options };
  const sizes: MetricsRenderResult[] = [];
  for (const size of o.sizes) sizes.push(await renderAt(size, o.renders));
  const first = sizes[0] as MetricsRenderResult;
  const on = await createMetrics({ enabled: true });
  const off = await createMetrics({ enabled: false });
  return {
    renders: o.renders,
    sizes,
    components: first.components,
    tasks: first.tasks,
    render_ms: first.render_ms,
    exposition_bytes: first.exposition_bytes,
    hot_path_ns: {
      off: hotPath(off, o.calls),
      on: hotPath(on, o.calls),
    },
  };
}

/** The result as Markdown rows for the benchmark results table. */
export function formatMetricsBench(r: MetricsBenchResult): string {
  const ms = (v: number): string => v.toFixed(2);
  const p = (x: Percentiles): string => `${ms(x.p50)} / ${ms(x.p99)} / ${ms(x.max)}`;
  const ns = (v: number): string => `${v.toFixed(0)} ns`;
  const sizes = r.sizes ?? [];
  return [
    "| components + tasks | series | exposition | render, wall ms (p50 / p99 / max) | render, own ms (the wait for a CPU taken out) | render, CPU ms | prom-client's writer, wall ms | prom-client's writer, CPU ms |",
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...sizes.map(
      (s) =>
        `| ${s.components} + ${s.tasks} | ${s.series} | ${(s.exposition_bytes / 1024).toFixed(1)} KiB | ${p(s.render_ms)} | ${s.render_own_ms === undefined ? '–' : p(s.render_own_ms)} | ${p(s.render_cpu_ms)} | ${p(s.prom_client_ms)} | ${p(s.prom_client_cpu_ms)} |`,
    ),
    '',
    '| hot path, per call | metrics off | metrics on |',
    '| --- | --- | --- |',
    `| interaction() | ${ns(r.hot_path_ns.off.interaction)} | ${ns(r.hot_path_ns.on.interaction)} |`,
    `| taskHeartbeat() | ${ns(r.hot_path_ns.off.taskHeartbeat)} | ${ns(r.hot_path_ns.on.taskHeartbeat)} |`,
  ].join('\n');
}

function hotPath(metrics: Metrics, calls: number): { interaction: number; taskHeartbeat: number } {
  const time = (fn: (i: number) => void): number => {
    for (let i = 0; i < Math.min(calls, 10_000); i += 1) fn(i);
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i += 1) fn(i);
    return Number(process.hrtime.bigint() - start) / calls;
  };
  return {
    interaction: time((i) => metrics.interaction(i % 2 === 0 ? 'health' : 'tasks', 'ok', 0.05)),
    taskHeartbeat: time((i) => metrics.taskHeartbeat(i % 2 === 0 ? 'task_0' : 'task_1')),
  };
}

function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? 0 };
}

export function benchSources(componentCount: number, taskCount: number): MetricsSources {
  const components: ComponentStatus[] = Array.from({ length: componentCount }, (_, i) => ({
    name: `component_${i}`,
    state: i % 10 === 0 ? 'degraded' : 'ready',
    status: i % 10 === 0 ? 'degraded' : 'ready',
    critical: i < 3,
    error_count: i,
    last_error: null,
    errors: [],
    since: AT,
    fallback_active: i % 10 === 0,
    note: null,
  }));
  const tasks: TaskSnapshot[] = Array.from({ length: taskCount }, (_, i) => ({
    name: `task_${i}`,
    kind: 'interval',
    schedule: 'every 15s',
    state: i % 7 === 0 ? 'running' : 'idle',
    critical: false,
    last_heartbeat_at: AT,
    last_heartbeat_age_ms: 1000 + i,
    runs: 100,
    failures: 0,
    restarts: 0,
    heartbeats: 100,
    next_run_at: AT,
    last_error: null,
  }));
  const gateway: GatewaySnapshot = { status: 'ready', ping_ms: 40, guilds: 12, reconnects: 0, since: AT };
  const health: HealthSnapshot = {
    status: 'degraded',
    live: true,
    ready: true,
    uptime_seconds: 3600,
    started_at: AT,
    status_since: AT,
    checked_at: AT,
    version: '0.1.0',
    components,
    gateway,
  };
  const resources: ResourceSample = {
    at: AT,
    rss_bytes: 200 * 1024 * 1024,
    heap_used_bytes: 80 * 1024 * 1024,
    heap_total_bytes: 100 * 1024 * 1024,
    cpu_percent: 7,
    open_files: 40,
    threads: 11,
    event_loop_lag_ms: { mean: 1.2, p99: 9, max: 25 },
  };
  const startup: StartupReport = {
    mode: 'parallel',
    started_at: AT,
    duration_ms: 3240,
    outcome: 'degraded',
    components: components.map((c, i) => ({
      name: c.name,
      status: c.state === 'degraded' ? 'degraded' : 'ready',
      critical: c.critical,
      dependencies: [],
      attempts: 1,
      start_offset_ms: 0,
      end_offset_ms: 50 + i,
      duration_ms: 50 + i,
      error: null,
      fallback: c.fallback_active,
      on_critical_path: i === 0,
    })),
    critical_path: ['component_0'],
  };
  return {
    health: () => health,
    resources: () => resources,
    tasks: () => tasks,
    gateway: () => gateway,
    startup: () => startup,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await benchMetrics();
  console.log(formatMetricsBench(result));
}

/** A row per size: the render's p99 against the 5 ms target. */
export function metricsVerdicts(m: MetricsBenchResult): Verdict[] {
  return (m.sizes ?? []).map((s, i): Verdict => {
    // What the render holds the loop for: its wall time, less the wait for a CPU where that is known.
    const held = s.render_own_ms ?? s.render_ms;
    // The target is set at the first size; the larger ones show how the render grows.
    const judged = i === 0;
    const met = !judged || held.p99 < 5;
    return {
      benchmark: `/metrics render, ${s.components} components + ${s.tasks} tasks: p99${judged ? '' : ' (its growth)'}`,
      target: judged ? '< 5 ms' : 'measured (the 5 ms target is for 50 + 50)',
      measured:
        `${held.p99.toFixed(2)} ms${s.render_own_ms === undefined ? '' : ' of its own'} (p50 ${held.p50.toFixed(2)}, max ${held.max.toFixed(2)}` +
        (s.render_own_ms === undefined
          ? ''
          : `; wall p99 ${s.render_ms.p99.toFixed(2)} ms, the wait for a CPU included`) +
        `; CPU p99 ${s.render_cpu_ms.p99.toFixed(2)} ms; ${s.series} series, ${(s.exposition_bytes / 1024).toFixed(0)} KiB); ` +
        `prom-client's own writer p99 ${s.prom_client_ms.p99.toFixed(2)} ms`,
      met,
      ...(met && judged
        ? {}
        : {
            note:
              `the render grows with the series (${s.series} here, ${((s.render_cpu_ms.p50 * 1000) / s.series).toFixed(2)} µs each at the p50): ` +
              'each component writes 6 state series and each task 8 at every scrape, and the default process_*/nodejs_* metrics ' +
              'read the process (/proc/self/fd, /proc/self/status, /proc/self/limits); the p99 is the ' +
              `scavenges the render's ${Math.round(s.exposition_bytes / 1024)} KiB of text and series trigger` +
              ". Closing it: keep each component's and task's lines between scrapes and write only those whose state moved",
          }),
    };
  });
}
