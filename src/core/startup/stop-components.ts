import type { Clock } from '../clock.ts';
import type { Logger } from '../logging/logger.ts';
import { runBounded, StartupTimeoutError } from './run-bounded.ts';

/** One started component to stop. */
export interface StopTarget {
  readonly name: string;
  readonly stopTimeoutMs: number;
  readonly stop: ((signal: AbortSignal) => Promise<void> | void) | undefined;
}

/** What stopping several things came to: the one shape of start components' and background tasks' stops. */
export interface StopResult {
  readonly stopped: readonly string[];
  /** Not stopped within their bound (a task whose run ignored its abort is abandoned). */
  readonly timedOut: readonly string[];
  /** Whose stop threw. */
  readonly failed: readonly string[];
}

export interface StopComponentsOptions {
  readonly clock: Clock;
  readonly log: Logger;
  /** Clock time by which every stop must be over; later stops are given up. */
  readonly deadline: number;
  readonly describe: (error: unknown) => string;
  /** Called after each target, whatever became of its stop. */
  readonly onStopped: (target: StopTarget) => void;
}

/**
 * Stops `targets` one after the other, in the order given (the caller passes
 * dependents first), each within `min(stopTimeoutMs, half the time left)` (the last
 * one, all the time left), so a stop that hangs cannot starve the others. Logs
 * `component_stopped`, `component_stop_timeout` or `component_stop_failed`.
 */
export async function stopComponents(
  targets: readonly StopTarget[],
  options: StopComponentsOptions,
): Promise<StopResult> {
  const { clock, log, deadline, describe, onStopped } = options;
  const result = { stopped: [] as string[], timedOut: [] as string[], failed: [] as string[] };
  for (const [index, target] of targets.entries()) {
    const { name, stop } = target;
    const remaining = deadline - clock.now();
    if (remaining <= 0) {
      result.timedOut.push(name);
      log.warning('component_stop_timeout', `Component '${name}' not stopped: shutdown time is up`, {
        component: name,
        timeout_ms: 0,
      });
      onStopped(target);
      continue;
    }
    // One hung stop may take at most half of what is left, so those after it still stop.
    const share = index === targets.length - 1 ? remaining : Math.ceil(remaining / 2);
    const bound = Math.min(target.stopTimeoutMs, share);
    const began = clock.now();
    try {
      if (stop !== undefined) await runBounded(clock, (signal) => stop(signal), bound);
      result.stopped.push(name);
      log.info('component_stopped', `Component '${name}' stopped`, {
        component: name,
        duration_ms: clock.now() - began,
      });
    } catch (error) {
      if (error instanceof StartupTimeoutError) {
        result.timedOut.push(name);
        log.warning('component_stop_timeout', `Component '${name}' did not stop: ${error.message}`, {
          component: name,
          timeout_ms: bound,
        });
      } else {
        result.failed.push(name);
        log.error('component_stop_failed', `Component '${name}' failed to stop: ${describe(error)}`, {
          component: name,
          error: describe(error),
        });
      }
    }
    onStopped(target);
  }
  return result;
}
