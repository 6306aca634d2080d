import { type BackoffOptions, createBackoff } from '../backoff.ts';
import { positiveNumber } from '../check-option.ts';
import type { Clock, Timer } from '../clock.ts';
import { toErrorRecord } from '../health/error-record.ts';
import type { HealthRegistry } from '../health/health-registry.ts';
import type { ErrorRecord } from '../health/types.ts';
import type { Logger } from '../logging/logger.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { StopResult } from '../startup/stop-components.ts';
import { taskComponentState } from './task-component-state.ts';
import { type ResolvedTask, resolveTask, type TaskContext, type TaskDefinition } from './task-definition.ts';
import type { TaskSnapshot, TaskState } from './types.ts';

export interface TaskSupervisorOptions {
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: Metrics;
  /** When given, each task appears there as the component `task:<name>`. */
  readonly health?: HealthRegistry;
  /**
   * Uniform in [0, 1), for the restart jitter.
   * @default Math.random
   */
  readonly random?: () => number;
  /** Restart backoff. @default base 1 s, factor 2, cap 5 min, jitter 0.2 */
  readonly backoff?: Omit<BackoffOptions, 'random'>;
  /**
   * How often the watchdog checks heartbeats.
   * @default 1000
   */
  readonly watchdogMs?: number;
  /**
   * A task that ran this long since its last restart without failing starts its backoff over.
   * @default 60000
   */
  readonly healthyResetMs?: number;
  /**
   * How long an aborted run may take to stop before it is abandoned.
   * @default 5000
   */
  readonly abandonAfterMs?: number;
  /**
   * Applied to every error text kept for `/tasks` (e.g. the logger's secret redactor).
   * @default identity
   */
  readonly redact?: (text: string) => string;
}

const DEFAULTS = {
  watchdogMs: 1000,
  healthyResetMs: 60_000,
  abandonAfterMs: 5000,
  redact: (text: string) => text,
} as const satisfies Partial<TaskSupervisorOptions>;

/** Runs background tasks, watches their heartbeats and restarts them with backoff. */
export interface TaskSupervisor {
  /** Adds a task; it starts at once when the supervisor already runs. Throws on a duplicate name or bad schedule. */
  register(definition: TaskDefinition): void;
  /** Starts every registered task and the watchdog; does nothing after {@link stopAll}. */
  start(): void;
  /** Aborts every run and waits up to `timeoutMs` for them; runs that ignore their signal are abandoned (`timedOut`). */
  stopAll(timeoutMs?: number): Promise<StopResult>;
  snapshot(): TaskSnapshot[];
}

interface ActiveRun {
  readonly id: number;
  readonly controller: AbortController;
  readonly startedAt: number;
  /** Resolves when the run settles, whatever the outcome. */
  readonly settled: Promise<void>;
  /** Set when the supervisor aborted the run, so its ending is not read as a failure. */
  stoppedBySupervisor: boolean;
}

interface Task {
  readonly def: ResolvedTask;
  readonly component: string;
  state: TaskState;
  runs: number;
  failures: number;
  restarts: number;
  heartbeats: number;
  skipped: number;
  lastHeartbeat: number | null;
  /** Baseline of the heartbeat age when no beat came since the current run started. */
  watchFrom: number;
  nextRunAt: number | null;
  lastError: ErrorRecord | null;
  attempt: number;
  healthySince: number;
  pendingRestart: boolean;
  timer: Timer | null;
  active: ActiveRun | null;
  /** True while the watchdog is stopping a stale run, so it is handled once. */
  recovering: boolean;
  stopping: boolean;
}

/** Creates the supervisor; every timer it arms is unref'd and comes from the injected clock. */
export function createTaskSupervisor(options: TaskSupervisorOptions): TaskSupervisor {
  const { clock, metrics, health } = options;
  const watchdogMs = positiveNumber('watchdogMs', options.watchdogMs ?? DEFAULTS.watchdogMs);
  const healthyResetMs = positiveNumber('healthyResetMs', options.healthyResetMs ?? DEFAULTS.healthyResetMs);
  const abandonAfterMs = positiveNumber('abandonAfterMs', options.abandonAfterMs ?? DEFAULTS.abandonAfterMs);
  const redact = options.redact ?? DEFAULTS.redact;
  const backoff = createBackoff({
    ...options.backoff,
    ...(options.random ? { random: options.random } : {}),
  });
  const log = options.log.child({ name: 'tasks', subsys: 'background_task' });
  const tasks = new Map<string, Task>();
  let started = false;
  // Stopping is final: a late start() during shutdown must not revive the tasks.
  let closed = false;
  let watchdog: Timer | null = null;
  let runSeq = 0;

  const setState = (task: Task, state: TaskState, error?: unknown): void => {
    task.state = state;
    health?.set(
      task.component,
      taskComponentState(task.state, task.def.critical),
      error === undefined ? {} : { error },
    );
  };

  const arm = (task: Task, at: number | null): void => {
    task.timer?.cancel();
    task.timer = null;
    task.nextRunAt = at;
    if (at === null || task.stopping) return;
    task.timer = clock.setTimeout(() => fire(task), Math.max(0, at - clock.now()), { unref: true });
  };

  const nextScheduled = (task: Task, after: number): number | null => {
    if (task.def.every !== null) return after + task.def.every;
    return task.def.cron?.next(after) ?? null;
  };

  const fire = (task: Task): void => {
    task.timer = null;
    if (task.stopping) return;
    const due = task.nextRunAt ?? clock.now();
    // An interval keeps its cadence from the due time, unless it fell behind (a blocked loop).
    const following = nextScheduled(task, task.def.every !== null ? due : clock.now());
    arm(task, following !== null && following > clock.now() ? following : nextScheduled(task, clock.now()));
    if (task.active !== null) {
      task.skipped += 1;
      log.debug('task_overlap_skipped', `Task '${task.def.name}' still running, skipped a run`, {
        task: task.def.name,
        skipped: task.skipped,
      });
      return;
    }
    launch(task);
  };

  const beat = (task: Task): void => {
    task.heartbeats += 1;
    task.lastHeartbeat = clock.now();
    metrics.taskHeartbeat(task.def.name);
    if (task.state === 'late' || task.state === 'stale') {
      log.info('task_recovered', `Task '${task.def.name}' is beating again`, { task: task.def.name });
      setState(task, task.active === null ? 'idle' : 'running');
    }
  };

  const launch = (task: Task): void => {
    const id = ++runSeq;
    const controller = new AbortController();
    const now = clock.now();
    task.runs += 1;
    task.watchFrom = now;
    if (task.pendingRestart) {
      task.pendingRestart = false;
      task.restarts += 1;
      task.healthySince = now;
      metrics.taskRestart(task.def.name);
    }
    const ctx: TaskContext = {
      signal: controller.signal,
      heartbeat: () => {
        if (task.active?.id === id && !controller.signal.aborted) beat(task);
      },
    };
    let settle: () => void = () => {};
    const run: ActiveRun = {
      id,
      controller,
      startedAt: now,
      settled: new Promise<void>((resolve) => {
        settle = resolve;
      }),
      stoppedBySupervisor: false,
    };
    task.active = run;
    setState(task, 'running');
    Promise.resolve()
      .then(() => task.def.run(ctx))
      .then(
        () => finished(task, run, null),
        (error: unknown) => finished(task, run, error ?? new Error('task failed')),
      )
      .finally(settle);
  };

  const finished = (task: Task, run: ActiveRun, error: unknown): void => {
    // A run that was abandoned or stopped is no longer the task's business.
    if (task.active?.id !== run.id || run.stoppedBySupervisor) return;
    task.active = null;
    if (task.stopping) return;
    if (error !== null) {
      fail(task, error);
      return;
    }
    if (task.def.kind === 'loop') {
      fail(task, new Error('loop task returned without being stopped'));
      return;
    }
    beat(task);
    setState(task, 'idle');
  };

  const nextAttempt = (task: Task): number => {
    if (clock.now() - task.healthySince >= healthyResetMs) task.attempt = 0;
    task.attempt += 1;
    return task.attempt;
  };

  const fail = (task: Task, error: unknown): void => {
    const attempt = nextAttempt(task);
    task.failures += 1;
    task.lastError = toErrorRecord(error, clock.now(), { redact });
    log.error('task_error', `Task '${task.def.name}' failed: ${task.lastError.message}`, {
      task: task.def.name,
      error: task.lastError.message,
      attempt,
    });
    setState(task, 'failed', error);
    scheduleRestart(task, attempt);
  };

  const scheduleRestart = (task: Task, attempt: number): void => {
    if (task.stopping) return;
    const delay = backoff.delay(attempt);
    task.pendingRestart = true;
    log.warning('task_restart', `Restarting task '${task.def.name}' in ${delay} ms (attempt ${attempt})`, {
      task: task.def.name,
      attempt,
      delay_ms: delay,
    });
    if (task.def.kind === 'loop') {
      task.timer?.cancel();
      task.nextRunAt = null;
      task.timer = clock.setTimeout(
        () => {
          task.timer = null;
          if (!task.stopping) launch(task);
        },
        delay,
        { unref: true },
      );
      return;
    }
    const at = clock.now() + delay;
    arm(task, task.def.cron === null ? at : task.def.cron.next(at - 1));
  };

  /** Aborts the active run and waits for it, up to `boundMs`; true when it stopped. */
  const stopRun = async (task: Task, reason: Error, boundMs: number): Promise<boolean> => {
    const run = task.active;
    if (run === null) return true;
    run.stoppedBySupervisor = true;
    run.controller.abort(reason);
    const bound = new AbortController();
    const outcome = await Promise.race([
      run.settled.then(() => true),
      clock.sleep(boundMs, bound.signal).then(
        () => false,
        () => true,
      ),
    ]);
    bound.abort();
    if (task.active?.id === run.id) task.active = null;
    if (!outcome) {
      log.error(
        'task_abandoned',
        `Task '${task.def.name}' ignored its abort for ${boundMs} ms and was abandoned`,
        {
          task: task.def.name,
          waited_ms: boundMs,
        },
      );
    }
    return outcome;
  };

  const recoverStale = async (task: Task, ageMs: number): Promise<void> => {
    task.recovering = true;
    try {
      const stopped = await stopRun(task, new Error(`task '${task.def.name}' is stale`), abandonAfterMs);
      if (task.stopping) return;
      const attempt = nextAttempt(task);
      task.failures += 1;
      task.lastError = toErrorRecord(`stale: no heartbeat for ${Math.round(ageMs / 1000)}s`, clock.now());
      setState(task, stopped ? 'restarting' : 'abandoned', task.lastError.message);
      scheduleRestart(task, attempt);
    } finally {
      task.recovering = false;
    }
  };

  const watch = (): void => {
    const now = clock.now();
    for (const task of tasks.values()) {
      // Only a run in progress can miss heartbeats; between runs the schedule drives the task.
      if (task.stopping || task.recovering || task.active === null) continue;
      const age = now - Math.max(task.lastHeartbeat ?? Number.NEGATIVE_INFINITY, task.watchFrom);
      const name = task.def.name;
      if (age > task.def.staleAfterMs) {
        const ageS = Math.round(age / 1000);
        log.warning('task_stale', `🐕 Task '${name}' stale: last heartbeat ${ageS}s ago`, {
          task: name,
          last_heartbeat_age_s: ageS,
        });
        setState(task, 'stale');
        void recoverStale(task, age);
      } else if (age > task.def.heartbeatMs + task.def.graceMs && task.state === 'running') {
        log.info('task_late', `Task '${name}' is late: last heartbeat ${Math.round(age / 1000)}s ago`, {
          task: name,
          last_heartbeat_age_s: Math.round(age / 1000),
        });
        setState(task, 'late');
      }
    }
  };

  const activate = (task: Task): void => {
    const now = clock.now();
    task.healthySince = now;
    task.watchFrom = now;
    if (task.def.kind === 'loop') {
      launch(task);
      return;
    }
    setState(task, 'idle');
    arm(task, task.def.runAtStart ? now : nextScheduled(task, now));
  };

  return {
    register(definition) {
      const def = resolveTask(definition);
      if (tasks.has(def.name)) throw new Error(`task '${def.name}' is already registered`);
      const task: Task = {
        def,
        component: `task:${def.name}`,
        state: 'idle',
        runs: 0,
        failures: 0,
        restarts: 0,
        heartbeats: 0,
        skipped: 0,
        lastHeartbeat: null,
        watchFrom: clock.now(),
        nextRunAt: null,
        lastError: null,
        attempt: 0,
        healthySince: clock.now(),
        pendingRestart: false,
        timer: null,
        active: null,
        recovering: false,
        stopping: false,
      };
      tasks.set(def.name, task);
      health?.register(task.component, { critical: def.critical });
      if (started) activate(task);
    },

    start() {
      if (started || closed) return;
      started = true;
      watchdog = clock.setInterval(watch, watchdogMs, { unref: true });
      for (const task of tasks.values()) activate(task);
    },

    async stopAll(timeoutMs = 10_000) {
      started = false;
      closed = true;
      watchdog?.cancel();
      watchdog = null;
      const all = [...tasks.values()];
      for (const task of all) {
        task.stopping = true;
        task.timer?.cancel();
        task.timer = null;
        task.nextRunAt = null;
      }
      const outcomes = await Promise.all(
        all.map(async (task) => ({ task, stopped: await stopRun(task, new Error('stopping'), timeoutMs) })),
      );
      const stopped: string[] = [];
      const abandoned: string[] = [];
      for (const { task, stopped: ok } of outcomes) {
        (ok ? stopped : abandoned).push(task.def.name);
        setState(task, ok ? 'stopped' : 'abandoned');
      }
      log.info('tasks_stopped', `Background tasks stopped (${abandoned.length} abandoned)`, {
        stopped: stopped.length,
        abandoned: abandoned.length,
        abandoned_tasks: abandoned,
      });
      return { stopped, timedOut: abandoned, failed: [] };
    },

    snapshot() {
      const now = clock.now();
      return [...tasks.values()].map((task) => ({
        name: task.def.name,
        kind: task.def.kind,
        schedule: task.def.schedule,
        state: task.state,
        critical: task.def.critical,
        last_heartbeat_at: task.lastHeartbeat === null ? null : new Date(task.lastHeartbeat).toISOString(),
        last_heartbeat_age_ms: task.lastHeartbeat === null ? null : now - task.lastHeartbeat,
        runs: task.runs,
        failures: task.failures,
        restarts: task.restarts,
        heartbeats: task.heartbeats,
        next_run_at: task.nextRunAt === null ? null : new Date(task.nextRunAt).toISOString(),
        last_error: task.lastError,
        skipped_runs: task.skipped,
        stale_after_ms: task.def.staleAfterMs,
      }));
    },
  };
}
