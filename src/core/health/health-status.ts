import type { ComponentHealth, ComponentState, GatewaySnapshot, OverallStatus } from './types.ts';

/** States in which a component is not doing its job. */
export const DOWN_STATES: ReadonlySet<ComponentState> = new Set(['failed', 'stopped', 'starting']);

export interface StatusInput {
  readonly components: readonly ComponentHealth[];
  /** Absent when no gateway is tracked (a core used without Discord). */
  readonly gateway?: GatewaySnapshot;
  /** Whether the start sequence has finished. */
  readonly startFinished: boolean;
}

export interface StatusVerdict {
  readonly status: OverallStatus;
  readonly ready: boolean;
  /** Why the status is not `ready`, one short phrase each. */
  readonly reasons: readonly string[];
}

/**
 * The status rules, pure:
 * - `not_ready` while the start runs, when a critical component is down
 *   (failed, stopped, starting) or when the gateway is not connected after the start;
 * - `degraded` when a non-critical component is down or degraded, a critical one is
 *   degraded, or any component runs on its fallback;
 * - `ready` otherwise. `skipped` components (disabled on purpose) count as fine.
 */
export function computeStatus(input: StatusInput): StatusVerdict {
  const notReady: string[] = [];
  const degraded: string[] = [];
  if (!input.startFinished) notReady.push('start not finished');
  for (const c of input.components) {
    if (DOWN_STATES.has(c.state)) (c.critical ? notReady : degraded).push(`${c.name} ${c.state}`);
    else if (c.state === 'degraded') degraded.push(`${c.name} degraded`);
    if (c.fallback_active) degraded.push(`${c.name} on fallback`);
  }
  if (input.startFinished && input.gateway !== undefined && input.gateway.status !== 'ready') {
    notReady.push(`gateway ${input.gateway.status}`);
  }
  if (notReady.length > 0) return { status: 'not_ready', ready: false, reasons: [...notReady, ...degraded] };
  if (degraded.length > 0) return { status: 'degraded', ready: true, reasons: degraded };
  return { status: 'ready', ready: true, reasons: [] };
}
