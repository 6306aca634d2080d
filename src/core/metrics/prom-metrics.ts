import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AlertSeverity } from '../alerts/types.ts';
import type { ComponentState, GatewaySnapshot, HealthSnapshot, OverallStatus } from '../health/types.ts';
import { type Logger, type LogLevel, silentLogger } from '../logging/logger.ts';
import type { ResourceSample } from '../resources/types.ts';
import type { StartupReport } from '../startup/types.ts';
import type { TaskSnapshot, TaskState } from '../tasks/types.ts';
import type { AlertMetricEvent, Metrics, MetricsSources } from './metrics.ts';
import type { MetricsExposition } from './metrics-exposition.ts';

/** Options of {@link createPromMetrics}. */
export interface PromMetricsOptions {
  /**
   * Prefix of every bot metric; the guide's names assume the default.
   * @default 'bot_'
   */
  readonly prefix?: string;
  /**
   * Register the runtime's default `process_*`/`nodejs_*` metrics on this registry.
   * @default true
   */
  readonly collectDefault?: boolean;
  /**
   * `bot_info{version}` before sources are bound (afterwards the health snapshot's version wins).
   * @default 'unknown'
   */
  readonly version?: string;
  /**
   * Startup histogram buckets, seconds.
   * @default [0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 30, 60, 120]
   */
  readonly startupBuckets?: readonly number[];
  /**
   * Interaction acknowledgement buckets, seconds; Discord's window is 3 s.
   * @default [0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 2.5, 3, 5]
   */
  readonly ackBuckets?: readonly number[];
  /**
   * Distinct values one label may take before new ones fold into `other`, so a
   * caller passing something unbounded cannot grow the registry without end.
   * @default 200
   */
  readonly maxLabelValues?: number;
  /** Where a source that throws at scrape time is reported. @default silentLogger */
  readonly log?: Logger;
}

/** The prom-client implementation: counts on the hot path, reads its sources at scrape time. */
export interface PromMetrics extends Metrics, MetricsExposition {
  readonly enabled: true;
  /** This instance's own registry, for a host bot that wants to add its metrics beside ours. */
  readonly registry: Registry;
}

const DEFAULTS = {
  prefix: 'bot_',
  collectDefault: true,
  version: 'unknown',
  startupBuckets: [0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 30, 60, 120],
  ackBuckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 2.5, 3, 5],
  maxLabelValues: 200,
} as const satisfies Required<Omit<PromMetricsOptions, 'log'>>;

const COMPONENT_STATES: readonly ComponentState[] = [
  'starting',
  'ready',
  'degraded',
  'failed',
  'stopped',
  'skipped',
];
const TASK_STATES: readonly TaskState[] = [
  'idle',
  'running',
  'late',
  'stale',
  'failed',
  'restarting',
  'stopped',
  'abandoned',
];
const OVERALL_STATUSES: readonly OverallStatus[] = ['ready', 'degraded', 'not_ready'];
const OVERFLOW_LABEL = 'other';

/** The sources, each read at most once per scrape and never allowed to fail the scrape. */
interface ScrapeFrame {
  health(): HealthSnapshot | undefined;
  resources(): ResourceSample | undefined;
  tasks(): readonly TaskSnapshot[];
  gateway(): GatewaySnapshot | undefined;
  startup(): StartupReport | undefined;
}

/**
 * Creates the prom-client metrics on a registry of their own, so two instances
 * in one process (tests, or the core lifted into another bot) never collide.
 */
export function createPromMetrics(options: PromMetricsOptions = {}): PromMetrics {
  const o = { ...DEFAULTS, ...definedOnly(options) };
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(o.prefix)) {
    throw new Error(`metrics prefix "${o.prefix}" is not a valid Prometheus name prefix`);
  }
  if (!Number.isInteger(o.maxLabelValues) || o.maxLabelValues < 1) {
    throw new Error(`maxLabelValues must be a positive integer, got ${o.maxLabelValues}`);
  }
  const log = options.log ?? silentLogger;
  const p = o.prefix;
  const registry = new Registry();
  const registers = [registry];
  if (o.collectDefault) collectDefaultMetrics({ register: registry });

  let sources: MetricsSources | undefined;
  let lastStartup: StartupReport | undefined;
  let frame: ScrapeFrame | undefined;
  const view = (): ScrapeFrame => frame ?? createFrame(sources, lastStartup, log);
  const bound = createLabelBound(o.maxLabelValues);

  // Pushed on the hot path.
  const startupTotal = new Histogram({
    name: `${p}startup_total_duration`,
    help: 'Total startup duration in seconds, one observation per finished startup.',
    buckets: [...o.startupBuckets],
    registers,
  });
  // Both counters start every known component/task at 0 at scrape time: a series
  // born at 1 hides its first increase from rate().
  const componentErrors = new Counter({
    name: `${p}component_errors_total`,
    help: 'Errors recorded against a component.',
    labelNames: ['component'],
    registers,
    collect() {
      for (const c of view().health()?.components ?? [])
        this.inc({ component: bound('component', c.name) }, 0);
    },
  });
  const heartbeats = new Counter({
    name: `${p}background_task_heartbeats_total`,
    help: 'Heartbeats reported by a background task.',
    labelNames: ['task'],
    registers,
    collect() {
      for (const t of view().tasks()) this.inc({ task: bound('task', t.name) }, 0);
    },
  });
  const taskRestarts = new Counter({
    name: `${p}background_task_restarts_total`,
    help: 'Restarts of a background task by its supervisor.',
    labelNames: ['task'],
    registers,
  });
  const interactions = new Counter({
    name: `${p}interactions_total`,
    help: 'Command interactions handled, by command and outcome.',
    labelNames: ['command', 'outcome'],
    registers,
  });
  const ackLatency = new Histogram({
    name: `${p}interaction_ack_duration_seconds`,
    help: 'Time from receiving an interaction to its first acknowledgement.',
    labelNames: ['command'],
    buckets: [...o.ackBuckets],
    registers,
  });
  const alertCounters: Record<AlertMetricEvent, Counter<'severity'>> = {
    fired: new Counter({
      name: `${p}alerts_fired_total`,
      help: 'Alerts fired (entry and escalation), by severity.',
      labelNames: ['severity'],
      registers,
    }),
    delivered: new Counter({
      name: `${p}alerts_delivered_total`,
      help: 'Alert notifications delivered by a sink, by severity.',
      labelNames: ['severity'],
      registers,
    }),
    dropped: new Counter({
      name: `${p}alerts_dropped_total`,
      help: 'Alert notifications dropped (rate limit, queue full, sink failure), by severity.',
      labelNames: ['severity'],
      registers,
    }),
    resolved: new Counter({
      name: `${p}alerts_resolved_total`,
      help: 'Alerts resolved, by severity.',
      labelNames: ['severity'],
      registers,
    }),
  };
  const gatewayReconnects = new Counter({
    name: `${p}gateway_reconnects_total`,
    help: 'Gateway reconnections.',
    registers,
  });
  const logWritten = new Counter({
    name: `${p}log_records_written_total`,
    help: 'Log records written, by level.',
    labelNames: ['level'],
    registers,
  });
  const logDropped = new Counter({
    name: `${p}log_records_dropped_total`,
    help: 'Log records dropped (sink backpressure or failure), by level.',
    labelNames: ['level'],
    registers,
  });

  // Read from the sources at scrape time.
  const gauge = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    fill: (g: Gauge<L>, f: ScrapeFrame) => void,
  ): void => {
    new Gauge<L>({
      name: `${p}${name}`,
      help,
      labelNames,
      registers,
      collect() {
        this.reset();
        // An unlabelled gauge resets to 0; drop that series so "no data" never reads as a value.
        if (labelNames.length === 0) this.remove();
        try {
          fill(this, view());
        } catch (error) {
          this.reset();
          if (labelNames.length === 0) this.remove();
          log.warning('metrics_collect_error', 'A metric could not be collected', { metric: name, error });
        }
      },
    });
  };
  const sampleGauge = (name: string, help: string, read: (s: ResourceSample) => number | null): void =>
    gauge(name, help, [], (g, f) => {
      const sample = f.resources();
      const value = sample === undefined ? null : read(sample);
      if (value !== null && Number.isFinite(value)) g.set(value);
    });

  gauge('up', 'Always 1 while the bot answers scrapes.', [], (g) => g.set(1));
  gauge('info', 'Build information; the value is always 1.', ['version'], (g, f) =>
    g.set({ version: f.health()?.version ?? o.version }, 1),
  );
  gauge(
    'health_status',
    'Overall health: 1 for the current status, 0 for the others.',
    ['status'],
    (g, f) => {
      const status = f.health()?.status;
      if (status === undefined) return;
      for (const s of OVERALL_STATUSES) g.set({ status: s }, s === status ? 1 : 0);
    },
  );
  gauge(
    'component_state',
    'Component lifecycle state: 1 for the current state, 0 for the others.',
    ['component', 'state'],
    (g, f) => {
      for (const c of f.health()?.components ?? []) {
        for (const s of COMPONENT_STATES) g.set({ component: c.name, state: s }, s === c.state ? 1 : 0);
      }
    },
  );
  gauge(
    'component_startup_duration_seconds',
    'How long each component took to start in the last startup.',
    ['component'],
    (g, f) => {
      for (const c of f.startup()?.components ?? []) {
        if (c.duration_ms !== null) g.set({ component: c.name }, c.duration_ms / 1000);
      }
    },
  );
  gauge('startup_last_duration_seconds', 'Total duration of the last startup.', [], (g, f) => {
    const report = f.startup();
    if (report !== undefined) g.set(report.duration_ms / 1000);
  });
  gauge(
    'background_task_state',
    'Background task state: 1 for the current state, 0 for the others.',
    ['task', 'state'],
    (g, f) => {
      for (const t of f.tasks()) {
        for (const s of TASK_STATES) g.set({ task: t.name, state: s }, s === t.state ? 1 : 0);
      }
    },
  );
  gauge(
    'background_task_heartbeat_age_seconds',
    'Seconds since a background task last reported a heartbeat.',
    ['task'],
    (g, f) => {
      for (const t of f.tasks()) {
        if (t.last_heartbeat_age_ms !== null) g.set({ task: t.name }, t.last_heartbeat_age_ms / 1000);
      }
    },
  );
  sampleGauge('resource_memory_bytes', 'Resident set size of the bot process.', (s) => s.rss_bytes);
  sampleGauge('resource_heap_used_bytes', 'V8 heap in use.', (s) => s.heap_used_bytes);
  sampleGauge('resource_heap_total_bytes', 'V8 heap reserved.', (s) => s.heap_total_bytes);
  sampleGauge('resource_cpu_ratio', 'CPU use of the bot process, 1 = one core busy.', (s) =>
    s.cpu_percent === null ? null : s.cpu_percent / 100,
  );
  sampleGauge(
    'resource_event_loop_lag_mean_seconds',
    'Mean event-loop lag over the last sample window.',
    (s) => toSeconds(s.event_loop_lag_ms.mean),
  );
  sampleGauge(
    'resource_event_loop_lag_p99_seconds',
    '99th percentile event-loop lag over the last window.',
    (s) => toSeconds(s.event_loop_lag_ms.p99),
  );
  sampleGauge(
    'resource_event_loop_lag_max_seconds',
    'Maximum event-loop lag over the last sample window.',
    (s) => toSeconds(s.event_loop_lag_ms.max),
  );
  sampleGauge('resource_open_files', 'File descriptors open in the bot process.', (s) => s.open_files);
  sampleGauge('resource_threads', 'Threads of the bot process.', (s) => s.threads);
  gauge('gateway_ready', '1 while the Discord gateway connection is ready, else 0.', [], (g, f) => {
    const gw = f.gateway();
    if (gw !== undefined) g.set(gw.status === 'ready' ? 1 : 0);
  });
  gauge('gateway_ping_seconds', 'Last gateway heartbeat round trip.', [], (g, f) => {
    const ping = f.gateway()?.ping_ms;
    if (ping !== undefined && ping !== null) g.set(ping / 1000);
  });
  gauge('gateway_guilds', 'Guilds the bot is in.', [], (g, f) => {
    const gw = f.gateway();
    if (gw !== undefined) g.set(gw.guilds);
  });

  const safely = (fn: () => void): void => {
    // A metrics call never breaks the code that reports it.
    try {
      fn();
    } catch (error) {
      log.warning('metrics_update_error', 'A metric update failed', { error });
    }
  };

  return {
    enabled: true,
    registry,
    contentType: registry.contentType,
    bindSources(next) {
      sources = next;
    },
    startupFinished(report) {
      safely(() => {
        lastStartup = report;
        startupTotal.observe(report.duration_ms / 1000);
      });
    },
    componentError(component) {
      safely(() => componentErrors.inc({ component: bound('component', component) }));
    },
    taskHeartbeat(task) {
      safely(() => heartbeats.inc({ task: bound('task', task) }));
    },
    taskRestart(task) {
      safely(() => taskRestarts.inc({ task: bound('task', task) }));
    },
    interaction(command, outcome, ackSeconds) {
      safely(() => {
        const c = bound('command', command);
        interactions.inc({ command: c, outcome: bound('outcome', outcome) });
        if (ackSeconds !== undefined && Number.isFinite(ackSeconds) && ackSeconds >= 0) {
          ackLatency.observe({ command: c }, ackSeconds);
        }
      });
    },
    alert(event: AlertMetricEvent, severity: AlertSeverity) {
      safely(() => alertCounters[event].inc({ severity }));
    },
    gatewayReconnect() {
      safely(() => gatewayReconnects.inc());
    },
    logRecord(level: LogLevel, outcome) {
      safely(() => (outcome === 'written' ? logWritten : logDropped).inc({ level }));
    },
    async metricsText() {
      frame = createFrame(sources, lastStartup, log);
      let pending: Promise<string>;
      try {
        // Every collect() runs synchronously inside this call, so the frame is only
        // needed until it returns; concurrent scrapes each get their own.
        pending = registry.metrics();
      } finally {
        frame = undefined;
      }
      return pending;
    },
  };
}

function createFrame(
  sources: MetricsSources | undefined,
  lastStartup: StartupReport | undefined,
  log: Logger,
): ScrapeFrame {
  const memo = <T>(source: keyof MetricsSources, read: (s: MetricsSources) => T, fallback: T): (() => T) => {
    let done = false;
    let value = fallback;
    return () => {
      if (done) return value;
      done = true;
      if (sources === undefined) return value;
      try {
        value = read(sources);
      } catch (error) {
        log.warning('metrics_source_error', 'A metrics source failed during a scrape', { source, error });
      }
      return value;
    };
  };
  return {
    health: memo('health', (s) => s.health(), undefined),
    resources: memo('resources', (s) => s.resources(), undefined),
    tasks: memo('tasks', (s) => s.tasks(), []),
    gateway: memo('gateway', (s) => s.gateway(), undefined),
    startup: memo('startup', (s) => s.startup() ?? lastStartup, lastStartup),
  };
}

/** Folds label values past the per-label budget into `other`. */
function createLabelBound(max: number): (label: string, value: string) => string {
  const seen = new Map<string, Set<string>>();
  return (label, value) => {
    let values = seen.get(label);
    if (values === undefined) {
      values = new Set();
      seen.set(label, values);
    }
    if (values.has(value)) return value;
    if (values.size >= max) return OVERFLOW_LABEL;
    values.add(value);
    return value;
  };
}

function toSeconds(ms: number): number | null {
  return Number.isFinite(ms) ? ms / 1000 : null;
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
