import type { AlertEngine } from '../core/alerts/alert-engine.ts';
import type { ShardReport } from './ipc-protocol.ts';

/** The alert key of shard `id` being down; grouped when several fire together. */
export const shardDownKey = (id: number): string => `shard.${id}`;
export const SHARD_DOWN_KEY = /^shard\.(\d+)$/;

export interface ShardAlerts {
  down(id: number, reason: string, respawnInMs: number | null): void;
  recovered(id: number): void;
  limitReached(id: number, used: number, max: number): void;
  /** A shard's own firing alerts, forwarded as `shard.<id>.<key>` naming the shard; gone ones resolve. */
  report(id: number, report: ShardReport): void;
}

const MAX_KEY = 100;

/**
 * The fleet's alerts, all raised in the manager (which alone posts to the ops channel):
 * a shard down (critical, naming it and why), its recovery (the same key resolving, once),
 * a shard out of respawns, and each shard's own alerts under `shard.<id>.`.
 */
export function createShardAlerts(alerts: Pick<AlertEngine, 'raise' | 'clear'>): ShardAlerts {
  const forwarded = new Map<number, Set<string>>();
  return {
    down(id, reason, respawnInMs) {
      alerts.raise(shardDownKey(id), {
        severity: 'critical',
        title: `Shard ${id} down`,
        value:
          respawnInMs === null
            ? `${reason}; not respawned`
            : `${reason}; respawning in ${Math.max(1, Math.round(respawnInMs / 1000))} s`,
        detail: { shard: id },
      });
    },
    recovered(id) {
      alerts.clear(shardDownKey(id));
      alerts.clear(`${shardDownKey(id)}.respawn_limit`);
    },
    limitReached(id, used, max) {
      alerts.raise(`${shardDownKey(id)}.respawn_limit`, {
        severity: 'critical',
        title: `Shard ${id} stays down: out of respawns`,
        value: `${used} respawns in the last hour`,
        threshold: `SHARD_RESPAWN_MAX=${max}`,
        detail: { shard: id },
      });
    },
    report(id, report) {
      const before = forwarded.get(id) ?? new Set<string>();
      const now = new Set<string>();
      for (const alert of report.alerts) {
        const key = `${shardDownKey(id)}.${alert.key}`.slice(0, MAX_KEY);
        now.add(key);
        alerts.raise(key, {
          severity: alert.severity,
          title: `Shard ${id}: ${alert.title}`,
          value: alert.value,
          threshold: alert.threshold,
          detail: { shard: id, key: alert.key },
        });
      }
      for (const key of before) if (!now.has(key)) alerts.clear(key);
      forwarded.set(id, now);
    },
  };
}
