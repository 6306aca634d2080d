import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retryDelay } from '../../../src/core/startup/retry-delay.ts';
import { DEFAULT_RETRY_POLICY } from '../../../src/core/startup/startup-component.ts';

const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, factor: 2, maxDelayMs: 1_000, jitter: 0.5 };

describe('retryDelay', () => {
  it('grows exponentially from the base delay', () => {
    const mid = () => 0.5;
    assert.deepEqual(
      [1, 2, 3, 4].map((n) => retryDelay(policy, n, mid)),
      [100, 200, 400, 800],
    );
  });

  it('spreads by the jitter fraction in both directions', () => {
    assert.equal(
      retryDelay(policy, 2, () => 0),
      100,
    );
    assert.equal(
      retryDelay(policy, 2, () => 0.75),
      250,
    );
  });

  it('never exceeds the cap, jitter included', () => {
    for (const r of [0, 0.3, 0.99]) {
      for (const n of [4, 5, 10, 60]) assert.ok(retryDelay(policy, n, () => r) <= 1_000);
    }
    assert.equal(
      retryDelay(policy, 60, () => 0.99),
      1_000,
    );
  });
});
