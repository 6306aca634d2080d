import assert from 'node:assert/strict';
import { test } from 'node:test';
import { percentiles, slope, stats } from '../../bench/support/stats.ts';

test('percentiles are nearest-rank: p99 of 1..100 is 99, not the maximum', () => {
  const values = Array.from({ length: 100 }, (_, i) => 100 - i);
  assert.deepEqual(percentiles(values), { n: 100, p50: 50, p99: 99, max: 100 });
  assert.deepEqual(percentiles([7]), { n: 1, p50: 7, p99: 7, max: 7 });
});

test('stats takes the middle pair for an even count', () => {
  assert.deepEqual(stats([4, 1, 3, 2]), { min: 1, median: 2.5, max: 4 });
});

test('slope is the least-squares fit: a flat noisy series is near zero, a steady climb is its rate', () => {
  const flat = [10, 12, 9, 11, 10, 12, 9, 11].map((y, x) => ({ x, y }));
  assert.ok(Math.abs(slope(flat)) < 0.2);
  const climb = Array.from({ length: 10 }, (_, x) => ({ x, y: 5 + 2 * x + (x % 2 === 0 ? 0.5 : -0.5) }));
  assert.ok(Math.abs(slope(climb) - 2) < 0.1);
  assert.ok(Number.isNaN(slope([{ x: 1, y: 1 }])));
});
