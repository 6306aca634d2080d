import { type Clock, systemClock } from './core/clock.ts';
import type { Logger } from './core/logging/logger.ts';

type Signal = 'SIGTERM' | 'SIGINT';

/**
 * A repeat of the first signal this soon after it is a relayed copy, not a second request:
 * when a signal reaches the whole process group (Ctrl-C, an orchestrator stopping a
 * control group), a parent such as `npm start` forwards its own copy to the bot as well.
 */
export const SIGNAL_ECHO_MS = 1_000;

export interface ProcessLike {
  on(event: Signal | 'SIGHUP', listener: () => void): unknown;
  on(event: 'uncaughtException', listener: (error: Error) => void): unknown;
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
}

export interface ProcessLifecycleOptions {
  /**
   * The logger, once there is one: the handlers are installed before logging exists,
   * so that a signal during the first moments of the start is not lost either.
   */
  readonly log: () => Logger | undefined;
  /** Stops the bot gracefully, within `shutdownTimeoutMs`. */
  readonly shutdown: (reason: string) => Promise<void>;
  /** The bound the shutdown promises; the backstop fires 1 s after it. */
  readonly shutdownTimeoutMs: number;
  /** Writes every buffered record synchronously; the last thing before a forced exit. */
  readonly flushSync: () => void;
  /**
   * Reopens the JSON log file, on SIGHUP (logrotate's `postrotate`); must not throw.
   * Without it SIGHUP keeps Node's default and ends the process.
   */
  readonly reopenLogs?: () => void;
  readonly exit: (code: number) => void;
  readonly process?: ProcessLike;
  /** @default systemClock */
  readonly clock?: Clock;
}

export interface ProcessLifecycle {
  /** Removes the handlers (tests, or a bot that embeds the core and owns its process). */
  dispose(): void;
}

/** How much past its own bound a shutdown may run before the backstop exits the process. */
export const BACKSTOP_GRACE_MS = 1_000;

const SIGNAL_NUMBERS: Readonly<Record<Signal, number>> = { SIGINT: 2, SIGTERM: 15 };

/**
 * Signals and fatal errors, the way a supervisor expects them: SIGTERM/SIGINT stop
 * gracefully and exit 0; a second signal exits at once with the conventional 128 + signal
 * number (one repeat of the first signal within {@link SIGNAL_ECHO_MS} is taken as a
 * parent's relayed copy and only logged at debug); a shutdown that overruns its bound by
 * more than a second is cut off by an unref'd backstop (CRITICAL, flushed, exit 1). An
 * unhandled rejection is logged with its stack and the bot lives on; an uncaught exception
 * is logged as CRITICAL, both sinks are flushed, and the process exits 1 so it is
 * restarted. SIGHUP reopens the JSON log file (after logrotate moved it) and nothing else.
 */
export function installProcessLifecycle(options: ProcessLifecycleOptions): ProcessLifecycle {
  const proc = options.process ?? process;
  const clock = options.clock ?? systemClock;
  const log = (subsys = 'shutdown'): Logger | undefined => options.log()?.child({ name: 'process', subsys });
  let stopping = false;
  let first: { readonly signal: string; readonly at: number; echoed: boolean } | undefined;

  const onSignal = (signal: Signal) => () => {
    if (first !== undefined && !first.echoed && signal === first.signal) {
      const afterMs = clock.now() - first.at;
      if (afterMs <= SIGNAL_ECHO_MS) {
        first.echoed = true;
        log()?.debug(
          'shutdown_signal_repeated',
          `${signal} again after ${afterMs} ms: taken as a relayed copy`,
          {
            signal,
            after_ms: afterMs,
          },
        );
        return;
      }
    }
    if (stopping) {
      log()?.warning('shutdown_forced', `Second ${signal}: exiting without waiting`, { signal });
      options.flushSync();
      options.exit(128 + SIGNAL_NUMBERS[signal]);
      return;
    }
    stopping = true;
    first = { signal, at: clock.now(), echoed: false };
    log()?.info('shutdown_requested', `${signal} received: shutting down`, { signal });
    const budget = options.shutdownTimeoutMs + BACKSTOP_GRACE_MS;
    clock.setTimeout(
      () => {
        log()?.critical('shutdown_overrun', `Shutdown still running after ${budget} ms: exiting now`, {
          signal,
          timeout_ms: budget,
        });
        options.flushSync();
        options.exit(1);
      },
      budget,
      { unref: true },
    );
    options.shutdown(signal).then(
      () => options.exit(0),
      (error: unknown) => {
        log()?.error('shutdown_failed', 'Shutdown did not finish cleanly', { error });
        options.flushSync();
        options.exit(1);
      },
    );
  };
  const onTerm = onSignal('SIGTERM');
  const onInt = onSignal('SIGINT');
  const reopenLogs = options.reopenLogs;
  // The reopen itself logs `log_file_reopened` in the new file, and never throws.
  const onHup = (): void => reopenLogs?.();

  const onRejection = (reason: unknown): void => {
    log('process')?.error('unhandled_rejection', 'Unhandled promise rejection; the bot carries on', {
      error: reason,
    });
  };

  const onException = (error: Error): void => {
    try {
      const logger = log('process');
      if (logger === undefined) process.stderr.write(`Uncaught exception: ${error.stack ?? error.message}\n`);
      else logger.critical('uncaught_exception', `Uncaught exception: ${error.message}`, { error });
    } finally {
      options.flushSync();
      options.exit(1);
    }
  };

  proc.on('SIGTERM', onTerm);
  proc.on('SIGINT', onInt);
  if (reopenLogs !== undefined) proc.on('SIGHUP', onHup);
  proc.on('unhandledRejection', onRejection);
  proc.on('uncaughtException', onException);

  return {
    dispose() {
      proc.off('SIGTERM', onTerm);
      proc.off('SIGINT', onInt);
      proc.off('SIGHUP', onHup);
      proc.off('unhandledRejection', onRejection);
      proc.off('uncaughtException', onException);
    },
  };
}
