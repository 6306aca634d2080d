import { createHistogram, performance } from 'node:perf_hooks';
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
  /** Starts the repeating timer; the returned function stops it. @default an unref'd setInterval */
  readonly every?: (fn: () => void, ms: number) => () => void;
}

/** The event loop's delay, window by window. */
export interface EventLoopLagProbe {
  /** How late the probe's timer ran over the window since the previous read, ms; starts a new window. */
  read(): EventLoopLag;
  /** Stops the timer. */
  close(): void;
}

const DEFAULTS = { intervalMs: 100 } as const satisfies Required<
  Pick<EventLoopLagProbeOptions, 'intervalMs'>
>;

const unrefInterval = (fn: () => void, ms: number): (() => void) => {
  const handle = setInterval(fn, ms);
  handle.unref();
  return () => clearInterval(handle);
};

/**
 * Event-loop delay from one timer: each tick records how much later than due it ran.
 * One timer, not `monitorEventLoopDelay`, whose timer woke the process every 10 ms and
 * whose reset forgets a stall still in progress (so it needed a second timer besides):
 * waking an idle process costs far more CPU than the tick's own work (60–120 µs a
 * wake-up on a 2-core VM), and those 120 wake-ups a second were most of what watching
 * the bot cost. At the default 100 ms a stall reads short by at most 100 ms, so one of
 * 200 ms or more always reaches the 100 ms warning threshold. A stall that has not yet
 * let its tick run when the window is read is counted in that window, and not again in
 * the next.
 */
export function createEventLoopLagProbe(options: EventLoopLagProbeOptions = {}): EventLoopLagProbe {
  const intervalMs = options.intervalMs ?? DEFAULTS.intervalMs;
  if (!Number.isFinite(intervalMs) || intervalMs < 1) {
    throw new Error(`event-loop probe interval must be at least 1 ms (got ${intervalMs})`);
  }
  const now = options.now ?? (() => performance.now());
  const every = options.every ?? unrefInterval;
  // Nanoseconds, as the histogram takes integers of at least 1.
  const histogram = createHistogram();
  let last = now();
  const stop = every(() => {
    const at = now();
    const late = at - last - intervalMs;
    // A tick is never early by design; a negative value is the previous read having moved `last`.
    histogram.record(Math.max(1, Math.round(Math.max(0, late) * 1e6)));
    last = at;
  }, intervalMs);
  const ms = (ns: number): number => (Number.isFinite(ns) && ns > 1 ? ns / 1e6 : 0);

  return {
    read() {
      const at = now();
      const pending = at - last - intervalMs;
      const out =
        histogram.count === 0
          ? { mean: 0, p99: 0, max: 0 }
          : { mean: ms(histogram.mean), p99: ms(histogram.percentile(99)), max: ms(histogram.max) };
      histogram.reset();
      if (pending <= 0) return out;
      // The tick this stall held up has not run yet: it belongs to this window, and the
      // tick, when it runs, measures from now so the next window does not count it twice.
      last = at - intervalMs;
      return { ...out, max: Math.max(out.max, pending) };
    },
    close: stop,
  };
}
