import type { Metrics } from './metrics.ts';

/** What the HTTP server needs to answer `GET /metrics`. */
export interface MetricsExposition {
  /** The `Content-Type` of {@link MetricsExposition.metricsText}'s output (Prometheus text format 0.0.4). */
  readonly contentType: string;
  /** Renders every registered metric; the gauges read their sources now. */
  metricsText(): Promise<string>;
}

/** True for a {@link Metrics} that can also be scraped (the prom-client one). */
export function hasExposition(metrics: Metrics): metrics is Metrics & MetricsExposition {
  return metrics.enabled && typeof (metrics as Partial<MetricsExposition>).metricsText === 'function';
}
