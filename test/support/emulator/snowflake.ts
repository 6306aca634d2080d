const DISCORD_EPOCH = 1_420_070_400_000n;

/** Makes Discord-shaped ids (timestamp in the high bits) so discord.js can read creation times from them. */
export function createSnowflakeFactory(now: () => number = Date.now): () => string {
  let increment = 0n;
  return () => {
    increment = (increment + 1n) & 0xfffn;
    return (((BigInt(now()) - DISCORD_EPOCH) << 22n) | (1n << 17n) | increment).toString();
  };
}

/**
 * The shard a guild lives on when the bot runs `total` shards, as Discord computes it:
 * `(guild_id >> 22) % total`. DMs are on shard 0.
 */
export function shardOfGuild(guildId: string, total: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(total));
}

/**
 * A Discord-shaped id made at a moment picked so that, as a guild id, it lives on
 * `shard` of `total`: the moment is at most `total` ms before `now()`.
 */
export function snowflakeOnShard(
  shard: number,
  total: number,
  now: () => number = Date.now,
  increment = 0,
): string {
  const sinceEpoch = BigInt(now()) - DISCORD_EPOCH - BigInt(total);
  const at = sinceEpoch - (sinceEpoch % BigInt(total)) + BigInt(shard);
  return ((at << 22n) | (1n << 17n) | BigInt(increment & 0xfff)).toString();
}
