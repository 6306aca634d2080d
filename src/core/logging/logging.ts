import type { Writable } from 'node:stream';
import pino from 'pino';
import { type Clock, systemClock } from '../clock.ts';
import { type Metrics, noopMetrics } from '../metrics/metrics.ts';
import type { JsonLogRecord } from './console-format.ts';
import { type ConsoleSink, createConsoleSink } from './console-sink.ts';
import {
  createFileSink,
  type FileSinkReopen,
  type FileSinkStatus,
  type FileSinkTransition,
  type RotationOptions,
  type SinkCheck,
  type SinkState,
} from './file-sink.ts';
import { LOG_LEVELS, type LogDetail, type Logger, type LogLevel } from './logger.ts';
import { createRedactor } from './redactor.ts';
import { createSanitizer, type DetailLimits } from './sanitize-detail.ts';

export interface LoggingOptions {
  /**
   * Records below this level are not built at all; `LOG_LEVEL`.
   * @default 'info'
   */
  readonly level?: LogLevel;
  /**
   * The JSON-lines file (`LOG_FILE`); its folder is created.
   * @default 'logs/bot.jsonl'
   */
  readonly file?: string;
  /**
   * Where the console sink writes; `false` turns it off.
   * @default process.stdout
   */
  readonly console?: boolean | Writable;
  /**
   * ANSI colours on the console.
   * @default the console stream is a TTY and NO_COLOR is unset or empty
   */
  readonly color?: boolean;
  /**
   * Rotation of the JSON file (`LOG_ROTATE_MAX_MB`, `LOG_ROTATE_DAILY`, `LOG_ROTATE_KEEP`); rotated
   * files are `bot.1.jsonl` (newest) … `bot.<keep>.jsonl`.
   * @default { maxBytes: 52428800 (50 MiB), daily: true, keep: 7 }
   */
  readonly rotation?: RotationOptions;
  /** @default systemClock */
  readonly clock?: Clock;
  /**
   * The root logger's name. Child names are relative to it: `startup` becomes `bot.startup`,
   * `metrics.http` becomes `bot.metrics.http`; a name already under the root is kept.
   * @default 'bot'
   */
  readonly rootName?: string;
  /** Counts each record's fate in the JSON sink (`written` / `dropped`). @default noopMetrics */
  readonly metrics?: Metrics;
  /** Told when a sink degrades or recovers, e.g. to update the health registry. */
  readonly onSinkHealth?: (sink: 'console' | 'file', state: SinkState, error?: string) => void;
  /** Values redacted wherever they appear (the bot token); more can be added with `addSecret`. */
  readonly secrets?: readonly string[];
  /** Bounds on one record's detail. */
  readonly limits?: DetailLimits;
  /**
   * Wait before the first reopen of a failed JSON file; doubles per failed retry up to a minute.
   * @default 1000
   */
  readonly retryInitialMs?: number;
  /**
   * How often the JSON file's path is compared with the open file (one `stat`), so a file
   * moved away or deleted (logrotate's `create`) is followed without a signal; 0 turns it off.
   * @default 1000
   */
  readonly watchIntervalMs?: number;
  /**
   * How long a record below ERROR may wait to be written with the others of its batch
   * (`LOG_FLUSH_MS`); 0 writes each record in the call that makes it. ERROR and CRITICAL
   * records are written at once, with everything queued before them; `flush`, `flushSync`
   * and `close` write the rest, so only a process killed outright (SIGKILL, the OOM killer)
   * loses up to this much. A bot woken for each command pays for the whole record path
   * every time, its code cold in the CPU's caches; a batch pays for it once.
   * @default 1000
   */
  readonly flushMs?: number;
  /**
   * Longest wait, in `flush` and `close`, for a console reader to take what the console
   * stream still holds: a reader that stalls cannot hold the shutdown longer.
   * @default 2000
   */
  readonly consoleDrainTimeoutMs?: number;
  /**
   * Top-level keys every JSON line carries, right after `level` (a shard process's
   * `shard: 3`); the console shows them before the message (`[shard 3] …`). Must not
   * reuse a schema key.
   * @default {}
   */
  readonly fields?: Readonly<Record<string, string | number>>;
}

export const LOGGING_DEFAULTS = {
  level: 'info',
  file: 'logs/bot.jsonl',
  flushMs: 1000,
  rotation: { maxBytes: 50 * 1024 * 1024, daily: true, keep: 7 },
  rootName: 'bot',
} as const satisfies LoggingOptions;

/** What {@link Logging.enforce} found. */
export interface EnforcerReport {
  /** Both sinks are configured and writable. */
  readonly ok: boolean;
  readonly console: SinkCheck;
  readonly file: SinkCheck;
}

/** The dual-sink logging of the bot: console for people, JSON lines for machines. */
export interface Logging {
  /** The root logger: name `rootName` (`bot`), subsys `core`. */
  readonly logger: Logger;
  /** Redacts `value` from every record from now on. */
  addSecret(value: string): void;
  /** The text with every registered secret replaced; for error text kept outside the logs (health, embeds). */
  redact(text: string): string;
  /** Checks both sinks, logs `logging_enforced` or `logging_degraded` (subsys `logging`) and reports. */
  enforce(): EnforcerReport;
  fileSinkState(): FileSinkStatus;
  /**
   * Checks the JSON file can be written now, reopening it when degraded or when its path
   * names another file (moved, deleted or swapped since it was opened); for periodic checks.
   */
  checkFileSink(): SinkCheck;
  /**
   * Closes the JSON file and opens its path again, logging `log_file_reopened` in the new
   * one; for logrotate's `postrotate` signal (SIGHUP). Never throws.
   */
  reopen(): void;
  setLevel(level: LogLevel): void;
  /** Writes everything buffered and waits for the console stream to drain. */
  flush(): Promise<void>;
  /** Writes everything buffered, synchronously: for `process.on('exit')` and fatal-error handlers. */
  flushSync(): void;
  /** Flushes and closes the file; later records reach the console only. */
  close(): Promise<void>;
}

/** pino's numbers for the five levels; `warning` and `critical` are custom. */
const LEVEL_NUMBERS = { debug: 20, info: 30, warning: 40, error: 50, critical: 60 } as const satisfies Record<
  LogLevel,
  number
>;
const LEVEL_BY_NUMBER = new Map<number, LogLevel>(LOG_LEVELS.map((level) => [LEVEL_NUMBERS[level], level]));
const LABELS = Object.fromEntries(LOG_LEVELS.map((level) => [level, level.toUpperCase()])) as Record<
  LogLevel,
  string
>;
const METADATA = Symbol.for('pino.metadata');
/**
 * Records held before a batch is written whatever the time: a burst stays bounded, and
 * writing one batch (about 6 µs a record, warm) holds the loop well under a millisecond.
 */
const MAX_QUEUED = 32;
/** Records at or above this level are never held back. */
const AT_ONCE = LEVEL_NUMBERS.error;
/** The keys of the JSON schema, which `fields` may not shadow. */
const RESERVED_KEYS = new Set(['ts', 'level', 'name', 'subsys', 'event', 'detail', 'msg']);
/** How `log_file_reopened` words each reason. */
const REOPEN_MESSAGES = {
  requested: 'reopened on request',
  missing: 'was moved away or deleted; reopened at its path',
  replaced: 'was moved away and replaced (logrotate?); reopened at its path',
} as const satisfies Record<FileSinkReopen['reason'], string>;

type PinoLogger = pino.Logger<LogLevel, boolean>;

function defaultColor(stream: Writable): boolean {
  const noColor = process.env.NO_COLOR;
  return (stream as { isTTY?: boolean }).isTTY === true && (noColor === undefined || noColor === '');
}

/** A pino destination that learns each record's level from pino's metadata hook. */
function levelAwareStream(write: (line: string, level: LogLevel) => void): pino.DestinationStream {
  return {
    [METADATA]: true,
    lastLevel: 30,
    write(this: { lastLevel: number }, line: string) {
      write(line, LEVEL_BY_NUMBER.get(this.lastLevel) ?? 'info');
    },
  } as pino.DestinationStream;
}

export function createLogging(options: LoggingOptions = {}): Logging {
  const clock = options.clock ?? systemClock;
  const metrics = options.metrics ?? noopMetrics;
  const level = options.level ?? LOGGING_DEFAULTS.level;
  const file = options.file ?? LOGGING_DEFAULTS.file;
  const rotation: RotationOptions = options.rotation ?? LOGGING_DEFAULTS.rotation;
  const rootName = options.rootName ?? LOGGING_DEFAULTS.rootName;
  if (!LOG_LEVELS.includes(level))
    throw new RangeError(`logging: level must be one of ${LOG_LEVELS.join(', ')}`);
  if (rootName === '') throw new RangeError('logging: rootName must not be empty');
  const flushMs = options.flushMs ?? LOGGING_DEFAULTS.flushMs;
  if (!Number.isInteger(flushMs) || flushMs < 0 || flushMs > 60_000)
    throw new RangeError(
      `logging: flushMs must be a whole number of milliseconds from 0 to 60000 (got ${flushMs})`,
    );
  const fields = options.fields ?? {};
  for (const key of Object.keys(fields)) {
    if (RESERVED_KEYS.has(key)) throw new RangeError(`logging: fields may not set "${key}", a schema key`);
  }
  const consolePrefix =
    Object.keys(fields).length === 0
      ? ''
      : `[${Object.entries(fields)
          .map(([key, value]) => `${key} ${value}`)
          .join(', ')}] `;

  const redactor = createRedactor(options.secrets ?? []);
  const sanitizer = createSanitizer(redactor, options.limits ?? {});
  const consoleStream: Writable | undefined =
    options.console === false
      ? undefined
      : options.console === true || options.console === undefined
        ? process.stdout
        : options.console;
  const color = options.color ?? (consoleStream === undefined ? false : defaultColor(consoleStream));

  const sinkHealth = (sink: 'console' | 'file', state: SinkState, error?: string): void => {
    try {
      if (error === undefined) options.onSinkHealth?.(sink, state);
      else options.onSinkHealth?.(sink, state, error);
    } catch {
      // The listener belongs to someone else; a bug there must not stop logging.
    }
  };

  // Set just before each pino call, read by the timestamp hook, so the line starts
  // `{"ts":…,"level":…` as the documented schema has it (pino caches the level prefix per level).
  let currentLabel = LABELS.info;
  let currentTs = '';
  // The record being written, for the console sink: it formats from this object
  // instead of parsing back the JSON line pino just serialised (pino writes to its
  // streams synchronously inside the log call, so this is always the record at hand).
  let pendingRecord: JsonLogRecord | undefined;
  let internal: Logger | undefined;

  const onFileTransition = (transition: FileSinkTransition): void => {
    sinkHealth('file', transition.state, transition.error);
    if (transition.state === 'degraded') {
      internal?.error(
        'log_sink_degraded',
        `JSON log sink ${transition.path} failed (${transition.error ?? 'unknown error'}): records are dropped and counted, console logging continues, retrying`,
        {
          sink: 'file',
          path: transition.path,
          code: transition.code ?? null,
          error: transition.error ?? null,
        },
      );
    } else {
      internal?.info(
        'log_sink_recovered',
        `JSON log sink ${transition.path} recovered after ${(transition.downMs / 1000).toFixed(1)}s; ${transition.dropped} records were lost`,
        { sink: 'file', path: transition.path, dropped: transition.dropped, down_ms: transition.downMs },
      );
    }
  };

  const onFileReopen = ({ path, reason }: FileSinkReopen): void => {
    internal?.info('log_file_reopened', `JSON log file ${path} ${REOPEN_MESSAGES[reason]}`, {
      path,
      reason,
    });
  };

  const fileSink = createFileSink({
    path: file,
    rotation,
    clock,
    ...(options.retryInitialMs === undefined ? {} : { retryInitialMs: options.retryInitialMs }),
    ...(options.watchIntervalMs === undefined ? {} : { watchIntervalMs: options.watchIntervalMs }),
    onRecord: (recordLevel, outcome) => {
      try {
        metrics.logRecord(recordLevel, outcome);
      } catch {
        // Metrics are best effort; the record's fate does not depend on them.
      }
    },
    onTransition: onFileTransition,
    onReopen: onFileReopen,
    // Records still held back were made for the file open now.
    beforeReopen: () => drain(),
  });

  const consoleSink: ConsoleSink | undefined =
    consoleStream === undefined
      ? undefined
      : createConsoleSink({
          stream: consoleStream,
          color,
          clock,
          ...(options.consoleDrainTimeoutMs === undefined
            ? {}
            : { drainTimeoutMs: options.consoleDrainTimeoutMs }),
          onDegraded: (error) => {
            sinkHealth('console', 'degraded', error);
            internal?.error(
              'log_sink_degraded',
              `Console log sink failed (${error}); JSON logging continues`,
              {
                sink: 'console',
                error,
              },
            );
          },
        });

  const streams: pino.StreamEntry<LogLevel>[] = [
    { level: 'debug', stream: levelAwareStream((line, recordLevel) => fileSink.write(line, recordLevel)) },
  ];
  if (consoleSink !== undefined) {
    streams.unshift({
      level: 'debug',
      stream: levelAwareStream((line) =>
        pendingRecord === undefined ? consoleSink.write(line) : consoleSink.writeRecord(pendingRecord),
      ),
    });
  }

  const base: PinoLogger = pino(
    {
      level,
      customLevels: LEVEL_NUMBERS,
      useOnlyCustomLevels: true,
      base: Object.keys(fields).length === 0 ? null : { ...fields },
      messageKey: 'msg',
      formatters: { level: () => ({}) },
      timestamp: () => `"ts":"${currentTs}","level":"${currentLabel}"`,
    },
    pino.multistream(streams, { levels: LEVEL_NUMBERS, dedupe: false }),
  );

  // Names are relative to the root: `startup` and `metrics.http` go under it, one already under it stays.
  const qualify = (name: string): string =>
    name === rootName || name.startsWith(`${rootName}.`) ? name : `${rootName}.${name}`;

  /**
   * One record as its call left it, waiting for its batch. The call does as little as it
   * can (in a process woken for each command, every step it takes runs cold); the rest
   * (the time's text, the sanitised detail, the message) is done for the whole batch.
   */
  interface Queued {
    readonly target: PinoLogger;
    readonly level: LogLevel;
    /** The call's time, from the clock. */
    readonly at: number;
    readonly name: string;
    readonly subsys: string;
    readonly event: string;
    readonly msg: string;
    /**
     * A plain object's own values, copied in the call so the caller may reuse the object;
     * a nested object is read when its batch is written. Anything else is the caller's value.
     */
    readonly detail: unknown;
  }
  let queue: Queued[] = [];
  let batchTimer: { cancel(): void } | undefined;

  const emit = (q: Queued): void => {
    try {
      const ts = new Date(q.at).toISOString();
      const label = LABELS[q.level];
      const record = { event: String(q.event), detail: sanitizer.detail(q.detail) };
      const text = sanitizer.message(q.msg);
      currentLabel = label;
      currentTs = ts;
      if (consoleSink !== undefined) {
        pendingRecord = {
          ts,
          level: label,
          name: q.name,
          subsys: q.subsys,
          ...record,
          msg: consolePrefix + text,
        };
      }
      q.target[q.level](record, text);
    } catch {
      // A record that cannot be built (a Proxy that throws on every access) is lost;
      // the caller must never see logging fail.
      try {
        metrics.logRecord(q.level, 'dropped');
      } catch {
        // Best effort, as everywhere in metrics.
      }
    } finally {
      pendingRecord = undefined;
    }
  };

  /** Hands every queued record to the sinks, in the order they were made; the console gets one write. */
  const drain = (): void => {
    batchTimer?.cancel();
    batchTimer = undefined;
    if (queue.length === 0) return;
    consoleSink?.cork();
    try {
      while (queue.length > 0) {
        const batch = queue;
        queue = [];
        for (const q of batch) emit(q);
      }
    } finally {
      consoleSink?.uncork();
    }
  };

  const makeLogger = (name: string, subsys: string, target: PinoLogger): Logger => {
    const log = (recordLevel: LogLevel, event: string, msg: string, detail?: LogDetail): void => {
      if (!target.isLevelEnabled(recordLevel)) return;
      let held: unknown = detail;
      try {
        if (
          typeof detail === 'object' &&
          detail !== null &&
          Object.getPrototypeOf(detail) === Object.prototype
        )
          held = { ...detail };
      } catch {
        // A throwing getter or proxy: the sanitiser reads the object itself and keeps what it can.
      }
      const q: Queued = {
        target,
        level: recordLevel,
        at: clock.now(),
        name,
        subsys,
        event,
        msg,
        detail: held,
      };
      if (flushMs === 0 || LEVEL_NUMBERS[recordLevel] >= AT_ONCE) {
        drain();
        emit(q);
        return;
      }
      queue.push(q);
      if (queue.length >= MAX_QUEUED) drain();
      else batchTimer ??= clock.setTimeout(drain, flushMs, { unref: true });
    };
    return {
      child(bindings) {
        const childName = bindings.name === undefined ? name : qualify(bindings.name);
        const childSubsys = bindings.subsys ?? subsys;
        return makeLogger(childName, childSubsys, base.child({ name: childName, subsys: childSubsys }));
      },
      debug: (event, msg, detail) => log('debug', event, msg, detail),
      info: (event, msg, detail) => log('info', event, msg, detail),
      warning: (event, msg, detail) => log('warning', event, msg, detail),
      error: (event, msg, detail) => log('error', event, msg, detail),
      critical: (event, msg, detail) => log('critical', event, msg, detail),
    };
  };

  const logger = makeLogger(rootName, 'core', base.child({ name: rootName, subsys: 'core' }));
  internal = logger.child({ name: 'logging', subsys: 'logging' });

  return {
    logger,
    addSecret: (value) => redactor.add(value),
    redact: (text) => redactor.redact(text),
    enforce() {
      const consoleCheck: SinkCheck = consoleSink?.check() ?? {
        ok: false,
        problem: 'console: the console sink is turned off, only the JSON sink logs',
      };
      const fileCheck = fileSink.check();
      const report: EnforcerReport = {
        ok: consoleCheck.ok && fileCheck.ok,
        console: consoleCheck,
        file: fileCheck,
      };
      if (report.ok) {
        internal?.info('logging_enforced', `Logging ready: console and JSON sink ${file}`, {
          level,
          file,
          color,
          rotation_max_bytes: rotation.maxBytes ?? null,
          rotation_daily: rotation.daily === true,
          rotation_keep: rotation.keep,
        });
      }
      for (const [sink, check] of [
        ['console', consoleCheck],
        ['file', fileCheck],
      ] as const) {
        if (check.ok) continue;
        internal?.warning('logging_degraded', check.problem ?? `${sink} sink unavailable`, {
          sink,
          problem: check.problem ?? null,
        });
      }
      return report;
    },
    fileSinkState: () => fileSink.status(),
    checkFileSink: () => fileSink.check(),
    reopen: () => fileSink.reopen(),
    setLevel(next) {
      if (!LOG_LEVELS.includes(next))
        throw new RangeError(`logging: level must be one of ${LOG_LEVELS.join(', ')}`);
      base.level = next;
    },
    async flush() {
      drain();
      fileSink.flushSync();
      await consoleSink?.flush();
    },
    flushSync() {
      drain();
      fileSink.flushSync();
    },
    async close() {
      drain();
      fileSink.flushSync();
      await consoleSink?.flush();
      fileSink.close();
      consoleSink?.detach();
    },
  };
}
