import { backoffDelay } from '../backoff.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logging/logger.ts';
import { runBounded } from './run-bounded.ts';
import { isPermanentFailure, type ResolvedComponent, retryBackoff } from './startup-component.ts';

export type StartResult =
  | { readonly kind: 'ok' }
  | { readonly kind: 'aborted' }
  | { readonly kind: 'failed'; readonly error: unknown };

export interface StartWithRetriesOptions {
  readonly clock: Clock;
  readonly log: Logger;
  readonly random: () => number;
  /** Aborts the attempt in flight and the wait between attempts. */
  readonly signal: AbortSignal;
  readonly describe: (error: unknown) => string;
  /** Called as each attempt begins, so the caller can count them. */
  readonly onAttempt: () => void;
}

/**
 * A component's foreground start: up to `retry.attempts` attempts, each bounded by
 * `timeoutMs`, with capped exponential backoff between them (`startup_retry`).
 */
export async function startWithRetries(
  c: ResolvedComponent,
  options: StartWithRetriesOptions,
): Promise<StartResult> {
  const { clock, log, random, signal, describe } = options;
  const { retry } = c;
  let lastError: unknown;
  for (let attempt = 1; attempt <= retry.attempts; attempt++) {
    options.onAttempt();
    try {
      await runBounded(clock, (s) => c.definition.start(s), c.timeoutMs, signal);
      return { kind: 'ok' };
    } catch (error) {
      if (signal.aborted) return { kind: 'aborted' };
      lastError = error;
    }
    if (attempt === retry.attempts || isPermanentFailure(lastError)) break;
    const delay = backoffDelay(retryBackoff(retry), attempt, random);
    const text = describe(lastError);
    log.warning(
      'startup_retry',
      `Component '${c.name}' attempt ${attempt}/${retry.attempts} failed: ${text}; retrying in ${delay}ms`,
      { component: c.name, attempt, attempts: retry.attempts, delay_ms: delay, error: text },
    );
    try {
      await clock.sleep(delay, signal);
    } catch {
      return { kind: 'aborted' };
    }
  }
  return { kind: 'failed', error: lastError };
}
