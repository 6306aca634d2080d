const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

export interface DurationBounds {
  /** @default 60000 (1 minute) */
  readonly minMs?: number;
  /** @default 2592000000 (30 days) */
  readonly maxMs?: number;
}

const DEFAULTS = { minMs: 60_000, maxMs: 30 * 86_400_000 } as const satisfies Required<DurationBounds>;

/**
 * Parses a duration such as `30m`, `2h`, `1d` or `1h30m` into milliseconds.
 * @throws Error with a sentence fit to show an admin when the text is not a duration or is out of bounds.
 */
export function parseDuration(text: string, bounds: DurationBounds = {}): number {
  const minMs = bounds.minMs ?? DEFAULTS.minMs;
  const maxMs = bounds.maxMs ?? DEFAULTS.maxMs;
  const compact = text.trim().toLowerCase().replace(/\s+/g, '');
  if (!/^(\d{1,6}[smhdw])+$/.test(compact)) {
    throw new Error('Duration must be a number followed by s, m, h, d or w, e.g. 30m, 2h, 1d or 1h30m.');
  }
  let ms = 0;
  for (const [, amount, unit] of compact.matchAll(/(\d+)([smhdw])/g)) {
    ms += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  }
  if (ms < minMs || ms > maxMs) {
    throw new Error(`Duration must be between ${minMs / 60_000} minute(s) and ${maxMs / 86_400_000} day(s).`);
  }
  return ms;
}
