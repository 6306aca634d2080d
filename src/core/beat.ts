import { performance } from 'node:perf_hooks';

/** The beat's period, ms: a background interval that is a whole number of beats rides on it. */
export const BEAT_MS = 100;

/** One timer that runs every background interval due at each tick. */
export interface Beat {
  /**
   * Runs `fn` every `ms` (a whole number of beats), at the tick nearest each due time (within
   * half a beat while the loop keeps time), with no drift over many periods. The returned
   * function stops it.
   */
  add(fn: () => void, ms: number): () => void;
  /** Intervals running on the beat. */
  readonly size: number;
}

export interface BeatOptions {
  /** Monotonic time in ms. @default performance.now */
  readonly now?: () => number;
  /** Starts the one repeating timer; the returned function stops it. @default an unref'd setInterval */
  readonly repeat?: (fn: () => void, ms: number) => () => void;
  /** Where an interval's exception goes, so the others still run. @default rethrown from a microtask (uncaught, as from a timer of its own) */
  readonly onError?: (error: unknown) => void;
}

interface Rider {
  readonly fn: () => void;
  readonly ms: number;
  next: number;
}

const unrefInterval = (fn: () => void, ms: number): (() => void) => {
  const handle = setInterval(fn, ms);
  handle.unref();
  return () => clearInterval(handle);
};

const rethrow = (error: unknown): void => {
  queueMicrotask(() => {
    throw error;
  });
};

/**
 * Background intervals sharing one timer. Waking an idle process costs far more CPU than
 * most watchers' own work (60–120 µs a wake-up on a small VM), and each interval of its own
 * wakes the process at its own moments: the event-loop probe (10 a second), the liveness
 * watchdog, the task watchdog, the log file's watch and the no-data check came to 15
 * wake-ups a second. On the beat they come to 10: each tick runs every interval that is due.
 * The timer runs only while some interval rides on it.
 */
export function createBeat(options: BeatOptions = {}): Beat {
  const now = options.now ?? (() => performance.now());
  const repeat = options.repeat ?? unrefInterval;
  const onError = options.onError ?? rethrow;
  const riders = new Set<Rider>();
  let stop: (() => void) | undefined;

  const tick = (): void => {
    const at = now();
    for (const rider of [...riders]) {
      // One cancelled by an earlier one in this tick does not run.
      if (!riders.has(rider) || at < rider.next - BEAT_MS / 2) continue;
      // The next due time follows the schedule, not this tick's lateness, so periods do not
      // drift; after a stall longer than a period the missed runs are not made up.
      rider.next = rider.next + rider.ms > at ? rider.next + rider.ms : at + rider.ms;
      try {
        rider.fn();
      } catch (error) {
        onError(error);
      }
    }
  };

  return {
    add(fn, ms) {
      if (!onBeat(ms)) {
        throw new RangeError(`beat: an interval must be a whole number of ${BEAT_MS} ms beats, got ${ms}`);
      }
      const rider: Rider = { fn, ms, next: now() + ms };
      riders.add(rider);
      stop ??= repeat(tick, BEAT_MS);
      return () => {
        if (!riders.delete(rider) || riders.size > 0) return;
        stop?.();
        stop = undefined;
      };
    },
    get size() {
      return riders.size;
    },
  };
}

/** The process's beat, shared by the system clock's background intervals and the event-loop probe. */
export const processBeat: Beat = createBeat();

/** True when an interval of `ms` can ride on the beat. */
export function onBeat(ms: number): boolean {
  return ms >= BEAT_MS && Number.isInteger(ms / BEAT_MS);
}
