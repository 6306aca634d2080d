import type { ComponentState } from '../health/types.ts';
import type { TaskState } from './types.ts';

/**
 * How a task's state counts in the health registry: a stale or restarting task
 * degrades the bot, or makes it not ready when the task is critical; a failed or
 * abandoned one is failed (which only a critical component turns into not ready).
 */
export function taskComponentState(state: TaskState, critical: boolean): ComponentState {
  switch (state) {
    case 'idle':
    case 'running':
    case 'late':
      return 'ready';
    case 'stale':
    case 'restarting':
      return critical ? 'failed' : 'degraded';
    case 'failed':
    case 'abandoned':
      return 'failed';
    case 'stopped':
      return 'stopped';
  }
}
