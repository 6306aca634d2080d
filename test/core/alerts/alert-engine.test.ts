import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AlertEngineOptions,
  createAlertEngine,
  type ObservedValue,
} from '../../../src/core/alerts/alert-engine.ts';
import type {
  AlertNotification,
  AlertSink,
  AlertTransition,
  OpsNotice,
} from '../../../src/core/alerts/types.ts';
import { noopMetrics } from '../../../src/core/metrics/metrics.ts';
import { CaptureLogger } from '../../support/capture-logger.ts';
import { ManualClock } from '../../support/manual-clock.ts';

const MINUTE = 60_000;

function setup(overrides: Partial<AlertEngineOptions> = {}) {
  const clock = new ManualClock();
  const log = new CaptureLogger();
  const seen: AlertTransition[] = [];
  const notices: OpsNotice[] = [];
  /** What a channel would post, in order, as `kind key` (`notice:topic key` for notices). */
  const heard: string[] = [];
  const sink: AlertSink = {
    name: 'test',
    notify: (n) => {
      if (n.kind === 'notice') heard.push(`notice:${n.topic} ${n.key}`);
      else if (!n.silenced) heard.push(`${n.kind} ${n.key}`);
      if (n.kind === 'notice') notices.push(n);
      else seen.push(n);
    },
  };
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
  return { clock, log, seen, notices, heard, engine, metricEvents };
}

const memory = (mb: number): ObservedValue => ({
  value: mb,
  thresholds: { warning: 1024, critical: 2048 },
  title: 'Memory usage high',
  format: (v) => (v >= 1024 ? `${(v / 1024).toFixed(1)}GB` : `${Math.round(v)}MB`),
});

describe('alert engine: numeric conditions', () => {
  it('fires only after consecutive samples over the threshold, with a one-line log message', () => {
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

  it('reminds hourly when given no interval, as the bot does by default (ALERT_REPEAT_INTERVAL_MS)', async () => {
    const clock = new ManualClock();
    const log = new CaptureLogger();
    const engine = createAlertEngine({ clock, log });
    engine.raise('component.database', { severity: 'critical', title: "Component 'database' failed" });
    await clock.advance(59 * MINUTE);
    assert.equal(log.events('alert_reminder').length, 0);
    await clock.advance(MINUTE);
    assert.equal(log.events('alert_reminder').length, 1);
    await engine.close(1000);
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
  const ADMIN = '123456789012345678';
  const DAY = 24 * 60 * MINUTE;

  it('silenced alerts are still logged but marked silenced for the sinks, until the silence ends', async () => {
    const { engine, seen, clock, log } = setup();
    const result = engine.silence('resource.*', 30 * MINUTE, ADMIN);
    assert.deepEqual(result, {
      until: new Date(clock.now() + 30 * MINUTE).toISOString(),
      duration_ms: 30 * MINUTE,
      requested_ms: 30 * MINUTE,
      capped: false,
    });
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
    assert.equal(view.silences[0]?.created_by, ADMIN);
    assert.equal(view.firing.find((a) => a.key === 'resource.memory')?.silenced, true);

    await clock.advance(16 * MINUTE); // first reminder, still inside the silence
    assert.equal(seen.filter((n) => n.key === 'resource.memory').at(-1)?.silenced, true);
    await clock.advance(15 * MINUTE); // the silence ended at 30 min
    const last = seen.filter((n) => n.key === 'resource.memory').at(-1);
    assert.equal(last?.kind, 'reminder');
    assert.equal(last?.silenced, false);
    assert.equal(last?.at, new Date(clock.now() - MINUTE).toISOString(), 'announced when the silence ended');
    assert.equal(engine.view().silences.length, 0);
    assert.equal(log.events('alert_silence_expired').length, 1);
  });

  it('every silence and unsilence is logged with who did it and told to the sinks as a notice', () => {
    const { engine, notices, log } = setup();
    engine.silence('gateway', 60 * MINUTE, ADMIN);
    assert.equal(engine.unsilence('gateway', '876543210987654321'), true);
    assert.equal(engine.unsilence('gateway', ADMIN), false, 'nothing to lift: no log, no notice');
    const [silenced] = log.events('alert_silenced');
    assert.equal(silenced?.detail.by, ADMIN);
    assert.equal(silenced?.detail.key, 'gateway');
    assert.equal(silenced?.detail.capped, false);
    const unsilenced = log.events('alert_unsilenced');
    assert.equal(unsilenced.length, 1);
    assert.equal(unsilenced[0]?.detail.by, '876543210987654321');
    assert.deepEqual(
      notices.map((n) => [n.topic, n.key, n.by, n.requested_ms]),
      [
        ['silence_set', 'gateway', ADMIN, null],
        ['silence_lifted', 'gateway', '876543210987654321', null],
      ],
    );
    assert.equal(notices[0]?.until, new Date(Date.parse(notices[0]?.at ?? '') + 60 * MINUTE).toISOString());
  });

  it('a catch-all silence runs at most 24 h; a narrower one runs as long as asked', () => {
    const { engine, notices, log, clock } = setup();
    const all = engine.silence('*', 30 * DAY, ADMIN);
    assert.equal(all.capped, true);
    assert.equal(all.duration_ms, DAY);
    assert.equal(all.requested_ms, 30 * DAY);
    assert.equal(all.until, new Date(clock.now() + DAY).toISOString());
    assert.equal(notices.at(-1)?.requested_ms, 30 * DAY);
    assert.equal(notices.at(-1)?.until, all.until);
    assert.equal(log.events('alert_silenced')[0]?.detail.capped, true);
    assert.equal(log.events('alert_silenced')[0]?.detail.duration_ms, DAY);
    assert.match(log.events('alert_silenced')[0]?.msg ?? '', /capped at 1d/);

    assert.equal(engine.silence('component.*', 2 * DAY, ADMIN).capped, true, 'a whole group is a catch-all');
    assert.equal(engine.silence('task.*', 12 * 60 * MINUTE, ADMIN).capped, false, 'a day or less is kept');
    assert.equal(engine.silence('component.db.*', 2 * DAY, ADMIN).capped, false);
    assert.equal(engine.silence('gateway', 30 * DAY, ADMIN).capped, false);
    assert.equal(notices.at(-1)?.requested_ms, null);
  });

  it('when a silence runs out the sinks hear it, then every alert still firing under it', async () => {
    const { engine, clock, heard, notices, log } = setup();
    engine.raise('component.cache', { severity: 'warning', title: "Component 'cache' degraded" });
    engine.silence('*', 30 * DAY, ADMIN);
    engine.raise('task.sampler', { severity: 'critical', title: "Task 'sampler' failed" });
    engine.raise('gateway', { severity: 'critical', title: 'Gateway down' });
    await clock.advance(MINUTE);
    engine.clear('gateway'); // resolved inside the silence: nothing left to say
    heard.length = 0;
    await clock.advance(DAY - MINUTE - 1);
    assert.deepEqual(heard, [], 'nothing before the capped end');
    await clock.advance(1);
    assert.deepEqual(heard, [
      'notice:silence_expired *',
      'reminder component.cache',
      'reminder task.sampler',
    ]);
    const ended = notices.at(-1);
    assert.equal(ended?.by, null);
    assert.deepEqual(ended?.still_firing, ['component.cache', 'task.sampler']);
    assert.equal(log.events('alert_silence_expired')[0]?.detail.still_firing, 2);
    const reminders = log.events('alert_reminder').filter((r) => r.detail.reason === 'silence_ended');
    assert.equal(reminders.length, 2);
    assert.ok(reminders.every((r) => r.detail.silenced === false));
  });

  it('lifting a silence re-announces what it covered, unless another silence still covers it', () => {
    const { engine, heard, notices } = setup();
    engine.silence('resource.*', 60 * MINUTE, ADMIN);
    engine.silence('resource.memory', 60 * MINUTE, ADMIN);
    engine.raise('resource.memory', { severity: 'warning', title: 'Memory usage high' });
    engine.raise('resource.cpu', { severity: 'warning', title: 'CPU high' });
    heard.length = 0;
    engine.unsilence('resource.*', ADMIN);
    assert.deepEqual(heard, ['notice:silence_lifted resource.*', 'reminder resource.cpu']);
    assert.deepEqual(notices.at(-1)?.still_firing, ['resource.cpu']);
    engine.unsilence('resource.memory', ADMIN);
    assert.deepEqual(heard.slice(2), ['notice:silence_lifted resource.memory', 'reminder resource.memory']);
  });

  it('a long silence ends on time, even past what one timer can wait', async () => {
    const { engine, clock, notices } = setup();
    const { until } = engine.silence('gateway', 30 * DAY, ADMIN);
    await clock.advance(30 * DAY - 1);
    assert.equal(notices.length, 1, 'still running');
    assert.equal(engine.view().silences.length, 1);
    await clock.advance(1);
    assert.deepEqual(
      notices.map((n) => n.topic),
      ['silence_set', 'silence_expired'],
    );
    assert.equal(notices[1]?.at, until);
  });

  it('setting a silence again replaces it: one end, at the new time', async () => {
    const { engine, clock, notices } = setup();
    engine.silence('gateway', 60 * MINUTE, ADMIN);
    engine.silence('gateway', 120 * MINUTE, ADMIN);
    await clock.advance(90 * MINUTE);
    assert.equal(notices.filter((n) => n.topic === 'silence_expired').length, 0);
    await clock.advance(30 * MINUTE);
    assert.equal(notices.filter((n) => n.topic === 'silence_expired').length, 1);
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
      sinks: [
        {
          name: 's',
          notify: (n) => seen.push(n),
          close: async (ms) => void closed.push(ms),
        },
      ],
    });
    engine.raise('gateway', { severity: 'critical', title: 'Gateway down' });
    engine.silence('gateway', 5 * MINUTE, '1');
    const heard = seen.length;
    await engine.close(2000);
    await clock.advance(10 * MINUTE);
    assert.deepEqual(closed, [2000]);
    assert.equal(seen.length, heard, 'no reminder, no silence end after close');
    assert.equal(clock.pending, 0, 'no timer left behind');
  });
});
