import type { Clock, Timer, TimerOptions } from '../../../src/core/clock.ts';
import type { StartupComponent } from '../../../src/core/startup/startup-component.ts';
import type { ManualClock } from '../../support/manual-clock.ts';

/** What happened to the fake components, in order, with the clock's offset from t0. */
export interface Journal {
  readonly entries: string[];
  readonly starts: Map<string, number[]>;
  readonly signals: Map<string, AbortSignal[]>;
  /** Entries of one kind (`start`, `up`, `stop`, `fallback`), names in order. */
  names(kind: string): string[];
}

export function createJournal(): Journal {
  const entries: string[] = [];
  return {
    entries,
    starts: new Map(),
    signals: new Map(),
    names: (kind) => entries.filter((e) => e.startsWith(`${kind} `)).map((e) => e.split(' ')[1] ?? ''),
  };
}

export interface FakeOptions extends Partial<Omit<StartupComponent, 'name' | 'start'>> {
  /** Fails the first `failures` attempts (Infinity: always). @default 0 */
  readonly failures?: number;
  /** Start never settles and ignores its signal. */
  readonly hang?: boolean;
  readonly stopMs?: number;
}

/** A component whose start waits `ms` on the manual clock, recording everything in `journal`. */
export function fake(
  clock: ManualClock,
  journal: Journal,
  t0: number,
  name: string,
  ms: number,
  options: FakeOptions = {},
): StartupComponent {
  let calls = 0;
  const { failures = 0, hang = false, stopMs, ...rest } = options;
  return {
    ...rest,
    name,
    async start(signal) {
      calls++;
      const at = clock.now() - t0;
      journal.entries.push(`start ${name} ${at}`);
      journal.starts.set(name, [...(journal.starts.get(name) ?? []), at]);
      journal.signals.set(name, [...(journal.signals.get(name) ?? []), signal]);
      if (hang) return new Promise<void>(() => {});
      await clock.sleep(ms, signal);
      if (calls <= failures) throw new Error(`${name} boom ${calls}`);
      journal.entries.push(`up ${name} ${clock.now() - t0}`);
    },
    stop:
      options.stop ??
      (async () => {
        journal.entries.push(`stop ${name} ${clock.now() - t0}`);
        if (stopMs !== undefined) await clock.sleep(stopMs);
      }),
  };
}

/** Records the options of every timer so tests can check background timers are unref'd. */
export function recordingClock(
  inner: Clock,
): Clock & { readonly timers: { ms: number; options?: TimerOptions }[] } {
  const timers: { ms: number; options?: TimerOptions }[] = [];
  return {
    timers,
    now: () => inner.now(),
    setTimeout(fn: () => void, ms: number, options?: TimerOptions): Timer {
      timers.push(options === undefined ? { ms } : { ms, options });
      return inner.setTimeout(fn, ms, options);
    },
    setInterval: (fn, ms, options) => inner.setInterval(fn, ms, options),
    sleep: (ms, signal) => inner.sleep(ms, signal),
  };
}
