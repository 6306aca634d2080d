/**
 * The order shards identify in. Discord lets one shard per bucket identify every 5 s,
 * the bucket being `shard_id % max_concurrency`, so with `max_concurrency` N the shards
 * go in rounds of up to N, one from each bucket; with N at least the shard count,
 * every shard identifies at once.
 */
export function identifyRounds(shardIds: readonly number[], maxConcurrency: number): number[][] {
  if (!(Number.isInteger(maxConcurrency) && maxConcurrency >= 1)) {
    throw new RangeError(`maxConcurrency must be a whole number >= 1, got ${maxConcurrency}`);
  }
  const buckets = new Map<number, number[]>();
  for (const id of [...shardIds].sort((a, b) => a - b)) {
    const bucket = id % maxConcurrency;
    buckets.set(bucket, [...(buckets.get(bucket) ?? []), id]);
  }
  const rounds: number[][] = [];
  for (const ids of buckets.values()) {
    ids.forEach((id, i) => {
      rounds[i] = [...(rounds[i] ?? []), id];
    });
  }
  return rounds.map((round) => round.sort((a, b) => a - b));
}

/** Discord's wait between two identifies of one bucket, with a little slack. */
export const IDENTIFY_INTERVAL_MS = 5_500;
