import { type CronSchedule, createCronSchedule } from './cron-schedule.ts';
import type { TaskKind } from './types.ts';

/** What a running task is given: abort when `signal` fires, call `heartbeat()` to show progress. */
export interface TaskContext {
  readonly signal: AbortSignal;
  heartbeat(): void;
}

/** One run of a task; it may return a promise, whose value is ignored. */
export type TaskRun = (ctx: TaskContext) => unknown;

interface TaskDefinitionBase {
  /** Unique, snake_case: it appears in logs, metrics labels and `/tasks`. */
  readonly name: string;
  readonly run: TaskRun;
  /**
   * A critical task that is stale or failing makes the bot `not_ready` instead of `degraded`.
   * @default false
   */
  readonly critical?: boolean;
  /**
   * How often a running task is expected to call `heartbeat()`.
   * @default `every` for an interval task, 60000 otherwise
   */
  readonly heartbeatMs?: number;
  /**
   * Slack past `heartbeatMs` before the task counts as `late`.
   * @default heartbeatMs
   */
  readonly graceMs?: number;
  /**
   * Age of the last heartbeat after which the task is `stale`, aborted and restarted.
   * @default 2 × heartbeatMs + graceMs
   */
  readonly staleAfterMs?: number;
}

/** Runs every `every` ms; a run still going when the next is due makes that one skip. */
export interface IntervalTaskDefinition extends TaskDefinitionBase {
  readonly every: number;
  /**
   * Run once as soon as the supervisor starts, instead of after the first `every`.
   * @default false
   */
  readonly runAtStart?: boolean;
}

/** Runs on a cron expression (node-cron 4 syntax, process-local time), never overlapping. */
export interface CronTaskDefinition extends TaskDefinitionBase {
  readonly cron: string;
}

/** Runs until its signal aborts, calling `heartbeat()` as it goes. */
export interface LoopTaskDefinition extends TaskDefinitionBase {
  readonly loop: true;
}

export type TaskDefinition = IntervalTaskDefinition | CronTaskDefinition | LoopTaskDefinition;

/** A definition with its defaults applied and its invariants checked. */
export interface ResolvedTask {
  readonly name: string;
  readonly kind: TaskKind;
  readonly schedule: string;
  readonly run: TaskRun;
  readonly critical: boolean;
  readonly every: number | null;
  readonly runAtStart: boolean;
  readonly cron: CronSchedule | null;
  readonly heartbeatMs: number;
  readonly graceMs: number;
  readonly staleAfterMs: number;
}

export const TASK_DEFAULTS = { heartbeatMs: 60_000 } as const;

/** Applies defaults; throws a clear error on a bad name, schedule or period. */
export function resolveTask(def: TaskDefinition): ResolvedTask {
  if (!/^[a-z0-9][a-z0-9_.-]*$/i.test(def.name)) {
    throw new TypeError(`task name '${def.name}' must be non-empty letters, digits, '_', '.' or '-'`);
  }
  let kind: TaskKind;
  let schedule: string;
  let every: number | null = null;
  let cron: CronSchedule | null = null;
  if ('every' in def) {
    if (!(Number.isFinite(def.every) && def.every > 0)) {
      throw new RangeError(`task '${def.name}': every must be a positive number of ms, got ${def.every}`);
    }
    kind = 'interval';
    every = def.every;
    schedule = `every ${formatPeriod(def.every)}`;
  } else if ('cron' in def) {
    kind = 'cron';
    cron = createCronSchedule(def.cron);
    schedule = def.cron;
  } else {
    kind = 'loop';
    schedule = 'loop';
  }
  const heartbeatMs = def.heartbeatMs ?? every ?? TASK_DEFAULTS.heartbeatMs;
  const graceMs = def.graceMs ?? heartbeatMs;
  const staleAfterMs = def.staleAfterMs ?? 2 * heartbeatMs + graceMs;
  if (!(heartbeatMs > 0)) throw new RangeError(`task '${def.name}': heartbeatMs must be > 0`);
  if (!(graceMs >= 0)) throw new RangeError(`task '${def.name}': graceMs must be >= 0`);
  if (!(staleAfterMs > heartbeatMs + graceMs)) {
    throw new RangeError(
      `task '${def.name}': staleAfterMs (${staleAfterMs}) must exceed heartbeatMs + graceMs (${heartbeatMs + graceMs})`,
    );
  }
  return {
    name: def.name,
    kind,
    schedule,
    run: def.run,
    critical: def.critical ?? false,
    every,
    runAtStart: 'runAtStart' in def ? (def.runAtStart ?? false) : false,
    cron,
    heartbeatMs,
    graceMs,
    staleAfterMs,
  };
}

/** `15s`, `5m`, `1h30m`, `250ms`. */
export function formatPeriod(ms: number): string {
  if (ms < 1000 || ms % 1000 !== 0) return `${ms}ms`;
  let s = ms / 1000;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return [h ? `${h}h` : '', m ? `${m}m` : '', s ? `${s}s` : ''].join('');
}
