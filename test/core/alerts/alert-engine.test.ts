import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AlertEngineOptions,
  createAlertEngine,
  type ObservedValue,
} from '../../../src/core/alerts/alert-engine.ts';
import type { AlertNotification, AlertSink } from '../../../src/core/alerts/types.ts';
import { noopMetrics } from '../../../src/core/metrics/metrics.ts';
import { CaptureLogger } from '../../support/capture-logger.ts';
import { ManualClock } from '../../support/manual-clock.ts';

const MINUTE = 60_000;

function setup(overrides: Partial<AlertEngineOptions> = {}) {
  const clock = new ManualClock();
  const log = new CaptureLogger();
  const seen: AlertNotification[] = [];
  const sink: AlertSink = { name: 'test', notify: (n) => seen.push(n) };
  const metricEvents: string[] = [];
  const engine = createAlertEngine({
    clock,
    log,
    sinks: [sink],
    repeatIntervalMs: 15 * MINUTE,
    metrics: {
      ...noopMetrics,
      alert: (event, severity) => metricEvents.push(`${event}:${severity}`),
    },
    ...overrides,
  });
  return { clock, log, seen, engine, metricEvents };
}

const memory = (mb: number): ObservedValue => ({
  value: mb,
  thresholds: { warning: 1024, critical: 2048 },
  title: 'Memory usage high',
  format: (v) => (v >= 1024 ? `${(v / 1024).toFixed(1)}GB` : `${Math.round(v)}MB`),
});

describe('alert engine: numeric conditions', () => {
  it('fires only after consecutive samples over the threshold, with the guide-style message', () => {
    const { engine, seen, log } = setup();
    engine.observe('resource.memory', memory(1229));
    assert.equal(seen.length, 0, 'one sample is not enough');
    engine.observe('resource.memory', memory(1229));
    assert.deepEqual(
      seen.map((n) => [n.kind, n.severity, n.value, n.threshold]),
      [['fired', 'warning', '1.2GB', '1.0GB']],
    );
    const [fired] = log.events('alert_fired');
    assert.equal(fired?.level, 'warning');
    assert.equal(fired?.subsys, 'alerts');
    assert.equal(fired?.msg, '⚠️ Memory usage high: 1.2GB (threshold: 1.0GB)');
    assert.equal(fired?.detail.key, 'resource.memory');
    assert.equal(fired?.detail.severity, 'warning');
    assert.equal(fired?.detail.value, '1.2GB');
    assert.equal(fired?.detail.threshold, '1.0GB');
    assert.equal(typeof fired?.detail.since, 'string');
    assert.equal(engine.view().firing[0]?.key, 'resource.memory');
  });

  it('a spike of a single sample never fires', () => {
    const { engine, seen } = setup();
    for (let i = 0; i < 10; i += 1) engine.observe('resource.memory', memory(i % 2 === 0 ? 3000 : 500));
    assert.equal(seen.length, 0);
  });

  it('a value hovering at the threshold fires once and does not flap', () => {
    const { engine, seen, log } = setup();
    engine.observe('resource.memory', memory(1030));
    engine.observe('resource.memory', memory(1030));
    // Dipping just under the threshold is inside the hysteresis band: still firing, no new message.
    for (let i = 0; i < 200; i += 1) engine.observe('resource.memory', memory(i % 4 < 2 ? 1000 : 1030));
    assert.deepEqual(
      seen.map((n) => n.kind),
      ['fired'],
    );
    assert.equal(log.events('alert_resolved').length, 0);
  });

  it('escalates warning → critical once, logs it at critical level, and resolves once', () => {
    const { engine, seen, log, metricEvents } = setup();
    engine.observe('resource.memory', memory(1500));
    engine.observe('resource.memory', memory(1500));
    engine.observe('resource.memory', memory(2500));
    assert.equal(seen.length, 1);
    engine.observe('resource.memory', memory(2500));
    engine.observe('resource.memory', memory(2600));
    assert.deepEqual(
      seen.map((n) => [n.kind, n.severity]),
      [
        ['fired', 'warning'],
        ['escalated', 'critical'],
      ],
    );
    const escalated = log.events('alert_fired')[1];
    assert.equal(escalated?.level, 'critical');
    assert.equal(escalated?.msg, '❌ Memory usage high: 2.4GB (threshold: 2.0GB)');

    engine.observe('resource.memory', memory(500));
    assert.equal(seen.length, 2, 'one low sample does not resolve');
    engine.observe('resource.memory', memory(500));
    engine.observe('resource.memory', memory(500));
    engine.observe('resource.memory', memory(500));
    assert.deepEqual(
      seen.map((n) => n.kind),
      ['fired', 'escalated', 'resolved'],
    );
    assert.equal(log.events('alert_resolved').length, 1);
    assert.equal(log.events('alert_resolved')[0]?.level, 'info');
    assert.equal(engine.view().firing.length, 0);
    assert.deepEqual(metricEvents, ['fired:warning', 'fired:critical', 'resolved:critical']);
  });

  it('fires straight at critical when the first samples are already critical', () => {
    const { engine, seen } = setup();
    engine.observe('resource.memory', memory(4096));
    engine.observe('resource.memory', memory(4096));
    assert.deepEqual(
      seen.map((n) => [n.kind, n.severity, n.threshold]),
      [['fired', 'critical', '2.0GB']],
    );
  });

  it('ignores non-finite values', () => {
    const { engine, seen } = setup();
    for (let i = 0; i < 5; i += 1) engine.observe('resource.cpu', { ...memory(Number.NaN) });
    assert.equal(seen.length, 0);
  });
});

describe('alert engine: reminders and resolution', () => {
  it('reminds at the repeat interval while firing, never more often, and stops once resolved', async () => {
    const { engine, seen, clock, log } = setup();
    engine.raise('component.database', { severity: 'critical', title: "Component 'database' failed" });
    // More raises of the same condition are not news.
    for (let i = 0; i < 20; i += 1) {
      engine.raise('component.database', { severity: 'critical', title: "Component 'database' failed" });
    }
    await clock.advance(14 * MINUTE);
    assert.deepEqual(
      seen.map((n) => n.kind),
      ['fired'],
    );
    await clock.advance(MINUTE);
    assert.deepEqual(
      seen.map((n) => n.kind),
      ['fired', 'reminder'],
    );
    await clock.advance(30 * MINUTE);
    assert.equal(log.events('alert_reminder').length, 3);
    assert.equal(log.events('alert_reminder')[0]?.detail.duration_ms, 15 * MINUTE);
    assert.equal(engine.clear('component.database'), true);
    assert.equal(engine.clear('component.database'), false, 'resolves once');
    const resolved = seen.at(-1);
    assert.equal(resolved?.kind, 'resolved');
    assert.equal(resolved?.duration_ms, 45 * MINUTE);
    assert.match(log.events('alert_resolved')[0]?.msg ?? '', /Resolved after 45m/);
    await clock.advance(60 * MINUTE);
    assert.equal(log.events('alert_reminder').length, 3, 'no reminder after resolution');
    assert.equal(log.events('alert_resolved').length, 1);
  });

  it('raise escalates a warning to critical and clear of an unknown key is a no-op', () => {
    const { engine, seen } = setup();
    engine.raise('gateway', { severity: 'warning', title: 'Gateway disconnected', value: '45s' });
    engine.raise('gateway', { severity: 'critical', title: 'Gateway down', value: '5m' });
    assert.deepEqual(
      seen.map((n) => [n.kind, n.severity, n.title, n.value]),
      [
        ['fired', 'warning', 'Gateway disconnected', '45s'],
        ['escalated', 'critical', 'Gateway down', '5m'],
      ],
    );
    assert.equal(engine.clear('nothing'), false);
  });

  it('a sink that throws does not stop the others or the engine', () => {
    const clock = new ManualClock();
    const log = new CaptureLogger();
    const seen: string[] = [];
    const engine = createAlertEngine({
      clock,
      log,
      sinks: [
        {
          name: 'broken',
          notify: () => {
            throw new Error('boom');
          },
        },
        { name: 'ok', notify: (n) => seen.push(n.key) },
      ],
    });
    engine.raise('task.sampler', { severity: 'warning', title: 'Task stale' });
    assert.deepEqual(seen, ['task.sampler']);
    assert.equal(log.events('alert_sink_failed').length, 1);
  });

  it('rejects bad options at construction', () => {
    const clock = new ManualClock();
    assert.throws(
      () => createAlertEngine({ clock, log: new CaptureLogger(), consecutiveSamples: 0 }),
      /consecutiveSamples/,
    );
    assert.throws(
      () => createAlertEngine({ clock, log: new CaptureLogger(), repeatIntervalMs: 10 }),
      /repeatIntervalMs/,
    );
  });
});

describe('alert engine: silences', () => {
  it('silenced alerts are still logged but marked silenced for the sinks, until the silence ends', async () => {
    const { engine, seen, clock, log } = setup();
    const until = engine.silence('resource.*', 30 * MINUTE, '123456789012345678');
    assert.equal(until, new Date(clock.now() + 30 * MINUTE).toISOString());
    engine.raise('resource.memory', { severity: 'warning', title: 'Memory usage high' });
    engine.raise('task.sampler', { severity: 'warning', title: 'Task stale' });
    assert.deepEqual(
      seen.map((n) => [n.key, n.silenced]),
      [
        ['resource.memory', true],
        ['task.sampler', false],
      ],
    );
    assert.equal(log.events('alert_fired').length, 2, 'both are logged');
    const view = engine.view();
    assert.equal(view.silences.length, 1);
    assert.equal(view.silences[0]?.created_by, '123456789012345678');
    assert.equal(view.firing.find((a) => a.key === 'resource.memory')?.silenced, true);

    await clock.advance(16 * MINUTE); // first reminder, still inside the silence
    assert.equal(seen.filter((n) => n.key === 'resource.memory').at(-1)?.silenced, true);
    await clock.advance(15 * MINUTE); // second reminder, after the silence ended
    const last = seen.filter((n) => n.key === 'resource.memory').at(-1);
    assert.equal(last?.kind, 'reminder');
    assert.equal(last?.silenced, false);
    assert.equal(engine.view().silences.length, 0);
    assert.equal(log.events('alert_silence_expired').length, 1);
  });

  it('unsilence lifts a silence at once and says whether there was one', () => {
    const { engine, seen } = setup();
    engine.silence('gateway', 60 * MINUTE, '1');
    assert.equal(engine.unsilence('gateway'), true);
    assert.equal(engine.unsilence('gateway'), false);
    engine.raise('gateway', { severity: 'critical', title: 'Gateway down' });
    assert.equal(seen[0]?.silenced, false);
  });

  it('rejects a non-positive duration', () => {
    const { engine } = setup();
    assert.throws(() => engine.silence('gateway', 0, '1'), /duration/);
  });
});

describe('alert engine: close', () => {
  it('stops reminders and closes the sinks with the bound', async () => {
    const clock = new ManualClock();
    const closed: number[] = [];
    const seen: AlertNotification[] = [];
    const engine = createAlertEngine({
      clock,
      log: new CaptureLogger(),
      repeatIntervalMs: MINUTE,
      sinks: [{ name: 's', notify: (n) => seen.push(n), close: async (ms) => void closed.push(ms) }],
    });
    engine.raise('gateway', { severity: 'critical', title: 'Gateway down' });
    await engine.close(2000);
    await clock.advance(10 * MINUTE);
    assert.deepEqual(closed, [2000]);
    assert.equal(seen.length, 1);
  });
});
