import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAlertEngine, type RaisedAlert } from '../../../src/core/alerts/alert-engine.ts';
import { createFlapGuard, type FlapGuardOptions } from '../../../src/core/alerts/flap-guard.ts';
import { CaptureLogger } from '../../support/capture-logger.ts';
import { ManualClock } from '../../support/manual-clock.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

function setup(over: Partial<FlapGuardOptions> = {}) {
  const clock = new ManualClock();
  /** What the sinks are told, as `kind key severity`. */
  const calls: string[] = [];
  const alerts = createAlertEngine({
    clock,
    log: new CaptureLogger(),
    repeatIntervalMs: 24 * 60 * MINUTE,
    sinks: [
      { name: 't', notify: (n) => n.kind !== 'notice' && calls.push(`${n.kind} ${n.key} ${n.severity}`) },
    ],
  });
  const guard = createFlapGuard({
    clock,
    alerts,
    consecutive: 2,
    healthyForMs: 3 * MINUTE,
    observeEveryMs: 30 * SECOND,
    ...over,
  });
  return { clock, calls, guard };
}

const failed: RaisedAlert = { severity: 'warning', title: "Component 'cache' failed" };

describe('flap guard', () => {
  it('a single blip never fires, and is forgotten once healthy long enough', async () => {
    const { clock, calls, guard } = setup();
    guard.bad('component.cache', failed);
    await clock.advance(5 * SECOND);
    guard.good('component.cache');
    await clock.advance(3 * MINUTE);
    guard.bad('component.cache', failed); // a new blip, long after: counts from one again
    await clock.advance(5 * SECOND);
    guard.good('component.cache');
    await clock.advance(10 * MINUTE);
    assert.deepEqual(calls, []);
  });

  it('a condition that stays bad fires at its second observation, one interval later', async () => {
    const { clock, calls, guard } = setup();
    guard.bad('component.cache', failed);
    await clock.advance(30 * SECOND - 1);
    assert.deepEqual(calls, []);
    await clock.advance(1);
    assert.deepEqual(calls, ['fired component.cache warning']);
    await clock.advance(10 * MINUTE);
    assert.equal(calls.length, 1, 'fires once; the engine repeats it');
  });

  it('a condition flapping every 30 s for an hour fires once, and resolves once 3 min after it settles', async () => {
    const { clock, calls, guard } = setup();
    for (let t = 0; t < 60 * MINUTE; t += MINUTE) {
      guard.bad('task.flaky', failed);
      await clock.advance(30 * SECOND);
      guard.good('task.flaky');
      await clock.advance(30 * SECOND);
    }
    assert.deepEqual(calls, ['fired task.flaky warning']);
    assert.equal(guard.isFiring('task.flaky'), true);
    // Healthy for 30 s already; the resolution comes at 3 min.
    await clock.advance(2 * MINUTE + 29 * SECOND);
    assert.equal(calls.length, 1);
    await clock.advance(SECOND);
    assert.deepEqual(calls, ['fired task.flaky warning', 'resolved task.flaky warning']);
    assert.equal(guard.isFiring('task.flaky'), false);
  });

  it('a worse state escalates while firing, and a relapse cancels the pending resolution', async () => {
    const { clock, calls, guard } = setup({ consecutive: 1 });
    guard.bad('component.db', failed);
    guard.bad('component.db', { ...failed, severity: 'critical' });
    guard.good('component.db');
    await clock.advance(2 * MINUTE);
    guard.bad('component.db', failed);
    await clock.advance(2 * MINUTE);
    guard.good('component.db');
    await clock.advance(3 * MINUTE);
    assert.deepEqual(calls, [
      'fired component.db warning',
      'escalated component.db critical',
      'resolved component.db warning',
    ]);
  });

  it('with no healthy duration it resolves at once, and every key is separate', () => {
    const { calls, guard } = setup({ consecutive: 1, healthyForMs: 0 });
    guard.bad('a', failed);
    guard.bad('b', failed);
    guard.good('a');
    guard.good('nothing');
    assert.deepEqual(calls, ['fired a warning', 'fired b warning', 'resolved a warning']);
  });

  it('dispose leaves no timer and makes later calls no-ops', async () => {
    const { clock, calls, guard } = setup();
    guard.bad('a', failed);
    guard.dispose();
    assert.equal(clock.pending, 0);
    guard.bad('a', failed);
    guard.bad('a', failed);
    await clock.advance(MINUTE);
    assert.deepEqual(calls, []);
  });

  it('rejects bad options', () => {
    assert.throws(() => setup({ consecutive: 0 }), /consecutive/);
    assert.throws(() => setup({ healthyForMs: -1 }), /healthyForMs/);
    assert.throws(() => setup({ observeEveryMs: 0 }), /observeEveryMs/);
  });
});
