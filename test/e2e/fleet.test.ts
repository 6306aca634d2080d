import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { findBinary } from '../core/metrics/prometheus-binaries.ts';
import { assertEmbedLimits } from '../support/embed-limits.ts';
import { assertLogLine, readJsonLines } from '../support/log-schema.ts';
import {
  assertShardLog,
  diagnostics,
  embedsText,
  FLEET_TOKEN,
  healthzWhen,
  opsMessagesMatching,
  startRunningFleet,
  UP_MS,
} from '../support/running-fleet.ts';
import { until } from '../support/until.ts';

// The shards that stay down, and those a dead manager leaves, are in fleet-down.test.ts: two files, so
// the suite runs them beside each other.
describe('sharded mode: the real ShardingManager against the emulator', () => {
  it('runs 4 shards with one IDENTIFY each, heals SIGKILLed and SIGSTOPped shards, and stops on a group SIGTERM', async (t) => {
    const fleet = await startRunningFleet({
      env: { DISCORD_SHARDS: '4', SHARD_STALE_MS: '2000', SHARD_READY_TIMEOUT_MS: '40000' },
      emulator: { shards: 4, maxConcurrency: 16, homeGuildShard: 1 },
    });
    t.after(async () => {
      if (!passed) process.stderr.write(`${diagnostics(fleet)}\n`);
      await fleet.close();
    });
    let passed = false;
    const { emulator } = fleet;

    const up = await healthzWhen(
      fleet,
      (h) => h.status === 'ready' && h.shards.length === 4,
      UP_MS,
      '4 ready shards',
    );
    assert.equal(up.total_shards, 4);
    assert.deepEqual(
      up.shards.map((s) => [s.id, s.status, s.restarts]),
      [0, 1, 2, 3].map((id) => [id, 'ready', 0]),
    );
    assert.equal(new Set(up.shards.map((s) => s.pid)).size, 4, 'one process per shard');
    // The foreign guild lives on shard 0 and the home guild on shard 1: READY carried only those.
    assert.deepEqual(
      up.shards.map((s) => s.guilds),
      [1, 1, 0, 0],
    );
    const names = up.components.map((c) => c.name);
    for (const name of ['logging', 'task_supervisor', 'http_server', 'ops_channel', 'shard_0', 'shard_3'])
      assert.ok(names.includes(name), `${name} in /healthz components`);
    const identified = emulator.shardStats();
    for (const id of [0, 1, 2, 3])
      assert.equal(identified.get(id)?.identifies, 1, `shard ${id} identified once`);

    // /metrics: one family per name, the shards' series labelled, the manager's own not.
    const metrics = (await fleet.get('/metrics')).body;
    assert.match(metrics, /^bot_resource_memory_bytes \d+/m, "the manager's own series, no shard label");
    for (const id of [0, 1, 2, 3]) {
      assert.match(metrics, new RegExp(`^bot_resource_memory_bytes\\{shard="${id}"\\} \\d+`, 'm'));
      assert.match(metrics, new RegExp(`^bot_shard_up\\{shard="${id}"\\} 1$`, 'm'));
      assert.match(metrics, new RegExp(`^bot_shard_restarts_total\\{shard="${id}"\\} 0$`, 'm'));
      assert.match(metrics, new RegExp(`^bot_shard_guilds\\{shard="${id}"\\} [01]$`, 'm'));
    }
    assert.doesNotMatch(metrics, /^bot_gateway_ready \d/m, 'the manager has no gateway series of its own');
    const types = metrics.split('\n').filter((l) => l.startsWith('# TYPE '));
    assert.equal(new Set(types).size, types.length, 'no metric family twice');
    const promtool = findBinary('promtool');
    if (promtool !== undefined) {
      const checked = spawnSync(promtool, ['check', 'metrics'], { input: metrics, encoding: 'utf8' });
      const problems = `${checked.stdout}${checked.stderr}`
        .trim()
        .split('\n')
        .filter((l) => l !== '' && !/^nodejs_active_\w+_total non-counter metrics/.test(l));
      assert.deepEqual(problems, [], 'promtool check metrics');
    }

    // /health in the home guild reaches shard 1, which answers for the whole fleet.
    const answer = await emulator.invokeCommand({ name: 'health', user: 'admin' }).settled(10_000);
    assertEmbedLimits(answer.embeds);
    const fleetEmbed = JSON.stringify(answer.embeds[0]);
    assert.match(fleetEmbed, /Fleet health — ready/);
    assert.match(fleetEmbed, /Shard \*\*1\*\* serves this server \(it is the one answering\)/);
    assert.match(JSON.stringify(answer.embeds[1]), /Shard 1 · /);

    // Two shards SIGKILLed together: one message, both respawned, the others untouched.
    const pid = (id: number): number => up.shards[id]?.pid ?? assert.fail(`no pid for shard ${id}`);
    process.kill(pid(1), 'SIGKILL');
    process.kill(pid(2), 'SIGKILL');
    const grouped = await opsMessagesMatching(fleet, /2 shards down: 1, 2/, 20_000);
    assert.equal(grouped.length, 1);
    const healed = await healthzWhen(
      fleet,
      (h) => h.status === 'ready' && h.shards[1]?.restarts === 1 && h.shards[2]?.restarts === 1,
      UP_MS,
      'shards 1 and 2 respawned and ready',
    );
    assert.notEqual(healed.shards[1]?.pid, pid(1));
    await until(
      () => {
        const all = embedsText(emulator.messages(emulator.ids.opsChannelId)).join('\n');
        return (
          /2 shards recovered: 1, 2/.test(all) || (/✅ Shard 1 down/.test(all) && /✅ Shard 2 down/.test(all))
        );
      },
      20_000,
      'the recoveries of shards 1 and 2 announced',
    );

    // A frozen shard: no report for SHARD_STALE_MS, SIGKILLed and respawned.
    process.kill(pid(3), 'SIGSTOP');
    const stale = await opsMessagesMatching(fleet, /Shard 3 down/, 20_000);
    assert.match(stale[0] ?? '', /no report/);
    await healthzWhen(
      fleet,
      (h) => h.status === 'ready' && h.shards[3]?.restarts === 1,
      UP_MS,
      'shard 3 respawned and ready',
    );
    await opsMessagesMatching(fleet, /✅ Shard 3 down/, 20_000);

    const all = embedsText(emulator.messages(emulator.ids.opsChannelId));
    const count = (pattern: RegExp): number => all.filter((e) => pattern.test(e)).length;
    assert.equal(count(/"title":"(?!✅)[^"]*Shard 3 down"/), 1, 'shard 3 alerted once');
    assert.equal(
      count(/2 shards down/) + count(/"title":"(?!✅)[^"]*Shard [12] down"/),
      1,
      'shards 1 and 2 alerted once',
    );
    assert.equal(count(/✅ Shard 3 down/), 1, 'its recovery announced once');
    const after = emulator.shardStats();
    assert.deepEqual(after.get(0), { identifies: 1, resumes: 0, connected: 1 }, 'shard 0 never reconnected');
    for (const id of [1, 2, 3])
      assert.equal(after.get(id)?.identifies, 2, `shard ${id}: one IDENTIFY per process`);

    // Ctrl-C or an orchestrator: the signal reaches the whole group at once.
    fleet.signalGroup('SIGTERM');
    const exit = await fleet.exited(30_000);
    assert.deepEqual(exit, { code: 0, signal: null }, fleet.output().slice(-3000));
    const manager = readJsonLines(fleet.logFile());
    assert.equal(manager.at(-1)?.event, 'shutdown_complete');
    for (const line of manager) {
      assertLogLine(line);
    }
    // A shard ready is ready: no report made before its gateway was up undoes it afterwards.
    const wentBack = manager
      .filter(
        (l) => l.event === 'component_state' && /^Component 'shard_\d+' ready → starting/.test(String(l.msg)),
      )
      .map((l) => String(l.msg));
    assert.deepEqual(wentBack, [], 'no shard component stepped back from ready to starting');
    for (const id of [0, 1, 2, 3]) {
      const lines = assertShardLog(fleet, id);
      assert.equal(
        lines.at(-1)?.event,
        'shutdown_complete',
        `shard ${id}'s file ends with shutdown_complete`,
      );
    }
    const afterStop = manager.slice(manager.findIndex((l) => l.event === 'shutdown_requested'));
    assert.ok(
      !afterStop.some((l) => l.event === 'alert_fired' || l.event === 'shard_down'),
      'a stopping fleet raises no alert and respawns nothing',
    );
    const everything = [
      fleet.output(),
      ...[undefined, 0, 1, 2, 3].map((id) => readFileSync(fleet.logFile(id), 'utf8')),
    ];
    for (const text of everything) assert.ok(!text.includes(FLEET_TOKEN), 'the token appears nowhere');
    passed = true;
  });

  it('DISCORD_SHARD_IDS runs only this machine’s part of the fleet', async (t) => {
    const fleet = await startRunningFleet({
      env: { DISCORD_SHARDS: '4', DISCORD_SHARD_IDS: '2-3' },
      emulator: { shards: 4, maxConcurrency: 16 },
    });
    t.after(() => fleet.close());
    const up = await healthzWhen(fleet, (h) => h.status === 'ready', UP_MS, 'shards 2 and 3 ready');
    assert.equal(up.total_shards, 4);
    assert.deepEqual(
      up.shards.map((s) => s.id),
      [2, 3],
    );
    assert.deepEqual([...fleet.emulator.shardStats().keys()].sort(), [2, 3]);
    fleet.signalGroup('SIGTERM');
    assert.deepEqual(await fleet.exited(30_000), { code: 0, signal: null });
    for (const id of [2, 3]) assert.equal(assertShardLog(fleet, id).at(-1)?.event, 'shutdown_complete');
  });

  it('stops with exit 1 and a clear error when Discord rejects the token while planning the shards', async (t) => {
    const fleet = await startRunningFleet({
      env: { DISCORD_SHARDS: 'auto' },
      beforeStart: (emulator) => emulator.rejectToken(),
    });
    t.after(() => fleet.close());
    const exit = await fleet.exited(30_000);
    assert.deepEqual(exit, { code: 1, signal: null });
    assert.match(
      fleet.output(),
      /Could not plan the shards: Discord rejected the bot token \(401 Unauthorized\): check DISCORD_TOKEN/,
    );
    const manager = readJsonLines(fleet.logFile());
    assert.equal(
      manager.filter((l) => l.event === 'shard_plan_failed').length,
      1,
      'no retry of a rejected token',
    );
    assert.equal(manager.at(-1)?.event, 'shutdown_complete');
    assert.ok(!fleet.output().includes(FLEET_TOKEN));
  });
});
