import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AlertEngineOptions, createAlertEngine } from '../../../src/core/alerts/alert-engine.ts';
import { matchAny } from '../../../src/core/alerts/inhibition.ts';
import type { AlertNotification, AlertTransition } from '../../../src/core/alerts/types.ts';
import { CaptureLogger } from '../../support/capture-logger.ts';
import { ManualClock } from '../../support/manual-clock.ts';

const MINUTE = 60_000;
const ADMIN = '123456789012345678';

function setup(overrides: Partial<AlertEngineOptions> = {}) {
  const clock = new ManualClock();
  const log = new CaptureLogger();
  const told: AlertNotification[] = [];
  let ids = 0;
  const engine = createAlertEngine({
    clock,
    log,
    sinks: [{ name: 'test', notify: (n) => told.push(n) }],
    repeatIntervalMs: 15 * MINUTE,
    newEpisodeId: () => `ep${++ids}`,
    ...overrides,
  });
  const transitions = (): AlertTransition[] => told.filter((n): n is AlertTransition => n.kind !== 'notice');
  /** What a channel would show: transitions not silenced or held back, as `kind key`. */
  const shown = (): string[] =>
    transitions()
      .filter((n) => !n.silenced && n.inhibited_by === null)
      .map((n) => `${n.kind} ${n.key}`);
  return { clock, log, told, engine, transitions, shown };
}

describe('alert episodes: acknowledgement and messages', () => {
  it('an episode keeps its id from fired to resolved; a new firing is a new episode', () => {
    const { engine, transitions } = setup();
    engine.raise('component.db', { severity: 'critical', title: 'DB down' });
    engine.clear('component.db');
    engine.raise('component.db', { severity: 'critical', title: 'DB down' });
    assert.deepEqual(
      transitions().map((n) => `${n.kind} ${n.episode}`),
      ['fired ep1', 'resolved ep1', 'fired ep2'],
    );
  });

  it('acknowledging a message stops the reminders of its alerts, logs who, and updates the message', async () => {
    const { engine, clock, log, transitions } = setup();
    engine.raise('component.db', { severity: 'warning', title: 'DB slow' });
    engine.raise('component.cache', { severity: 'warning', title: 'Cache slow' });
    engine.attachMessage(['ep1', 'ep2'], '900');
    await clock.advance(MINUTE);
    const result = engine.acknowledge('900', ADMIN);
    assert.deepEqual([...result.applied].sort(), ['component.cache', 'component.db']);
    assert.deepEqual(
      transitions()
        .filter((n) => n.kind === 'updated')
        .map((n) => [n.key, n.acknowledged?.by, n.message_id]),
      [
        ['component.db', ADMIN, '900'],
        ['component.cache', ADMIN, '900'],
      ],
    );
    assert.equal(log.events('alert_acknowledged')[0]?.detail.by, ADMIN);
    assert.equal(log.events('alert_acknowledged')[0]?.detail.firing_for_ms, MINUTE);
    await clock.advance(60 * MINUTE);
    assert.equal(
      transitions().filter((n) => n.kind === 'reminder').length,
      0,
      'no reminders once acknowledged',
    );
    assert.deepEqual(engine.acknowledge('900', ADMIN).already.length, 2);
    assert.equal(engine.episodesOfMessage('900')[0]?.acknowledged?.by, ADMIN);
  });

  it('an escalation clears the acknowledgement: worse news is nobody’s until acknowledged again', async () => {
    const { engine, clock, transitions } = setup();
    engine.raise('component.db', { severity: 'warning', title: 'DB slow' });
    engine.attachMessage(['ep1'], '900');
    engine.acknowledge('900', ADMIN);
    engine.raise('component.db', { severity: 'critical', title: 'DB down' });
    const escalated = transitions().find((n) => n.kind === 'escalated');
    assert.equal(escalated?.acknowledged, null);
    await clock.advance(15 * MINUTE);
    assert.equal(transitions().filter((n) => n.kind === 'reminder').length, 1, 'reminders are back');
  });

  it('a press on a message whose alerts resolved says so; one the engine never knew is empty', () => {
    const { engine } = setup();
    engine.raise('component.db', { severity: 'warning', title: 'DB slow' });
    engine.attachMessage(['ep1'], '900');
    engine.clear('component.db');
    assert.deepEqual(engine.acknowledge('900', ADMIN), {
      applied: [],
      already: [],
      resolved: ['component.db'],
      silences: [],
    });
    assert.deepEqual(engine.acknowledge('901', ADMIN).resolved, []);
    assert.equal(engine.episodesOfMessage('900')[0]?.state, 'resolved');
  });

  it('silencing a message silences each firing alert in it, and the message is updated to say so', () => {
    const { engine, told } = setup();
    engine.raise('component.db', { severity: 'warning', title: 'DB slow' });
    engine.attachMessage(['ep1'], '900');
    const result = engine.silenceMessage('900', 3_600_000, ADMIN);
    assert.deepEqual(result.applied, ['component.db']);
    assert.equal(result.silences[0]?.duration_ms, 3_600_000);
    assert.deepEqual(
      told
        .slice(-2)
        .map((n) => (n.kind === 'notice' ? `notice ${n.topic} ${n.by}` : `${n.kind} ${n.silenced}`)),
      [`notice silence_set ${ADMIN}`, 'updated true'],
    );
    assert.ok(engine.episodesOfMessage('900')[0]?.silenced_until);
  });

  it('no update is sent for an episode no message shows yet', () => {
    const { engine, transitions } = setup();
    engine.raise('component.db', { severity: 'warning', title: 'DB slow' });
    engine.silence('component.db', MINUTE, ADMIN);
    assert.equal(transitions().filter((n) => n.kind === 'updated').length, 0);
  });
});

describe('alert episodes: inhibition', () => {
  it('a critical alert holds back a warning about the same thing, and names it', () => {
    const { engine, shown, transitions } = setup();
    engine.raise('nodata.task.sync', { severity: 'critical', title: 'No data from sync' });
    engine.raise('task.sync', { severity: 'warning', title: 'Task sync degraded' });
    assert.deepEqual(shown(), ['fired nodata.task.sync']);
    assert.equal(transitions().at(-1)?.inhibited_by, 'nodata.task.sync');
    assert.deepEqual(engine.episode('ep1')?.held_back, ['task.sync']);
  });

  it('of two alike about the same thing the older shows; when it resolves, the other is posted', () => {
    const { engine, shown } = setup();
    engine.raise('nodata.task.sync', { severity: 'warning', title: 'No data from sync' });
    engine.raise('task.sync', { severity: 'warning', title: 'Task sync degraded' });
    engine.clear('nodata.task.sync');
    assert.deepEqual(shown(), ['fired nodata.task.sync', 'resolved nodata.task.sync', 'reminder task.sync']);
  });

  it('a hold keeps matching alerts back until released; with a grace, those that clear meanwhile are never posted', async () => {
    const { engine, clock, shown, log } = setup({ releaseGraceMs: 30_000 });
    engine.hold('gateway', matchAny(['component.ops_channel', 'task.discord_*']));
    engine.raise('gateway', { severity: 'critical', title: 'Gateway down' });
    engine.raise('component.ops_channel', { severity: 'warning', title: 'Ops channel failing' });
    engine.raise('task.discord_sync', { severity: 'warning', title: 'Sync stale' });
    engine.raise('resource.memory', { severity: 'warning', title: 'Memory high' });
    assert.deepEqual(shown(), ['fired gateway', 'fired resource.memory']);
    assert.deepEqual(engine.episode('ep1')?.held_back, ['component.ops_channel', 'task.discord_sync']);
    assert.equal(log.events('alert_fired').filter((r) => r.detail.inhibited_by === 'gateway').length, 2);
    engine.clear('gateway');
    engine.release('gateway');
    engine.clear('component.ops_channel');
    await clock.advance(30_000);
    assert.deepEqual(shown(), [
      'fired gateway',
      'fired resource.memory',
      'resolved gateway',
      'resolved component.ops_channel',
      'reminder task.discord_sync',
    ]);
  });

  it('what fired before a hold stays shown; its reminders are held back while the hold lasts', async () => {
    const { engine, clock, shown } = setup();
    engine.raise('component.ops_channel', { severity: 'warning', title: 'Ops channel failing' });
    engine.hold('gateway', matchAny(['component.ops_channel']));
    await clock.advance(15 * MINUTE);
    assert.deepEqual(shown(), ['fired component.ops_channel']);
  });
});

describe('alert episodes: state across a restart', () => {
  it('silences, acknowledgements and messages come back; a firing alert continues its episode', async () => {
    const before = setup();
    before.engine.raise('component.db', { severity: 'critical', title: 'DB down' });
    before.engine.attachMessage(['ep1'], '900');
    before.engine.acknowledge('900', ADMIN);
    before.engine.silence('resource.*', 2 * 3_600_000, ADMIN);
    const saved = JSON.parse(JSON.stringify(before.engine.exportState()));

    const after = setup({ newEpisodeId: () => 'new' });
    await after.clock.advance(MINUTE);
    after.engine.restoreState(saved);
    assert.deepEqual(
      after.engine.view().silences.map((s) => s.key),
      ['resource.*'],
    );
    after.engine.raise('component.db', { severity: 'critical', title: 'DB down' });
    const fired = after.transitions()[0];
    assert.equal(fired?.episode, 'ep1', 'the same episode');
    assert.equal(fired?.message_id, '900');
    assert.equal(fired?.acknowledged?.by, ADMIN);
    assert.equal(after.log.events('alert_fired')[0]?.detail.restored, true);
    assert.equal(after.engine.view().firing[0]?.since, before.engine.view().firing[0]?.since);
    await after.clock.advance(60 * MINUTE);
    assert.equal(after.transitions().filter((n) => n.kind === 'reminder').length, 0, 'still acknowledged');
  });

  it('an alert that does not fire again after the restart is resolved in its message', () => {
    const before = setup();
    before.engine.raise('component.db', { severity: 'critical', title: 'DB down' });
    before.engine.attachMessage(['ep1'], '900');
    const after = setup();
    after.engine.restoreState(before.engine.exportState());
    after.engine.expireRestored();
    const [resolved] = after.transitions();
    assert.equal(resolved?.kind, 'resolved');
    assert.equal(resolved?.message_id, '900');
    assert.equal(after.log.events('alert_resolved')[0]?.detail.reason, 'not_seen_since_restart');
    assert.equal(after.engine.episodesOfMessage('900')[0]?.state, 'resolved');
  });

  it('a silence that ended while the bot was down does not come back', async () => {
    const before = setup();
    before.engine.silence('component.db', MINUTE, ADMIN);
    const saved = before.engine.exportState();
    const after = setup();
    await after.clock.advance(2 * MINUTE);
    after.engine.restoreState(saved);
    assert.deepEqual(after.engine.view().silences, []);
  });

  it('tells its listener after each change worth keeping', () => {
    const { engine } = setup();
    let changes = 0;
    engine.onStateChange(() => {
      changes += 1;
    });
    engine.raise('component.db', { severity: 'critical', title: 'DB down' });
    engine.attachMessage(['ep1'], '900');
    engine.acknowledge('900', ADMIN);
    engine.silence('x', MINUTE, ADMIN);
    engine.clear('component.db');
    assert.equal(changes, 5);
  });
});
