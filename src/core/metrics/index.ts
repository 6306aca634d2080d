// Nothing here may import prom-client statically: see create-metrics.ts.
export { type CreateMetricsOptions, createMetrics } from './create-metrics.ts';
export { type AlertMetricEvent, type Metrics, type MetricsSources, noopMetrics } from './metrics.ts';
export { hasExposition, type MetricsExposition } from './metrics-exposition.ts';
export type { PromMetrics, PromMetricsOptions } from './prom-metrics.ts';
