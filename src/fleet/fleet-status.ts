import type { OverallStatus } from '../core/health/types.ts';
import type { ShardStatus } from './ipc-protocol.ts';

const RANK = { ready: 0, degraded: 1, not_ready: 2 } as const satisfies Record<OverallStatus, number>;

/**
 * The fleet's status: `ready` when every shard is ready, `not_ready` while they spawn
 * (the manager's start is not over) or when no shard is up, `degraded` otherwise; never
 * better than the manager's own components allow.
 */
export function fleetStatus(shards: readonly ShardStatus[], manager: OverallStatus): OverallStatus {
  const up = shards.filter((s) => s === 'ready' || s === 'degraded').length;
  const own: OverallStatus =
    shards.length > 0 && shards.every((s) => s === 'ready') ? 'ready' : up === 0 ? 'not_ready' : 'degraded';
  return RANK[own] >= RANK[manager] ? own : manager;
}

/** The start component (and health component) of shard `id`. */
export const shardComponent = (id: number): string => `shard_${id}`;

export const isShardComponent = (name: string): boolean => /^shard_\d+$/.test(name);
