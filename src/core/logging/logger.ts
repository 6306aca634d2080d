/** The five log levels; `warning` prints as `WARNING`. */
export const LOG_LEVELS = ['debug', 'info', 'warning', 'error', 'critical'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Structured detail of a record: becomes the JSON line's `detail` object and the console's `| key=value` pairs. */
export type LogDetail = Readonly<Record<string, unknown>>;

/**
 * What the core and the bot log through. Every record carries a stable snake_case
 * `event` id, a human sentence and a detail object; the logger adds `ts`, `level`,
 * `name` and `subsys`. An `Error` anywhere in `detail` is serialised (message,
 * code, stack) and every secret registered with the logger is redacted by value.
 * A record below ERROR may be written up to a second after the call (`LOG_FLUSH_MS`):
 * the call keeps its time and a copy of `detail`'s own values, so the caller may reuse
 * the object; an object nested in it is read when the record is written.
 */
export interface Logger {
  /**
   * A logger whose records carry `name` and `subsys`. The name is relative to the
   * logging's root name: `startup` is written `bot.startup` under the default root.
   */
  child(bindings: { readonly name?: string; readonly subsys?: string }): Logger;
  debug(event: string, msg: string, detail?: LogDetail): void;
  info(event: string, msg: string, detail?: LogDetail): void;
  warning(event: string, msg: string, detail?: LogDetail): void;
  error(event: string, msg: string, detail?: LogDetail): void;
  critical(event: string, msg: string, detail?: LogDetail): void;
}

/** A logger that drops everything; for code paths that were given none. */
export const silentLogger: Logger = {
  child: () => silentLogger,
  debug: () => {},
  info: () => {},
  warning: () => {},
  error: () => {},
  critical: () => {},
};

/**
 * A logger that forwards each record to whatever `target()` returns at that moment
 * (records made while it returns nothing are dropped). For a part built before the
 * logging it reports to: the metrics are created first, since logging counts its
 * records in them, yet their errors belong in the same log.
 */
export function deferredLogger(target: () => Logger | undefined): Logger {
  const forward =
    (level: LogLevel) =>
    (event: string, msg: string, detail?: LogDetail): void =>
      target()?.[level](event, msg, detail);
  return {
    child: (bindings) => deferredLogger(() => target()?.child(bindings)),
    debug: forward('debug'),
    info: forward('info'),
    warning: forward('warning'),
    error: forward('error'),
    critical: forward('critical'),
  };
}
