import { ALERT_ENGINE_DEFAULTS, type AlertEngine, createAlertEngine } from './alerts/alert-engine.ts';
import { FLAP_GUARD_DEFAULTS } from './alerts/flap-guard.ts';
import { connectHealthAlerts, HEALTH_ALERT_DEFAULTS } from './alerts/health-alert-sources.ts';
import { GATEWAY_DEPENDENTS } from './alerts/inhibition.ts';
import { createNoDataWatch } from './alerts/no-data-watch.ts';
import { type Clock, settleWithin, systemClock, type Timer } from './clock.ts';
import { CORE_COMPONENTS_DEFAULTS, createCoreComponents } from './core-components.ts';
import { definedOnly } from './defined-only.ts';
import { createGatewayTracker, type GatewayTracker } from './health/gateway-tracker.ts';
import { createHealthChecks, type HealthChecks } from './health/health-checks.ts';
import { createHealthMonitor, type HealthMonitor } from './health/health-monitor.ts';
import { createHealthRegistry, type HealthRegistry } from './health/health-registry.ts';
import { createLivenessWatchdog, type LivenessWatchdog } from './health/liveness-watchdog.ts';
import type { HealthSnapshot } from './health/types.ts';
import { createHeartbeat, type Heartbeat, type HeartbeatFetch } from './heartbeat/heartbeat.ts';
import { createHttpServer, type HttpServer } from './http/http-server.ts';
import type { Logger } from './logging/logger.ts';
import type { Logging } from './logging/logging.ts';
import { type Metrics, noopMetrics } from './metrics/metrics.ts';
import { hasExposition } from './metrics/metrics-exposition.ts';
import type { OpsView } from './ops-view.ts';
import {
  createResourceMonitor,
  disabledResourcesView,
  RESOURCE_MONITOR_DEFAULTS,
  type ResourceMonitor,
} from './resources/resource-monitor.ts';
import { createResourceSampler, type ResourceSampler } from './resources/resource-sampler.ts';
import { validateResourceThresholds } from './resources/resource-thresholds.ts';
import type { ResourceThresholds } from './resources/types.ts';
import type { StartupComponent } from './startup/startup-component.ts';
import type { StartupError } from './startup/startup-error.ts';
import { createStartupGraph } from './startup/startup-graph.ts';
import { connectStartupToHealth } from './startup/startup-health-bridge.ts';
import {
  createStartupOrchestrator,
  STARTUP_ORCHESTRATOR_DEFAULTS,
  type StartupOrchestrator,
  type StartupRunResult,
} from './startup/startup-orchestrator.ts';
import type { StartupReport } from './startup/types.ts';
import { createStateFile, type StateFile } from './state/state-file.ts';
import { createTaskSupervisor, type TaskSupervisor } from './tasks/task-supervisor.ts';

/** Starts kept in the state file. */
const STARTUPS_KEPT = 5;

/** Options of {@link createObservabilityManager}; everything but `log` has a default, the same as the bot's. */
export interface ObservabilityManagerOptions {
  readonly log: Logger;
  /** @default systemClock */
  readonly clock?: Clock;
  /** From `createMetrics()`; @default noopMetrics */
  readonly metrics?: Metrics;
  /**
   * The bot's logging, when it is this core's: enforced at start and watched by health, and
   * flushed when the start ends.
   */
  readonly logging?: Pick<Logging, 'enforce' | 'redact' | 'checkFileSink'> & Partial<Pick<Logging, 'flush'>>;
  /** @default '0.0.0' */
  readonly version?: string;
  /** `OBS_PARALLEL_STARTUP`. @default false */
  readonly parallelStartup?: boolean;
  /** `OBS_ENABLE_HEALTHCHECKS`, `OBS_HEALTHCHECK_INTERVAL_MS`. @default { enabled: true, intervalMs: 30000 } */
  readonly healthChecks?: { readonly enabled?: boolean; readonly intervalMs?: number };
  /** `OBS_TASK_GRACE_MS`: slack past a core task's heartbeat period before it is late. @default 30000 */
  readonly taskGraceMs?: number;
  /** `OBS_ENABLE_RESOURCE_METRICS` and the `RESOURCE_*` variables; each field has the variable's default. */
  readonly resources?: {
    /** @default true */
    readonly enabled?: boolean;
    /** @default 15000 */
    readonly sampleIntervalMs?: number;
    /** @default 60000 */
    readonly statsLogIntervalMs?: number;
    /** @default 1024/2048 MB, 80/95 %, 100/500 ms */
    readonly thresholds?: ResourceThresholds;
    /** Replaces the real sampler (tests, benchmarks). */
    readonly sampler?: ResourceSampler;
  };
  /** The `ALERT_*` variables; each field has the variable's default. */
  readonly alerts?: {
    /** `ALERT_REPEAT_INTERVAL_MS`. @default 3600000 */
    readonly repeatIntervalMs?: number;
    /** `ALERT_CONSECUTIVE_SAMPLES`. @default 2 */
    readonly consecutiveSamples?: number;
    /** `ALERT_GATEWAY_GRACE_MS`. @default 60000 */
    readonly gatewayGraceMs?: number;
    /** `ALERT_HEALTHY_FOR_MS`: how long a component or task stays healthy before its alert resolves. @default 180000 */
    readonly healthyForMs?: number;
    /**
     * Alert keys (or `prefix*` patterns) held back while the Discord gateway is down,
     * since they follow from it. @default GATEWAY_DEPENDENTS
     */
    readonly gatewayDependents?: readonly string[];
    /**
     * How long after the start an alert that fired before the restart may take to fire
     * again (and continue its message) before it is taken as resolved.
     * @default twice the longest of the gateway grace, two health-check intervals and the resource samples an alert needs, plus 5 s
     */
    readonly restoreGraceMs?: number;
  };
  /**
   * `OBS_STATE_FILE`: where silences, acknowledgements, firing alerts (with their messages)
   * and the last starts are kept across restarts. No state is kept when absent.
   */
  readonly state?: { readonly file: string; readonly debounceMs?: number };
  /** `HEARTBEAT_URL` and `HEARTBEAT_INTERVAL_MS`: the dead man's switch; off when absent. */
  readonly heartbeat?: {
    readonly url: string;
    readonly intervalMs: number;
    readonly fetch?: HeartbeatFetch;
    readonly timeoutMs?: number;
  };
  /** Alerts for tasks that stop beating without an error. @default { enabled: true, checkEveryMs: 1000 } */
  readonly noData?: { readonly enabled: boolean; readonly checkEveryMs?: number };
  /**
   * The probe server (`PROMETHEUS_HTTP_SERVER` with `OBS_ENABLE_PROMETHEUS`); off when absent.
   * `host` and `port` default to `PROMETHEUS_HOST`'s and `PROMETHEUS_PORT`'s (`0.0.0.0`, 8001).
   * With `authToken` (`OBS_HTTP_AUTH_TOKEN`), `/metrics` and `/healthz` need it as a bearer token.
   */
  readonly http?: { readonly host?: string; readonly port?: number; readonly authToken?: string };
  /** Whether a gateway connection is part of readiness (a core used without Discord says false). @default true */
  readonly gateway?: boolean;
  /** The jitter source of task restarts; tests pin it. @default Math.random */
  readonly random?: () => number;
  /**
   * Start components that raise their own alerts (a fleet's shards): their health
   * changes raise no component alert of the core's. @default none
   */
  readonly quietComponents?: (name: string) => boolean;
}

/**
 * What a core built with no options runs with: every value read from the module that
 * owns it, the same values the bot's variables default to.
 */
export const OBSERVABILITY_DEFAULTS = {
  version: '0.0.0',
  parallelStartup: STARTUP_ORCHESTRATOR_DEFAULTS.parallel,
  healthChecks: CORE_COMPONENTS_DEFAULTS.healthChecks,
  taskGraceMs: CORE_COMPONENTS_DEFAULTS.taskGraceMs,
  resources: {
    enabled: true,
    sampleIntervalMs: RESOURCE_MONITOR_DEFAULTS.sampleIntervalMs,
    statsLogIntervalMs: RESOURCE_MONITOR_DEFAULTS.statsEveryMs,
    thresholds: RESOURCE_MONITOR_DEFAULTS.thresholds,
  },
  alerts: {
    repeatIntervalMs: ALERT_ENGINE_DEFAULTS.repeatIntervalMs,
    consecutiveSamples: ALERT_ENGINE_DEFAULTS.consecutiveSamples,
    gatewayGraceMs: HEALTH_ALERT_DEFAULTS.gatewayGraceMs,
    healthyForMs: FLAP_GUARD_DEFAULTS.healthyForMs,
  },
  gateway: true,
  /** The bound of {@link ObservabilityManager.shutdown}; `OBS_SHUTDOWN_TIMEOUT_MS`. */
  shutdownTimeoutMs: STARTUP_ORCHESTRATOR_DEFAULTS.stopAllTimeoutMs,
} as const;

/** The observability core behind one facade: what a bot wires its start, its commands and its probes to. */
export interface ObservabilityManager {
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly health: HealthRegistry;
  readonly checks: HealthChecks;
  readonly gateway: GatewayTracker;
  readonly tasks: TaskSupervisor;
  readonly alerts: AlertEngine;
  readonly liveness: LivenessWatchdog;
  readonly monitor: HealthMonitor;
  /** The read side for commands. */
  readonly ops: OpsView;
  /** The probe server, when configured. */
  readonly http: HttpServer | undefined;
  /** The state file, when configured. */
  readonly state: StateFile | undefined;
  /** The dead man's switch, when configured. */
  readonly heartbeat: Heartbeat | undefined;
  /** The starts before this one that the state file remembers, oldest first. */
  previousStartups(): readonly StartupReport[];
  /**
   * Runs the start: the core's own components (logging, tasks, health, resources,
   * HTTP) plus the bot's, as one validated dependency graph. Never rejects; a
   * failed critical component shows as `outcome: 'failed'` with the error.
   */
  start(components: readonly StartupComponent[], signal?: AbortSignal): Promise<StartupRunResult>;
  /**
   * Throws the {@link StartupError} that {@link start} would fail on with these components
   * (a duplicate or unknown name, a cycle, a bad option), starting nothing.
   */
  checkComponents(components: readonly StartupComponent[]): void;
  /** The last start's report (live statuses), undefined before it ends. */
  startupReport(): StartupReport | undefined;
  /** The health snapshot, as a promise: status, components, uptime. */
  getComprehensiveHealthStatus(): Promise<HealthSnapshot>;
  /** The same snapshot, synchronously. */
  healthSnapshot(): HealthSnapshot;
  /** Feeds the log sinks' state into health (`logging` component). */
  reportLogSink(sink: 'console' | 'file', state: 'ready' | 'degraded', error?: string): void;
  /**
   * Stops in reverse: alerts first (queued ones delivered or logged as undelivered),
   * then every started component in reverse dependency order, each bounded; all within
   * `timeoutMs` (default {@link OBSERVABILITY_DEFAULTS}.shutdownTimeoutMs).
   */
  shutdown(timeoutMs?: number): Promise<void>;
}

let current: ObservabilityManager | undefined;

/** The manager the process created last; throws when none exists yet. */
export function getObservabilityManager(): ObservabilityManager {
  if (current === undefined)
    throw new Error('No ObservabilityManager yet: call createObservabilityManager() first');
  return current;
}

/** Builds the core. Nothing starts until {@link ObservabilityManager.start}. */
export function createObservabilityManager(options: ObservabilityManagerOptions): ObservabilityManager {
  const clock = options.clock ?? systemClock;
  const log = options.log;
  const metrics = options.metrics ?? noopMetrics;
  const redact = options.logging?.redact ?? ((text: string) => text);
  const version = options.version ?? OBSERVABILITY_DEFAULTS.version;
  const healthChecks = { ...OBSERVABILITY_DEFAULTS.healthChecks, ...definedOnly(options.healthChecks ?? {}) };
  const resourceOptions = { ...OBSERVABILITY_DEFAULTS.resources, ...definedOnly(options.resources ?? {}) };
  const alertOptions = { ...OBSERVABILITY_DEFAULTS.alerts, ...definedOnly(options.alerts ?? {}) };

  const health = createHealthRegistry({ clock, log, metrics, redact });
  const withGateway = options.gateway ?? OBSERVABILITY_DEFAULTS.gateway;
  // Without Discord the tracker still exists (it answers snapshots) but stays out of health.
  const gateway = createGatewayTracker({ clock, log, metrics, ...(withGateway ? { health } : {}) });
  const tasks = createTaskSupervisor({
    clock,
    log,
    metrics,
    health,
    redact,
    ...(options.random === undefined ? {} : { random: options.random }),
  });
  const liveness = createLivenessWatchdog({ clock, log });
  const monitor = createHealthMonitor({
    clock,
    registry: health,
    ...(withGateway ? { gateway } : {}),
    liveness,
    version,
  });
  const checks = createHealthChecks({ clock, log, registry: health });
  const alerts = createAlertEngine({
    clock,
    log,
    metrics,
    repeatIntervalMs: alertOptions.repeatIntervalMs,
    consecutiveSamples: alertOptions.consecutiveSamples,
    resolveAfter: alertOptions.consecutiveSamples,
    // An alert held back by an outage resolves once it has been healthy this long: only one
    // still firing after that is posted.
    releaseGraceMs: (alertOptions.healthyForMs ?? 180_000) + 2 * (options.healthChecks?.intervalMs ?? 30_000),
  });
  let startups: StartupReport[] = [];
  let previousStartups: readonly StartupReport[] = [];
  const state =
    options.state === undefined
      ? undefined
      : createStateFile({
          file: options.state.file,
          clock,
          log,
          ...(options.state.debounceMs === undefined ? {} : { debounceMs: options.state.debounceMs }),
          snapshot: () => ({
            version: 1,
            saved_at: new Date(clock.now()).toISOString(),
            alerts: alerts.exportState(),
            startups,
          }),
          onHealth: (to, note) => health.set('state_file', to, { note }),
        });
  if (state !== undefined) {
    health.register('state_file', { critical: false, state: 'ready' });
    const loaded = state.load();
    if (loaded !== undefined) {
      alerts.restoreState(loaded.alerts);
      startups = [...loaded.startups];
      previousStartups = [...loaded.startups];
    }
    alerts.onStateChange(() => state.changed());
  }
  const gatewayDependents = alertOptions.gatewayDependents ?? GATEWAY_DEPENDENTS;
  const alertSources = connectHealthAlerts({
    clock,
    registry: health,
    alerts,
    gatewayDependents,
    gatewayGraceMs: alertOptions.gatewayGraceMs,
    consecutive: alertOptions.consecutiveSamples,
    healthyForMs: alertOptions.healthyForMs,
    observeEveryMs: healthChecks.intervalMs,
    ...(options.quietComponents === undefined ? {} : { quiet: options.quietComponents }),
  });

  const thresholds = validateResourceThresholds(resourceOptions.thresholds);
  let sampler: ResourceSampler | undefined;
  let resources: ResourceMonitor | undefined;
  if (resourceOptions.enabled) {
    sampler = resourceOptions.sampler ?? createResourceSampler({ clock });
    resources = createResourceMonitor({
      sampler,
      thresholds,
      clock,
      log,
      alerts,
      sampleIntervalMs: resourceOptions.sampleIntervalMs,
      statsEveryMs: resourceOptions.statsLogIntervalMs,
    });
  }

  const noData =
    (options.noData?.enabled ?? true)
      ? createNoDataWatch({
          clock,
          alerts,
          tasks: () => tasks.snapshot(),
          ...(options.noData?.checkEveryMs === undefined
            ? {}
            : { checkEveryMs: options.noData.checkEveryMs }),
        })
      : undefined;

  const heartbeat =
    options.heartbeat === undefined
      ? undefined
      : createHeartbeat({
          url: options.heartbeat.url,
          intervalMs: options.heartbeat.intervalMs,
          clock,
          log,
          status: () => monitor.verdict().status,
          ...(options.heartbeat.fetch === undefined ? {} : { fetch: options.heartbeat.fetch }),
          ...(options.heartbeat.timeoutMs === undefined ? {} : { timeoutMs: options.heartbeat.timeoutMs }),
          onHealth: (to, note) => health.set('heartbeat', to, { note }),
        });
  if (heartbeat !== undefined) {
    health.register('heartbeat', { critical: false, state: 'ready' });
    health.onChange(() => heartbeat.statusChanged());
  }
  // Twice the longest any alert takes to fire again after a start, and a little more.
  const restoreGraceMs =
    alertOptions.restoreGraceMs ??
    2 *
      Math.max(
        alertOptions.gatewayGraceMs,
        2 * (options.healthChecks?.intervalMs ?? 30_000),
        (alertOptions.consecutiveSamples + 1) * (options.resources?.sampleIntervalMs ?? 15_000),
      ) +
      5_000;
  let expireRestored: Timer | undefined;

  const snapshot = (): HealthSnapshot => monitor.snapshot();
  const http =
    options.http === undefined
      ? undefined
      : createHttpServer({
          ...definedOnly(options.http),
          ...(hasExposition(metrics) ? { metrics } : {}),
          health: snapshot,
          isLive: () => monitor.isLive(),
          log,
          clock,
        });

  let orchestrator: StartupOrchestrator | undefined;
  const coreComponents = (): StartupComponent[] =>
    createCoreComponents({
      log,
      tasks,
      checks,
      liveness,
      healthChecks,
      taskGraceMs: options.taskGraceMs ?? OBSERVABILITY_DEFAULTS.taskGraceMs,
      resources,
      resourceIntervalMs: resourceOptions.sampleIntervalMs,
      http,
      ...(options.logging === undefined ? {} : { logging: options.logging }),
    });
  const startupReport = (): StartupReport | undefined => orchestrator?.report();

  metrics.bindSources({
    health: snapshot,
    resources: () => resources?.view().latest,
    tasks: () => tasks.snapshot(),
    gateway: () => gateway.snapshot(),
    startup: startupReport,
  });

  const ops: OpsView = {
    health: snapshot,
    status: () => monitor.summary(),
    startup: startupReport,
    tasks: () => tasks.snapshot(),
    resources: () => resources?.view() ?? disabledResourcesView(thresholds),
    alerts: () => alerts.view(),
    silence: (key, durationMs, by) => alerts.silence(key, durationMs, by),
    unsilence: (key, by) => alerts.unsilence(key, by),
    acknowledgeAlerts: (messageId, by) => alerts.acknowledge(messageId, by),
    silenceAlerts: (messageId, durationMs, by) => alerts.silenceMessage(messageId, durationMs, by),
  };

  const manager: ObservabilityManager = {
    clock,
    log,
    metrics,
    health,
    checks,
    gateway,
    tasks,
    alerts,
    liveness,
    monitor,
    ops,
    http,
    state,
    heartbeat,
    previousStartups: () => previousStartups,

    async start(components, signal) {
      if (orchestrator !== undefined) throw new Error('The start has already run');
      heartbeat?.begin();
      noData?.start();
      orchestrator = createStartupOrchestrator({
        components: [...coreComponents(), ...components],
        parallel: options.parallelStartup ?? OBSERVABILITY_DEFAULTS.parallelStartup,
        clock,
        log,
        metrics,
        redact,
      });
      connectStartupToHealth(orchestrator, health);
      const result = await orchestrator.run(signal);
      if (result.report.outcome === 'ready' || result.report.outcome === 'degraded') {
        monitor.markStartFinished();
        alertSources.startupFinished(result.report);
        // What fired before the restart and has not fired again by then is over.
        expireRestored = clock.setTimeout(() => alerts.expireRestored(), restoreGraceMs, { unref: true });
      }
      heartbeat?.startFinished(result.report.outcome);
      startups = [...startups, result.report].slice(-STARTUPS_KEPT);
      state?.changed();
      // The start is what a person starting the bot watches: its records reach the sinks as it
      // ends, not up to a batch interval later.
      // A flush that fails leaves the records to their batch; it must not fail the start.
      options.logging?.flush?.().catch(() => {});
      return result;
    },

    checkComponents(components) {
      createStartupGraph([...coreComponents(), ...components]);
    },

    startupReport,

    async getComprehensiveHealthStatus() {
      return snapshot();
    },

    healthSnapshot: snapshot,

    reportLogSink(sink, state, error) {
      const name = sink === 'file' ? 'logging' : 'logging_console';
      if (state === 'ready') health.set(name, 'ready', { note: null });
      else
        health.set(name, 'degraded', {
          error: error ?? `${sink} sink degraded`,
          note: `${sink} sink degraded`,
        });
    },

    async shutdown(timeoutMs = OBSERVABILITY_DEFAULTS.shutdownTimeoutMs) {
      const deadline = clock.now() + timeoutMs;
      const remaining = (): number => Math.max(100, deadline - clock.now());
      heartbeat?.stop();
      noData?.stop();
      expireRestored?.cancel();
      alertSources.dispose();
      // Alerts go first, while the Discord client can still deliver what is queued.
      await alerts.close(Math.min(remaining(), Math.max(1000, timeoutMs / 3)));
      if (orchestrator !== undefined) await orchestrator.stopAll(remaining());
      else await tasks.stopAll(remaining());
      liveness.stop();
      sampler?.close();
      // Last, so that it holds what the shutdown did to the alerts.
      if (state !== undefined) await settleWithin(clock, state.close(), remaining());
    },
  };
  current = manager;
  return manager;
}
