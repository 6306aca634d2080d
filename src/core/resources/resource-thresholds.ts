import type { ResourceThresholds, Threshold } from './types.ts';

/** The defaults of the `RESOURCE_*_WARNING_*` and `RESOURCE_*_CRITICAL_*` variables. */
export const DEFAULT_RESOURCE_THRESHOLDS = {
  memory_mb: { warning: 1024, critical: 2048 },
  cpu_percent: { warning: 80, critical: 95 },
  event_loop_lag_ms: { warning: 100, critical: 500 },
} as const satisfies ResourceThresholds;

function checkThreshold(name: string, t: Threshold, problems: string[]): void {
  for (const level of ['warning', 'critical'] as const) {
    const v = t[level];
    if (!Number.isFinite(v) || v <= 0) problems.push(`${name}.${level} must be a positive number (got ${v})`);
  }
  if (Number.isFinite(t.warning) && Number.isFinite(t.critical) && t.critical <= t.warning) {
    problems.push(`${name}.critical (${t.critical}) must exceed ${name}.warning (${t.warning})`);
  }
}

/**
 * Checks that every threshold is positive and that critical exceeds warning.
 * @throws Error naming every bad threshold, e.g. "memory_mb.critical (512) must exceed memory_mb.warning (1024)".
 */
export function validateResourceThresholds(thresholds: ResourceThresholds): ResourceThresholds {
  const problems: string[] = [];
  checkThreshold('memory_mb', thresholds.memory_mb, problems);
  checkThreshold('cpu_percent', thresholds.cpu_percent, problems);
  checkThreshold('event_loop_lag_ms', thresholds.event_loop_lag_ms, problems);
  if (problems.length > 0) throw new Error(`Invalid resource thresholds: ${problems.join('; ')}`);
  return thresholds;
}
