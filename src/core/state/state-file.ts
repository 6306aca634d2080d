import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AlertEngineState } from '../alerts/types.ts';
import type { Clock, Timer } from '../clock.ts';
import type { Logger } from '../logging/logger.ts';
import type { StartupReport } from '../startup/types.ts';
import { parsePersistedState } from './parse-state.ts';

/** What the bot keeps across restarts, as written to `OBS_STATE_FILE`. */
export interface PersistedState {
  readonly version: 1;
  /** ISO 8601 UTC. */
  readonly saved_at: string;
  readonly alerts: AlertEngineState;
  /** The last starts, oldest first. */
  readonly startups: readonly StartupReport[];
}

export interface StateFileOptions {
  readonly file: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** What to write: the state as it is now. */
  readonly snapshot: () => PersistedState;
  /**
   * How long a change waits for others before the file is written, so a burst of changes
   * is one write.
   * @default 1000
   */
  readonly debounceMs?: number;
  /** Told when writing fails (`degraded`) and works again (`ready`), for the health registry. */
  readonly onHealth?: (state: 'ready' | 'degraded', note: string) => void;
}

export interface StateFile {
  /**
   * Reads the file once, at start. A missing file is noted; an unreadable one or one that
   * does not parse is logged, moved aside (`<file>.corrupt`) and replaced by the next
   * write: never fatal, the bot then starts with empty state.
   */
  load(): PersistedState | undefined;
  /** Something changed: the file is written after the debounce. */
  changed(): void;
  /** Writes at once when something changed since the last write (at shutdown). */
  flush(): Promise<void>;
  /** Flushes, then stops: later changes are not written. */
  close(): Promise<void>;
}

/** Where the state is kept unless told otherwise (`OBS_STATE_FILE`), and how long a change waits for others. */
export const STATE_FILE_DEFAULTS = { file: 'data/state.json', debounceMs: 1000 } as const satisfies Required<
  Pick<StateFileOptions, 'file' | 'debounceMs'>
>;
const DEFAULTS = STATE_FILE_DEFAULTS;

const code = (error: unknown): string | undefined => (error as { code?: unknown } | null)?.code as string;

/**
 * The state file: read once at start, written atomically (a temporary file in the same
 * folder, synced, then renamed over the old one, so a crash mid-write leaves the previous
 * file whole) and debounced. Writes never overlap; a failure is logged once per streak.
 */
export function createStateFile(options: StateFileOptions): StateFile {
  const { file, clock } = options;
  const log = options.log.child({ name: 'bot.state', subsys: 'state' });
  const debounceMs = options.debounceMs ?? DEFAULTS.debounceMs;
  if (!(debounceMs >= 0)) throw new Error(`debounceMs must be 0 or more (got ${debounceMs})`);
  const temporary = `${file}.${process.pid}.tmp`;
  let dirty = false;
  let timer: Timer | undefined;
  let writing: Promise<void> | undefined;
  let failing = false;
  let closed = false;

  const health = (state: 'ready' | 'degraded', note: string): void => {
    try {
      options.onHealth?.(state, note);
    } catch (error) {
      log.error('state_file_health_hook_failed', 'The state file health hook failed', { error });
    }
  };

  const writeOnce = async (): Promise<void> => {
    dirty = false;
    const text = `${JSON.stringify(options.snapshot())}\n`;
    try {
      await mkdir(dirname(file), { recursive: true });
      const handle = await open(temporary, 'w', 0o600);
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, file);
      if (failing) {
        failing = false;
        log.info('state_file_recovered', `The state file ${file} is written again`, { file });
        health('ready', 'state file written');
      }
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => {});
      // What was not written is still to write.
      dirty = true;
      if (!failing) {
        failing = true;
        log.error(
          'state_file_write_failed',
          `Could not write the state file ${file}; retrying on the next change`,
          {
            file,
            code: code(error) ?? null,
            error,
          },
        );
        health('degraded', `cannot write ${file}`);
      }
    }
  };

  /** Writes until nothing is left to write, one write at a time. */
  const write = (): Promise<void> => {
    writing ??= (async () => {
      try {
        do await writeOnce();
        while (dirty && !failing);
      } finally {
        writing = undefined;
      }
    })();
    return writing;
  };

  const moveAside = (reason: string, error?: unknown): void => {
    const aside = `${file}.corrupt`;
    try {
      renameSync(file, aside);
    } catch {
      // Unreadable and unmovable: the next write replaces it, or says why it cannot.
    }
    log.warning(
      'state_file_corrupt',
      `The state file ${file} is unusable (${reason}); starting with empty state`,
      {
        file,
        moved_to: aside,
        reason,
        ...(error === undefined ? {} : { error }),
      },
    );
  };

  return {
    load() {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        if (code(error) === 'ENOENT') {
          log.info('state_file_absent', `No state file at ${file} yet: starting with empty state`, { file });
          try {
            mkdirSync(dirname(file), { recursive: true });
          } catch {
            // The first write says why, if it cannot.
          }
          return undefined;
        }
        log.warning(
          'state_file_unreadable',
          `Cannot read the state file ${file}; starting with empty state`,
          {
            file,
            code: code(error) ?? null,
            error,
          },
        );
        return undefined;
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        moveAside('not JSON', error);
        return undefined;
      }
      const parsed = parsePersistedState(json);
      if (!parsed.ok) {
        moveAside(parsed.problem);
        return undefined;
      }
      if (parsed.dropped > 0) {
        log.warning('state_file_entries_dropped', `Dropped ${parsed.dropped} malformed entries of ${file}`, {
          file,
          dropped: parsed.dropped,
        });
      }
      log.info('state_file_loaded', `State loaded from ${file}`, {
        file,
        saved_at: parsed.state.saved_at,
        silences: parsed.state.alerts.silences.length,
        episodes: parsed.state.alerts.episodes.length,
      });
      return parsed.state;
    },

    changed() {
      if (closed) return;
      dirty = true;
      if (timer !== undefined) return;
      timer = clock.setTimeout(
        () => {
          timer = undefined;
          void write();
        },
        debounceMs,
        { unref: true },
      );
    },

    async flush() {
      timer?.cancel();
      timer = undefined;
      if (writing !== undefined) await writing;
      if (dirty) await write();
    },

    async close() {
      await this.flush();
      closed = true;
    },
  };
}
