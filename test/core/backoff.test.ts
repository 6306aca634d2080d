import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, createBackoff } from '../../src/core/backoff.ts';
import { DEFAULT_RETRY_POLICY, retryBackoff } from '../../src/core/startup/startup-component.ts';

describe('createBackoff', () => {
  it('doubles from the base up to the cap', () => {
    const backoff = createBackoff({ baseMs: 500, factor: 2, maxMs: 5000, jitter: 0 });
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 100].map((n) => backoff.delay(n)),
      [500, 1000, 2000, 4000, 5000, 5000, 5000],
    );
  });

  it('spreads each delay by ± jitter and never exceeds the cap', () => {
    const low = createBackoff({ baseMs: 1000, maxMs: 4000, jitter: 0.25, random: () => 0 });
    const high = createBackoff({ baseMs: 1000, maxMs: 4000, jitter: 0.25, random: () => 0.999999 });
    assert.equal(low.delay(1), 750);
    assert.equal(high.delay(1), 1250);
    assert.equal(high.delay(10), 4000);
  });

  it('refuses options that make no sense', () => {
    assert.throws(() => createBackoff({ baseMs: 0 }), /baseMs/);
    assert.throws(() => createBackoff({ baseMs: 1000, maxMs: 10 }), /maxMs/);
    assert.throws(() => createBackoff({ jitter: 1 }), /jitter/);
    assert.throws(() => createBackoff({ factor: 0.5 }), /factor/);
  });

  it('names a field as the caller calls it', () => {
    assert.throws(
      () =>
        createBackoff(
          { baseMs: 100, maxMs: 50 },
          { baseMs: 'retryBaseMs', factor: 'factor', maxMs: 'retryMaxMs', jitter: 'jitter' },
        ),
      /^RangeError: retryMaxMs \(50\) must be >= retryBaseMs \(100\)$/,
    );
  });
});

describe("a start component's retry delays", () => {
  const policy = retryBackoff({
    ...DEFAULT_RETRY_POLICY,
    baseDelayMs: 100,
    factor: 2,
    maxDelayMs: 1_000,
    jitter: 0.5,
  });

  it('grow exponentially from the base delay', () => {
    const mid = () => 0.5;
    assert.deepEqual(
      [1, 2, 3, 4].map((n) => backoffDelay(policy, n, mid)),
      [100, 200, 400, 800],
    );
  });

  it('spread by the jitter fraction in both directions', () => {
    assert.equal(
      backoffDelay(policy, 2, () => 0),
      100,
    );
    assert.equal(
      backoffDelay(policy, 2, () => 0.75),
      250,
    );
  });

  it('never exceed the cap, jitter included', () => {
    for (const r of [0, 0.3, 0.99]) {
      for (const n of [4, 5, 10, 60]) assert.ok(backoffDelay(policy, n, () => r) <= 1_000);
    }
    assert.equal(
      backoffDelay(policy, 60, () => 0.99),
      1_000,
    );
  });
});
