import type { RetryPolicy } from './startup-component.ts';

/**
 * The wait before the attempt after `failedAttempt` (1-based): exponential from
 * `baseDelayMs`, spread by ±`jitter` so restarts of many bots do not synchronise,
 * and never above `maxDelayMs`. `random` returns a number in [0, 1).
 */
export function retryDelay(policy: RetryPolicy, failedAttempt: number, random: () => number): number {
  const exponent = Math.max(0, failedAttempt - 1);
  const base = Math.min(policy.maxDelayMs, policy.baseDelayMs * policy.factor ** exponent);
  const spread = 1 + policy.jitter * (2 * random() - 1);
  return Math.max(0, Math.min(policy.maxDelayMs, Math.round(base * spread)));
}
