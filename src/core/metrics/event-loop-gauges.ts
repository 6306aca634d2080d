import type { Registry } from 'prom-client';
import type { EventLoopDelayStats, EventLoopLagWindow } from '../resources/event-loop-lag.ts';
import { registerScrapeGauge } from './scrape-gauge.ts';

/**
 * prom-client's event-loop gauges, by name, with its help text and the figure each reads.
 * `nodejs_eventloop_lag_seconds` is the most recent tick's delay (prom-client times one
 * setImmediate per scrape); the others cover the window since the previous scrape.
 */
const GAUGES: readonly (readonly [string, string, (s: EventLoopDelayStats) => number])[] = [
  ['nodejs_eventloop_lag_seconds', 'Lag of event loop in seconds.', (s) => s.latest],
  ['nodejs_eventloop_lag_min_seconds', 'The minimum recorded event loop delay.', (s) => s.min],
  ['nodejs_eventloop_lag_max_seconds', 'The maximum recorded event loop delay.', (s) => s.max],
  ['nodejs_eventloop_lag_mean_seconds', 'The mean of the recorded event loop delays.', (s) => s.mean],
  [
    'nodejs_eventloop_lag_stddev_seconds',
    'The standard deviation of the recorded event loop delays.',
    (s) => s.stddev,
  ],
  [
    'nodejs_eventloop_lag_p50_seconds',
    'The 50th percentile of the recorded event loop delays.',
    (s) => s.p50,
  ],
  [
    'nodejs_eventloop_lag_p90_seconds',
    'The 90th percentile of the recorded event loop delays.',
    (s) => s.p90,
  ],
  [
    'nodejs_eventloop_lag_p99_seconds',
    'The 99th percentile of the recorded event loop delays.',
    (s) => s.p99,
  ],
];

/**
 * A `monitorEventLoopDelay` resolution so long its timer never fires: prom-client's
 * default metrics always start one, and theirs are replaced by {@link replaceEventLoopGauges}.
 */
export const IDLE_EVENT_LOOP_PRECISION_MS = 2 ** 31 - 1;

/**
 * Replaces prom-client's default event-loop gauges (same names, same help) with gauges
 * read from `window`, a window on the probe the resource sampler already runs. Theirs
 * wake the process with a `monitorEventLoopDelay` timer of their own and walk its whole
 * histogram for the stddev and percentiles at every scrape (about 0.4 ms, a third of a
 * small bot's render); these cost one read per scrape. The gauges read the window once
 * for all eight: a read is kept for one probe interval (100 ms), so a scrape's eight
 * gauges, collected together, share it.
 */
export function replaceEventLoopGauges(
  registry: Registry,
  window: EventLoopLagWindow,
  now: () => number = () => performance.now(),
): void {
  let kept: { at: number; stats: EventLoopDelayStats } | undefined;
  const read = (): EventLoopDelayStats => {
    const at = now();
    if (kept === undefined || at - kept.at >= 100) kept = { at, stats: window.read() };
    return kept.stats;
  };
  for (const [name, help, figure] of GAUGES) {
    registry.removeSingleMetric(name);
    registerScrapeGauge(registry, {
      name,
      help,
      labelNames: [],
      collect: (series) => series.set(figure(read()) / 1000),
      onError: () => {
        // Reading the window does not throw.
      },
    });
  }
}
