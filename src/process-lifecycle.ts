import { type Clock, systemClock } from './core/clock.ts';
import type { Logger } from './core/logging/logger.ts';

/**
 * A repeat of the first signal this soon after it is a relayed copy, not a second request:
 * when a signal reaches the whole process group (Ctrl-C, an orchestrator stopping a
 * control group), a parent such as `npm start` forwards its own copy to the bot as well.
 */
export const SIGNAL_ECHO_MS = 1_000;

export interface ProcessLike {
  on(event: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
  on(event: 'uncaughtException', listener: (error: Error) => void): unknown;
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
}

export interface ProcessLifecycleOptions {
  readonly log: Logger;
  /** Stops the bot gracefully; must itself be bounded. */
  readonly shutdown: (reason: string) => Promise<void>;
  /** Writes every buffered record synchronously; the last thing before a fatal exit. */
  readonly flushSync: () => void;
  readonly exit: (code: number) => void;
  readonly process?: ProcessLike;
  /** @default systemClock */
  readonly clock?: Clock;
}

export interface ProcessLifecycle {
  /** Removes the handlers (tests, or a bot that embeds the core and owns its process). */
  dispose(): void;
}

/**
 * Signals and fatal errors, the way a supervisor expects them: SIGTERM/SIGINT stop
 * gracefully and exit 0; a second signal exits at once, 130 (one repeat of the first
 * signal within {@link SIGNAL_ECHO_MS} is taken as a parent's relayed copy and only
 * logged at debug); an unhandled rejection
 * is logged with its stack and the bot lives on; an uncaught exception is logged as
 * CRITICAL, both sinks are flushed, and the process exits 1 so it is restarted.
 */
export function installProcessLifecycle(options: ProcessLifecycleOptions): ProcessLifecycle {
  const proc = options.process ?? process;
  const clock = options.clock ?? systemClock;
  const log = options.log.child({ name: 'bot.process', subsys: 'shutdown' });
  let stopping = false;
  let first: { readonly signal: string; readonly at: number; echoed: boolean } | undefined;

  const onSignal = (signal: 'SIGTERM' | 'SIGINT') => () => {
    if (first !== undefined && !first.echoed && signal === first.signal) {
      const afterMs = clock.now() - first.at;
      if (afterMs <= SIGNAL_ECHO_MS) {
        first.echoed = true;
        log.debug(
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
      log.warning('shutdown_forced', `Second ${signal}: exiting without waiting`, { signal });
      options.flushSync();
      options.exit(130);
      return;
    }
    stopping = true;
    first = { signal, at: clock.now(), echoed: false };
    log.info('shutdown_requested', `${signal} received: shutting down`, { signal });
    options.shutdown(signal).then(
      () => options.exit(0),
      (error: unknown) => {
        log.error('shutdown_failed', 'Shutdown did not finish cleanly', { error });
        options.flushSync();
        options.exit(1);
      },
    );
  };
  const onTerm = onSignal('SIGTERM');
  const onInt = onSignal('SIGINT');

  const onRejection = (reason: unknown): void => {
    log
      .child({ subsys: 'process' })
      .error('unhandled_rejection', 'Unhandled promise rejection; the bot carries on', {
        error: reason,
      });
  };

  const onException = (error: Error): void => {
    try {
      log
        .child({ subsys: 'process' })
        .critical('uncaught_exception', `Uncaught exception: ${error.message}`, { error });
    } finally {
      options.flushSync();
      options.exit(1);
    }
  };

  proc.on('SIGTERM', onTerm);
  proc.on('SIGINT', onInt);
  proc.on('unhandledRejection', onRejection);
  proc.on('uncaughtException', onException);

  return {
    dispose() {
      proc.off('SIGTERM', onTerm);
      proc.off('SIGINT', onInt);
      proc.off('unhandledRejection', onRejection);
      proc.off('uncaughtException', onException);
    },
  };
}
