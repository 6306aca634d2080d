import { backoffProblem } from '../backoff.ts';
import {
  COMPONENT_DEFAULTS,
  DEFAULT_RETRY_POLICY,
  RETRY_FIELD_NAMES,
  type ResolvedComponent,
  retryBackoff,
  type StartupComponent,
} from './startup-component.ts';
import { StartupError } from './startup-error.ts';

/** A validated component graph in deterministic dependency order. */
export interface StartupGraph {
  /** Every component, dependencies before dependents; ties keep declaration order. */
  readonly order: readonly ResolvedComponent[];
  get(name: string): ResolvedComponent | undefined;
  /** Direct dependents of `name`, in `order`. */
  dependents(name: string): readonly ResolvedComponent[];
}

/**
 * Validates the declared components and orders them. Throws a {@link StartupError}
 * for an invalid option (`STARTUP_INVALID_COMPONENT`), a duplicate name
 * (`STARTUP_DUPLICATE_COMPONENT`), an unknown dependency (`STARTUP_UNKNOWN_DEPENDENCY`),
 * a cycle (`STARTUP_CYCLE`, path `a → b → a`) or a critical component depending on a
 * non-critical one (`STARTUP_CRITICAL_DEPENDS_ON_OPTIONAL`), which could otherwise
 * only ever be skipped.
 */
export function createStartupGraph(components: readonly StartupComponent[]): StartupGraph {
  const byName = new Map<string, ResolvedComponent>();
  for (const component of components) {
    if (byName.has(component.name)) {
      throw new StartupError(
        'STARTUP_DUPLICATE_COMPONENT',
        `component '${component.name}' is declared twice`,
        [component.name],
      );
    }
    byName.set(component.name, resolveComponent(component));
  }

  for (const component of byName.values()) {
    for (const dependency of component.dependencies) {
      const target = byName.get(dependency);
      if (target === undefined) {
        throw new StartupError(
          'STARTUP_UNKNOWN_DEPENDENCY',
          `component '${component.name}' depends on unknown component '${dependency}'`,
          [component.name, dependency],
        );
      }
      if (component.critical && !target.critical) {
        throw new StartupError(
          'STARTUP_CRITICAL_DEPENDS_ON_OPTIONAL',
          `critical component '${component.name}' depends on non-critical '${dependency}'; ` +
            `mark '${dependency}' critical or '${component.name}' non-critical`,
          [component.name, dependency],
        );
      }
    }
  }

  const cycle = findCycle(byName);
  if (cycle !== undefined) {
    throw new StartupError('STARTUP_CYCLE', `dependency cycle: ${cycle.join(' → ')}`, cycle);
  }

  const order = topologicalOrder([...byName.values()]);
  const dependents = new Map<string, ResolvedComponent[]>();
  for (const component of order) {
    for (const dependency of component.dependencies) {
      const list = dependents.get(dependency) ?? [];
      list.push(component);
      dependents.set(dependency, list);
    }
  }

  return {
    order,
    get: (name) => byName.get(name),
    dependents: (name) => dependents.get(name) ?? [],
  };
}

function resolveComponent(component: StartupComponent): ResolvedComponent {
  const invalid = (problem: string): StartupError =>
    new StartupError('STARTUP_INVALID_COMPONENT', `component '${component.name}': ${problem}`, [
      component.name,
    ]);
  if (typeof component.name !== 'string' || component.name.trim() === '') {
    throw invalid('name must be a non-empty string');
  }
  const retry = { ...DEFAULT_RETRY_POLICY, ...component.retry };
  const resolved: ResolvedComponent = {
    name: component.name,
    dependencies: [...new Set(component.dependencies ?? COMPONENT_DEFAULTS.dependencies)],
    critical: component.critical ?? COMPONENT_DEFAULTS.critical,
    timeoutMs: component.timeoutMs ?? COMPONENT_DEFAULTS.timeoutMs,
    stopTimeoutMs: component.stopTimeoutMs ?? COMPONENT_DEFAULTS.stopTimeoutMs,
    retryInBackground: component.retryInBackground ?? COMPONENT_DEFAULTS.retryInBackground,
    retry,
    definition: component,
  };
  if (!(resolved.timeoutMs > 0)) throw invalid('timeoutMs must be positive');
  if (!(resolved.stopTimeoutMs > 0)) throw invalid('stopTimeoutMs must be positive');
  if (!Number.isInteger(retry.attempts) || retry.attempts < 1) {
    throw invalid('retry.attempts must be an integer of at least 1');
  }
  const backoff = backoffProblem(retryBackoff(retry), RETRY_FIELD_NAMES);
  if (backoff !== undefined) throw invalid(backoff);
  if (resolved.dependencies.includes(resolved.name)) {
    throw new StartupError('STARTUP_CYCLE', `dependency cycle: ${resolved.name} → ${resolved.name}`, [
      resolved.name,
      resolved.name,
    ]);
  }
  return resolved;
}

/**
 * Depth-first search along dependency edges; returns the first cycle met as a path
 * whose last name repeats the first (`a → b → a`: a needs b, which needs a).
 */
function findCycle(byName: ReadonlyMap<string, ResolvedComponent>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    const seen = state.get(name);
    if (seen === 'done') return undefined;
    if (seen === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const dependency of byName.get(name)?.dependencies ?? []) {
      const cycle = visit(dependency);
      if (cycle !== undefined) return cycle;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of byName.keys()) {
    const cycle = visit(name);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

/** Kahn's algorithm; among the components ready at once, declaration order wins, so the order is stable. */
function topologicalOrder(components: readonly ResolvedComponent[]): ResolvedComponent[] {
  const remaining = new Map(components.map((c) => [c.name, c.dependencies.length]));
  const placed = new Set<string>();
  const order: ResolvedComponent[] = [];
  while (order.length < components.length) {
    const next = components.find((c) => !placed.has(c.name) && remaining.get(c.name) === 0);
    // Unreachable after findCycle; kept so a logic error cannot loop forever.
    if (next === undefined) throw new Error('startup graph has a cycle');
    placed.add(next.name);
    order.push(next);
    for (const c of components) {
      if (c.dependencies.includes(next.name)) remaining.set(c.name, (remaining.get(c.name) ?? 0) - 1);
    }
  }
  return order;
}
