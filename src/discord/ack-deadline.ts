import type { Clock, Timer } from '../core/index.ts';

/** An interaction's deferral, started by a timer or at once, at most once. */
export interface Deferral {
  /** Starts the deferral now if the timer has not; resolves true once Discord took it. */
  defer(): Promise<boolean>;
  /** The deferral, once started. */
  readonly started: Promise<boolean> | undefined;
  /** Stops the timer; a deferral already started goes on. */
  cancel(): void;
}

/**
 * Defers an interaction after `afterMs` unless answered by then: how the routers keep
 * Discord's 3-second window for work that may be slow. `start` is discord.js's
 * `deferReply` (or `deferUpdate`); `acked` and `failed` hear how it went.
 */
export function scheduleDeferral(
  clock: Clock,
  afterMs: number,
  start: () => Promise<unknown>,
  on: { readonly acked: () => void; readonly failed: (error: unknown) => void },
): Deferral {
  let started: Promise<boolean> | undefined;
  const defer = (): Promise<boolean> => {
    started ??= start().then(
      () => {
        on.acked();
        return true;
      },
      (error: unknown) => {
        on.failed(error);
        return false;
      },
    );
    return started;
  };
  const timer = clock.setTimeout(() => void defer(), afterMs, { unref: true });
  return {
    defer,
    get started() {
      return started;
    },
    cancel: () => timer.cancel(),
  };
}

/**
 * Runs `work` (a synchronous throw counts as a rejection) and rejects with `message` if
 * it has not settled within `timeoutMs`; a late result is dropped.
 */
export async function withinTimeout<T>(
  clock: Clock,
  work: () => T | Promise<T>,
  timeoutMs: number,
  message: string,
): Promise<T> {
  let timeout: Timer | undefined;
  try {
    const timedOut = new Promise<never>((_, reject) => {
      timeout = clock.setTimeout(() => reject(new Error(message)), timeoutMs, { unref: true });
    });
    return await Promise.race([Promise.resolve().then(work), timedOut]);
  } finally {
    timeout?.cancel();
  }
}
