import type { StartupReport } from '../core/startup/types.ts';
import type { FleetHealthSnapshot } from './fleet-health.ts';
import type { FleetShardRow, FleetView } from './ipc-protocol.ts';
import type { ShardSnapshot } from './shard-supervisor.ts';

const MB = 1024 * 1024;
const round1 = (n: number): number => Math.round(n * 10) / 10;

export interface FleetViewSources {
  readonly health: () => FleetHealthSnapshot;
  readonly shards: () => readonly ShardSnapshot[];
  readonly startup: () => StartupReport | undefined;
  readonly managerRssBytes: () => number | null;
  readonly now: () => number;
}

function noteOf(shard: ShardSnapshot): string | null {
  if (shard.downReason !== null) return shard.downReason;
  const report = shard.report;
  if (shard.pid !== null && report === undefined) return 'starting: no report yet';
  if (report === undefined) return null;
  const troubled = [
    ...report.troubled_components.map((c) => `${c.name} ${c.state}`),
    ...report.tasks
      .filter((t) => !['idle', 'running'].includes(t.state))
      .map((t) => `task ${t.name} ${t.state}`),
  ];
  if (report.gateway.status !== 'ready') troubled.unshift(`gateway ${report.gateway.status}`);
  return troubled.length === 0 ? null : troubled.join(', ');
}

function rowOf(shard: ShardSnapshot, now: number): FleetShardRow {
  const up = shard.pid !== null;
  const report = up ? shard.report : undefined;
  const resources = report?.resources ?? null;
  return {
    id: shard.id,
    status: shard.status,
    pid: shard.pid,
    guilds: report?.gateway.guilds ?? null,
    ping_ms: report?.gateway.ping_ms ?? null,
    memory_mb: resources === null ? null : round1(resources.rss_bytes / MB),
    cpu_percent: resources?.cpu_percent ?? null,
    lag_ms: resources === null ? null : round1(resources.event_loop_lag_ms),
    restarts: shard.restarts,
    uptime_seconds: up && shard.spawnedAt !== null ? Math.round((now - shard.spawnedAt) / 1000) : null,
    report_age_ms: up && shard.reportAt !== null ? now - shard.reportAt : null,
    note: noteOf(shard),
    tasks:
      report === undefined
        ? null
        : {
            total: report.tasks.length,
            troubled: report.tasks
              .filter((t) => !['idle', 'running'].includes(t.state))
              .map((t) => `${t.name} ${t.state}`),
            restarts: report.tasks.reduce((n, t) => n + t.restarts, 0),
          },
  };
}

/** The fleet as the manager answers a shard's request for it: small, plain JSON. */
export function buildFleetView(sources: FleetViewSources): FleetView {
  const health = sources.health();
  const now = sources.now();
  const rss = sources.managerRssBytes();
  return {
    at: new Date(now).toISOString(),
    total_shards: health.total_shards,
    shard_ids: health.shards.map((s) => s.id),
    status: health.status,
    version: health.version,
    uptime_seconds: health.uptime_seconds,
    shards: sources.shards().map((s) => rowOf(s, now)),
    manager: {
      pid: process.pid,
      memory_mb: rss === null ? null : round1(rss / MB),
      troubled_components: health.components
        .filter((c) => !/^shard_\d+$/.test(c.name) && c.state !== 'ready' && c.state !== 'skipped')
        .map((c) => ({ name: c.name, state: c.state })),
    },
    startup: sources.startup() ?? null,
  };
}
