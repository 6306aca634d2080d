import { performance } from 'node:perf_hooks';

/** The beat's grid, ms: an interval that is a whole number of beats can ride on it. */
export const BEAT_MS = 100;

/** How early an interval may run to share a wake-up with one due a little before it, ms. */
const EARLY_MS = BEAT_MS / 2;

/** One timer that runs every background interval due when it fires. */
export interface Beat {
  /**
   * Runs `fn` every `ms` (a whole number of beats), at the multiples of `ms` on the process's
   * monotonic clock, so intervals whose periods divide one another run in the same wake-up.
   * The first run comes between half a period and one and a half periods from now; a run is
   * never more than half a beat early, and after a stall the missed runs are not made up.
   * `fn` gets the time the run was due (monotonic ms). The returned function stops it.
   */
  add(fn: (dueAt: number) => void, ms: number): () => void;
  /** Intervals running on the beat. */
  readonly size: number;
}

export interface BeatOptions {
  /** Monotonic time in ms. @default performance.now */
  readonly now?: () => number;
  /** Arms the one timer for `ms` from now; the returned function disarms it. @default an unref'd setTimeout */
  readonly arm?: (fn: () => void, ms: number) => () => void;
  /** Where an interval's exception goes, so the others still run. @default rethrown from a microtask (uncaught, as from a timer of its own) */
  readonly onError?: (error: unknown) => void;
}

interface Rider {
  readonly fn: (dueAt: number) => void;
  readonly ms: number;
  next: number;
}

const unrefTimeout = (fn: () => void, ms: number): (() => void) => {
  const handle = setTimeout(fn, ms);
  handle.unref();
  return () => clearTimeout(handle);
};

const rethrow = (error: unknown): void => {
  queueMicrotask(() => {
    throw error;
  });
};

/** True when an interval of `ms` can ride on the beat. */
export function onBeat(ms: number): boolean {
  return ms >= BEAT_MS && Number.isInteger(ms / BEAT_MS);
}

/**
 * Background intervals sharing one timer. Waking an idle process costs far more CPU than
 * most watchers' own work (60–120 µs a wake-up on a small VM), and intervals of their own
 * wake it each at its own moments: the event-loop probe (10 a second), the liveness
 * watchdog, the task watchdog, the log file's watch and the no-data check came to 15
 * wake-ups a second. On the beat they come to 10, and to 2 without the probe: every run
 * falls on a multiple of its period, and the timer fires only when some run is due.
 */
export function createBeat(options: BeatOptions = {}): Beat {
  const now = options.now ?? (() => performance.now());
  const arm = options.arm ?? unrefTimeout;
  const onError = options.onError ?? rethrow;
  const riders = new Set<Rider>();
  let disarm: (() => void) | undefined;
  /** When the armed timer is due (monotonic ms). */
  let armedFor = Number.POSITIVE_INFINITY;

  const rearm = (): void => {
    let first = Number.POSITIVE_INFINITY;
    for (const rider of riders) if (rider.next < first) first = rider.next;
    if (first === armedFor) return;
    disarm?.();
    disarm = undefined;
    armedFor = first;
    // A whole number of ms: Node keeps one timer list per duration, so a beat re-armed for the
    // same 100 ms every tick reuses its list instead of making and dropping one per tick.
    if (first !== Number.POSITIVE_INFINITY) disarm = arm(tick, Math.max(1, Math.round(first - now())));
  };

  function tick(): void {
    disarm = undefined;
    armedFor = Number.POSITIVE_INFINITY;
    const at = now();
    // A Set's iteration skips a rider an earlier one stopped in this tick; one added in it
    // is first due at least half a period ahead, so it does not run early.
    for (const rider of riders) {
      if (rider.next > at + EARLY_MS) continue;
      const dueAt = rider.next;
      // The next multiple of the period still ahead: runs missed in a stall are not made up.
      rider.next += rider.ms * Math.max(1, Math.ceil((at + EARLY_MS - rider.next) / rider.ms));
      try {
        rider.fn(dueAt);
      } catch (error) {
        onError(error);
      }
    }
    rearm();
  }

  return {
    add(fn, ms) {
      if (!onBeat(ms)) {
        throw new RangeError(`beat: an interval must be a whole number of ${BEAT_MS} ms beats, got ${ms}`);
      }
      const rider: Rider = { fn, ms, next: Math.ceil((now() + ms / 2) / ms) * ms };
      riders.add(rider);
      rearm();
      return () => {
        if (!riders.delete(rider)) return;
        if (riders.size === 0) rearm();
      };
    },
    get size() {
      return riders.size;
    },
  };
}

/** The process's beat, shared by the system clock's background intervals and the event-loop probe. */
export const processBeat: Beat = createBeat();
