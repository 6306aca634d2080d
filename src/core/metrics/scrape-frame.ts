import type { GatewaySnapshot, HealthSnapshot } from '../health/types.ts';
import type { Logger } from '../logging/logger.ts';
import type { ResourceSample } from '../resources/types.ts';
import type { StartupReport } from '../startup/types.ts';
import type { TaskSnapshot } from '../tasks/types.ts';
import type { MetricsSources } from './metrics.ts';

/** The sources as one scrape sees them: each read at most once, and never allowed to fail the scrape. */
export interface ScrapeFrame {
  health(): HealthSnapshot | undefined;
  resources(): ResourceSample | undefined;
  tasks(): readonly TaskSnapshot[];
  gateway(): GatewaySnapshot | undefined;
  startup(): StartupReport | undefined;
}

/**
 * A lazy, memoised view of `sources` for one scrape; a source that throws is logged
 * (`metrics_source_error`) and reads as empty. `lastStartup` stands in when the
 * sources have no startup report (or are not bound yet).
 */
export function createScrapeFrame(
  sources: MetricsSources | undefined,
  lastStartup: StartupReport | undefined,
  log: Logger,
): ScrapeFrame {
  const memo = <T>(source: keyof MetricsSources, read: (s: MetricsSources) => T, fallback: T): (() => T) => {
    let done = false;
    let value = fallback;
    return () => {
      if (done) return value;
      done = true;
      if (sources === undefined) return value;
      try {
        value = read(sources);
      } catch (error) {
        log.warning('metrics_source_error', 'A metrics source failed during a scrape', { source, error });
      }
      return value;
    };
  };
  return {
    health: memo('health', (s) => s.health(), undefined),
    resources: memo('resources', (s) => s.resources(), undefined),
    tasks: memo('tasks', (s) => s.tasks(), []),
    gateway: memo('gateway', (s) => s.gateway(), undefined),
    startup: memo('startup', (s) => s.startup() ?? lastStartup, lastStartup),
  };
}
