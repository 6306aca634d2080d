import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { AlertSeverity } from '../alerts/types.ts';
import { type Logger, type LogLevel, silentLogger } from '../logging/logger.ts';
import type { StartupReport } from '../startup/types.ts';
import { renderExposition } from './exposition-text.ts';
import { createLabelBudget } from './label-budget.ts';
import type { AlertMetricEvent, Metrics, MetricsSources } from './metrics.ts';
import type { MetricsExposition } from './metrics-exposition.ts';
import { createScrapeFrame, type ScrapeFrame } from './scrape-frame.ts';
import { registerSourceGauges } from './source-gauges.ts';

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
   * How often the default metrics' event-loop histogram (`nodejs_eventloop_lag_*`) wakes
   * the process to measure, ms; prom-client's own default of 10 ms costs an idle bot more
   * CPU than everything else it watches (each wake-up, not the measurement, is the cost).
   * @default 100
   */
  readonly eventLoopPrecisionMs?: number;
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
  eventLoopPrecisionMs: 100,
  version: 'unknown',
  startupBuckets: [0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 30, 60, 120],
  ackBuckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 2.5, 3, 5],
  maxLabelValues: 200,
} as const satisfies Required<Omit<PromMetricsOptions, 'log'>>;

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
  if (!Number.isInteger(o.eventLoopPrecisionMs) || o.eventLoopPrecisionMs < 1) {
    throw new Error(`eventLoopPrecisionMs must be a positive integer, got ${o.eventLoopPrecisionMs}`);
  }
  const log = options.log ?? silentLogger;
  const p = o.prefix;
  const registry = new Registry();
  const registers = [registry];
  if (o.collectDefault) {
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: o.eventLoopPrecisionMs });
  }

  let sources: MetricsSources | undefined;
  let lastStartup: StartupReport | undefined;
  let frame: ScrapeFrame | undefined;
  const view = (): ScrapeFrame => frame ?? createScrapeFrame(sources, lastStartup, log);
  const bound = createLabelBudget(o.maxLabelValues);

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

  registerSourceGauges({ registry, prefix: p, version: o.version, view, log });

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
      frame = createScrapeFrame(sources, lastStartup, log);
      let pending: Promise<string>;
      try {
        // Every collect() runs synchronously inside this call, so the frame is only
        // needed until it returns; concurrent scrapes each get their own.
        pending = renderExposition(registry);
      } finally {
        frame = undefined;
      }
      return pending;
    },
  };
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
