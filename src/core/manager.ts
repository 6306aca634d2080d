import { type AlertEngine, createAlertEngine } from './alerts/alert-engine.ts';
import { connectHealthAlerts } from './alerts/health-alert-sources.ts';
import { type Clock, systemClock } from './clock.ts';
import { createCoreComponents } from './core-components.ts';
import { createGatewayTracker, type GatewayTracker } from './health/gateway-tracker.ts';
import { createHealthChecks, type HealthChecks } from './health/health-checks.ts';
import { createHealthMonitor, type HealthMonitor } from './health/health-monitor.ts';
import { createHealthRegistry, type HealthRegistry } from './health/health-registry.ts';
import { createLivenessWatchdog, type LivenessWatchdog } from './health/liveness-watchdog.ts';
import type { HealthSnapshot } from './health/types.ts';
import { createHttpServer, type HttpServer } from './http/http-server.ts';
import type { Logger } from './logging/logger.ts';
import type { Logging } from './logging/logging.ts';
import { type Metrics, noopMetrics } from './metrics/metrics.ts';
import { hasExposition } from './metrics/metrics-exposition.ts';
import type { OpsView } from './ops-view.ts';
import {
  createResourceMonitor,
  disabledResourcesView,
  type ResourceMonitor,
} from './resources/resource-monitor.ts';
import { createResourceSampler, type ResourceSampler } from './resources/resource-sampler.ts';
import { DEFAULT_RESOURCE_THRESHOLDS, validateResourceThresholds } from './resources/resource-thresholds.ts';
import type { ResourceThresholds } from './resources/types.ts';
import type { StartupComponent } from './startup/startup-component.ts';
import { connectStartupToHealth } from './startup/startup-health-bridge.ts';
import {
  createStartupOrchestrator,
  type StartupOrchestrator,
  type StartupRunResult,
} from './startup/startup-orchestrator.ts';
import type { StartupReport } from './startup/types.ts';
import { createTaskSupervisor, type TaskSupervisor } from './tasks/task-supervisor.ts';

/** Options of {@link createObservabilityManager}; everything but `log` has a default. */
export interface ObservabilityManagerOptions {
  readonly log: Logger;
  /** @default systemClock */
  readonly clock?: Clock;
  /** From `createMetrics()`; @default noopMetrics */
  readonly metrics?: Metrics;
  /** The bot's logging, when it is this core's: enforced at start and watched by health. */
  readonly logging?: Pick<Logging, 'enforce' | 'redact' | 'checkFileSink'>;
  /** @default '0.0.0' */
  readonly version?: string;
  /** `OBS_PARALLEL_STARTUP`. @default false */
  readonly parallelStartup?: boolean;
  /** `OBS_ENABLE_HEALTHCHECKS`, `OBS_HEALTHCHECK_INTERVAL_MS`. @default { enabled: true, intervalMs: 30000 } */
  readonly healthChecks?: { readonly enabled: boolean; readonly intervalMs: number };
  /** `OBS_TASK_GRACE_MS`: slack past a task's heartbeat period before it is late. @default 30000 */
  readonly taskGraceMs?: number;
  /** `OBS_ENABLE_RESOURCE_METRICS` and the `RESOURCE_*` variables. */
  readonly resources?: {
    readonly enabled: boolean;
    readonly sampleIntervalMs: number;
    readonly statsLogIntervalMs: number;
    readonly thresholds: ResourceThresholds;
    /** Replaces the real sampler (tests, benchmarks). */
    readonly sampler?: ResourceSampler;
  };
  /** The `ALERT_*` variables. */
  readonly alerts?: {
    readonly repeatIntervalMs: number;
    readonly consecutiveSamples: number;
    readonly gatewayGraceMs: number;
    /** `ALERT_HEALTHY_FOR_MS`: how long a component or task stays healthy before its alert resolves. @default 180000 */
    readonly healthyForMs?: number;
  };
  /**
   * The probe server (`PROMETHEUS_HTTP_SERVER` with `OBS_ENABLE_PROMETHEUS`); off when absent.
   * With `authToken` (`OBS_HTTP_AUTH_TOKEN`), `/metrics` and `/healthz` need it as a bearer token.
   */
  readonly http?: { readonly host: string; readonly port: number; readonly authToken?: string };
  /** Whether a gateway connection is part of readiness (a core used without Discord says false). @default true */
  readonly gateway?: boolean;
  /**
   * Start components that raise their own alerts (a fleet's shards): their health
   * changes raise no component alert of the core's. @default none
   */
  readonly quietComponents?: (name: string) => boolean;
}

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
  /**
   * Runs the start: the core's own components (logging, tasks, health, resources,
   * HTTP) plus the bot's, as one validated dependency graph. Never rejects; a
   * failed critical component shows as `outcome: 'failed'` with the error.
   */
  start(components: readonly StartupComponent[], signal?: AbortSignal): Promise<StartupRunResult>;
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
   * then every started component in reverse dependency order, each bounded.
   */
  shutdown(timeoutMs: number): Promise<void>;
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
  const version = options.version ?? '0.0.0';

  const health = createHealthRegistry({ clock, log, metrics, redact });
  const withGateway = options.gateway ?? true;
  // Without Discord the tracker still exists (it answers snapshots) but stays out of health.
  const gateway = createGatewayTracker({ clock, log, metrics, ...(withGateway ? { health } : {}) });
  const tasks = createTaskSupervisor({ clock, log, metrics, health, redact });
  const liveness = createLivenessWatchdog({ clock, log });
  const monitor = createHealthMonitor({
    clock,
    registry: health,
    ...(withGateway ? { gateway } : {}),
    liveness,
    version,
  });
  const checks = createHealthChecks({ clock, log, registry: health });
  const alertOptions = options.alerts ?? {
    repeatIntervalMs: 3_600_000,
    consecutiveSamples: 2,
    gatewayGraceMs: 60_000,
  };
  const alerts = createAlertEngine({
    clock,
    log,
    metrics,
    repeatIntervalMs: alertOptions.repeatIntervalMs,
    consecutiveSamples: alertOptions.consecutiveSamples,
    resolveAfter: alertOptions.consecutiveSamples,
  });
  const alertSources = connectHealthAlerts({
    clock,
    registry: health,
    alerts,
    gatewayGraceMs: alertOptions.gatewayGraceMs,
    consecutive: alertOptions.consecutiveSamples,
    ...(alertOptions.healthyForMs === undefined ? {} : { healthyForMs: alertOptions.healthyForMs }),
    observeEveryMs: options.healthChecks?.intervalMs ?? 30_000,
    ...(options.quietComponents === undefined ? {} : { quiet: options.quietComponents }),
  });

  const thresholds = validateResourceThresholds(options.resources?.thresholds ?? DEFAULT_RESOURCE_THRESHOLDS);
  let sampler: ResourceSampler | undefined;
  let resources: ResourceMonitor | undefined;
  if (options.resources?.enabled ?? true) {
    sampler = options.resources?.sampler ?? createResourceSampler({ clock });
    resources = createResourceMonitor({
      sampler,
      thresholds,
      clock,
      log,
      alerts,
      sampleIntervalMs: options.resources?.sampleIntervalMs ?? 15_000,
      statsEveryMs: options.resources?.statsLogIntervalMs ?? 60_000,
    });
  }

  const snapshot = (): HealthSnapshot => monitor.snapshot();
  const http =
    options.http === undefined
      ? undefined
      : createHttpServer({
          host: options.http.host,
          port: options.http.port,
          ...(options.http.authToken === undefined ? {} : { authToken: options.http.authToken }),
          ...(hasExposition(metrics) ? { metrics } : {}),
          health: snapshot,
          isLive: () => monitor.isLive(),
          log,
          clock,
        });

  let orchestrator: StartupOrchestrator | undefined;
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
    startup: startupReport,
    tasks: () => tasks.snapshot(),
    resources: () => resources?.view() ?? disabledResourcesView(thresholds),
    alerts: () => alerts.view(),
    silence: (key, durationMs, by) => alerts.silence(key, durationMs, by),
    unsilence: (key, by) => alerts.unsilence(key, by),
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

    async start(components, signal) {
      if (orchestrator !== undefined) throw new Error('The start has already run');
      const core = createCoreComponents({
        log,
        tasks,
        checks,
        liveness,
        healthChecks: options.healthChecks ?? { enabled: true, intervalMs: 30_000 },
        taskGraceMs: options.taskGraceMs ?? 30_000,
        resources,
        resourceIntervalMs: options.resources?.sampleIntervalMs ?? 15_000,
        http,
        ...(options.logging === undefined ? {} : { logging: options.logging }),
      });
      orchestrator = createStartupOrchestrator({
        components: [...core, ...components],
        parallel: options.parallelStartup ?? false,
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
      }
      return result;
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

    async shutdown(timeoutMs) {
      const deadline = clock.now() + timeoutMs;
      const remaining = (): number => Math.max(100, deadline - clock.now());
      alertSources.dispose();
      // Alerts go first, while the Discord client can still deliver what is queued.
      await alerts.close(Math.min(remaining(), Math.max(1000, timeoutMs / 3)));
      if (orchestrator !== undefined) await orchestrator.stopAll(remaining());
      else await tasks.stopAll(remaining());
      liveness.stop();
      sampler?.close();
    },
  };
  current = manager;
  return manager;
}
