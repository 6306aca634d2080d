import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAlertEngine } from '../../src/core/alerts/alert-engine.ts';
import type { AlertNotification, AlertSink } from '../../src/core/alerts/types.ts';
import type { ShardReport } from '../../src/fleet/ipc-protocol.ts';
import { createShardAlertGrouping } from '../../src/fleet/shard-alert-grouping.ts';
import { createShardAlerts } from '../../src/fleet/shard-alerts.ts';
import { CaptureLogger } from '../support/capture-logger.ts';
import { ManualClock } from '../support/manual-clock.ts';

function setup() {
  const clock = new ManualClock();
  const posted: AlertNotification[] = [];
  const inner: AlertSink = { name: 'ops-channel', notify: (n) => posted.push(n) };
  const engine = createAlertEngine({ clock, log: new CaptureLogger(), sinks: [] });
  engine.addSink(createShardAlertGrouping({ inner, clock, windowMs: 2_000 }));
  const shards = createShardAlerts(engine);
  // The ops-channel sink drops silenced notifications itself; they are left out here likewise.
  const titles = (): string[] =>
    posted
      .filter((n) => n.kind === 'notice' || !n.silenced)
      .map((n) => `${n.kind} ${n.title}${'value' in n && n.value ? ` — ${n.value}` : ''}`);
  return { clock, engine, shards, posted, titles };
}

const reportWith = (shard: number, alerts: ShardReport['alerts']): ShardReport =>
  ({ shard, alerts }) as unknown as ShardReport;

describe('shard alerts', () => {
  it('sends shards going down together as one message, and their recoveries likewise', async () => {
    const { clock, shards, titles } = setup();
    shards.down(2, 'it exited (killed by SIGKILL)', 1_000);
    await clock.advance(500);
    shards.down(1, 'it exited (killed by SIGKILL)', 1_000);
    shards.down(3, 'it sent no report for 61 s (frozen, or its event loop blocked)', 2_000);
    assert.deepEqual(titles(), [], 'the first waits for the others');
    await clock.advance(1_500);
    assert.deepEqual(titles(), [
      'fired 3 shards down: 1, 2, 3 — it exited (killed by SIGKILL); respawning in 1 s (and 1 other reason)',
    ]);
    // Raised again while still down (a failed respawn): nothing new.
    shards.down(1, 'it exited (exit code 1)', 2_000);
    shards.recovered(1);
    shards.recovered(2);
    await clock.advance(2_000);
    shards.recovered(3);
    await clock.advance(2_000);
    assert.deepEqual(titles().slice(1), [
      'resolved 2 shards recovered: 1, 2',
      'resolved Shard 3 down — it sent no report for 61 s (frozen, or its event loop blocked); respawning in 2 s',
    ]);
  });

  it('sends one shard alone as it is, naming it, and a shard out of respawns as its own critical alert', async () => {
    const { clock, shards, posted } = setup();
    shards.down(4, 'Discord refused it (4010: invalid shard)', null);
    shards.limitReached(7, 5, 5);
    await clock.advance(2_000);
    assert.deepEqual(
      posted.map((n) => [n.kind, n.key, n.title]),
      [
        ['fired', 'shard.7.respawn_limit', 'Shard 7 stays down: out of respawns'],
        ['fired', 'shard.4', 'Shard 4 down'],
      ],
    );
    const down = posted[1];
    assert.ok(down !== undefined && down.kind === 'fired');
    assert.equal(down.severity, 'critical');
    assert.equal(down.value, 'Discord refused it (4010: invalid shard); not respawned');
  });

  it('forwards a shard’s own alerts naming the shard, and resolves those it no longer reports', async () => {
    const { clock, shards, engine, titles } = setup();
    const memory = {
      key: 'resource.memory',
      title: 'Memory usage high',
      severity: 'warning' as const,
      value: '1.1GB',
      threshold: '1.0GB',
      since: new Date(0).toISOString(),
      silenced: false,
    };
    shards.report(3, reportWith(3, [memory]));
    shards.report(3, reportWith(3, [memory]));
    assert.deepEqual(
      engine.view().firing.map((a) => [a.key, a.title]),
      [['shard.3.resource.memory', 'Shard 3: Memory usage high']],
    );
    shards.report(3, reportWith(3, []));
    await clock.advance(2_000);
    assert.deepEqual(titles(), [
      'fired Shard 3: Memory usage high — 1.1GB',
      'resolved Shard 3: Memory usage high — 1.1GB',
    ]);
  });

  it('lets silences through the grouping: a silenced shard is left out of the group', async () => {
    const { clock, shards, engine, titles } = setup();
    engine.silence('shard.1', 3_600_000, 'admin');
    shards.down(1, 'it exited (exit code 1)', 1_000);
    shards.down(2, 'it exited (exit code 1)', 1_000);
    await clock.advance(2_000);
    assert.deepEqual(
      titles().filter((t) => !t.startsWith('notice')),
      ['fired Shard 2 down — it exited (exit code 1); respawning in 1 s'],
    );
  });
});
