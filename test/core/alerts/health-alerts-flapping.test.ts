import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createObservabilityManager } from '../../../src/core/manager.ts';
import { createOpsChannelSink, type OpsChannelMessage } from '../../../src/discord/ops-channel-sink.ts';
import { CaptureLogger } from '../../support/capture-logger.ts';
import { ManualClock } from '../../support/manual-clock.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/**
 * The core with the ALERT_* defaults (two observations to fire, 3 min healthy to
 * resolve), health checks every 30 s, and the real ops-channel sink posting into an array.
 */
async function setup() {
  const clock = new ManualClock();
  const log = new CaptureLogger();
  const manager = createObservabilityManager({
    log,
    clock,
    // No jitter in the task restarts: the recovery lands at the same moment every run.
    random: () => 0.5,
    gateway: false,
    healthChecks: { enabled: true, intervalMs: 30 * SECOND },
    resources: {
      enabled: false,
      sampleIntervalMs: 15 * SECOND,
      statsLogIntervalMs: MINUTE,
      thresholds: {
        memory_mb: { warning: 1024, critical: 2048 },
        cpu_percent: { warning: 80, critical: 95 },
        event_loop_lag_ms: { warning: 100, critical: 500 },
      },
    },
    alerts: { repeatIntervalMs: 3_600_000, consecutiveSamples: 2, gatewayGraceMs: 60 * SECOND },
  });
  const posts: OpsChannelMessage[] = [];
  manager.alerts.addSink(
    createOpsChannelSink({
      post: async (body) => {
        posts.push(body);
      },
      clock,
      log,
    }),
  );
  const running = manager.start([]);
  await clock.advance(100);
  assert.equal((await running).report.outcome, 'ready');
  /** The ops channel's embeds about `key`, as `fired` / `resolved`. */
  const channel = (key: string): string[] =>
    posts
      .flatMap((p) => p.embeds)
      .filter((e) => e.description?.includes(`\`${key}\``))
      .map((e) =>
        e.title?.startsWith('✅') ? 'resolved' : e.title?.startsWith('🔁') ? 'reminder' : 'fired',
      );
  return { clock, log, manager, channel };
}

describe('component and task alerts do not flap', () => {
  it('a task failing every few seconds for a minute posts one alert and one recovery', async () => {
    const { clock, log, manager, channel } = await setup();
    const failUntil = clock.now() + MINUTE;
    manager.tasks.register({
      name: 'flaky',
      every: 2 * SECOND,
      runAtStart: true,
      run: () => {
        if (clock.now() < failUntil) throw new Error('upstream answered 503');
      },
    });
    await clock.advance(MINUTE);
    const failures = manager.ops.tasks().find((t) => t.name === 'flaky')?.failures ?? 0;
    assert.ok(failures >= 6, `the task failed ${failures} times in the minute`);
    assert.deepEqual(channel('task.flaky'), ['fired']);

    // Healthy from here on: the recovery comes once it has stayed healthy for 3 minutes.
    await clock.advance(2 * MINUTE);
    assert.deepEqual(channel('task.flaky'), ['fired'], 'not resolved while it may still be flapping');
    await clock.advance(2 * MINUTE);
    assert.deepEqual(channel('task.flaky'), ['fired', 'resolved']);
    await clock.advance(30 * MINUTE);
    assert.deepEqual(channel('task.flaky'), ['fired', 'resolved'], 'nothing more');
    const key = (r: { detail: Record<string, unknown> }) => r.detail.key === 'task.flaky';
    assert.equal(log.events('alert_fired').filter(key).length, 1);
    assert.equal(log.events('alert_resolved').filter(key).length, 1);
  });

  it('a task that fails once a minute for half an hour fires once, and resolves once it stops', async () => {
    const { clock, manager, channel } = await setup();
    let failing = true;
    let failedInMinute = -1;
    manager.tasks.register({
      name: 'minutely',
      every: 20 * SECOND,
      run: () => {
        // The first run of each minute fails; the others (and the restarts) succeed.
        const minute = Math.floor(clock.now() / MINUTE);
        if (failing && minute !== failedInMinute) {
          failedInMinute = minute;
          throw new Error('lock held by another worker');
        }
      },
    });
    await clock.advance(30 * MINUTE);
    const failures = manager.ops.tasks().find((t) => t.name === 'minutely')?.failures ?? 0;
    assert.ok(failures >= 29, `${failures} failures`);
    assert.deepEqual(channel('task.minutely'), ['fired']);
    failing = false;
    await clock.advance(10 * MINUTE);
    assert.deepEqual(channel('task.minutely'), ['fired', 'resolved']);
  });

  it('a component flapping ready/degraded at every health check posts one alert, and one recovery', async () => {
    const { clock, manager, channel } = await setup();
    let flaps = true;
    let down = false;
    manager.checks.add('cache', () => {
      down = flaps ? !down : false;
      if (down) throw new Error('PING timed out');
    });
    const states: string[] = [];
    manager.health.onChange(({ name, to }) => {
      if (name === 'cache') states.push(to);
    });
    await clock.advance(30 * MINUTE);
    assert.ok(states.filter((s) => s === 'degraded').length >= 25, `${states.length} changes`);
    assert.deepEqual(channel('component.cache'), ['fired']);
    flaps = false;
    await clock.advance(10 * MINUTE);
    assert.deepEqual(channel('component.cache'), ['fired', 'resolved']);
  });
});
