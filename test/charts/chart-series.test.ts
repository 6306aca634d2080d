import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Series } from '../../src/charts/chart-requests.ts';
import {
  downsample,
  firingPeriods,
  formatClock,
  formatMb,
  formatMs,
  timeStep,
  timeTicks,
} from '../../src/charts/chart-series.ts';
import { createAlertEngine } from '../../src/core/alerts/alert-engine.ts';
import type { AlertNotification } from '../../src/core/alerts/types.ts';
import { CaptureLogger } from '../support/capture-logger.ts';
import { ManualClock } from '../support/manual-clock.ts';

const STEP = 15_000;
const T0 = Date.UTC(2024, 0, 15, 14, 0, 0);
const series = (values: readonly (number | null)[]): Series => ({
  times: values.map((_, i) => T0 + i * STEP),
  values,
});
const threshold = { warning: 100, critical: 500 };

describe('chart series', () => {
  it('shades what the alert engine fires: from the sample that fires to the one that resolves, escalations split', async () => {
    const values = [5, 150, 160, 600, 700, 650, 200, 90, 50, 40, 120, null, 130, 10, 5];
    const periods = firingPeriods(series(values), threshold, {
      consecutive: 2,
      resolveAfter: 2,
      hysteresis: 0.05,
    });
    assert.deepEqual(
      periods.map((p) => [(p.fromMs - T0) / STEP, (p.toMs - T0) / STEP, p.severity]),
      [
        [2, 4, 'warning'],
        [4, 7, 'critical'],
        [7, 8, 'warning'],
        // 120 then (skipped) then 130: two in a row, as the engine skips a missing value.
        [12, 14, 'warning'],
      ],
    );
    // The same samples through the real engine fire and resolve at those very samples.
    const clock = new ManualClock(T0);
    const seen: AlertNotification[] = [];
    const engine = createAlertEngine({
      clock,
      log: new CaptureLogger(),
      sinks: [{ name: 'test', notify: (n) => seen.push(n) }],
      consecutiveSamples: 2,
      resolveAfter: 2,
    });
    for (const [i, v] of values.entries()) {
      if (i > 0) await clock.advance(STEP);
      if (v !== null) engine.observe('k', { value: v, thresholds: threshold, title: 'lag', format: String });
    }
    assert.deepEqual(
      seen.map((n) => [n.kind, (Date.parse(n.at) - T0) / STEP]),
      [
        ['fired', 2],
        ['escalated', 4],
        ['resolved', 8],
        ['fired', 12],
        ['resolved', 14],
      ],
    );
  });

  it('a period still open at the end runs to the last sample; one sample over is not a period', () => {
    assert.deepEqual(
      firingPeriods(series([5, 150, 160, 170]), threshold, {
        consecutive: 2,
        resolveAfter: 2,
        hysteresis: 0,
      }).map((p) => [(p.fromMs - T0) / STEP, (p.toMs - T0) / STEP]),
      [[2, 3]],
    );
    assert.deepEqual(
      firingPeriods(series([5, 150, 5, 150, 5]), threshold, {
        consecutive: 2,
        resolveAfter: 2,
        hysteresis: 0,
      }),
      [],
    );
    assert.deepEqual(
      firingPeriods(series([]), threshold, { consecutive: 1, resolveAfter: 1, hysteresis: 0 }),
      [],
    );
  });

  it('thinning a long series keeps every spike', () => {
    const values = Array.from({ length: 3600 }, (_, i) => (i === 1234 ? 999 : i % 7));
    const points = downsample(series(values), 480);
    assert.equal(points.length, 480);
    assert.ok(
      points.some((p) => p.y === 999),
      'the spike survives',
    );
    assert.ok(
      points.every((p, i) => i === 0 || p.x > (points[i - 1]?.x ?? 0)),
      'still in time order',
    );
    assert.deepEqual(downsample(series([1, null, 3]), 480), [
      { x: T0, y: 1 },
      { x: T0 + STEP, y: null },
      { x: T0 + 2 * STEP, y: 3 },
    ]);
  });

  it('time ticks fall on round UTC times, at most eight of them', () => {
    assert.equal(timeStep(15 * 60_000), 2 * 60_000);
    assert.equal(timeStep(60 * 60_000), 10 * 60_000);
    assert.equal(timeStep(30_000), 5_000);
    const from = Date.UTC(2024, 0, 15, 14, 6, 13);
    const to = Date.UTC(2024, 0, 15, 14, 29, 45);
    const ticks = timeTicks(from, to, 5 * 60_000);
    assert.deepEqual(
      ticks.map((t) => formatClock(t, 5 * 60_000)),
      ['14:10', '14:15', '14:20', '14:25'],
    );
    assert.equal(formatClock(Date.UTC(2024, 0, 15, 9, 5, 30), 10_000), '09:05:30');
  });

  it('units read as people write them', () => {
    assert.equal(formatMb(512), '512 MB');
    assert.equal(formatMb(1536), '1.5 GB');
    assert.equal(formatMb(2048), '2 GB');
    assert.equal(formatMs(0.42), '0.4 ms');
    assert.equal(formatMs(120), '120 ms');
    assert.equal(formatMs(1500), '1.5 s');
  });
});
