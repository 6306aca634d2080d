import type { HealthRegistry } from '../health/health-registry.ts';
import type { StartupOrchestrator } from './startup-orchestrator.ts';

/**
 * Registers every startup component with the health registry (with its
 * criticality) and keeps their states in step with the start, the fallbacks and
 * the background recoveries. Returns the unsubscribe function.
 */
export function connectStartupToHealth(
  orchestrator: Pick<StartupOrchestrator, 'components' | 'onChange'>,
  registry: Pick<HealthRegistry, 'register' | 'set'>,
): () => void {
  for (const c of orchestrator.components)
    registry.register(c.name, { critical: c.critical, state: 'starting' });
  return orchestrator.onChange((change) => {
    const troubled = change.state === 'failed' || change.state === 'degraded';
    let note: string | null = null;
    if (change.state === 'degraded')
      note = change.fallback ? 'running on fallback, retrying' : 'down, retrying';
    else if (change.state === 'skipped') note = change.error;
    registry.set(change.component, change.state, {
      ...(troubled && change.error !== null ? { error: change.error } : {}),
      fallback: change.fallback,
      note,
    });
  });
}
