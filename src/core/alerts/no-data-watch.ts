import type { Clock, Timer } from '../clock.ts';
import type { TaskSnapshot } from '../tasks/types.ts';
import type { AlertEngine } from './alert-engine.ts';
import { formatDuration } from './alert-message.ts';

export interface NoDataWatchOptions {
  readonly clock: Clock;
  readonly alerts: Pick<AlertEngine, 'raise' | 'clear'>;
  /** The tasks as they stand. */
  readonly tasks: () => readonly TaskSnapshot[];
  /** How often the heartbeats are looked at. @default 1000 */
  readonly checkEveryMs?: number;
}

export interface NoDataWatch {
  start(): void;
  stop(): void;
}

const DEFAULTS = { checkEveryMs: 1000 } as const satisfies Required<Pick<NoDataWatchOptions, 'checkEveryMs'>>;

/** The prefix of every no-data alert key: `nodata.task.<name>`. */
export const NO_DATA_PREFIX = 'nodata.task.';

/** The task that samples resources: its silence means no resource alert can fire. */
const RESOURCE_SAMPLER = 'resource_sampler';

/** States in which a task is not expected to beat, or an error already explains why it does not. */
const EXCUSED = new Set<TaskSnapshot['state']>(['failed', 'stopped', 'abandoned']);

function explainedByError(task: TaskSnapshot): boolean {
  const error = task.last_error;
  if (error === null || error.message.startsWith('stale')) return false;
  const beat =
    task.last_heartbeat_at === null ? Number.NEGATIVE_INFINITY : Date.parse(task.last_heartbeat_at);
  return Date.parse(error.at) >= beat;
}

/**
 * No data is an alert: a task that stopped beating without an error (a loop that hangs,
 * an interval task whose runs stopped coming, the resource sampler stuck, so no resource
 * alert could fire) raises `nodata.task.<name>` once its last heartbeat is older than its
 * stale period, instead of going quiet; it resolves when the task beats again. Cron tasks,
 * whose quiet spells are their schedule, are left to the supervisor.
 */
export function createNoDataWatch(options: NoDataWatchOptions): NoDataWatch {
  const { clock, alerts } = options;
  const checkEveryMs = options.checkEveryMs ?? DEFAULTS.checkEveryMs;
  if (!(checkEveryMs > 0)) throw new Error(`checkEveryMs must be positive (got ${checkEveryMs})`);
  /** When each task was first seen, for one that never beat. */
  const firstSeen = new Map<string, number>();
  const raised = new Set<string>();
  let timer: Timer | undefined;

  const check = (): void => {
    const now = clock.now();
    for (const task of options.tasks()) {
      const key = `${NO_DATA_PREFIX}${task.name}`;
      if (!firstSeen.has(task.name)) firstSeen.set(task.name, now);
      const limit = task.stale_after_ms;
      const quiet = task.last_heartbeat_age_ms ?? now - (firstSeen.get(task.name) ?? now);
      const silent =
        task.kind !== 'cron' &&
        limit !== undefined &&
        quiet > limit &&
        !EXCUSED.has(task.state) &&
        !explainedByError(task);
      if (silent) {
        const sampler = task.name === RESOURCE_SAMPLER;
        raised.add(key);
        alerts.raise(key, {
          severity: task.critical ? 'critical' : 'warning',
          title: sampler
            ? 'No resource data: the resource sampler stopped reporting'
            : `No data from task '${task.name}': it stopped beating without an error`,
          value: `${sampler ? 'last sample' : 'last heartbeat'} ${task.last_heartbeat_at === null ? 'never' : `${formatDuration(quiet)} ago`}`,
          threshold: `expected within ${formatDuration(limit)}`,
          detail: { task: task.name, state: task.state, quiet_ms: quiet },
        });
      } else if (
        raised.has(key) &&
        (task.last_heartbeat_age_ms ?? Number.POSITIVE_INFINITY) <= (limit ?? 0)
      ) {
        raised.delete(key);
        alerts.clear(key);
      }
    }
  };

  return {
    start() {
      if (timer !== undefined) return;
      timer = clock.setInterval(check, checkEveryMs, { unref: true });
    },
    stop() {
      timer?.cancel();
      timer = undefined;
    },
  };
}
