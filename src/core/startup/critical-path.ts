/** The timing facts the critical path is computed from. */
export interface TimedComponent {
  readonly name: string;
  readonly dependencies: readonly string[];
  readonly end_offset_ms: number | null;
}

/**
 * The dependency chain that bounded the start, first to last: the component that
 * ended last, then, walking back, the dependency of each that ended last (the one it
 * actually waited for). Computed from measured offsets, not declared durations.
 */
export function criticalPath(components: readonly TimedComponent[]): string[] {
  const byName = new Map(components.map((c) => [c.name, c]));
  const latest = (candidates: readonly (TimedComponent | undefined)[]): TimedComponent | undefined => {
    let best: TimedComponent | undefined;
    for (const c of candidates) {
      if (c === undefined || c.end_offset_ms === null) continue;
      if (best === undefined || c.end_offset_ms >= (best.end_offset_ms ?? 0)) best = c;
    }
    return best;
  };
  const path: string[] = [];
  const seen = new Set<string>();
  let current = latest(components);
  while (current !== undefined && !seen.has(current.name)) {
    seen.add(current.name);
    path.push(current.name);
    current = latest(current.dependencies.map((d) => byName.get(d)));
  }
  return path.reverse();
}
