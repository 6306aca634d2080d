/** Respawns counted over a sliding hour, for `SHARD_RESPAWN_MAX`. */
export interface RespawnBudget {
  /** Whether one more respawn at `now` stays within the limit. */
  allows(now: number): boolean;
  /** Counts a respawn made at `now`. */
  record(now: number): void;
  /** Respawns within the hour before `now`. */
  used(now: number): number;
}

export const HOUR_MS = 3_600_000;

export function createRespawnBudget(max: number, windowMs: number = HOUR_MS): RespawnBudget {
  if (!(Number.isInteger(max) && max >= 0))
    throw new RangeError(`max must be a whole number >= 0, got ${max}`);
  let times: number[] = [];
  const prune = (now: number): void => {
    times = times.filter((t) => now - t < windowMs && t <= now);
  };
  return {
    allows(now) {
      prune(now);
      return times.length < max;
    },
    record(now) {
      prune(now);
      times.push(now);
    },
    used(now) {
      prune(now);
      return times.length;
    },
  };
}
