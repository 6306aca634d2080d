// The observability core's public API: what another discord.js bot (or any Node
// service) imports to watch itself. Nothing here loads discord.js or prom-client.
export type { AlertEngine } from './alerts/alert-engine.ts';
export { formatDuration } from './alerts/alert-message.ts';
export { parseDuration } from './alerts/parse-duration.ts';
export type {
  AlertNotification,
  AlertSink,
  AlertsView,
  AlertTransition,
  OpsNotice,
  SilenceResult,
} from './alerts/types.ts';
export { type Clock, settleWithin, systemClock, type Timer } from './clock.ts';
export { CORE_COMPONENTS, CORE_TASKS } from './core-components.ts';
export { type ErrorTextOptions, errorMessage, errorText } from './error-text.ts';
export { checkHealthCheck, defineHealthCheck, type HealthCheckDefinition } from './extensions/check-file.ts';
export {
  type ComponentDefinition,
  checkComponent,
  defineComponent,
  toStartupComponent,
} from './extensions/component-file.ts';
export type { Definable, ExtensionContext } from './extensions/extension-context.ts';
export {
  type ExtensionFolders,
  installExtensions,
  type LoadedExtensions,
  loadExtensions,
} from './extensions/load-extensions.ts';
export {
  ExtensionLoadError,
  type FolderSpec,
  type LoadedFile,
  loadFolder,
} from './extensions/load-folder.ts';
export { checkTask, defineTask, type TaskFileDefinition, toTaskDefinition } from './extensions/task-file.ts';
export type { GatewayTracker } from './health/gateway-tracker.ts';
export type { HealthCheck } from './health/health-checks.ts';
export type { HealthRegistry } from './health/health-registry.ts';
export type {
  ComponentHealth,
  ComponentStatus,
  GatewayObserver,
  GatewaySnapshot,
  HealthSnapshot,
  OverallStatus,
  StatusSummary,
} from './health/types.ts';
export { formatConsoleLine, type JsonLogRecord } from './logging/console-format.ts';
export { deferredLogger, type Logger, type LogLevel, silentLogger } from './logging/logger.ts';
export { createLogging, LOGGING_DEFAULTS, type Logging, type LoggingOptions } from './logging/logging.ts';
export { type PreviousRun, RUN_STARTED_EVENT, readPreviousRun } from './logging/previous-run.ts';
export { createRedactor, type Redactor } from './logging/redactor.ts';
export {
  createObservabilityManager,
  getObservabilityManager,
  OBSERVABILITY_DEFAULTS,
  type ObservabilityManager,
  type ObservabilityManagerOptions,
} from './manager.ts';
export { createMetrics, type Metrics, type MetricsSources, noopMetrics } from './metrics/index.ts';
export type { MetricsExposition } from './metrics/metrics-exposition.ts';
export type { OpsView } from './ops-view.ts';
export type { ResourceSampler } from './resources/resource-sampler.ts';
export type { ResourceSample, ResourcesView } from './resources/types.ts';
export type { StartupComponent } from './startup/startup-component.ts';
export {
  createStartupOrchestrator,
  type StartupOrchestrator,
  type StartupRunResult,
} from './startup/startup-orchestrator.ts';
export type { StartupReport } from './startup/types.ts';
export type { TaskContext, TaskDefinition } from './tasks/task-definition.ts';
export type { TaskSnapshot } from './tasks/types.ts';
