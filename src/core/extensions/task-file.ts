import type { Clock } from '../clock.ts';
import { runBounded } from '../startup/run-bounded.ts';
import {
  type CronTaskDefinition,
  type IntervalTaskDefinition,
  resolveTask,
  type TaskDefinition,
} from '../tasks/task-definition.ts';
import type { Definable } from './extension-context.ts';
import { checkShape, describeValue, type ObjectShape, rules, ShapeError } from './shape.ts';

interface TaskTimeout {
  /**
   * Bound of one run, ms: a run still going after this long is aborted and counts as a
   * failure (restarted with backoff like any other). @default unbounded
   */
  readonly timeoutMs?: number;
}

/**
 * What a file of `tasks/` exports: an interval task (`every` ms) or a cron task (`cron`),
 * with its heartbeat period and an optional timeout per run. It is supervised like the
 * core's own tasks: `/tasks`, health (`task:<name>`), the metrics and the alerts.
 */
export type TaskFileDefinition = (IntervalTaskDefinition | CronTaskDefinition) & TaskTimeout;

/** Declares a background task in a file of `tasks/`; typing only, it returns what it is given. */
export function defineTask(definition: Definable<TaskFileDefinition>): Definable<TaskFileDefinition> {
  return definition;
}

type TaskFileKey = keyof IntervalTaskDefinition | keyof CronTaskDefinition | keyof TaskTimeout;

const TASK_SHAPE = {
  name: { rule: rules.name, required: true },
  run: { rule: rules.function, required: true },
  every: { rule: rules.positiveMs },
  cron: { rule: rules.string },
  runAtStart: { rule: rules.boolean },
  critical: { rule: rules.boolean },
  heartbeatMs: { rule: rules.positiveMs },
  graceMs: { rule: rules.nonNegativeNumber },
  staleAfterMs: { rule: rules.positiveMs },
  timeoutMs: { rule: rules.positiveMs },
} as const satisfies Record<TaskFileKey, ObjectShape[string]>;

/**
 * Checks a default export of `tasks/`: its shape, exactly one of `every` and `cron`, and
 * what the supervisor will check at registration (the cron expression, the periods).
 * @throws {ShapeError} or the supervisor's own error, naming the problem
 */
export function checkTask(value: unknown): TaskFileDefinition {
  checkShape(value, TASK_SHAPE, 'a task');
  const task = value as Partial<Record<TaskFileKey, unknown>>;
  if ((task.every === undefined) === (task.cron === undefined)) {
    throw new ShapeError(
      task.every === undefined
        ? 'needs `every` (ms between runs) or `cron` (a cron expression)'
        : `has both \`every\` (${describeValue(task.every)}) and \`cron\`: choose one`,
    );
  }
  if (task.cron !== undefined && task.runAtStart !== undefined) {
    throw new ShapeError('`runAtStart` is for interval tasks (`every`), not cron ones');
  }
  const { timeoutMs: _timeout, ...definition } = value as TaskFileDefinition;
  resolveTask(definition);
  return value as TaskFileDefinition;
}

/** The definition the task supervisor runs; with `timeoutMs`, each run is bounded by it. */
export function toTaskDefinition(definition: TaskFileDefinition, clock: Clock): TaskDefinition {
  const { timeoutMs, ...task } = definition;
  if (timeoutMs === undefined) return task;
  return {
    ...task,
    run: (ctx) =>
      runBounded(
        clock,
        async (signal) => {
          await definition.run({ signal, heartbeat: () => ctx.heartbeat() });
        },
        timeoutMs,
        ctx.signal,
      ),
  };
}
