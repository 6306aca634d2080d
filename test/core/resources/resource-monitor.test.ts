import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAlertEngine } from '../../../src/core/alerts/alert-engine.ts';
import type { AlertTransition } from '../../../src/core/alerts/types.ts';
import {
  createResourceMonitor,
  disabledResourcesView,
} from '../../../src/core/resources/resource-monitor.ts';
import { DEFAULT_RESOURCE_THRESHOLDS } from '../../../src/core/resources/resource-thresholds.ts';
import type { ResourceSample } from '../../../src/core/resources/types.ts';
import { CaptureLogger } from '../../support/capture-logger.ts';
import { ManualClock } from '../../support/manual-clock.ts';

const MB = 1024 * 1024;

function setup(opts: { intervalMs?: number; statsEveryMs?: number; historyMs?: number } = {}) {
  const clock = new ManualClock();
  const log = new CaptureLogger();
  const notes: AlertTransition[] = [];
  const alerts = createAlertEngine({
    clock,
    log,
    sinks: [{ name: 't', notify: (n) => n.kind !== 'notice' && notes.push(n) }],
  });
  const next: Partial<ResourceSample>[] = [];
  const sampler = {
    async sample(): Promise<ResourceSample> {
      return {
        at: new Date(clock.now()).toISOString(),
        rss_bytes: 200 * MB,
        heap_used_bytes: 50 * MB,
        heap_total_bytes: 100 * MB,
        cpu_percent: 5,
        open_files: 30,
        threads: 10,
        event_loop_lag_ms: { mean: 1.5, p99: 4, max: 9 },
        ...next.shift(),
      };
    },
  };
  const intervalMs = opts.intervalMs ?? 15_000;
  const monitor = createResourceMonitor({
    sampler,
    thresholds: DEFAULT_RESOURCE_THRESHOLDS,
    clock,
    log,
    alerts,
    sampleIntervalMs: intervalMs,
    ...(opts.statsEveryMs === undefined ? {} : { statsEveryMs: opts.statsEveryMs }),
    ...(opts.historyMs === undefined ? {} : { historyMs: opts.historyMs }),
  });
  const run = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i += 1) {
      await monitor.tick();
      await clock.advance(intervalMs);
    }
  };
  return { clock, log, notes, monitor, next, run };
}

describe('resource monitor', () => {
  it('logs resource_stats at the configured low rate, with the keys the README jq queries read', async () => {
    const { log, run } = setup({ intervalMs: 15_000, statsEveryMs: 60_000 });
    await run(20); // 5 minutes
    const stats = log.events('resource_stats');
    assert.equal(stats.length, 5);
    const r = stats[0];
    assert.equal(r?.subsys, 'resources');
    assert.equal(r?.level, 'info');
    assert.deepEqual(r?.detail, {
      memory_mb: 200,
      heap_used_mb: 50,
      cpu_percent: 5,
      event_loop_lag_ms: 1.5,
      event_loop_lag_p99_ms: 4,
      event_loop_lag_max_ms: 9,
      open_files: 30,
      threads: 10,
    });
  });

  it('keeps at least an hour of history and no more than it needs', async () => {
    const { monitor, run } = setup({ intervalMs: 1000, statsEveryMs: 3_600_000 });
    await run(3700);
    const view = monitor.view();
    assert.equal(view.enabled, true);
    assert.ok(view.history.length >= 3600 && view.history.length <= 3602, `${view.history.length}`);
    const span = Date.parse(view.history.at(-1)?.at ?? '') - Date.parse(view.history[0]?.at ?? '');
    assert.ok(span >= 3_600_000, `span ${span}`);
    assert.equal(view.latest, view.history.at(-1));
  });

  it('turns sustained high memory and lag into alerts, and their recovery into one resolution each', async () => {
    const { notes, next, run, log } = setup();
    next.push(
      // A block that the p99 hides (the histogram samples every few ms) still alerts on the max.
      { rss_bytes: 1229 * MB, event_loop_lag_ms: { mean: 4, p99: 1, max: 750 } },
      { rss_bytes: 1229 * MB, event_loop_lag_ms: { mean: 4, p99: 1, max: 750 } },
    );
    await run(2);
    assert.deepEqual(
      notes.map((n) => [n.key, n.kind, n.severity, n.value, n.threshold]),
      [
        ['resource.memory', 'fired', 'warning', '1.2GB', '1.0GB'],
        ['resource.event_loop_lag', 'fired', 'critical', '750ms', '500ms'],
      ],
    );
    assert.ok(log.events('alert_fired').some((r) => r.msg === '❌ Event loop lag: 750ms (threshold: 500ms)'));
    await run(5);
    assert.deepEqual(
      notes.slice(2).map((n) => [n.key, n.kind]),
      [
        ['resource.memory', 'resolved'],
        ['resource.event_loop_lag', 'resolved'],
      ],
    );
  });

  it('does not alert on CPU when it could not be read', async () => {
    const { notes, next, run } = setup();
    next.push({ cpu_percent: null }, { cpu_percent: null });
    await run(2);
    assert.equal(notes.length, 0);
  });

  it('rejects invalid thresholds at construction', () => {
    const clock = new ManualClock();
    assert.throws(
      () =>
        createResourceMonitor({
          sampler: { sample: async () => ({}) as ResourceSample },
          thresholds: { ...DEFAULT_RESOURCE_THRESHOLDS, cpu_percent: { warning: 95, critical: 80 } },
          clock,
          log: new CaptureLogger(),
          alerts: { observe: () => {} },
          sampleIntervalMs: 15_000,
        }),
      /cpu_percent\.critical \(80\) must exceed cpu_percent\.warning \(95\)/,
    );
  });

  it('offers a disabled view for when monitoring is off', () => {
    const view = disabledResourcesView(DEFAULT_RESOURCE_THRESHOLDS);
    assert.equal(view.enabled, false);
    assert.equal(view.latest, undefined);
  });
});
