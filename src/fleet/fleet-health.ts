import type { Clock } from '../core/clock.ts';
import type { HealthMonitor } from '../core/health/health-monitor.ts';
import type { HealthRegistry } from '../core/health/health-registry.ts';
import { computeStatus } from '../core/health/health-status.ts';
import type { HealthSnapshot } from '../core/health/types.ts';
import { fleetStatus, isShardComponent } from './fleet-status.ts';
import type { ShardStatus } from './ipc-protocol.ts';
import type { ShardSnapshot } from './shard-supervisor.ts';

/** One shard in `GET /healthz`. */
export interface ShardHealth {
  readonly id: number;
  readonly status: ShardStatus;
  readonly pid: number | null;
  readonly guilds: number | null;
  readonly ping_ms: number | null;
  readonly restarts: number;
  readonly uptime_seconds: number | null;
  /** Milliseconds since its last report; null before the first. */
  readonly report_age_ms: number | null;
  /** Why it is down; null otherwise. */
  readonly down_reason: string | null;
}

/** The manager's `GET /healthz`: the core's snapshot with the fleet's status and one entry per shard. */
export interface FleetHealthSnapshot extends HealthSnapshot {
  readonly total_shards: number;
  readonly shards: readonly ShardHealth[];
}

export interface FleetHealthOptions {
  readonly clock: Pick<Clock, 'now'>;
  readonly monitor: Pick<HealthMonitor, 'snapshot' | 'startFinished'>;
  readonly registry: Pick<HealthRegistry, 'list'>;
  readonly shards: () => readonly ShardSnapshot[];
  readonly totalShards: () => number;
}

/** The manager's own status: its components, shards left out, and whether its start is over. */
export function managerStatus(options: Pick<FleetHealthOptions, 'monitor' | 'registry'>) {
  return computeStatus({
    components: options.registry.list().filter((c) => !isShardComponent(c.name)),
    startFinished: options.monitor.startFinished,
  }).status;
}

export function shardHealth(shard: ShardSnapshot, now: number): ShardHealth {
  const report = shard.report;
  const up = shard.pid !== null;
  return {
    id: shard.id,
    status: shard.status,
    pid: shard.pid,
    guilds: up ? (report?.gateway.guilds ?? null) : null,
    ping_ms: up ? (report?.gateway.ping_ms ?? null) : null,
    restarts: shard.restarts,
    uptime_seconds: up && shard.spawnedAt !== null ? Math.round((now - shard.spawnedAt) / 100) / 10 : null,
    report_age_ms: up && shard.reportAt !== null ? now - shard.reportAt : null,
    down_reason: shard.downReason,
  };
}

/** Builds the snapshot `GET /healthz` and `/readyz` answer from. */
export function createFleetHealth(options: FleetHealthOptions): () => FleetHealthSnapshot {
  return () => {
    const base = options.monitor.snapshot();
    const now = options.clock.now();
    const shards = options.shards().map((s) => shardHealth(s, now));
    const status = fleetStatus(
      shards.map((s) => s.status),
      managerStatus(options),
    );
    return {
      ...base,
      status,
      ready: status !== 'not_ready',
      total_shards: options.totalShards(),
      shards,
    };
  };
}
