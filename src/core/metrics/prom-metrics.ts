import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { AlertSeverity } from '../alerts/types.ts';
import { positiveInteger } from '../check-option.ts';
import { definedOnly } from '../defined-only.ts';
import { type Logger, type LogLevel, silentLogger } from '../logging/logger.ts';
import { type EventLoopLagWindow, sharedEventLoopWindow } from '../resources/event-loop-lag.ts';
import type { StartupReport } from '../startup/types.ts';
import { IDLE_EVENT_LOOP_PRECISION_MS, replaceEventLoopGauges } from './event-loop-gauges.ts';
import { renderExposition } from './exposition-text.ts';
import { createLabelBudget } from './label-budget.ts';
import type { AlertMetricEvent, Metrics, MetricsSources } from './metrics.ts';
import type { MetricsExposition } from './metrics-exposition.ts';
import { createScrapeFrame, type ScrapeFrame } from './scrape-frame.ts';
import { registerSourceGauges } from './source-gauges.ts';

/** Commands whose figures wait for the next read of the registry before they are counted anyway. */
const MAX_QUEUED_INTERACTIONS = 256;

/** Options of {@link createPromMetrics}. */
export interface PromMetricsOptions {
  /**
   * Prefix of every bot metric; the documented names, the shipped alert rules and the dashboard assume the default.
   * @default 'bot_'
   */
  readonly prefix?: string;
  /**
   * Register the runtime's default `process_*`/`nodejs_*` metrics on this registry.
   * @default true
   */
  readonly collectDefault?: boolean;
  /**
   * The window the default `nodejs_eventloop_lag_*` gauges read.
   * @default a window on the thread's shared event-loop probe
   */
  readonly eventLoopWindow?: EventLoopLagWindow;
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

export const PROM_METRICS_DEFAULTS = {
  prefix: 'bot_',
  collectDefault: true,
  version: 'unknown',
  startupBuckets: [0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 30, 60, 120],
  ackBuckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 2.5, 3, 5],
  maxLabelValues: 200,
} as const satisfies Required<Omit<PromMetricsOptions, 'log' | 'eventLoopWindow'>>;

type LogOutcome = Parameters<Metrics['logRecord']>[1];

const ALERT_COUNTER_HELP = {
  fired: 'Alerts fired (entry and escalation), by severity.',
  delivered: 'Alert notifications delivered by a sink, by severity.',
  dropped: 'Alert notifications dropped (rate limit, queue full, sink failure), by severity.',
  resolved: 'Alerts resolved, by severity.',
} as const satisfies Record<AlertMetricEvent, string>;

const LOG_RECORD_HELP = {
  written: 'Log records written, by level.',
  dropped: 'Log records dropped (sink backpressure or failure), by level.',
} as const satisfies Record<LogOutcome, string>;

/**
 * Creates the prom-client metrics on a registry of their own, so two instances
 * in one process (tests, or the core lifted into another bot) never collide.
 */
export function createPromMetrics(options: PromMetricsOptions = {}): PromMetrics {
  const o = { ...PROM_METRICS_DEFAULTS, ...definedOnly(options) };
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(o.prefix)) {
    throw new Error(`metrics prefix "${o.prefix}" is not a valid Prometheus name prefix`);
  }
  positiveInteger('maxLabelValues', o.maxLabelValues);
  const log = options.log ?? silentLogger;
  const p = o.prefix;
  const registry = new Registry();
  const registers = [registry];
  if (o.collectDefault) {
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: IDLE_EVENT_LOOP_PRECISION_MS });
    replaceEventLoopGauges(registry, options.eventLoopWindow ?? sharedEventLoopWindow());
  }

  let sources: MetricsSources | undefined;
  let lastStartup: StartupReport | undefined;
  let frame: ScrapeFrame | undefined;
  const view = (): ScrapeFrame => frame ?? createScrapeFrame(sources, lastStartup, log);
  const bound = createLabelBudget(o.maxLabelValues);

  /**
   * `<prefix><family>_<key>_total` for each key of `help`, labelled by `label`; `collect`, when
   * given, runs for a key's counter whenever the registry is read.
   */
  const counterFamily = <K extends string, L extends string>(
    family: string,
    help: Readonly<Record<K, string>>,
    label: L,
    collect?: (key: K, counter: Counter<L>) => void,
  ): Record<K, Counter<L>> =>
    Object.fromEntries(
      (Object.entries(help) as [K, string][]).map(([key, text]) => [
        key,
        new Counter({
          name: `${p}${family}_${key}_total`,
          help: text,
          labelNames: [label],
          registers,
          ...(collect === undefined
            ? {}
            : {
                collect(this: Counter<L>) {
                  collect(key, this);
                },
              }),
        }),
      ]),
    ) as Record<K, Counter<L>>;

  // Pushed on the hot path.
  const startupTotal = new Histogram({
    name: `${p}startup_total_duration`,
    help: 'Total startup duration in seconds, one observation per finished startup.',
    buckets: [...o.startupBuckets],
    registers,
  });
  /**
   * A counter by `label` whose series start at 0 for everything `known` at scrape time:
   * a series born at 1 hides its first increase from rate().
   */
  const countedFromZero = <L extends string>(
    name: string,
    help: string,
    label: L,
    known: () => readonly { readonly name: string }[],
  ): Counter<L> =>
    new Counter<L>({
      name: `${p}${name}`,
      help,
      labelNames: [label],
      registers,
      collect() {
        for (const k of known()) this.inc({ [label]: bound(label, k.name) } as Partial<Record<L, string>>, 0);
      },
    });
  const componentErrors = countedFromZero(
    'component_errors_total',
    'Errors recorded against a component.',
    'component',
    () => view().health()?.components ?? [],
  );
  const heartbeats = countedFromZero(
    'background_task_heartbeats_total',
    'Heartbeats reported by a background task.',
    'task',
    () => view().tasks(),
  );
  const taskRestarts = new Counter({
    name: `${p}background_task_restarts_total`,
    help: 'Restarts of a background task by its supervisor.',
    labelNames: ['task'],
    registers,
  });
  /**
   * Each command's figures, three entries a command (name, outcome, ack seconds), queued in
   * the call and counted when anything reads the registry (every reader, a scrape or a
   * shard's report, runs collect() first) or once {@link MAX_QUEUED_INTERACTIONS} wait: in
   * a process woken for each command, prom-client's label hashing and bucket search would
   * otherwise run cold every time.
   */
  const queuedInteractions: (string | number | undefined)[] = [];
  const countQueued = (): void => {
    for (let i = 0; i < queuedInteractions.length; i += 3) {
      const command = queuedInteractions[i] as string;
      const outcome = queuedInteractions[i + 1] as string;
      const ackSeconds = queuedInteractions[i + 2] as number | undefined;
      safely(() => {
        const c = bound('command', command);
        interactions.inc({ command: c, outcome: bound('outcome', outcome) });
        if (ackSeconds !== undefined && Number.isFinite(ackSeconds) && ackSeconds >= 0) {
          ackLatency.observe({ command: c }, ackSeconds);
        }
      });
    }
    queuedInteractions.length = 0;
  };
  const interactions = new Counter({
    name: `${p}interactions_total`,
    help: 'Command interactions handled, by command and outcome.',
    labelNames: ['command', 'outcome'],
    registers,
    collect: countQueued,
  });
  const ackLatency = new Histogram({
    name: `${p}interaction_ack_duration_seconds`,
    help: 'Time from receiving an interaction to its first acknowledgement.',
    labelNames: ['command'],
    buckets: [...o.ackBuckets],
    registers,
    collect: countQueued,
  });
  const alertCounters = counterFamily('alerts', ALERT_COUNTER_HELP, 'severity');
  const gatewayReconnects = new Counter({
    name: `${p}gateway_reconnects_total`,
    help: 'Gateway reconnections.',
    registers,
  });
  /**
   * Records counted by outcome and level in plain numbers, added to the counters when anything
   * reads the registry: a record is written for most commands, and prom-client's label hashing
   * would otherwise run cold in each of them, as for the interactions above.
   */
  const pendingLogRecords: Record<LogOutcome, Partial<Record<LogLevel, number>>> = {
    written: {},
    dropped: {},
  };
  counterFamily('log_records', LOG_RECORD_HELP, 'level', (outcome, counter) => {
    const pending = pendingLogRecords[outcome];
    pendingLogRecords[outcome] = {};
    for (const [level, n] of Object.entries(pending)) if (n > 0) counter.inc({ level }, n);
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
      queuedInteractions.push(command, outcome, ackSeconds);
      if (queuedInteractions.length >= MAX_QUEUED_INTERACTIONS * 3) countQueued();
    },
    alert(event: AlertMetricEvent, severity: AlertSeverity) {
      safely(() => alertCounters[event].inc({ severity }));
    },
    gatewayReconnect() {
      safely(() => gatewayReconnects.inc());
    },
    logRecord(level: LogLevel, outcome) {
      const pending = pendingLogRecords[outcome];
      pending[level] = (pending[level] ?? 0) + 1;
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
