import type { ObservedValue } from '../alerts/alert-engine.ts';
import { nonNegativeNumber, positiveNumber } from '../check-option.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logging/logger.ts';
import type { ResourceSampler } from './resource-sampler.ts';
import { DEFAULT_RESOURCE_THRESHOLDS, validateResourceThresholds } from './resource-thresholds.ts';
import { createRingBuffer } from './ring-buffer.ts';
import type { ResourceSample, ResourcesView, ResourceThresholds } from './types.ts';

/** The part of the alert engine the monitor feeds. */
export interface ResourceAlertTarget {
  observe(key: string, observation: ObservedValue): void;
}

export interface ResourceMonitorOptions {
  readonly sampler: Pick<ResourceSampler, 'sample'>;
  /**
   * Validated at construction: positive, critical above warning. The `RESOURCE_*_WARNING_*` / `_CRITICAL_*` variables.
   * @default DEFAULT_RESOURCE_THRESHOLDS (1024/2048 MB, 80/95 %, 100/500 ms)
   */
  readonly thresholds?: ResourceThresholds;
  readonly clock: Clock;
  readonly log: Logger;
  readonly alerts: ResourceAlertTarget;
  /**
   * How often the integrator calls `tick()` (`RESOURCE_SAMPLE_INTERVAL_MS`); sizes the history.
   * @default 15000
   */
  readonly sampleIntervalMs?: number;
  /**
   * How often a `resource_stats` record is logged (`RESOURCE_STATS_LOG_INTERVAL_MS`); samples in
   * between are kept, not logged.
   * @default 60000
   */
  readonly statsEveryMs?: number;
  /**
   * How far back the history reaches.
   * @default 3600000 (one hour)
   */
  readonly historyMs?: number;
}

export interface ResourceMonitor {
  /** Takes one sample, keeps it, feeds the alert engine and logs stats when due. Throws only if the sampler does. */
  tick(): Promise<ResourceSample>;
  view(): ResourcesView;
}

export const RESOURCE_MONITOR_DEFAULTS = {
  thresholds: DEFAULT_RESOURCE_THRESHOLDS,
  sampleIntervalMs: 15_000,
  statsEveryMs: 60_000,
  historyMs: 3_600_000,
} as const satisfies Required<
  Pick<ResourceMonitorOptions, 'thresholds' | 'sampleIntervalMs' | 'statsEveryMs' | 'historyMs'>
>;

const MB = 1024 * 1024;

/** The alert keys the monitor feeds. */
export const RESOURCE_ALERT_KEYS = {
  memory: 'resource.memory',
  cpu: 'resource.cpu',
  eventLoopLag: 'resource.event_loop_lag',
} as const;

/** 1229 MB → "1.2GB", 512 → "512MB". */
export function formatMegabytes(mb: number): string {
  return mb >= 1024 ? `${(mb / 1024).toFixed(1)}GB` : `${Math.round(mb)}MB`;
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

/** An always-empty view for when resource monitoring is switched off. */
export function disabledResourcesView(thresholds: ResourceThresholds): ResourcesView {
  return { enabled: false, latest: undefined, history: [], thresholds };
}

/** Keeps the recent resource samples, logs them at a low rate and turns them into alert observations. */
export function createResourceMonitor(options: ResourceMonitorOptions): ResourceMonitor {
  const thresholds = validateResourceThresholds(options.thresholds ?? RESOURCE_MONITOR_DEFAULTS.thresholds);
  const sampleIntervalMs = options.sampleIntervalMs ?? RESOURCE_MONITOR_DEFAULTS.sampleIntervalMs;
  const { clock, alerts, sampler } = options;
  const log = options.log.child({ name: 'resources', subsys: 'resources' });
  const statsEveryMs = options.statsEveryMs ?? RESOURCE_MONITOR_DEFAULTS.statsEveryMs;
  const historyMs = options.historyMs ?? RESOURCE_MONITOR_DEFAULTS.historyMs;
  positiveNumber('sampleIntervalMs', sampleIntervalMs);
  nonNegativeNumber('statsEveryMs', statsEveryMs);
  positiveNumber('historyMs', historyMs);
  const history = createRingBuffer<ResourceSample>(Math.ceil(historyMs / sampleIntervalMs) + 1);
  let lastStatsAt: number | undefined;

  const feedAlerts = (s: ResourceSample): void => {
    alerts.observe(RESOURCE_ALERT_KEYS.memory, {
      value: s.rss_bytes / MB,
      thresholds: thresholds.memory_mb,
      title: 'Memory usage high',
      format: formatMegabytes,
    });
    if (s.cpu_percent !== null) {
      alerts.observe(RESOURCE_ALERT_KEYS.cpu, {
        value: s.cpu_percent,
        thresholds: thresholds.cpu_percent,
        title: 'CPU usage high',
        format: (v) => `${Math.round(v)}%`,
      });
    }
    // The window's max: one 250 ms block is what a user waiting on a reply feels, yet the
    // histogram samples so often that it stays below the p99; consecutive windows guard
    // against a lone GC pause.
    alerts.observe(RESOURCE_ALERT_KEYS.eventLoopLag, {
      value: s.event_loop_lag_ms.max,
      thresholds: thresholds.event_loop_lag_ms,
      title: 'Event loop lag',
      format: (v) => `${Math.round(v)}ms`,
    });
  };

  const logStats = (s: ResourceSample): void => {
    const memoryMb = round1(s.rss_bytes / MB);
    log.info(
      'resource_stats',
      `Resources: ${formatMegabytes(memoryMb)} RSS, CPU ${s.cpu_percent ?? 'n/a'}%, lag ${s.event_loop_lag_ms.mean}ms`,
      {
        memory_mb: memoryMb,
        heap_used_mb: round1(s.heap_used_bytes / MB),
        cpu_percent: s.cpu_percent,
        event_loop_lag_ms: s.event_loop_lag_ms.mean,
        event_loop_lag_p99_ms: s.event_loop_lag_ms.p99,
        event_loop_lag_max_ms: s.event_loop_lag_ms.max,
        open_files: s.open_files,
        threads: s.threads,
      },
    );
  };

  return {
    async tick() {
      const sample = await sampler.sample();
      history.push(sample);
      feedAlerts(sample);
      const now = clock.now();
      if (lastStatsAt === undefined || now - lastStatsAt >= statsEveryMs) {
        lastStatsAt = now;
        logStats(sample);
      }
      return sample;
    },
    view: () => ({ enabled: true, latest: history.last(), history: history.toArray(), thresholds }),
  };
}
