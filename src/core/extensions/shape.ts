/**
 * A small declarative check of a plain object's shape, for what a file in an extension
 * folder exports: each field has a rule that says what is wrong with a value, and a key
 * no rule knows is refused (a typo such as `timeout` for `timeoutMs` would otherwise be
 * silently ignored).
 */

/**
 * Says what is wrong with a field's value, as the end of "`name` …", or undefined when it
 * is fine; a rule may also throw a {@link ShapeError} with a whole message of its own.
 */
export type FieldRule = (value: unknown) => string | undefined;

export interface FieldSpec {
  readonly rule: FieldRule;
  /** @default false */
  readonly required?: boolean;
}

export type ObjectShape = Readonly<Record<string, FieldSpec>>;

/** The problem a shape check found; its message is one short phrase naming the field. */
export class ShapeError extends Error {
  override readonly name = 'ShapeError';
}

/** A short, bounded description of a value for an error message (never its whole content). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 40 ? 'a long string' : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'function') return 'a function';
  return typeof value === 'object' ? 'an object' : typeof value;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Checks `value` against `shape`; `what` names the whole (e.g. "the component") in
 * messages, `path` prefixes field names of a nested object (e.g. "retry.").
 * @throws {ShapeError} naming the first field that is missing, of the wrong kind, or unknown
 */
export function checkShape(value: unknown, shape: ObjectShape, what: string, path = ''): void {
  if (!isObject(value)) throw new ShapeError(`${what} is ${describeValue(value)}, not an object`);
  for (const [key, spec] of Object.entries(shape)) {
    const field = value[key];
    if (field === undefined) {
      if (spec.required === true) throw new ShapeError(`\`${path}${key}\` is missing`);
      continue;
    }
    const problem = spec.rule(field);
    if (problem !== undefined) throw new ShapeError(`\`${path}${key}\` ${problem}`);
  }
  const known = Object.keys(shape);
  const unknown = Object.keys(value).find((key) => !known.includes(key));
  if (unknown !== undefined) {
    const near = nearestKey(known, unknown);
    throw new ShapeError(
      `unknown key \`${path}${unknown}\` (${near === undefined ? `${what} may have: ${known.join(', ')}` : `did you mean \`${path}${near}\`?`})`,
    );
  }
}

/**
 * The known key an unknown one was probably meant as: one is the other's start (`timeout`
 * for `timeoutMs`), the closest in length first; else they share their first letters
 * (`dependency` for `dependencies`).
 */
function nearestKey(known: readonly string[], unknown: string): string | undefined {
  const u = unknown.toLowerCase();
  const prefixed = known
    .filter((key) => key.toLowerCase().startsWith(u) || u.startsWith(key.toLowerCase()))
    .sort((a, b) => Math.abs(a.length - u.length) - Math.abs(b.length - u.length));
  if (prefixed[0] !== undefined) return prefixed[0];
  return known.find((key) => {
    const stem = Math.min(key.length, u.length, 6);
    return stem >= 4 && key.toLowerCase().slice(0, stem) === u.slice(0, stem);
  });
}

/** Field rules: each returns the end of a sentence that starts with the field's name. */
export const rules = {
  function: (value: unknown) =>
    typeof value === 'function' ? undefined : `must be a function, got ${describeValue(value)}`,
  boolean: (value: unknown) =>
    typeof value === 'boolean' ? undefined : `must be true or false, got ${describeValue(value)}`,
  string: (value: unknown) =>
    typeof value === 'string' && value.trim() !== ''
      ? undefined
      : `must be a non-empty string, got ${describeValue(value)}`,
  /** A name that is safe as a log field, a metric label and a health component. */
  name: (value: unknown) =>
    typeof value === 'string' && /^[a-z0-9][a-z0-9_.-]{0,63}$/i.test(value)
      ? undefined
      : `must be 1 to 64 letters, digits, '_', '.' or '-' (starting with a letter or digit), got ${describeValue(value)}`,
  positiveMs: (value: unknown) =>
    typeof value === 'number' && Number.isFinite(value) && value > 0
      ? undefined
      : `must be a positive number of milliseconds, got ${describeValue(value)}`,
  nonNegativeNumber: (value: unknown) =>
    typeof value === 'number' && Number.isFinite(value) && value >= 0
      ? undefined
      : `must be a number of at least 0, got ${describeValue(value)}`,
  positiveInteger: (value: unknown) =>
    Number.isInteger(value) && (value as number) > 0
      ? undefined
      : `must be a whole number of at least 1, got ${describeValue(value)}`,
  stringList: (value: unknown) =>
    Array.isArray(value) && value.every((item) => typeof item === 'string' && item !== '')
      ? undefined
      : `must be a list of names, got ${describeValue(value)}`,
} as const satisfies Record<string, FieldRule>;

/** A rule for a nested object with its own shape (e.g. `retry`); its problems name the field in full (`retry.attempts`). */
export function nestedRule(shape: ObjectShape, path: string): FieldRule {
  return (value) => {
    checkShape(value, shape, `\`${path}\``, `${path}.`);
    return undefined;
  };
}
