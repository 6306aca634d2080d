/**
 * `options` without its undefined entries, so `{ ...DEFAULTS, ...definedOnly(options) }`
 * keeps a default wherever the caller passed `undefined` or nothing.
 */
export function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
