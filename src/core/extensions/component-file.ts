import type { HealthCheck, HealthChecks } from '../health/health-checks.ts';
import type { RetryPolicy, StartupComponent } from '../startup/startup-component.ts';
import type { Definable } from './extension-context.ts';
import { checkShape, nestedRule, type ObjectShape, rules } from './shape.ts';

/**
 * What a file of `components/` exports: a start component (a database, a cache, a queue
 * the bot needs), with an optional health check probed once it is up.
 */
export interface ComponentDefinition extends StartupComponent {
  /**
   * Probed with the other health checks (`OBS_HEALTHCHECK_INTERVAL_MS`) from the moment
   * the component has started; a throw, or a probe past its timeout, marks the component
   * degraded (failed when it is critical) until a probe passes again.
   */
  healthCheck?(signal: AbortSignal): Promise<void> | void;
  /** Bound of one health check, ms. @default 5000 */
  readonly healthCheckTimeoutMs?: number;
}

/**
 * Declares a start component in a file of `components/`; typing only, it returns what
 * it is given. A factory receives the {@link ExtensionContext} when the folder is loaded.
 */
export function defineComponent(definition: Definable<ComponentDefinition>): Definable<ComponentDefinition> {
  return definition;
}

const RETRY_SHAPE = {
  attempts: { rule: rules.positiveInteger },
  baseDelayMs: { rule: rules.nonNegativeNumber },
  factor: { rule: rules.nonNegativeNumber },
  maxDelayMs: { rule: rules.nonNegativeNumber },
  jitter: { rule: rules.nonNegativeNumber },
} as const satisfies Record<keyof RetryPolicy, ObjectShape[string]>;

const COMPONENT_SHAPE = {
  name: { rule: rules.name, required: true },
  dependencies: { rule: rules.stringList },
  critical: { rule: rules.boolean },
  timeoutMs: { rule: rules.positiveMs },
  stopTimeoutMs: { rule: rules.positiveMs },
  retry: { rule: nestedRule(RETRY_SHAPE, 'retry') },
  retryInBackground: { rule: rules.boolean },
  start: { rule: rules.function, required: true },
  stop: { rule: rules.function },
  fallback: { rule: rules.function },
  healthCheck: { rule: rules.function },
  healthCheckTimeoutMs: { rule: rules.positiveMs },
} as const satisfies Record<keyof ComponentDefinition, ObjectShape[string]>;

/** Checks a default export of `components/`. @throws {ShapeError} naming the field */
export function checkComponent(value: unknown): ComponentDefinition {
  checkShape(value, COMPONENT_SHAPE, 'a component');
  return value as ComponentDefinition;
}

/**
 * The start component the orchestrator runs. A health check, when there is one, is added
 * to `checks` each time the start succeeds (a background recovery included), so a
 * component is never probed before it is up.
 */
export function toStartupComponent(
  definition: ComponentDefinition,
  checks: Pick<HealthChecks, 'add'>,
): StartupComponent {
  const { healthCheck, healthCheckTimeoutMs, ...component } = definition;
  if (healthCheck === undefined) return component;
  const probe: HealthCheck = (signal) => healthCheck.call(definition, signal);
  return {
    ...component,
    async start(signal) {
      await definition.start(signal);
      checks.add(
        definition.name,
        probe,
        healthCheckTimeoutMs === undefined ? {} : { timeoutMs: healthCheckTimeoutMs },
      );
    },
  };
}
