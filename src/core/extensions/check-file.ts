import type { ComponentDefinition } from './component-file.ts';
import type { Definable } from './extension-context.ts';
import { checkShape, type ObjectShape, rules } from './shape.ts';

/**
 * What a file of `checks/` exports: a probe of something the bot relies on but does not
 * start itself (a disk, a remote API). It shows as a component of its own in `/startup`,
 * `/health` and the metrics: checked once at start, then with the other health checks.
 */
export interface HealthCheckDefinition {
  /** The component name the check reports as. */
  readonly name: string;
  /** Resolves when all is well; throws (or hangs past `timeoutMs`) when not. Must honour `signal`. */
  check(signal: AbortSignal): Promise<void> | void;
  /** A failing critical check fails the start and makes the bot `not_ready`. @default false */
  readonly critical?: boolean;
  /** Bound of one run, ms. @default 5000 */
  readonly timeoutMs?: number;
  /** Components that must be up before the first run. @default [] */
  readonly dependencies?: readonly string[];
}

/** Declares a health check in a file of `checks/`; typing only, it returns what it is given. */
export function defineHealthCheck(
  definition: Definable<HealthCheckDefinition>,
): Definable<HealthCheckDefinition> {
  return definition;
}

const CHECK_SHAPE = {
  name: { rule: rules.name, required: true },
  check: { rule: rules.function, required: true },
  critical: { rule: rules.boolean },
  timeoutMs: { rule: rules.positiveMs },
  dependencies: { rule: rules.stringList },
} as const satisfies Record<keyof HealthCheckDefinition, ObjectShape[string]>;

const CHECK_DEFAULTS = { critical: false, timeoutMs: 5_000 } as const;

/** Checks a default export of `checks/`. @throws {ShapeError} naming the field */
export function checkHealthCheck(value: unknown): HealthCheckDefinition {
  checkShape(value, CHECK_SHAPE, 'a health check');
  return value as HealthCheckDefinition;
}

/**
 * The component a check stands for: its start is the first run (one attempt; when it
 * fails, a non-critical check is retried in the background until it passes), and the
 * same check is probed from then on.
 */
export function checkToComponent(definition: HealthCheckDefinition): ComponentDefinition {
  const timeoutMs = definition.timeoutMs ?? CHECK_DEFAULTS.timeoutMs;
  const check = (signal: AbortSignal): Promise<void> | void => definition.check(signal);
  return {
    name: definition.name,
    critical: definition.critical ?? CHECK_DEFAULTS.critical,
    dependencies: definition.dependencies ?? [],
    timeoutMs,
    retry: { attempts: 1 },
    start: check,
    healthCheck: check,
    healthCheckTimeoutMs: timeoutMs,
  };
}
