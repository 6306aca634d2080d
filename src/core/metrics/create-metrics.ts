import { type Metrics, noopMetrics } from './metrics.ts';
import type { MetricsExposition } from './metrics-exposition.ts';
import type { PromMetrics, PromMetricsOptions } from './prom-metrics.ts';

/** Options of {@link createMetrics}: the prom-client options plus the switch. */
export interface CreateMetricsOptions extends PromMetricsOptions {
  /** `OBS_ENABLE_PROMETHEUS`. When false, prom-client is never loaded. @default false */
  readonly enabled?: boolean;
}

export const METRICS_DEFAULTS = { enabled: false } as const satisfies Pick<CreateMetricsOptions, 'enabled'>;

/**
 * The metrics the bot runs with: {@link noopMetrics} when disabled, otherwise the
 * prom-client implementation, imported only now so the default path never loads it.
 */
export async function createMetrics(
  options: CreateMetricsOptions & { readonly enabled: true },
): Promise<PromMetrics>;
export async function createMetrics(
  options?: CreateMetricsOptions,
): Promise<Metrics | (Metrics & MetricsExposition)>;
export async function createMetrics(options: CreateMetricsOptions = {}): Promise<Metrics | PromMetrics> {
  if (!(options.enabled ?? METRICS_DEFAULTS.enabled)) return noopMetrics;
  const { createPromMetrics } = await import('./prom-metrics.ts');
  const { enabled: _enabled, ...promOptions } = options;
  return createPromMetrics(promOptions);
}
