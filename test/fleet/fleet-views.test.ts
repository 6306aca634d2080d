import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StartupReport } from '../../src/core/startup/types.ts';
import {
  renderFleetHealthEmbed,
  renderFleetResourcesEmbed,
  renderFleetStartupEmbed,
  renderFleetTasksEmbed,
} from '../../src/discord/embeds/fleet-embeds.ts';
import { renderHealthEmbed } from '../../src/discord/embeds/health-embed.ts';
import { fleetReply, shardOfGuild } from '../../src/discord/fleet-replies.ts';
import { createFleetClient } from '../../src/fleet/fleet-client.ts';
import { fleetStatus } from '../../src/fleet/fleet-status.ts';
import { createIdentifyGate } from '../../src/fleet/identify-gate.ts';
import type { FleetShardRow, FleetView, ShardMessage } from '../../src/fleet/ipc-protocol.ts';
import { health as healthSnapshot } from '../core/metrics/fake-metrics-sources.ts';
import { assertEmbedLimits } from '../support/embed-limits.ts';
import { flushMicrotasks, ManualClock } from '../support/manual-clock.ts';

function row(id: number, overrides: Partial<FleetShardRow> = {}): FleetShardRow {
  return {
    id,
    status: 'ready',
    pid: 4000 + id,
    guilds: 2400 + id,
    ping_ms: 40,
    memory_mb: 180.5,
    cpu_percent: 3,
    lag_ms: 1.2,
    restarts: 0,
    uptime_seconds: 3600,
    report_age_ms: 500,
    note: null,
    tasks: { total: 2, troubled: [], restarts: 0 },
    ...overrides,
  };
}

function startup(shards: number): StartupReport {
  const names = [
    'logging',
    'task_supervisor',
    'http_server',
    ...Array.from({ length: shards }, (_, i) => `shard_${i}`),
  ];
  return {
    mode: 'parallel',
    started_at: new Date(0).toISOString(),
    duration_ms: 9_000,
    outcome: 'degraded',
    components: names.map((name, i) => ({
      name,
      status: name === 'shard_17' ? 'degraded' : 'ready',
      critical: name === 'task_supervisor',
      dependencies: [],
      attempts: 1,
      start_offset_ms: i,
      end_offset_ms: 3_000 + i * 80,
      duration_ms: 3_000 + i * 79,
      error: name === 'shard_17' ? 'shard 17 stays down: Discord refused it (4010: invalid shard)' : null,
      fallback: false,
      on_critical_path: name === 'shard_63',
    })),
    critical_path: ['shard_63'],
  };
}

/** A fleet of `n` shards with trouble of every kind, and hostile text where text can come from outside. */
function view(n: number): FleetView {
  return {
    at: new Date(0).toISOString(),
    total_shards: n,
    shard_ids: Array.from({ length: n }, (_, i) => i),
    status: 'degraded',
    version: '0.1.0',
    uptime_seconds: 7200,
    shards: Array.from({ length: n }, (_, i) =>
      i % 9 === 3
        ? row(i, {
            status: 'down',
            pid: null,
            guilds: null,
            ping_ms: null,
            memory_mb: null,
            note: `it exited (killed by SIGKILL) @everyone ${'`'.repeat(3)} ${'x'.repeat(300)}`,
          })
        : i % 7 === 1
          ? row(i, {
              status: 'degraded',
              note: 'logging degraded, task resource_sampler stale',
              tasks: { total: 2, troubled: ['resource_sampler stale'], restarts: 4 },
            })
          : row(i),
    ),
    manager: { pid: 1, memory_mb: 150, troubled_components: [{ name: 'ops_channel', state: 'degraded' }] },
    startup: startup(n),
  };
}

describe('fleet views', () => {
  it('stay inside Discord’s limits at 64 shards and beyond, worst shards first', () => {
    for (const n of [1, 4, 64, 256]) {
      const v = view(n);
      const embeds = [
        renderFleetHealthEmbed(v, { answeringShard: 1, guildShard: 1 }),
        renderFleetResourcesEmbed(v),
        renderFleetTasksEmbed(v),
        renderFleetStartupEmbed(v),
      ];
      for (const embed of embeds) assertEmbedLimits([embed]);
      if (n >= 64) {
        const description = embeds[0]?.description ?? '';
        assert.match(description, /^64 shards|^256 shards/);
        assert.match(description, /\n#3 +down/, 'a down shard heads the table');
        assert.match(description, /… and \d+ more/, 'a long table says what it left out');
        assert.ok(!JSON.stringify(embeds).includes('@everyone'), 'mentions broken');
      }
    }
  });

  it('names the shard serving the guild, and the answering one when it differs', () => {
    const v = view(4);
    const same = JSON.stringify(renderFleetHealthEmbed(v, { answeringShard: 2, guildShard: 2 }));
    assert.match(same, /Shard \*\*2\*\* serves this server \(it is the one answering\)/);
    const other = JSON.stringify(renderFleetHealthEmbed(v, { answeringShard: 0, guildShard: null }));
    assert.match(other, /Direct messages are served by shard 0/);
    assert.equal(shardOfGuild('41771983423143937', 4), Number((41771983423143937n >> 22n) % 4n));
  });

  it('puts the fleet first and the own shard after it as far as 6000 characters allow', async () => {
    const clock = new ManualClock();
    const requests: ShardMessage[] = [];
    const client = createFleetClient({
      shardId: 3,
      totalShards: 64,
      clock,
      send: (m) => {
        requests.push(m);
        return true;
      },
    });
    const own = [renderHealthEmbed(healthSnapshot('ready', []))];
    const replying = fleetReply({ fleet: client }, own, (v) =>
      renderFleetHealthEmbed(v, { answeringShard: 3, guildShard: 3 }),
    );
    await flushMicrotasks();
    const request = requests[0];
    assert.ok(request !== undefined && request.t === 'opsbot:fleet_request');
    client.handle({ t: 'opsbot:fleet_response', id: request.id, view: view(64) });
    const reply = await replying;
    assertEmbedLimits(reply.embeds);
    assert.equal(reply.content, undefined);
    assert.match(reply.embeds[0]?.title ?? '', /Fleet health/);
    assert.match(reply.embeds[1]?.title ?? '', /^Shard 3 · /);
  });

  it('shows the own shard alone, saying so, when the manager does not answer within the deadline', async () => {
    const clock = new ManualClock();
    const client = createFleetClient({
      shardId: 3,
      totalShards: 8,
      clock,
      send: () => true,
      deadlineMs: 1_000,
    });
    const own = [renderHealthEmbed(healthSnapshot('ready', []))];
    const replying = fleetReply({ fleet: client }, own, () => assert.fail('no view came'));
    await clock.advance(1_000);
    const reply = await replying;
    assert.deepEqual(reply.embeds, own);
    assert.equal(
      reply.content,
      'Fleet view unavailable: the shard manager did not answer within 1000 ms. This is shard 3 of 8 only.',
    );
    const alone = await fleetReply({}, own, () => assert.fail('one process has no fleet'));
    assert.deepEqual(alone, { embeds: own });
  });

  it('is ready when every shard is, degraded when some are up, not ready when none is or the manager is not', () => {
    assert.equal(fleetStatus(['ready', 'ready'], 'ready'), 'ready');
    assert.equal(fleetStatus(['ready', 'down'], 'ready'), 'degraded');
    assert.equal(fleetStatus(['degraded', 'ready'], 'ready'), 'degraded');
    assert.equal(fleetStatus(['down', 'not_ready'], 'ready'), 'not_ready');
    assert.equal(fleetStatus(['ready', 'ready'], 'not_ready'), 'not_ready', 'while the shards spawn');
    assert.equal(fleetStatus(['ready', 'ready'], 'degraded'), 'degraded', 'the manager’s own trouble counts');
  });

  it('opens identify rounds 5.5 s apart, and does not let a shard that never gets ready hold the next round', async () => {
    const clock = new ManualClock();
    const gate = createIdentifyGate({ rounds: [[0, 1], [2, 3], [4]], clock, settleMs: 15_000 });
    const opened: string[] = [];
    for (const id of [0, 1, 2, 3, 4])
      void gate.turn(id).then(() => opened.push(`${id}@${clock.now() - Date.UTC(2024, 0, 15, 14, 30)}`));
    await flushMicrotasks();
    assert.deepEqual(opened, ['0@0', '1@0']);
    gate.settled(0);
    gate.settled(1);
    await clock.advance(5_500);
    assert.deepEqual(opened.slice(2), ['2@5500', '3@5500']);
    gate.settled(2);
    // Shard 3 never becomes ready: round 2 opens when its wait runs out.
    await clock.advance(14_999);
    assert.equal(opened.length, 4);
    await clock.advance(1);
    assert.deepEqual(opened.slice(4), ['4@20500']);
  });
});
