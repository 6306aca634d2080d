/** The shape of an exponential backoff: every restart, retry and reopen delay in the core uses one. */
export interface BackoffPolicy {
  /** The first delay, ms. */
  readonly baseMs: number;
  /** Growth per attempt. */
  readonly factor: number;
  /** The cap, applied after jitter, ms. */
  readonly maxMs: number;
  /** Relative spread: a delay `d` becomes uniform in `d·(1 ± jitter)`, so restarts of many bots do not synchronise. */
  readonly jitter: number;
}

export interface BackoffOptions extends Partial<BackoffPolicy> {
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
} as const satisfies BackoffPolicy;

/** How a caller names the four fields in its own options, for error messages. */
export type BackoffFieldNames = { readonly [K in keyof BackoffPolicy]: string };

const OWN_NAMES: BackoffFieldNames = {
  baseMs: 'backoff baseMs',
  factor: 'backoff factor',
  maxMs: 'backoff maxMs',
  jitter: 'backoff jitter',
};

/**
 * What is wrong with `policy`, named as the caller's options name it; undefined when
 * it is sound: a positive base, a factor of at least 1, a cap at or above the base, a
 * jitter in [0, 1).
 */
export function backoffProblem(
  policy: BackoffPolicy,
  names: BackoffFieldNames = OWN_NAMES,
): string | undefined {
  const { baseMs, factor, maxMs, jitter } = policy;
  if (!(baseMs > 0)) return `${names.baseMs} must be > 0, got ${baseMs}`;
  if (!(factor >= 1)) return `${names.factor} must be >= 1, got ${factor}`;
  if (!(maxMs >= baseMs)) return `${names.maxMs} (${maxMs}) must be >= ${names.baseMs} (${baseMs})`;
  if (!(jitter >= 0 && jitter < 1)) return `${names.jitter} must be in [0, 1), got ${jitter}`;
  return undefined;
}

/**
 * The delay before attempt number `attempt` + 1, i.e. after the `attempt`-th failure
 * (1 for the first): `baseMs · factor^(attempt-1)`, spread by the jitter, never above `maxMs`.
 */
export function backoffDelay(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const n = Math.max(1, Math.floor(attempt));
  // Capping the exponent keeps a long failure streak from overflowing to Infinity.
  const raw = Math.min(policy.maxMs, policy.baseMs * policy.factor ** Math.min(n - 1, 64));
  const spread = 1 + policy.jitter * (2 * random() - 1);
  return Math.max(0, Math.min(policy.maxMs, Math.round(raw * spread)));
}

/** Exponential backoff with jitter and a cap. */
export interface Backoff {
  /** The delay after failure number `attempt` (1 for the first). */
  delay(attempt: number): number;
}

/**
 * A backoff with {@link BACKOFF_DEFAULTS} under `options`; unsound options throw a
 * RangeError at construction, naming the field as `names` has it.
 */
export function createBackoff(options: BackoffOptions = {}, names: BackoffFieldNames = OWN_NAMES): Backoff {
  const policy: BackoffPolicy = {
    baseMs: options.baseMs ?? BACKOFF_DEFAULTS.baseMs,
    factor: options.factor ?? BACKOFF_DEFAULTS.factor,
    maxMs: options.maxMs ?? BACKOFF_DEFAULTS.maxMs,
    jitter: options.jitter ?? BACKOFF_DEFAULTS.jitter,
  };
  const problem = backoffProblem(policy, names);
  if (problem !== undefined) throw new RangeError(problem);
  const random = options.random ?? Math.random;
  return { delay: (attempt) => backoffDelay(policy, attempt, random) };
}
