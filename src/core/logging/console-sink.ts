import { writeSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { Clock } from '../clock.ts';
import { errorMessage } from '../error-text.ts';
import { formatConsoleLine, type JsonLogRecord } from './console-format.ts';
import type { SinkCheck, SinkState } from './file-sink.ts';

export interface ConsoleSinkOptions {
  readonly stream: Writable;
  readonly color: boolean;
  readonly clock: Clock;
  /** Called (from a microtask) when the stream fails; the sink then stops writing to it. */
  readonly onDegraded?: (error: string) => void;
  /**
   * Bytes the stream may hold unwritten before new lines are dropped, so a
   * stuck reader cannot grow the heap without bound.
   * @default 4194304
   */
  readonly maxBufferedBytes?: number;
  /**
   * Longest wait in `flush()` for the stream to write what it holds.
   * @default 2000
   */
  readonly drainTimeoutMs?: number;
}

/** The console for people: each JSON line re-rendered by {@link formatConsoleLine}. */
export interface ConsoleSink {
  /** A JSON line, parsed then formatted. */
  write(line: string): void;
  /** A record already in hand: formatted without a parse. */
  writeRecord(record: JsonLogRecord): void;
  state(): SinkState;
  /** Holds the lines written from now on, to go out in one write at {@link ConsoleSink.uncork}. */
  cork(): void;
  /** Writes the lines held since {@link ConsoleSink.cork}, in one write. */
  uncork(): void;
  /** Lines dropped because the stream failed or stopped reading. */
  dropped(): number;
  check(): SinkCheck;
  /** Resolves once the stream has taken everything written (bounded by `drainTimeoutMs`). */
  flush(): Promise<void>;
  /** Stops listening to the stream (does not end it: stdout belongs to the process). */
  detach(): void;
}

export function createConsoleSink(options: ConsoleSinkOptions): ConsoleSink {
  const { stream, color, clock } = options;
  const maxBufferedBytes = options.maxBufferedBytes ?? 4 * 1024 * 1024;
  const drainTimeoutMs = options.drainTimeoutMs ?? 2000;
  // The process's own stdout or stderr is written with writeSync while the stream holds
  // nothing unwritten, skipping the stream's per-write bookkeeping; a write the descriptor
  // cannot take at once (EAGAIN), or its unwritten rest, goes through the stream, and later
  // lines follow it there until it has drained, so lines never change order.
  const fd = directFd(stream);
  let state: SinkState = 'ready';
  let problem: string | undefined;
  let dropped = 0;

  const degrade = (error: unknown): void => {
    if (state === 'degraded') return;
    state = 'degraded';
    problem = errorMessage(error);
    const listener = options.onDegraded;
    const reason = problem;
    if (listener !== undefined) {
      queueMicrotask(() => {
        try {
          listener(reason);
        } catch {
          // Nothing left to report a failing listener to.
        }
      });
    }
  };
  const onError = (error: unknown): void => degrade(error);
  stream.on('error', onError);

  const accepting = (): boolean => {
    if (state === 'degraded' || stream.destroyed || stream.writableLength > maxBufferedBytes) {
      dropped++;
      return false;
    }
    return true;
  };
  const emit = (text: string | Buffer): void => {
    try {
      stream.write(text);
    } catch (error) {
      degrade(error);
    }
  };
  let held: string[] | undefined;
  const output = (text: string): void => {
    if (held !== undefined) {
      held.push(text);
      return;
    }
    if (fd === undefined || stream.writableLength > 0) {
      emit(text);
      return;
    }
    const bytes = Buffer.from(text);
    let offset = 0;
    try {
      while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
    } catch (error) {
      // A descriptor that would block hands the rest to the stream, which waits for it.
      if ((error as { code?: unknown }).code === 'EAGAIN') emit(bytes.subarray(offset));
      else degrade(error);
    }
  };

  return {
    write(line) {
      if (!accepting()) return;
      let text: string;
      try {
        text = formatConsoleLine(JSON.parse(line) as JsonLogRecord, { color });
      } catch {
        text = line;
      }
      output(text);
    },
    writeRecord(record) {
      if (!accepting()) return;
      output(formatConsoleLine(record, { color }));
    },
    cork() {
      held ??= [];
    },
    uncork() {
      const lines = held;
      held = undefined;
      if (lines !== undefined && lines.length > 0) output(lines.join(''));
    },
    state: () => state,
    dropped: () => dropped,
    check() {
      if (state === 'degraded') return { ok: false, problem: `console: ${problem ?? 'stream failed'}` };
      if (stream.destroyed || stream.writable === false) {
        return { ok: false, problem: 'console: the stream is closed, console logging is off' };
      }
      return { ok: true };
    },
    flush() {
      // Everything the stream holds, not only what is over its high-water mark: a process that
      // exits once this resolves would lose the rest.
      if (state === 'degraded' || stream.destroyed || stream.writableLength === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = (): void => {
          timer.cancel();
          stream.off('close', done);
          resolve();
        };
        const timer = clock.setTimeout(done, drainTimeoutMs, { unref: true });
        stream.once('close', done);
        // A stream writes in order: this empty write's callback comes once all before it are written.
        try {
          stream.write('', () => done());
        } catch {
          done();
        }
      });
    },
    detach() {
      stream.off('error', onError);
    },
  };
}

/**
 * The descriptor behind the process's own stdout or stderr, where a synchronous write is
 * safe; none on Windows, where console pipes and terminals are asynchronous.
 */
function directFd(stream: Writable): number | undefined {
  if (process.platform === 'win32' || (stream !== process.stdout && stream !== process.stderr))
    return undefined;
  const fd = (stream as { fd?: unknown }).fd;
  return typeof fd === 'number' ? fd : undefined;
}
