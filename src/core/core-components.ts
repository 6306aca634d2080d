import { definedOnly } from './defined-only.ts';
import type { HealthChecks } from './health/health-checks.ts';
import type { LivenessWatchdog } from './health/liveness-watchdog.ts';
import type { HttpServer } from './http/http-server.ts';
import type { Logger } from './logging/logger.ts';
import type { Logging } from './logging/logging.ts';
import { RESOURCE_MONITOR_DEFAULTS, type ResourceMonitor } from './resources/resource-monitor.ts';
import type { StartupComponent } from './startup/startup-component.ts';
import type { TaskSupervisor } from './tasks/task-supervisor.ts';

export interface CoreComponentsOptions {
  readonly log: Logger;
  readonly tasks: TaskSupervisor;
  readonly checks: HealthChecks;
  readonly liveness: LivenessWatchdog;
  /** `OBS_ENABLE_HEALTHCHECKS`, `OBS_HEALTHCHECK_INTERVAL_MS`: whether the checks run as a task, and how often. */
  readonly healthChecks?: { readonly enabled?: boolean; readonly intervalMs?: number };
  /** `OBS_TASK_GRACE_MS`: slack past the core tasks' heartbeat period before they are late. */
  readonly taskGraceMs?: number;
  readonly resources: ResourceMonitor | undefined;
  /** `RESOURCE_SAMPLE_INTERVAL_MS`. */
  readonly resourceIntervalMs?: number;
  readonly http: HttpServer | undefined;
  readonly logging?: Pick<Logging, 'enforce' | 'checkFileSink'>;
}

export const CORE_COMPONENTS_DEFAULTS = {
  healthChecks: { enabled: true, intervalMs: 30_000 },
  taskGraceMs: 30_000,
  resourceIntervalMs: RESOURCE_MONITOR_DEFAULTS.sampleIntervalMs,
} as const satisfies Required<
  Pick<CoreComponentsOptions, 'healthChecks' | 'taskGraceMs' | 'resourceIntervalMs'>
>;

/** Names of the core's own start components, which a bot's components may depend on. */
export const CORE_COMPONENTS = {
  logging: 'logging',
  tasks: 'task_supervisor',
  health: 'health_checks',
  resources: 'resource_monitor',
  http: 'http_server',
} as const;

/** Names of the core's own background tasks, which no other task may take. */
export const CORE_TASKS = {
  health: 'health_checks',
  resources: 'resource_sampler',
} as const;

/**
 * The core's part of the start graph. Only the task supervisor is critical: without
 * it nothing is watched. Logging, checks, sampling and the probe server degrade.
 */
export function createCoreComponents(options: CoreComponentsOptions): StartupComponent[] {
  const { tasks, checks, liveness, resources, http, logging } = options;
  const healthChecks = {
    ...CORE_COMPONENTS_DEFAULTS.healthChecks,
    ...definedOnly(options.healthChecks ?? {}),
  };
  const taskGraceMs = options.taskGraceMs ?? CORE_COMPONENTS_DEFAULTS.taskGraceMs;
  const resourceIntervalMs = options.resourceIntervalMs ?? CORE_COMPONENTS_DEFAULTS.resourceIntervalMs;
  const components: StartupComponent[] = [];
  /** A retried start must not register its task twice. */
  const registered = new Set<string>();
  const registerOnce = (definition: Parameters<TaskSupervisor['register']>[0]): void => {
    if (registered.has(definition.name)) return;
    registered.add(definition.name);
    tasks.register(definition);
  };

  if (logging !== undefined) {
    checks.add(
      CORE_COMPONENTS.logging,
      () => {
        // A real check, not the last write's outcome: it reopens a log file moved or deleted
        // by hand or by logrotate (the sink also looks once a second by itself), and retries
        // a degraded one at once.
        const check = logging.checkFileSink();
        if (!check.ok) throw new Error(check.problem ?? 'the JSON log file is not writable');
      },
      { effect: 'degraded' },
    );
    components.push({
      name: CORE_COMPONENTS.logging,
      critical: false,
      timeoutMs: 5_000,
      retry: { attempts: 1 },
      // The file sink reopens by itself and reports its recovery to health.
      retryInBackground: false,
      start() {
        const report = logging.enforce();
        if (!report.ok) {
          throw new Error(
            [report.file.problem, report.console.problem].filter((p) => p !== undefined).join('; '),
          );
        }
      },
      fallback() {
        // Console-only logging: nothing to set up, the sink that works keeps working.
      },
    });
  }

  components.push({
    name: CORE_COMPONENTS.tasks,
    timeoutMs: 5_000,
    start() {
      tasks.start();
    },
    async stop() {
      await tasks.stopAll(4_000);
    },
  });

  components.push({
    name: CORE_COMPONENTS.health,
    critical: false,
    dependencies: [CORE_COMPONENTS.tasks],
    timeoutMs: 5_000,
    start() {
      liveness.start();
      if (healthChecks.enabled) {
        registerOnce({
          name: CORE_TASKS.health,
          every: healthChecks.intervalMs,
          runAtStart: true,
          graceMs: taskGraceMs,
          run: ({ signal }) => checks.runChecks(signal),
        });
      }
    },
    stop() {
      liveness.stop();
    },
  });

  if (resources !== undefined) {
    components.push({
      name: CORE_COMPONENTS.resources,
      critical: false,
      dependencies: [CORE_COMPONENTS.tasks],
      timeoutMs: 10_000,
      async start() {
        // The first sample proves the readers work before the task takes over.
        await resources.tick();
        registerOnce({
          name: CORE_TASKS.resources,
          every: resourceIntervalMs,
          graceMs: taskGraceMs,
          run: () => resources.tick(),
        });
      },
    });
  }

  if (http !== undefined) {
    components.push({
      name: CORE_COMPONENTS.http,
      critical: false,
      timeoutMs: 5_000,
      retry: { attempts: 2, baseDelayMs: 1_000 },
      start: () => http.start(),
      stop: () => http.stop(4_000),
    });
  }

  return components;
}
