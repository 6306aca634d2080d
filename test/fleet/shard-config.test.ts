import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { describeIds } from '../../src/fleet/gateway-plan.ts';
import { identifyRounds } from '../../src/fleet/identify-rounds.ts';
import { shardLogFile } from '../../src/fleet/shard-log-file.ts';
import { runMain } from '../support/running-bot.ts';

const BASE = { DISCORD_TOKEN: 'MTIz.config.t0ken', DISCORD_GUILD_ID: '123456789012345678' };

function errorsOf(env: Record<string, string>): readonly string[] {
  const result = loadConfig({ ...BASE, ...env });
  return result.ok ? [] : result.errors;
}

describe('sharding configuration', () => {
  it('defaults to one process, exactly as without sharding', () => {
    const result = loadConfig(BASE);
    assert.ok(result.ok);
    assert.deepEqual(result.config.sharding, {
      shards: 1,
      shardIds: undefined,
      staleMs: 60_000,
      readyTimeoutMs: 120_000,
      respawnMax: 5,
      child: undefined,
    });
  });

  it('takes a shard count or auto, and ids as ranges and lists', () => {
    const config = (env: Record<string, string>) => {
      const result = loadConfig({ ...BASE, ...env });
      assert.ok(result.ok, JSON.stringify(result));
      return result.config.sharding;
    };
    assert.equal(config({ DISCORD_SHARDS: 'AUTO' }).shards, 'auto');
    assert.deepEqual(config({ DISCORD_SHARDS: '8', DISCORD_SHARD_IDS: '4,5,6,7' }).shardIds, [4, 5, 6, 7]);
    assert.deepEqual(
      config({ DISCORD_SHARDS: '12', DISCORD_SHARD_IDS: ' 8-11 , 0-1' }).shardIds,
      [0, 1, 8, 9, 10, 11],
    );
    assert.equal(config({ SHARD_RESPAWN_MAX: '0' }).respawnMax, 0);
  });

  it('names the problem with DISCORD_SHARD_IDS: out of range, overlapping, malformed, or with auto', () => {
    const cases: readonly [Record<string, string>, RegExp][] = [
      [
        { DISCORD_SHARDS: '4', DISCORD_SHARD_IDS: '2-5' },
        /^DISCORD_SHARD_IDS: shard 4, 5 out of range for DISCORD_SHARDS=4; expected ids from 0 to 3$/,
      ],
      [
        { DISCORD_SHARDS: '8', DISCORD_SHARD_IDS: '0-3,3-5' },
        /^DISCORD_SHARD_IDS: "0-3,3-5" lists shard 3 twice \(overlapping ranges\?\)/,
      ],
      [
        { DISCORD_SHARDS: '8', DISCORD_SHARD_IDS: '0-3;4' },
        /^DISCORD_SHARD_IDS: .* is not a shard id or a range such as 4-7/,
      ],
      [
        { DISCORD_SHARDS: '8', DISCORD_SHARD_IDS: '5-2' },
        /^DISCORD_SHARD_IDS: .*"5-2", which is not a shard id/,
      ],
      [
        { DISCORD_SHARDS: 'auto', DISCORD_SHARD_IDS: '0-1' },
        /^DISCORD_SHARD_IDS: cannot be combined with DISCORD_SHARDS=auto/,
      ],
      [{ DISCORD_SHARD_IDS: '0' }, /^DISCORD_SHARD_IDS: is set but DISCORD_SHARDS is 1/],
      [{ DISCORD_SHARDS: '0' }, /^DISCORD_SHARDS: "0" is out of range; expected 1 \(one process\)/],
      [{ DISCORD_SHARDS: 'many' }, /^DISCORD_SHARDS: "many" is neither a whole number nor auto/],
      [{ SHARD_STALE_MS: '10' }, /^SHARD_STALE_MS: "10" is out of range/],
    ];
    for (const [env, pattern] of cases) {
      const errors = errorsOf(env);
      assert.equal(errors.length, 1, `${JSON.stringify(env)}: ${errors.join(' / ')}`);
      assert.match(errors[0] ?? '', pattern);
    }
  });

  it('warns about a SHARD_ typo but not about the SHARD_COUNT discord.js sets in each shard', () => {
    const result = loadConfig({ ...BASE, SHARD_STALE_SM: '1000', SHARD_COUNT: '4' });
    assert.ok(result.ok);
    assert.deepEqual(
      result.warnings.map((w) => w.message.split(' ')[0]),
      ['SHARD_STALE_SM'],
    );
  });

  it('knows a shard process by the environment the shard manager gives it', () => {
    const child = loadConfig({
      ...BASE,
      DISCORD_SHARDS: '4',
      SHARDING_MANAGER: 'true',
      SHARDS: '2',
      SHARD_COUNT: '4',
    });
    assert.ok(child.ok);
    assert.deepEqual(child.config.sharding.child, { id: 2, count: 4 });
    const bad = errorsOf({ SHARDING_MANAGER: 'true', SHARDS: '5', SHARD_COUNT: '4' });
    assert.match(bad[0] ?? '', /^SHARDS: "5" with SHARD_COUNT "4" is not one shard of the fleet/);
  });

  it('exits 78 naming DISCORD_SHARD_IDS before connecting anywhere', async () => {
    const run = await runMain({
      ...BASE,
      DISCORD_API_URL: 'http://127.0.0.1:9/api',
      DISCORD_SHARDS: '4',
      DISCORD_SHARD_IDS: '3-4',
    });
    assert.equal(run.code, 78);
    assert.match(run.stderr, /config error: DISCORD_SHARD_IDS: shard 4 out of range for DISCORD_SHARDS=4/);
  });
});

describe('shard helpers', () => {
  it('puts .shard-k before the log file extension', () => {
    assert.equal(shardLogFile('logs/bot.jsonl', 3), 'logs/bot.shard-3.jsonl');
    assert.equal(shardLogFile('/var/log/opsbot/bot.jsonl', 0), '/var/log/opsbot/bot.shard-0.jsonl');
    assert.equal(shardLogFile('bot.jsonl', 12), 'bot.shard-12.jsonl');
    assert.equal(shardLogFile('logs/bot', 1), 'logs/bot.shard-1');
  });

  it('identifies in rounds of max_concurrency, one shard per bucket', () => {
    const ids = [0, 1, 2, 3, 4, 5, 6, 7];
    assert.deepEqual(
      identifyRounds(ids, 1),
      ids.map((id) => [id]),
    );
    assert.deepEqual(identifyRounds(ids, 4), [
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
    assert.deepEqual(identifyRounds(ids, 16), [ids]);
    // Buckets are id % max_concurrency: 2 and 6 share one, so 6 waits a round.
    assert.deepEqual(identifyRounds([6, 2, 3], 2), [[2, 3], [6]]);
    assert.throws(() => identifyRounds(ids, 0), /maxConcurrency must be a whole number >= 1/);
  });

  it('writes id lists the way DISCORD_SHARD_IDS takes them', () => {
    assert.equal(describeIds([0, 1, 2, 3]), '0-3');
    assert.equal(describeIds([4, 6, 7]), '4,6,7');
    assert.equal(describeIds([0, 1, 2, 3, 8, 10, 11, 12]), '0-3,8,10-12');
  });
});
