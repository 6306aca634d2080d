import type { Clock } from '../clock.ts';

/** Raised when a start, fallback or stop outlives its bound; reads "timeout after 45.0s". */
export class StartupTimeoutError extends Error {
  override readonly name = 'StartupTimeoutError';
  readonly code = 'STARTUP_TIMEOUT';
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super(`timeout after ${(timeoutMs / 1000).toFixed(1)}s`);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * Runs `work` with a signal that aborts after `timeoutMs` or when `parent` aborts,
 * and settles at that moment even if `work` ignores its signal: a hung start must
 * not hang the bot. A late settlement of abandoned work is swallowed.
 */
export function runBounded(
  clock: Clock,
  work: (signal: AbortSignal) => Promise<void> | void,
  timeoutMs: number,
  parent?: AbortSignal,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (parent?.aborted) {
      reject(parent.reason);
      return;
    }
    const controller = new AbortController();
    let settled = false;
    const settle = (ok: boolean, error?: unknown): void => {
      if (settled) return;
      settled = true;
      timer.cancel();
      parent?.removeEventListener('abort', onParentAbort);
      if (ok) resolve();
      else reject(error);
    };
    const onParentAbort = (): void => {
      controller.abort(parent?.reason);
      settle(false, parent?.reason);
    };
    const timer = clock.setTimeout(() => {
      const error = new StartupTimeoutError(timeoutMs);
      controller.abort(error);
      settle(false, error);
    }, timeoutMs);
    parent?.addEventListener('abort', onParentAbort, { once: true });

    let running: Promise<void>;
    try {
      running = Promise.resolve(work(controller.signal));
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(
      () => settle(true),
      (error: unknown) => settle(false, error),
    );
  });
}
