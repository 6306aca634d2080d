const OVERFLOW_LABEL = 'other';

/**
 * Folds label values past the per-label budget into `other`, so a caller passing
 * something unbounded cannot grow the registry without end.
 */
export function createLabelBudget(max: number): (label: string, value: string) => string {
  const seen = new Map<string, Set<string>>();
  return (label, value) => {
    let values = seen.get(label);
    if (values === undefined) {
      values = new Set();
      seen.set(label, values);
    }
    if (values.has(value)) return value;
    if (values.size >= max) return OVERFLOW_LABEL;
    values.add(value);
    return value;
  };
}
