import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { type Emulator, shardOfGuild, startEmulator } from '../support/emulator/index.ts';

type Frame = { op: number; t?: string; d: Record<string, unknown> };

/** Opens a gateway socket, sends IDENTIFY with `shard`, and collects what comes back until it closes or READY's guilds arrived. */
async function identify(
  emulator: Emulator,
  shard: unknown,
): Promise<{ frames: Frame[]; closed: number | null }> {
  const socket = new WebSocket(`${emulator.gatewayUrl}?v=10&encoding=json`);
  const frames: Frame[] = [];
  return new Promise((resolve) => {
    const done = (closed: number | null): void => {
      socket.removeAllListeners();
      socket.terminate();
      resolve({ frames, closed });
    };
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      frames.push(frame);
      if (frame.op === 10) {
        socket.send(
          JSON.stringify({ op: 2, d: { token: 'MTIz.shards', intents: 1, properties: {}, shard } }),
        );
      }
      const ready = frames.find((f) => f.t === 'READY');
      const expected = (ready?.d.guilds as unknown[] | undefined)?.length;
      if (expected !== undefined && frames.filter((f) => f.t === 'GUILD_CREATE').length >= expected) {
        setTimeout(() => done(null), 50);
      }
    });
    socket.on('close', (code) => done(code));
  });
}

describe('emulator: shards', () => {
  let emulator: Emulator;
  before(async () => {
    emulator = await startEmulator({ shards: 4, maxConcurrency: 2, homeGuildShard: 3, minShards: 2 });
  });
  after(() => emulator.close());

  it('recommends the shard count and max_concurrency in GET /gateway/bot', async () => {
    const answer = (await (
      await fetch(`${emulator.apiUrl}/v10/gateway/bot`, { headers: { authorization: 'Bot x' } })
    ).json()) as { shards: number; session_start_limit: { max_concurrency: number } };
    assert.equal(answer.shards, 4);
    assert.equal(answer.session_start_limit.max_concurrency, 2);
  });

  it('lays the seeded guilds out on their shards, and READY echoes the shard with its guilds only', async () => {
    assert.equal(shardOfGuild(emulator.ids.guildId, 4), 3);
    assert.equal(shardOfGuild(emulator.ids.foreignGuildId, 4), 0);
    const home = await identify(emulator, [3, 4]);
    const ready = home.frames.find((f) => f.t === 'READY') ?? assert.fail('no READY');
    assert.deepEqual(ready.d.shard, [3, 4]);
    assert.deepEqual(
      (ready.d.guilds as { id: string }[]).map((g) => g.id),
      [emulator.ids.guildId],
    );
    const empty = await identify(emulator, [1, 4]);
    assert.deepEqual(empty.frames.find((f) => f.t === 'READY')?.d.guilds, []);
    assert.equal(emulator.shardStats().get(3)?.identifies, 1);
  });

  it('closes an invalid shard pair with 4010 and too few shards with 4011', async () => {
    for (const bad of [[4, 4], [-1, 4], [0, 0], 'zero', [1]]) {
      const { closed } = await identify(emulator, bad);
      assert.equal(closed, 4010, JSON.stringify(bad));
    }
    assert.equal((await identify(emulator, [0, 1])).closed, 4011);
    assert.equal((await identify(emulator, undefined)).closed, 4011, 'no shard is [0, 1]');
  });

  it('closes the next IDENTIFY of one shard with a chosen code, once', async () => {
    emulator.closeNextIdentify(2, 4011);
    assert.equal((await identify(emulator, [2, 4])).closed, 4011);
    assert.equal((await identify(emulator, [2, 4])).closed, null);
  });
});
