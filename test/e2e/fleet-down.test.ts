import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readJsonLines } from '../support/log-schema.ts';
import {
  assertShardLog,
  diagnostics,
  healthzWhen,
  opsMessagesMatching,
  startRunningFleet,
  UP_MS,
} from '../support/running-fleet.ts';
import { until } from '../support/until.ts';

describe('sharded mode: shards that stay down, and shards whose manager is gone', () => {
  it('keeps a shard Discord refuses (4010) down without a respawn loop, and one out of respawns down with a critical alert', async (t) => {
    const fleet = await startRunningFleet({
      env: { DISCORD_SHARDS: '2', SHARD_STALE_MS: '2000', SHARD_RESPAWN_MAX: '1' },
      emulator: { shards: 2, maxConcurrency: 16 },
      beforeStart: (emulator) => emulator.closeNextIdentify(1, 4010),
    });
    let passed = false;
    t.after(async () => {
      if (!passed) process.stderr.write(`${diagnostics(fleet)}\n`);
      await fleet.close();
    });
    const { emulator } = fleet;
    const refused = await healthzWhen(
      fleet,
      (h) => h.shards[0]?.status === 'ready' && h.shards[1]?.status === 'down',
      UP_MS,
      'shard 0 ready and shard 1 down',
    );
    assert.match(refused.shards[1]?.down_reason ?? '', /4010/);
    const alert = await opsMessagesMatching(fleet, /Shard 1 down/, 20_000);
    assert.match(alert[0] ?? '', /invalid shard/);
    assert.match(alert[0] ?? '', /not respawned/);

    // Shard 0 gets its one respawn of the hour, then stays down.
    const first = refused.shards[0]?.pid ?? assert.fail('no pid');
    process.kill(first, 'SIGKILL');
    const respawned = await healthzWhen(
      fleet,
      (h) => h.shards[0]?.status === 'ready' && h.shards[0]?.restarts === 1,
      UP_MS,
      'shard 0 respawned once',
    );
    process.kill(respawned.shards[0]?.pid ?? assert.fail('no pid'), 'SIGKILL');
    await opsMessagesMatching(fleet, /Shard 0 stays down: out of respawns/, 20_000);
    const down = await healthzWhen(
      fleet,
      (h) => h.shards[0]?.status === 'down',
      10_000,
      'shard 0 down for good',
    );
    assert.equal(down.status, 'not_ready', 'no shard is up');
    assert.equal(down.shards[0]?.pid, null);
    assert.equal(down.shards[0]?.restarts, 1);
    assert.equal(down.shards[1]?.restarts, 0, 'the refused shard was never respawned');
    const stats = emulator.shardStats();
    assert.equal(stats.get(0)?.identifies, 2);
    assert.equal(stats.get(1)?.identifies, 1);
    const manager = readJsonLines(fleet.logFile());
    assert.ok(manager.some((l) => l.event === 'shard_respawn_limit' && l.level === 'CRITICAL'));
    assert.ok(
      manager.some(
        (l) => l.event === 'shard_gateway_refused' && (l.detail as { code?: number }).code === 4010,
      ),
    );

    fleet.signalGroup('SIGTERM');
    assert.deepEqual(await fleet.exited(30_000), { code: 0, signal: null });
    passed = true;
  });

  it('DISCORD_SHARDS=auto runs the count GET /gateway/bot recommends through DISCORD_API_URL', async (t) => {
    const fleet = await startRunningFleet({
      env: { DISCORD_SHARDS: 'auto' },
      emulator: { shards: 2, maxConcurrency: 1 },
    });
    t.after(() => fleet.close());
    const up = await healthzWhen(fleet, (h) => h.status === 'ready', UP_MS, 'the recommended shards ready');
    assert.equal(up.total_shards, 2);
    assert.deepEqual(
      up.shards.map((s) => s.id),
      [0, 1],
    );
    assert.deepEqual([...fleet.emulator.shardStats().keys()].sort(), [0, 1]);
    assert.ok(
      fleet.emulator
        .requestLog()
        .some((r) => r.method === 'GET' && r.path === '/gateway/bot' && r.authorized),
      'the manager asked the emulator, not discord.com',
    );
    // max_concurrency 1: shard 1 identifies in the second round, at least 5 s after shard 0.
    const plan = readJsonLines(fleet.logFile()).find((l) => l.event === 'shard_plan');
    assert.equal((plan?.detail as { identify_rounds?: number } | undefined)?.identify_rounds, 2);

    // The manager dies without a word: its shards notice the channel closing and stop themselves.
    const pids = up.shards.map((shard) => shard.pid ?? assert.fail('no pid'));
    fleet.child.kill('SIGKILL');
    const alive = (pid: number): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await until(() => pids.every((pid) => !alive(pid)), 30_000, 'the orphaned shards to stop');
    for (const id of [0, 1]) {
      const lines = assertShardLog(fleet, id);
      assert.ok(lines.some((l) => l.event === 'shard_manager_lost'));
      assert.equal(lines.at(-1)?.event, 'shutdown_complete');
    }
  });
});
