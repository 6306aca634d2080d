/**
 * Orders names the same way on every machine: case-insensitively by code unit, then by
 * case. Not `localeCompare`, whose collator depends on the machine's locale and pages about
 * 3 MB of ICU data into the process the first time it runs.
 */
export function compareNames(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x !== y) return x < y ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
