import { type Clock, sleepWith, type Timer, type TimerOptions } from '../../src/core/clock.ts';

interface Pending {
  readonly id: number;
  at: number;
  readonly fn: () => void;
  readonly every: number | undefined;
  cancelled: boolean;
}

/** Lets pending promise chains run: a macrotask turn drains every microtask before it. */
export function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A clock that only moves when a test says so. `advance(ms)` fires due timers
 * in time order and lets the async work they start settle between them.
 */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: Pending[] = [];

  constructor(start = Date.UTC(2024, 0, 15, 14, 30, 0, 0)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number, _options?: TimerOptions): Timer {
    return this.#add(fn, ms, undefined);
  }

  setInterval(fn: () => void, ms: number, _options?: TimerOptions): Timer {
    return this.#add(fn, ms, Math.max(1, ms));
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }

  /** Number of timers still waiting to fire. */
  get pending(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }

  /** Milliseconds until the next timer fires, or undefined when none is pending. */
  nextIn(): number | undefined {
    const next = this.#next();
    return next === undefined ? undefined : Math.max(0, next.at - this.#now);
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await flushMicrotasks();
    for (;;) {
      const next = this.#next();
      if (next === undefined || next.at > target) break;
      this.#now = Math.max(this.#now, next.at);
      if (next.every === undefined) next.cancelled = true;
      else next.at += next.every;
      next.fn();
      await flushMicrotasks();
    }
    this.#now = target;
    this.#timers = this.#timers.filter((t) => !t.cancelled);
    await flushMicrotasks();
  }

  /** Advances to the next pending timer and fires it (and any due at the same instant). */
  async tick(): Promise<void> {
    const next = this.#next();
    await this.advance(next === undefined ? 0 : Math.max(0, next.at - this.#now));
  }

  #add(fn: () => void, ms: number, every: number | undefined): Timer {
    const pending: Pending = {
      id: this.#seq++,
      at: this.#now + Math.max(0, ms),
      fn,
      every,
      cancelled: false,
    };
    this.#timers.push(pending);
    return {
      cancel: () => {
        pending.cancelled = true;
      },
    };
  }

  #next(): Pending | undefined {
    let best: Pending | undefined;
    for (const t of this.#timers) {
      if (t.cancelled) continue;
      if (best === undefined || t.at < best.at || (t.at === best.at && t.id < best.id)) best = t;
    }
    return best;
  }
}
