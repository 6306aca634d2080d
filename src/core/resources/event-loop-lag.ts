import { performance } from 'node:perf_hooks';
import { onBeat, processBeat } from '../beat.ts';
import type { EventLoopLag } from './types.ts';

/** Options of {@link createEventLoopLagProbe}. */
export interface EventLoopLagProbeOptions {
  /**
   * How often the probe's timer is due, ms. A stall is seen once it holds up a due
   * tick, and read short by at most this much; each tick wakes an idle process once.
   * @default 100
   */
  readonly intervalMs?: number;
  /** Monotonic time in ms. @default performance.now */
  readonly now?: () => number;
  /**
   * Starts the repeating timer; the returned function stops it. A timer that passes each
   * tick the time it was due (on `now`'s clock) has its lateness read against that; one
   * that does not, against the previous tick. @default the process's beat (src/core/beat.ts)
   * when the interval is a whole number of beats, else an unref'd setInterval
   */
  readonly every?: (fn: (dueAt?: number) => void, ms: number) => () => void;
}

/** The event loop's delay over one window, ms. */
export interface EventLoopDelayStats extends EventLoopLag {
  /** Ticks in the window. */
  readonly count: number;
  readonly min: number;
  readonly stddev: number;
  readonly p50: number;
  readonly p90: number;
  /** How late the most recent tick ran (0 before the first). */
  readonly latest: number;
}

/** One reader's view of the probe: each read covers the time since its own previous read. */
export interface EventLoopLagWindow {
  /** The window since the previous read (or since this window opened); starts a new one. */
  read(): EventLoopDelayStats;
  /** Stops counting for this reader. */
  close(): void;
}

/** The event loop's delay, window by window. */
export interface EventLoopLagProbe {
  /** The probe's own window: how late its timer ran since the previous read, ms; starts a new window. */
  read(): EventLoopLag;
  /** A further reader with windows of its own, on the same timer. */
  window(): EventLoopLagWindow;
  /** Stops the timer. */
  close(): void;
}

const DEFAULTS = { intervalMs: 100 } as const satisfies Required<
  Pick<EventLoopLagProbeOptions, 'intervalMs'>
>;

/** Ticks kept for a window's percentiles: the most recent ones (at 100 ms, the last 400 s). */
const PERCENTILE_TICKS = 4096;

/** On the process's beat when the interval is a whole number of beats (the default is one beat). */
const backgroundInterval = (fn: (dueAt?: number) => void, ms: number): (() => void) => {
  if (onBeat(ms)) return processBeat.add(fn, ms);
  const handle = setInterval(fn, ms);
  handle.unref();
  return () => clearInterval(handle);
};

const EMPTY: EventLoopDelayStats = {
  count: 0,
  min: 0,
  max: 0,
  mean: 0,
  stddev: 0,
  p50: 0,
  p90: 0,
  p99: 0,
  latest: 0,
};

/** Running figures of one window: O(1) per tick, percentiles from the last ticks. */
class WindowStats {
  count = 0;
  sum = 0;
  sumSq = 0;
  min = Number.POSITIVE_INFINITY;
  max = 0;
  latest = 0;
  /** Time up to which a stall still in progress was already counted by a read. */
  creditedUntil = Number.NEGATIVE_INFINITY;
  readonly recent = new Float64Array(PERCENTILE_TICKS);

  record(late: number): void {
    this.recent[this.count % PERCENTILE_TICKS] = late;
    this.count += 1;
    this.sum += late;
    this.sumSq += late * late;
    if (late < this.min) this.min = late;
    if (late > this.max) this.max = late;
    this.latest = late;
  }

  /** The figures so far, a stall still in progress counted in `max`; then a fresh window. */
  take(pending: number): EventLoopDelayStats {
    const n = this.count;
    let out: EventLoopDelayStats;
    if (n === 0) {
      out = { ...EMPTY, latest: this.latest };
    } else {
      const kept = this.recent.slice(0, Math.min(n, PERCENTILE_TICKS)).sort();
      const at = (q: number): number => kept[Math.min(kept.length - 1, Math.ceil(q * kept.length) - 1)] ?? 0;
      const mean = this.sum / n;
      out = {
        count: n,
        min: this.min,
        max: this.max,
        mean,
        stddev: Math.sqrt(Math.max(0, this.sumSq / n - mean * mean)),
        p50: at(0.5),
        p90: at(0.9),
        p99: at(0.99),
        latest: this.latest,
      };
    }
    this.count = 0;
    this.sum = 0;
    this.sumSq = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = 0;
    return pending > out.max ? { ...out, max: pending } : out;
  }
}

/**
 * Event-loop delay from one timer: each tick records how much later than due it ran.
 * One timer, not `monitorEventLoopDelay`, whose timer woke the process every 10 ms and
 * whose reset forgets a stall still in progress (so it needed a second timer besides):
 * waking an idle process costs far more CPU than the tick's own work (60–120 µs a
 * wake-up on a 2-core VM), and those 120 wake-ups a second were most of what watching
 * the bot cost. At the default 100 ms a stall reads short by at most 100 ms, so one of
 * 200 ms or more always reaches the 100 ms warning threshold. The timer is the process's
 * beat (src/core/beat.ts), which the other background watchers ride too, so that they wake
 * an idle process together rather than each at its own moments.
 *
 * Each reader (the resource sample, the metrics scrape) has its own window on the one
 * timer. A stall that has not yet let its tick run when a window is read is counted in
 * that window, and not again in its next one; the other windows still get it whole.
 */
export function createEventLoopLagProbe(options: EventLoopLagProbeOptions = {}): EventLoopLagProbe {
  const intervalMs = options.intervalMs ?? DEFAULTS.intervalMs;
  if (!Number.isFinite(intervalMs) || intervalMs < 1) {
    throw new Error(`event-loop probe interval must be at least 1 ms (got ${intervalMs})`);
  }
  const now = options.now ?? (() => performance.now());
  // The beat's due times are on performance.now's clock: with a clock of its own, the probe times ticks itself.
  const every: NonNullable<EventLoopLagProbeOptions['every']> =
    options.every ??
    (options.now === undefined ? backgroundInterval : (fn, ms) => backgroundInterval(() => fn(), ms));
  const windows = new Set<WindowStats>();
  let last = now();
  const stop = every((dueAt) => {
    const at = now();
    const due = dueAt ?? last + intervalMs;
    for (const w of windows) {
      // A tick is never early by design; a read during the stall already counted up to creditedUntil.
      w.record(Math.max(0, at - Math.max(due, w.creditedUntil)));
      w.creditedUntil = Number.NEGATIVE_INFINITY;
    }
    last = at;
  }, intervalMs);

  const open = (): EventLoopLagWindow => {
    const w = new WindowStats();
    windows.add(w);
    return {
      read() {
        const at = now();
        const pending = at - Math.max(last + intervalMs, w.creditedUntil);
        if (pending > 0) w.creditedUntil = at;
        return w.take(Math.max(0, pending));
      },
      close() {
        windows.delete(w);
      },
    };
  };
  const own = open();

  return {
    read() {
      const { mean, p99, max } = own.read();
      return { mean, p99, max };
    },
    window: open,
    close() {
      windows.clear();
      stop();
    },
  };
}

let shared: { probe: EventLoopLagProbe; readers: number } | undefined;

/**
 * A window on this thread's one shared probe (at the default interval): the resource
 * sampler and the metrics each read their own window without a second timer. The timer
 * starts with the first window and stops when the last one closes.
 */
export function sharedEventLoopWindow(): EventLoopLagWindow {
  shared ??= { probe: createEventLoopLagProbe(), readers: 0 };
  const owner = shared;
  const w = owner.probe.window();
  owner.readers += 1;
  let closed = false;
  return {
    read: w.read,
    close() {
      if (closed) return;
      closed = true;
      w.close();
      owner.readers -= 1;
      if (owner.readers === 0 && shared === owner) {
        owner.probe.close();
        shared = undefined;
      }
    },
  };
}
