import type { AlertSeverity } from '../alerts/types.ts';
import type { GatewaySnapshot, HealthSnapshot } from '../health/types.ts';
import type { LogLevel } from '../logging/logger.ts';
import type { ResourceSample } from '../resources/types.ts';
import type { StartupReport } from '../startup/types.ts';
import type { TaskSnapshot } from '../tasks/types.ts';

/** Read at scrape time by the gauges, so nothing is pushed on a hot path. */
export interface MetricsSources {
  health(): HealthSnapshot;
  resources(): ResourceSample | undefined;
  tasks(): readonly TaskSnapshot[];
  gateway(): GatewaySnapshot;
  startup(): StartupReport | undefined;
}

export type AlertMetricEvent = 'fired' | 'delivered' | 'dropped' | 'resolved';

/**
 * The seam between the bot and Prometheus. {@link noopMetrics} is the default
 * (nothing loaded, nothing counted); the prom-client implementation is loaded
 * only when `OBS_ENABLE_PROMETHEUS=true`.
 */
export interface Metrics {
  readonly enabled: boolean;
  bindSources(sources: MetricsSources): void;
  startupFinished(report: StartupReport): void;
  componentError(component: string): void;
  taskHeartbeat(task: string): void;
  taskRestart(task: string): void;
  /** `ackSeconds` is the time from receipt to the first acknowledgement, when there was one. */
  interaction(command: string, outcome: string, ackSeconds: number | undefined): void;
  alert(event: AlertMetricEvent, severity: AlertSeverity): void;
  gatewayReconnect(): void;
  logRecord(level: LogLevel, outcome: 'written' | 'dropped'): void;
}

export const noopMetrics: Metrics = {
  enabled: false,
  bindSources: () => {},
  startupFinished: () => {},
  componentError: () => {},
  taskHeartbeat: () => {},
  taskRestart: () => {},
  interaction: () => {},
  alert: () => {},
  gatewayReconnect: () => {},
  logRecord: () => {},
};
