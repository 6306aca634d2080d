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

/** Options of {@link benchMetrics}. */
export interface MetricsBenchOptions {
  /** @default 50 */
  readonly components?: number;
  /** @default 50 */
  readonly tasks?: number;
  /** Timed `metricsText()` renders (after a warm-up). @default 200 */
  readonly renders?: number;
  /** Calls per hot-path measurement. @default 200000 */
  readonly calls?: number;
}

export interface Percentiles {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface MetricsBenchResult {
  readonly components: number;
  readonly tasks: number;
  readonly renders: number;
  /** Time of one `/metrics` render, ms. */
  readonly render_ms: Percentiles;
  readonly exposition_bytes: number;
  /** Cost of one hot-path call, ns, with metrics off (no-op) and on (prom-client). */
  readonly hot_path_ns: {
    readonly off: { readonly interaction: number; readonly taskHeartbeat: number };
    readonly on: { readonly interaction: number; readonly taskHeartbeat: number };
  };
}

const DEFAULTS = {
  components: 50,
  tasks: 50,
  renders: 200,
  calls: 200_000,
} as const satisfies Required<MetricsBenchOptions>;
const AT = '2026-01-15T14:30:45.123Z';

/** Measures the `/metrics` render with many components and tasks, and the hot-path cost of metrics off vs on. */
export async function benchMetrics(options: MetricsBenchOptions = {}): Promise<MetricsBenchResult> {
  const o = { ...DEFAULTS, ...options };
  const sources = benchSources(o.components, o.tasks);
  const on = await createMetrics({ enabled: true });
  on.bindSources(sources);
  on.startupFinished(sources.startup() as StartupReport);
  for (let i = 0; i < o.components; i += 1) on.componentError(`component_${i}`);
  for (let i = 0; i < o.tasks; i += 1) on.taskHeartbeat(`task_${i}`);
  for (const command of ['health', 'resources', 'tasks', 'startup', 'alerts'])
    on.interaction(command, 'ok', 0.05);

  for (let i = 0; i < 20; i += 1) await on.metricsText();
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < o.renders; i += 1) {
    const start = performance.now();
    const text = await on.metricsText();
    times.push(performance.now() - start);
    bytes = Buffer.byteLength(text);
  }

  const off = await createMetrics({ enabled: false });
  return {
    components: o.components,
    tasks: o.tasks,
    renders: o.renders,
    render_ms: percentiles(times),
    exposition_bytes: bytes,
    hot_path_ns: {
      off: hotPath(off, o.calls),
      on: hotPath(on, o.calls),
    },
  };
}

/** The result as Markdown rows for the benchmark results table. */
export function formatMetricsBench(r: MetricsBenchResult): string {
  const ms = (v: number): string => `${v.toFixed(2)} ms`;
  const ns = (v: number): string => `${v.toFixed(0)} ns`;
  return [
    '| metrics benchmark | value |',
    '| --- | --- |',
    `| /metrics render, ${r.components} components + ${r.tasks} tasks (${r.renders} renders) | p50 ${ms(r.render_ms.p50)}, p99 ${ms(r.render_ms.p99)}, max ${ms(r.render_ms.max)} |`,
    `| exposition size | ${(r.exposition_bytes / 1024).toFixed(1)} KiB |`,
    `| interaction() per call, metrics off / on | ${ns(r.hot_path_ns.off.interaction)} / ${ns(r.hot_path_ns.on.interaction)} |`,
    `| taskHeartbeat() per call, metrics off / on | ${ns(r.hot_path_ns.off.taskHeartbeat)} / ${ns(r.hot_path_ns.on.taskHeartbeat)} |`,
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

function benchSources(componentCount: number, taskCount: number): MetricsSources {
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
