import {
  type BigIntStats,
  closeSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { createBackoff } from '../backoff.ts';
import type { Clock } from '../clock.ts';
import { describeFsError, fsErrorCode } from './describe-fs-error.ts';
import { rotateFiles } from './file-rotation.ts';
import type { LogLevel } from './logger.ts';

export type SinkState = 'ready' | 'degraded';

/** The result of checking one sink. */
export interface SinkCheck {
  readonly ok: boolean;
  /** Why the sink is off, precise enough to act on; absent when `ok`. */
  readonly problem?: string;
}

/** When the JSON file is rotated. */
export interface RotationOptions {
  /** Rotate before a write would take the file past this many bytes. */
  readonly maxBytes?: number;
  /** Rotate at the first write of a new UTC day. */
  readonly daily?: boolean;
  /** Rotated files kept (`bot.1.jsonl` newest … `bot.<keep>.jsonl` oldest); older ones are deleted. */
  readonly keep: number;
}

export interface FileSinkStatus {
  readonly state: SinkState;
  readonly path: string;
  /** `ENOSPC: no space left on device`, while degraded. */
  readonly error?: string;
  /** The errno code, while degraded. */
  readonly code?: string;
  /** Records lost since the sink degraded (reset on recovery). */
  readonly dropped: number;
  /** Records lost since the sink was created. */
  readonly droppedTotal: number;
  /** When the sink degraded (clock ms), while degraded. */
  readonly since?: number;
}

/** A state change: `degraded` after a failure, `ready` after a recovery (with what was lost meanwhile). */
export interface FileSinkTransition {
  readonly state: SinkState;
  readonly path: string;
  readonly error?: string;
  readonly code?: string;
  /** On recovery: records lost while degraded. */
  readonly dropped: number;
  /** On recovery: how long the sink was down, in ms. */
  readonly downMs: number;
}

/**
 * Why the sink reopened its file: `requested` ({@link FileSink.reopen}, e.g. on SIGHUP
 * after logrotate), `missing` (the path names no file: moved away or deleted) or
 * `replaced` (the path names another file: moved away and recreated, as logrotate's
 * `create` does).
 */
export type ReopenReason = 'requested' | 'missing' | 'replaced';

export interface FileSinkReopen {
  readonly path: string;
  readonly reason: ReopenReason;
}

export interface FileSinkOptions {
  readonly path: string;
  readonly rotation?: RotationOptions;
  readonly clock: Clock;
  /** Called once per record with its fate in this sink. */
  readonly onRecord?: (level: LogLevel, outcome: 'written' | 'dropped') => void;
  /** Called (from a microtask, never inside a write) when the sink degrades or recovers. */
  readonly onTransition?: (transition: FileSinkTransition) => void;
  /**
   * Called right after the file was reopened at the path (never inside a write), so a
   * record logged from it is the new file's first line.
   */
  readonly onReopen?: (reopen: FileSinkReopen) => void;
  /**
   * Called before the open file is written out and closed for a reopen, so a writer that
   * holds records back hands them over first: they go to the file open when they were made.
   */
  readonly beforeReopen?: () => void;
  /**
   * How often the path is compared with the open file (one `stat`), so a file moved away
   * or deleted by hand or by logrotate is followed within this long, without a signal.
   * 0 turns it off (the health check and {@link FileSink.reopen} still follow it).
   * @default 1000
   */
  readonly watchIntervalMs?: number;
  /**
   * First wait after a failure before the file is reopened; doubles per failed retry.
   * @default 1000
   */
  readonly retryInitialMs?: number;
  /**
   * Longest wait between retries.
   * @default 60000
   */
  readonly retryMaxMs?: number;
  /**
   * Buffered bytes that force an immediate write instead of waiting for the next turn of the event loop.
   * @default 65536
   */
  readonly maxPendingBytes?: number;
}

const DEFAULTS = {
  retryInitialMs: 1000,
  retryMaxMs: 60_000,
  maxPendingBytes: 64 * 1024,
  watchIntervalMs: 1000,
} as const satisfies Partial<FileSinkOptions>;

/**
 * The JSON-lines file. Records are buffered and written in one synchronous
 * `write(2)` per turn of the event loop (so a log call never does I/O and
 * `flushSync` can finish the job on an exit path). A failure (ENOSPC, EACCES,
 * EROFS, a vanished folder…) never throws to the caller: the sink degrades,
 * drops and counts records, and after a backoff from the injected clock
 * reopens the file on the next write; the first successful write recovers it.
 * A batch that fails half-way is truncated back so no partial line remains.
 *
 * It follows its path: once a second (one `stat`) and on every check it compares
 * the path with the open file, and when the file was moved away, deleted or
 * replaced (logrotate's `create`) it reopens the path; {@link FileSink.reopen}
 * does the same at once (SIGHUP). Its own rotation reopens the file in the same
 * synchronous step, so the two never meet.
 *
 * Not pino-roll: it writes to numbered files only (never to the exact
 * `LOG_FILE` path that `jq` queries read), times rotation with the real
 * clock, is built asynchronously, and leaves a failed write to SonicBoom's
 * `error` event with no drop accounting, backoff or recovery.
 */
export interface FileSink {
  readonly path: string;
  write(line: string, level: LogLevel): void;
  /** Writes everything buffered, synchronously; for exit paths. */
  flushSync(): void;
  status(): FileSinkStatus;
  /**
   * Checks the file can be written now: reopens the path when it names another file
   * than the open one, or at once when degraded.
   */
  check(): SinkCheck;
  /**
   * Writes what is buffered to the open file, closes it and opens the path again: for
   * logrotate's `postrotate` signal. When degraded, the next write retries at once.
   */
  reopen(): void;
  close(): void;
}

interface PendingRecord {
  readonly line: string;
  readonly level: LogLevel;
}

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function createFileSink(options: FileSinkOptions): FileSink {
  const { path, clock } = options;
  const retryInitialMs = options.retryInitialMs ?? DEFAULTS.retryInitialMs;
  const retryMaxMs = options.retryMaxMs ?? DEFAULTS.retryMaxMs;
  const maxPendingBytes = options.maxPendingBytes ?? DEFAULTS.maxPendingBytes;
  const watchIntervalMs = options.watchIntervalMs ?? DEFAULTS.watchIntervalMs;
  const rotation = options.rotation;
  if (typeof path !== 'string' || path === '')
    throw new TypeError('file sink: path must be a non-empty string');
  if (rotation !== undefined) {
    if (!Number.isInteger(rotation.keep) || rotation.keep < 0) {
      throw new RangeError(`file sink: rotation.keep must be an integer >= 0, got ${rotation.keep}`);
    }
    if (rotation.maxBytes !== undefined && !(Number.isInteger(rotation.maxBytes) && rotation.maxBytes > 0)) {
      throw new RangeError(
        `file sink: rotation.maxBytes must be a positive integer, got ${rotation.maxBytes}`,
      );
    }
  }
  if (!(retryInitialMs > 0 && retryMaxMs >= retryInitialMs)) {
    throw new RangeError('file sink: retryMaxMs must be >= retryInitialMs > 0');
  }
  // Without jitter: one process's one file, nothing to desynchronise.
  const reopenDelays = createBackoff({ baseMs: retryInitialMs, maxMs: retryMaxMs, jitter: 0 });
  if (!(Number.isInteger(watchIntervalMs) && watchIntervalMs >= 0)) {
    throw new RangeError(`file sink: watchIntervalMs must be an integer >= 0, got ${watchIntervalMs}`);
  }
  const onRecord = options.onRecord ?? (() => {});

  let fd: number | undefined;
  /** The open file's identity, to tell whether the path still names it. */
  let openedIno = 0n;
  let openedDev = 0n;
  let size = 0;
  let openedDay = '';
  let pending: PendingRecord[] = [];
  let pendingBytes = 0;
  let scheduled = false;
  let closed = false;
  let state: SinkState = 'ready';
  let error: string | undefined;
  let code: string | undefined;
  let since = 0;
  /** Failed reopens in a row: the backoff's attempt number. */
  let failures = 0;
  let recoveredAt = Number.NEGATIVE_INFINITY;
  let retryAt = 0;
  let dropped = 0;
  let droppedTotal = 0;

  const notify = (transition: FileSinkTransition): void => {
    const listener = options.onTransition;
    if (listener === undefined) return;
    queueMicrotask(() => {
      try {
        listener(transition);
      } catch {
        // A listener's failure must not take the sink down; it has no one else to tell.
      }
    });
  };

  const open = (): void => {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (err) {
      // A file where a folder should be: let open() name it precisely (ENOTDIR) instead of EEXIST.
      if (fsErrorCode(err) !== 'EEXIST') throw err;
    }
    const opened = openSync(path, 'a');
    try {
      const stats = fstatSync(opened, { bigint: true });
      size = Number(stats.size);
      openedIno = stats.ino;
      openedDev = stats.dev;
    } catch (err) {
      closeSync(opened);
      throw err;
    }
    fd = opened;
    openedDay = utcDay(clock.now());
  };

  const closeFd = (): void => {
    if (fd === undefined) return;
    const current = fd;
    fd = undefined;
    try {
      closeSync(current);
    } catch {
      // Closing a descriptor whose disk is gone can fail too; the descriptor is released regardless.
    }
  };

  const drop = (records: readonly PendingRecord[]): void => {
    for (const record of records) onRecord(record.level, 'dropped');
    dropped += records.length;
    droppedTotal += records.length;
  };

  const fail = (cause: unknown, lost: readonly PendingRecord[]): void => {
    closeFd();
    drop(lost);
    error = describeFsError(cause);
    code = fsErrorCode(cause);
    if (state === 'ready') {
      state = 'degraded';
      since = clock.now();
      // A sink that fails again soon after recovering keeps its longer backoff, so a flapping
      // disk cannot turn into a stream of degraded/recovered records.
      failures = since - recoveredAt < retryMaxMs ? failures + 1 : 1;
      notify({
        state,
        path,
        error,
        ...(code === undefined ? {} : { code }),
        dropped: lost.length,
        downMs: 0,
      });
    } else {
      failures += 1;
    }
    retryAt = clock.now() + reopenDelays.delay(failures);
  };

  const recovered = (): void => {
    if (state === 'ready') return;
    const transition: FileSinkTransition = { state: 'ready', path, dropped, downMs: clock.now() - since };
    state = 'ready';
    recoveredAt = clock.now();
    error = undefined;
    code = undefined;
    dropped = 0;
    notify(transition);
  };

  const writeChunk = (records: readonly PendingRecord[], text: string): void => {
    if (fd === undefined) open();
    const buffer = Buffer.from(text);
    let offset = 0;
    try {
      while (offset < buffer.length) offset += writeSync(fd as number, buffer, offset);
    } catch (err) {
      // Cut off the part of this chunk that did land, so no half line is left to break a reader.
      try {
        if (offset > 0 && fd !== undefined) ftruncateSync(fd, fstatSync(fd).size - offset);
      } catch {
        // Devices and some filesystems cannot truncate; a partial line is then all that is left.
      }
      throw err;
    }
    size += buffer.length;
    for (const record of records) onRecord(record.level, 'written');
  };

  const rotate = (): void => {
    closeFd();
    if (rotation !== undefined) rotateFiles(path, rotation.keep);
    open();
  };

  const flushNow = (): void => {
    scheduled = false;
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    pendingBytes = 0;
    let chunk: PendingRecord[] = [];
    let text = '';
    let textBytes = 0;
    let done = 0;
    try {
      if (fd === undefined) open();
      if (rotation?.daily === true && size > 0 && utcDay(clock.now()) !== openedDay) rotate();
      for (const record of batch) {
        const bytes = Buffer.byteLength(record.line);
        const limit = rotation?.maxBytes;
        if (limit !== undefined && size + textBytes > 0 && size + textBytes + bytes > limit) {
          if (chunk.length > 0) writeChunk(chunk, text);
          done += chunk.length;
          chunk = [];
          text = '';
          textBytes = 0;
          if (size > 0) rotate();
        }
        chunk.push(record);
        text += record.line;
        textBytes += bytes;
      }
      writeChunk(chunk, text);
      done += chunk.length;
      recovered();
    } catch (err) {
      fail(err, batch.slice(done));
    }
  };

  /**
   * Writes what is buffered to the open file (records belong to the file they were
   * logged for), then closes it and opens the path again, and says so before anything
   * else can be logged, so the reopen is the new file's first line.
   */
  const reopenAt = (reason: ReopenReason): void => {
    try {
      options.beforeReopen?.();
    } catch {
      // A writer's failure must not keep the file from being followed.
    }
    flushNow();
    // A failed flush degraded the sink; its retry opens the path anyway.
    if (state !== 'ready') return;
    closeFd();
    try {
      open();
    } catch (err) {
      fail(err, []);
      return;
    }
    try {
      options.onReopen?.({ path, reason });
    } catch {
      // A listener's failure must not take the sink down.
    }
  };

  /**
   * Reopens the path when it no longer names the open file (moved away, deleted or
   * replaced, by hand or by logrotate). One `stat`; the sink's own rotation never
   * trips it, as it reopens the file in the same synchronous step.
   */
  const follow = (): void => {
    if (closed || state !== 'ready' || fd === undefined) return;
    let named: BigIntStats;
    try {
      named = statSync(path, { bigint: true });
    } catch (err) {
      if (fsErrorCode(err) === 'ENOENT') reopenAt('missing');
      else fail(err, []);
      return;
    }
    if (named.ino !== openedIno || named.dev !== openedDev) {
      reopenAt('replaced');
      return;
    }
    // Still ours; a `copytruncate` may have emptied it, which size rotation must know.
    size = Number(named.size);
  };

  // Open now so the first record does not pay for it and a bad path shows at once.
  try {
    open();
  } catch (err) {
    fail(err, []);
  }
  const watch = watchIntervalMs > 0 ? clock.setInterval(follow, watchIntervalMs, { unref: true }) : undefined;

  return {
    path,
    write(line, level) {
      if (closed || (state === 'degraded' && clock.now() < retryAt)) {
        drop([{ line, level }]);
        return;
      }
      pending.push({ line, level });
      pendingBytes += line.length;
      if (pendingBytes >= maxPendingBytes) flushNow();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flushNow);
      }
    },
    flushSync: flushNow,
    status() {
      return {
        state,
        path,
        ...(error === undefined ? {} : { error }),
        ...(code === undefined ? {} : { code }),
        dropped,
        droppedTotal,
        ...(state === 'degraded' ? { since } : {}),
      };
    },
    check() {
      if (closed) return { ok: false, problem: `${path}: the JSON sink is closed` };
      follow();
      flushNow();
      if (state === 'ready' && fd !== undefined) return { ok: true };
      try {
        closeFd();
        open();
        if (state === 'degraded') {
          // Opening is not writing (a full disk opens fine): declaring a recovery here would
          // flap degraded/ready on every check. The next write may try at once instead, and
          // only its success recovers the sink.
          retryAt = 0;
          return {
            ok: false,
            problem: `${path}: ${error ?? 'not writable'}, the JSON sink is off, console logging continues`,
          };
        }
        return { ok: true };
      } catch (err) {
        fail(err, []);
        return {
          ok: false,
          problem: `${path}: ${describeFsError(err)}, the JSON sink is off, console logging continues`,
        };
      }
    },
    reopen() {
      if (closed) return;
      if (state === 'degraded') {
        // The file is already closed; let the next write try the path now instead of after the backoff.
        retryAt = 0;
        return;
      }
      reopenAt('requested');
    },
    close() {
      if (closed) return;
      flushNow();
      closed = true;
      watch?.cancel();
      closeFd();
    },
  };
}
