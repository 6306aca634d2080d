import { positiveNumber } from '../check-option.ts';
import type { Clock } from '../clock.ts';
import { errorText } from '../error-text.ts';
import type { Logger } from '../logging/logger.ts';
import type { HealthRegistry } from './health-registry.ts';

/** A probe of one component; resolves when healthy, throws (or hangs past its timeout) when not. */
export type HealthCheck = (signal: AbortSignal) => Promise<void> | void;

export interface HealthCheckOptions {
  /**
   * How long the check may take before it counts as failed; its signal aborts then.
   * @default the runner's `timeoutMs`
   */
  readonly timeoutMs?: number;
  /**
   * The state a failing check puts its component in.
   * @default 'failed' for a critical component, 'degraded' otherwise
   */
  readonly effect?: 'degraded' | 'failed';
}

export interface HealthCheckResult {
  readonly component: string;
  readonly ok: boolean;
  readonly duration_ms: number;
  readonly error: string | null;
}

export interface HealthChecksOptions {
  readonly clock: Clock;
  readonly log: Logger;
  readonly registry: HealthRegistry;
  /**
   * Default time a check may take.
   * @default 5000
   */
  readonly timeoutMs?: number;
}

const DEFAULTS = { timeoutMs: 5000 } as const satisfies Partial<HealthChecksOptions>;

/** Periodic probes of components, meant to be run by the task supervisor as an interval task. */
export interface HealthChecks {
  /** Adds (or replaces) the check of `component`. */
  add(component: string, check: HealthCheck, options?: HealthCheckOptions): void;
  /** Runs every check at once, each bounded by its timeout; never throws. */
  runChecks(signal?: AbortSignal): Promise<readonly HealthCheckResult[]>;
}

class CheckTimeoutError extends Error {
  constructor(ms: number) {
    super(`health check timed out after ${ms} ms`);
    this.name = 'CheckTimeoutError';
  }
}

/** Creates the health check runner; a failing check marks its component, a passing one restores it. */
export function createHealthChecks(options: HealthChecksOptions): HealthChecks {
  const { clock, registry } = options;
  const defaultTimeout = options.timeoutMs ?? DEFAULTS.timeoutMs;
  positiveNumber('timeoutMs', defaultTimeout);
  const log = options.log.child({ name: 'health', subsys: 'health' });
  const checks = new Map<string, { check: HealthCheck; options: HealthCheckOptions }>();
  // Only a component this runner marked down is restored by a passing check, so
  // a passing probe never hides a failure that the startup or the gateway reported.
  const markedByCheck = new Set<string>();

  const runOne = async (
    component: string,
    check: HealthCheck,
    checkOptions: HealthCheckOptions,
    outer: AbortSignal | undefined,
  ): Promise<HealthCheckResult> => {
    const timeoutMs = checkOptions.timeoutMs ?? defaultTimeout;
    const started = clock.now();
    const controller = new AbortController();
    const onOuterAbort = (): void => controller.abort(outer?.reason);
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    const stopTimer = new AbortController();
    let error: unknown = null;
    try {
      await Promise.race([
        Promise.resolve().then(() => check(controller.signal)),
        clock.sleep(timeoutMs, stopTimer.signal).then(() => {
          const timeout = new CheckTimeoutError(timeoutMs);
          controller.abort(timeout);
          throw timeout;
        }),
      ]);
    } catch (caught) {
      error = caught ?? new Error('health check failed');
    } finally {
      stopTimer.abort();
      outer?.removeEventListener('abort', onOuterAbort);
    }
    const duration = clock.now() - started;
    if (outer?.aborted) {
      return { component, ok: false, duration_ms: duration, error: 'aborted' };
    }
    const current = registry.get(component);
    if (error === null) {
      if (markedByCheck.has(component) && (current?.state === 'degraded' || current?.state === 'failed')) {
        registry.set(component, 'ready', { note: null });
        log.info('health_check_recovered', `Health check of '${component}' passes again`, { component });
      }
      markedByCheck.delete(component);
      return { component, ok: true, duration_ms: duration, error: null };
    }
    const effect = checkOptions.effect ?? (current?.critical ? 'failed' : 'degraded');
    const message = errorText(error);
    // A probe that keeps failing warns once; the repeats are only worth a debug line.
    const level = markedByCheck.has(component) ? 'debug' : 'warning';
    log[level]('health_check_failed', `Health check of '${component}' failed: ${message}`, {
      component,
      duration_ms: duration,
      error: message,
    });
    markedByCheck.add(component);
    if (current?.state === effect || current?.state === 'failed') registry.recordError(component, error);
    else registry.set(component, effect, { error, note: 'health check failing' });
    return { component, ok: false, duration_ms: duration, error: message };
  };

  return {
    add(component, check, checkOptions = {}) {
      if (checkOptions.timeoutMs !== undefined && !(checkOptions.timeoutMs > 0)) {
        throw new RangeError(`timeoutMs of check '${component}' must be > 0, got ${checkOptions.timeoutMs}`);
      }
      checks.set(component, { check, options: checkOptions });
    },

    async runChecks(signal) {
      return Promise.all(
        [...checks].map(([component, entry]) => runOne(component, entry.check, entry.options, signal)),
      );
    },
  };
}
