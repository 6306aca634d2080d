const DISCORD_EPOCH = 1_420_070_400_000n;

/** Makes Discord-shaped ids (timestamp in the high bits) so discord.js can read creation times from them. */
export function createSnowflakeFactory(now: () => number = Date.now): () => string {
  let increment = 0n;
  return () => {
    increment = (increment + 1n) & 0xfffn;
    return (((BigInt(now()) - DISCORD_EPOCH) << 22n) | (1n << 17n) | increment).toString();
  };
}
