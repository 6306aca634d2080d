export interface BackoffOptions {
  /**
   * The first delay.
   * @default 1000
   */
  readonly baseMs?: number;
  /**
   * Growth per attempt.
   * @default 2
   */
  readonly factor?: number;
  /**
   * The cap, applied after jitter.
   * @default 300000
   */
  readonly maxMs?: number;
  /**
   * Relative spread: a delay `d` becomes uniform in `d·(1 ± jitter)`.
   * @default 0.2
   */
  readonly jitter?: number;
  /**
   * Uniform in [0, 1).
   * @default Math.random
   */
  readonly random?: () => number;
}

export const BACKOFF_DEFAULTS = {
  baseMs: 1000,
  factor: 2,
  maxMs: 300_000,
  jitter: 0.2,
} as const satisfies BackoffOptions;

/** Exponential backoff with jitter and a cap. */
export interface Backoff {
  /** The delay before restart number `attempt` (1 for the first). */
  delay(attempt: number): number;
}

/** Creates a backoff; invalid options throw at construction. */
export function createBackoff(options: BackoffOptions = {}): Backoff {
  const baseMs = options.baseMs ?? BACKOFF_DEFAULTS.baseMs;
  const factor = options.factor ?? BACKOFF_DEFAULTS.factor;
  const maxMs = options.maxMs ?? BACKOFF_DEFAULTS.maxMs;
  const jitter = options.jitter ?? BACKOFF_DEFAULTS.jitter;
  const random = options.random ?? Math.random;
  if (!(baseMs > 0)) throw new RangeError(`backoff baseMs must be > 0, got ${baseMs}`);
  if (!(factor >= 1)) throw new RangeError(`backoff factor must be >= 1, got ${factor}`);
  if (!(maxMs >= baseMs)) throw new RangeError(`backoff maxMs (${maxMs}) must be >= baseMs (${baseMs})`);
  if (!(jitter >= 0 && jitter < 1)) throw new RangeError(`backoff jitter must be in [0, 1), got ${jitter}`);
  return {
    delay(attempt) {
      const n = Math.max(1, Math.floor(attempt));
      // Capping the exponent keeps a long failure streak from overflowing to Infinity.
      const raw = Math.min(maxMs, baseMs * factor ** Math.min(n - 1, 64));
      const spread = 1 + jitter * (2 * random() - 1);
      return Math.max(0, Math.min(maxMs, Math.round(raw * spread)));
    },
  };
}
