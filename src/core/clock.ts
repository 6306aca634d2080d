import { onBeat, processBeat } from './beat.ts';

/** A cancellable timer returned by a {@link Clock}. */
export interface Timer {
  cancel(): void;
}

export interface TimerOptions {
  /**
   * Let the process exit while only this timer is pending. Background timers
   * (sampling, watchdogs, reminders) set it; a timer someone awaits does not.
   * @default false
   */
  readonly unref?: boolean;
}

/**
 * Time and timers, injected everywhere so tests drive a manual clock instead of
 * sleeping or patching globals.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number, options?: TimerOptions): Timer;
  /**
   * Runs `fn` every `ms`. The system clock runs a background (`unref`) interval of a whole
   * number of 100 ms beats on the process's one beat timer ({@link processBeat}): at the
   * multiples of its period, its first run between half a period and one and a half periods
   * away, so background watchers wake an idle process together.
   */
  setInterval(fn: () => void, ms: number, options?: TimerOptions): Timer;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function sleepWith(clock: Pick<Clock, 'setTimeout'>, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      timer.cancel();
      reject(signal?.reason);
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export { sleepWith };

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms, options) {
    const handle = setTimeout(fn, ms);
    if (options?.unref) handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
  setInterval(fn, ms, options) {
    if (options?.unref && onBeat(ms)) return { cancel: processBeat.add(fn, ms) };
    const handle = setInterval(fn, ms);
    if (options?.unref) handle.unref();
    return { cancel: () => clearInterval(handle) };
  },
  sleep(ms, signal) {
    return sleepWith(systemClock, ms, signal);
  },
};

/**
 * Waits for `promise` to settle, but no longer than `ms`: true when it settled in time
 * (fulfilled or rejected), false when the time ran out first. For a bounded wait on
 * something that cannot be cancelled, such as a shutdown step.
 */
export function settleWithin(
  clock: Pick<Clock, 'setTimeout'>,
  promise: Promise<unknown>,
  ms: number,
): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const timer = clock.setTimeout(() => resolve(false), Math.max(0, ms), { unref: true });
    promise.then(
      () => {
        timer.cancel();
        resolve(true);
      },
      () => {
        timer.cancel();
        resolve(true);
      },
    );
  });
}
