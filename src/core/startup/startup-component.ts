import { BACKOFF_DEFAULTS, type BackoffFieldNames, type BackoffPolicy } from '../backoff.ts';

/** How a component's start is retried; delays grow exponentially with jitter and are capped (the core's one backoff). */
export interface RetryPolicy {
  /** Attempts in the foreground start, the first included. @default 3 */
  readonly attempts: number;
  /** Delay before the second attempt, ms. @default 500 */
  readonly baseDelayMs: number;
  /** Growth of the delay per attempt. @default 2 */
  readonly factor: number;
  /** Upper bound of any delay, jitter included, ms. @default 30000 */
  readonly maxDelayMs: number;
  /** Spread of the random jitter as a fraction of the delay (0.2 = ±20 %). @default 0.2 */
  readonly jitter: number;
}

export const DEFAULT_RETRY_POLICY = {
  attempts: 3,
  baseDelayMs: 500,
  factor: BACKOFF_DEFAULTS.factor,
  maxDelayMs: 30_000,
  jitter: BACKOFF_DEFAULTS.jitter,
} as const satisfies RetryPolicy;

/** A retry policy's delays as the backoff computes them. */
export function retryBackoff(retry: RetryPolicy): BackoffPolicy {
  return { baseMs: retry.baseDelayMs, factor: retry.factor, maxMs: retry.maxDelayMs, jitter: retry.jitter };
}

/** The backoff's fields as a component's `retry` names them, for its errors. */
export const RETRY_FIELD_NAMES: BackoffFieldNames = {
  baseMs: 'retry.baseDelayMs',
  factor: 'retry.factor',
  maxMs: 'retry.maxDelayMs',
  jitter: 'retry.jitter',
};

/** One unit of the bot's start (config, database, Discord login…), as declared by the bot. */
export interface StartupComponent {
  /** Unique, stable name used in logs, metrics, health and `/startup`. */
  readonly name: string;
  /** Components that must be up before this one starts. @default [] */
  readonly dependencies?: readonly string[];
  /** A critical component that cannot start fails the whole start. @default true */
  readonly critical?: boolean;
  /** Bound of one start attempt (and of the fallback), ms. @default 30000 */
  readonly timeoutMs?: number;
  /** Bound of `stop`, ms. @default 5000 */
  readonly stopTimeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /**
   * Keep retrying a non-critical component in the background after it degraded,
   * with the same (capped) backoff. @default true
   */
  readonly retryInBackground?: boolean;
  /** Starts the component; must honour `signal` (aborted on timeout or cancellation). */
  start(signal: AbortSignal): Promise<void> | void;
  /** Releases what `start` acquired; bounded by `stopTimeoutMs`. */
  stop?(signal: AbortSignal): Promise<void> | void;
  /** Puts a degraded stand-in in place when a non-critical start gave up. */
  fallback?(error: unknown, signal: AbortSignal): Promise<void> | void;
}

/** A component with every default applied, as the orchestrator uses it. */
export interface ResolvedComponent {
  readonly name: string;
  readonly dependencies: readonly string[];
  readonly critical: boolean;
  readonly timeoutMs: number;
  readonly stopTimeoutMs: number;
  readonly retry: RetryPolicy;
  readonly retryInBackground: boolean;
  readonly definition: StartupComponent;
}

export const COMPONENT_DEFAULTS = {
  dependencies: [],
  critical: true,
  timeoutMs: 30_000,
  stopTimeoutMs: 5_000,
  retryInBackground: true,
} as const satisfies Omit<ResolvedComponent, 'name' | 'retry' | 'definition'>;

/**
 * A start error that retrying cannot fix (a rejected token, a bad address) carries
 * `permanent: true`; the orchestrator then stops retrying at once instead of
 * hammering a service that will keep saying no.
 */
export function isPermanentFailure(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { permanent?: unknown }).permanent === true;
}
