import type { HealthRegistry } from '../core/health/health-registry.ts';
import type { ComponentState } from '../core/health/types.ts';
import { shardComponent } from './fleet-status.ts';
import type { ShardSnapshot } from './shard-state.ts';

/** The health component state of a shard, and why. */
export function shardComponentState(s: ShardSnapshot): {
  readonly state: ComponentState;
  readonly error?: string;
  readonly note: string | null;
} {
  switch (s.status) {
    case 'ready':
      return { state: 'ready', note: null };
    case 'degraded':
      return { state: 'degraded', note: 'the shard reports itself degraded' };
    case 'not_ready':
      // A shard still starting (its turn to spawn, its process, its own start) is not in trouble.
      if (s.phase === 'waiting' || s.phase === 'spawning' || s.report?.startup === null)
        return { state: 'starting', note: null };
      return s.gatewayReady
        ? { state: 'degraded', note: 'the shard reports itself not ready' }
        : { state: 'degraded', note: 'its gateway is not ready' };
    case 'down':
      return {
        state: 'failed',
        error: s.downReason ?? 'down',
        note: s.permanent ? 'stays down' : 'respawning',
      };
  }
}

export interface ShardHealthSyncOptions {
  readonly health: Pick<HealthRegistry, 'get' | 'set'>;
  readonly snapshot: (id: number) => ShardSnapshot | undefined;
  /** While true, nothing is set (the fleet is stopping). */
  readonly paused: () => boolean;
}

/** Keeps each shard's health component (`shard_<id>`) in step with the supervisor; one set per change. */
export function createShardHealthSync(options: ShardHealthSyncOptions): (id: number) => void {
  return (id) => {
    if (options.paused()) return;
    const s = options.snapshot(id);
    if (s === undefined) return;
    const name = shardComponent(id);
    const next = shardComponentState(s);
    if (options.health.get(name)?.state === next.state) return;
    options.health.set(name, next.state, {
      note: next.note,
      ...(next.error === undefined ? {} : { error: next.error }),
    });
  };
}
