import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { QuotedLogRecord } from '../alerts/types.ts';

/** The event each run logs first; what comes after the last one is that run's. */
export const RUN_STARTED_EVENT = 'run_started';
const SHUTDOWN_COMPLETE = 'shutdown_complete';
/** Older logs had no run marker: the start of the startup then marks a run. */
const FALLBACK_MARKER = 'startup_begin';

/** How the run before this one ended, as its JSON log tells it. */
export interface PreviousRun {
  /** It logged `shutdown_complete`: a clean stop. */
  readonly clean: boolean;
  /** When it logged its first record (its start), ISO 8601 UTC; null when the log does not reach back that far. */
  readonly started_at: string | null;
  /** When it logged its last record, ISO 8601 UTC. */
  readonly last_record_at: string | null;
  /** Its last ERROR or CRITICAL record, if any. */
  readonly last_error: QuotedLogRecord | null;
}

export interface ReadPreviousRunOptions {
  /** How much of the end of the file is read. @default 4 MiB */
  readonly maxBytes?: number;
}

const DEFAULTS = { maxBytes: 4 * 1024 * 1024 } as const satisfies Required<ReadPreviousRunOptions>;

interface Line {
  readonly ts: string;
  readonly level: string;
  readonly event: string;
  readonly msg: string;
}

function parse(line: string): Line | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const r = JSON.parse(line) as Record<string, unknown>;
    if (typeof r.event !== 'string' || typeof r.ts !== 'string') return undefined;
    return {
      ts: r.ts,
      level: typeof r.level === 'string' ? r.level : '',
      event: r.event,
      msg: typeof r.msg === 'string' ? r.msg : '',
    };
  } catch {
    return undefined;
  }
}

function tail(file: string, maxBytes: number): { text: string; cut: boolean } | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return { text: buffer.toString('utf8'), cut: length < size };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads the end of the JSON log to tell how the previous run ended: clean when it logged
 * `shutdown_complete`, otherwise it crashed or was killed, and its last error record says
 * what it was doing. Undefined when there is no log or no run in it (a first start).
 * Call it before this run writes to the file.
 */
export function readPreviousRun(file: string, options: ReadPreviousRunOptions = {}): PreviousRun | undefined {
  const read = tail(file, options.maxBytes ?? DEFAULTS.maxBytes);
  if (read === undefined) return undefined;
  const raw = read.text.split('\n');
  // The first line of a cut read is a partial record.
  if (read.cut) raw.shift();
  const lines = raw.flatMap((l) => {
    const parsed = parse(l.trim());
    return parsed === undefined ? [] : [parsed];
  });
  if (lines.length === 0) return undefined;
  let from = lines.findLastIndex((l) => l.event === RUN_STARTED_EVENT);
  if (from < 0) from = lines.findLastIndex((l) => l.event === FALLBACK_MARKER);
  const run = lines.slice(Math.max(0, from));
  const lastError = run.findLast((l) => l.level === 'ERROR' || l.level === 'CRITICAL');
  return {
    clean: run.some((l) => l.event === SHUTDOWN_COMPLETE),
    started_at: from >= 0 ? (run[0]?.ts ?? null) : null,
    last_record_at: run.at(-1)?.ts ?? null,
    last_error:
      lastError === undefined
        ? null
        : {
            ts: lastError.ts,
            level: lastError.level,
            event: lastError.event,
            msg: lastError.msg.slice(0, 1000),
          },
  };
}
