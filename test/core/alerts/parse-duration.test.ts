import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDuration } from '../../../src/core/alerts/parse-duration.ts';

describe('parseDuration', () => {
  it('reads the forms an admin types', () => {
    assert.equal(parseDuration('30m'), 30 * 60_000);
    assert.equal(parseDuration('2h'), 2 * 3_600_000);
    assert.equal(parseDuration('1d'), 86_400_000);
    assert.equal(parseDuration(' 1h 30m '), 90 * 60_000);
    assert.equal(parseDuration('1W'), 7 * 86_400_000);
  });

  it('refuses text that is not a duration with a sentence that says the accepted form', () => {
    for (const bad of ['', '30', 'm', '1.5h', '-1h', 'soon', '1h@everyone']) {
      assert.throws(() => parseDuration(bad), /e\.g\. 30m, 2h, 1d/, bad);
    }
  });

  it('refuses durations outside the bounds', () => {
    assert.throws(() => parseDuration('30s'), /between 1 minute/);
    assert.throws(() => parseDuration('31d'), /30 day/);
    assert.equal(parseDuration('10s', { minMs: 1000 }), 10_000);
  });
});
