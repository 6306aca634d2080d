import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBackoff } from '../../../src/core/tasks/backoff.ts';

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
});
