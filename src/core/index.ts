// The observability core's public API: what another discord.js bot (or any Node
// service) imports to watch itself. Nothing here loads discord.js or prom-client.
export type { AlertEngine } from './alerts/alert-engine.ts';
export type {
  AlertNotification,
  AlertSink,
  AlertsView,
  AlertTransition,
  OpsNotice,
  SilenceResult,
} from './alerts/types.ts';
export { type Clock, systemClock } from './clock.ts';
export { CORE_COMPONENTS } from './core-components.ts';
export { type ErrorTextOptions, errorMessage, errorText } from './error-text.ts';
export type { GatewayTracker } from './health/gateway-tracker.ts';
export type { HealthRegistry } from './health/health-registry.ts';
export type { ComponentHealth, GatewayObserver, HealthSnapshot, OverallStatus } from './health/types.ts';
export type { Logger, LogLevel } from './logging/logger.ts';
export { createLogging, LOGGING_DEFAULTS, type Logging, type LoggingOptions } from './logging/logging.ts';
export { createRedactor, type Redactor } from './logging/redactor.ts';
export {
  createObservabilityManager,
  getObservabilityManager,
  OBSERVABILITY_DEFAULTS,
  type ObservabilityManager,
  type ObservabilityManagerOptions,
} from './manager.ts';
export { createMetrics, type Metrics, noopMetrics } from './metrics/index.ts';
export type { OpsView } from './ops-view.ts';
export type { ResourcesView } from './resources/types.ts';
export type { StartupComponent } from './startup/startup-component.ts';
export type { StartupReport } from './startup/types.ts';
export type { TaskDefinition } from './tasks/task-definition.ts';
export type { TaskSnapshot } from './tasks/types.ts';
