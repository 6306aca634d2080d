import type { Logger } from './core/logging/logger.ts';

export interface ProcessLike {
  on(event: 'SIGTERM' | 'SIGINT' | 'SIGHUP', listener: () => void): unknown;
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
  /**
   * Reopens the JSON log file, on SIGHUP (logrotate's `postrotate`); must not throw.
   * Without it SIGHUP keeps Node's default and ends the process.
   */
  readonly reopenLogs?: () => void;
  readonly exit: (code: number) => void;
  readonly process?: ProcessLike;
}

export interface ProcessLifecycle {
  /** Removes the handlers (tests, or a bot that embeds the core and owns its process). */
  dispose(): void;
}

/**
 * Signals and fatal errors, the way a supervisor expects them: SIGTERM/SIGINT stop
 * gracefully and exit 0 (a second signal exits at once, 130); an unhandled rejection
 * is logged with its stack and the bot lives on; an uncaught exception is logged as
 * CRITICAL, both sinks are flushed, and the process exits 1 so it is restarted.
 * SIGHUP reopens the JSON log file (after logrotate moved it) and nothing else.
 */
export function installProcessLifecycle(options: ProcessLifecycleOptions): ProcessLifecycle {
  const proc = options.process ?? process;
  const log = options.log.child({ name: 'bot.process', subsys: 'shutdown' });
  let stopping = false;

  const onSignal = (signal: 'SIGTERM' | 'SIGINT') => () => {
    if (stopping) {
      log.warning('shutdown_forced', `Second ${signal}: exiting without waiting`, { signal });
      options.flushSync();
      options.exit(130);
      return;
    }
    stopping = true;
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
  const reopenLogs = options.reopenLogs;
  // The reopen itself logs `log_file_reopened` in the new file, and never throws.
  const onHup = (): void => reopenLogs?.();

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
