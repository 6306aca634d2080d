import { nonNegativeNumber } from '../check-option.ts';
import type { Clock } from '../clock.ts';
import type { MetricsExposition } from './metrics-exposition.ts';

/** Options of {@link createCachedExposition}. */
export interface CachedExpositionOptions {
  /** What renders the text. */
  readonly source: MetricsExposition;
  readonly clock: Pick<Clock, 'now'>;
  /**
   * A render's text is served for this long after the render began; no second render
   * starts within it.
   * @default 1000
   */
  readonly maxAgeMs?: number;
  /**
   * A render still pending this long after it began is abandoned: the next scrape
   * starts a fresh one instead of joining it, so one stuck render cannot stall
   * `/metrics` for good.
   * @default 10000
   */
  readonly abandonAfterMs?: number;
}

export const CACHED_EXPOSITION_DEFAULTS = {
  maxAgeMs: 1_000,
  abandonAfterMs: 10_000,
} as const satisfies Required<Pick<CachedExpositionOptions, 'maxAgeMs' | 'abandonAfterMs'>>;

/**
 * `source` rendered at most once per `maxAgeMs`: scrapes inside that window get the
 * last text, and scrapes that arrive while a render runs share it. A failed render
 * counts against the window too (the last good text is served, or the failure when
 * there is none), so a flood of scrapes cannot turn into a flood of renders.
 */
export function createCachedExposition(options: CachedExpositionOptions): MetricsExposition {
  const maxAgeMs = options.maxAgeMs ?? CACHED_EXPOSITION_DEFAULTS.maxAgeMs;
  const abandonAfterMs = options.abandonAfterMs ?? CACHED_EXPOSITION_DEFAULTS.abandonAfterMs;
  nonNegativeNumber('maxAgeMs', maxAgeMs);
  nonNegativeNumber('abandonAfterMs', abandonAfterMs);
  const { source, clock } = options;

  let generation = 0;
  let inFlight: { readonly began: number; readonly text: Promise<string> } | undefined;
  let lastBegan = Number.NEGATIVE_INFINITY;
  let lastText: string | undefined;
  let lastError: unknown;

  const render = (now: number): Promise<string> => {
    const mine = ++generation;
    lastBegan = now;
    const text = (async () => source.metricsText())();
    inFlight = { began: now, text };
    text.then(
      (value) => {
        if (mine !== generation) return;
        inFlight = undefined;
        lastText = value;
        lastError = undefined;
      },
      (error: unknown) => {
        if (mine !== generation) return;
        inFlight = undefined;
        lastError = error;
      },
    );
    return text;
  };

  return {
    contentType: source.contentType,
    metricsText() {
      const now = clock.now();
      // An age below 0 means the wall clock stepped back: treat what is held as expired.
      const within = (since: number, bound: number): boolean => now >= since && now - since < bound;
      if (inFlight !== undefined && within(inFlight.began, abandonAfterMs)) return inFlight.text;
      if (inFlight === undefined && within(lastBegan, maxAgeMs)) {
        if (lastText !== undefined) return Promise.resolve(lastText);
        if (lastError !== undefined) return Promise.reject(lastError);
      }
      return render(now);
    },
  };
}
