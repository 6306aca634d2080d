import type { LogDetail, Logger } from '../logging/logger.ts';
import type { StartupComponentReport, StartupReport } from './types.ts';

/** The facts of one finished component that its `startup_component` record carries. */
export type ComponentOutcome = Pick<
  StartupComponentReport,
  'name' | 'status' | 'attempts' | 'critical' | 'fallback' | 'error'
> & { readonly duration_ms: number };

/**
 * Logs `startup_component` as a component finishes. A failure reads as one
 * troubleshooting line: "Component 'rag_system' failed: timeout after 45.0s".
 */
export function logComponentOutcome(log: Logger, c: ComponentOutcome, extra: LogDetail = {}): void {
  const detail = {
    component: c.name,
    duration_ms: c.duration_ms,
    status: c.status,
    attempts: c.attempts,
    critical: c.critical,
    fallback: c.fallback,
    ...(c.error === null ? {} : { error: c.error }),
    ...extra,
  };
  switch (c.status) {
    case 'ready':
      log.info('startup_component', `Component '${c.name}' ready in ${c.duration_ms}ms`, detail);
      return;
    case 'failed':
      log.error('startup_component', `Component '${c.name}' failed: ${c.error}`, detail);
      return;
    case 'degraded': {
      const how = c.fallback ? 'running on its fallback' : 'running without it';
      log.warning('startup_component', `Component '${c.name}' failed: ${c.error} (degraded, ${how})`, detail);
      return;
    }
    case 'skipped':
      log.warning('startup_component', `Component '${c.name}' skipped: ${c.error}`, detail);
      return;
    default:
      log.warning('startup_component', `Component '${c.name}' ${c.status}`, detail);
  }
}

/**
 * Logs `startup_complete` with the documented sentence ("Bot startup completed
 * successfully") and `detail.duration_seconds` / `detail.mode`; a failure names
 * the component and its cause.
 */
export function logStartupComplete(log: Logger, report: StartupReport, failure: Error | null): void {
  const names = (status: string): string[] =>
    report.components.filter((c) => c.status === status).map((c) => c.name);
  const detail = {
    duration_seconds: Math.round(report.duration_ms) / 1000,
    mode: report.mode,
    outcome: report.outcome,
    degraded_components: names('degraded'),
    skipped_components: names('skipped'),
    critical_path: report.critical_path,
  };
  switch (report.outcome) {
    case 'ready':
      log.info('startup_complete', 'Bot startup completed successfully', detail);
      return;
    case 'degraded':
      log.warning('startup_complete', 'Bot startup completed degraded', detail);
      return;
    case 'failed':
      log.critical('startup_complete', `Bot startup failed: ${failure?.message ?? 'unknown error'}`, {
        ...detail,
        failed_components: names('failed'),
      });
      return;
    case 'cancelled':
      log.warning('startup_complete', 'Bot startup cancelled', detail);
  }
}
