// The typed messages between a shard process and the shard manager, over the IPC
// channel discord.js's ShardingManager opens (`process.send` in the shard, the Shard's
// `message` event in the manager). discord.js's own messages (`_ready`, `_eval`, …)
// never start with `opsbot:`, so each side tells ours from theirs by `t`.
import type { FiringAlert } from '../core/alerts/types.ts';
import type { GatewayStatus, OverallStatus } from '../core/health/types.ts';
import type { StartupReport } from '../core/startup/types.ts';
import type { TaskState } from '../core/tasks/types.ts';

/** prom-client's `registry.getMetricsAsJSON()` output, carried as it is. */
export type MetricsJson = readonly object[];

/** What a shard says about itself, at least three times per `SHARD_STALE_MS`. */
export interface ShardReport {
  readonly shard: number;
  readonly pid: number;
  /** 1 for the first report of this process, then +1 each. */
  readonly seq: number;
  /** When it was made, ISO 8601 UTC. */
  readonly at: string;
  /** The shard's own overall health. */
  readonly status: OverallStatus;
  readonly uptime_seconds: number;
  readonly gateway: {
    readonly status: GatewayStatus;
    readonly ping_ms: number | null;
    readonly guilds: number;
    readonly reconnects: number;
    /** The last heartbeat acknowledgement, ISO 8601 UTC; null before the first. */
    readonly last_heartbeat_ack_at: string | null;
  };
  /** The latest resource sample; null when resource monitoring is off or before the first. */
  readonly resources: {
    readonly rss_bytes: number;
    readonly heap_used_bytes: number;
    readonly cpu_percent: number | null;
    /** The worst event-loop delay of the last sample window. */
    readonly event_loop_lag_ms: number;
  } | null;
  /** Components that are not ready (a healthy shard sends none). */
  readonly troubled_components: readonly {
    readonly name: string;
    readonly state: string;
    readonly critical: boolean;
    readonly error: string | null;
  }[];
  readonly tasks: readonly {
    readonly name: string;
    readonly state: TaskState;
    readonly runs: number;
    readonly failures: number;
    readonly restarts: number;
    readonly last_heartbeat_age_ms: number | null;
  }[];
  /** How the shard's own start went, once it ended. */
  readonly startup: { readonly outcome: StartupReport['outcome']; readonly duration_ms: number } | null;
  /** Its firing alerts, which the manager forwards to the ops channel naming the shard. */
  readonly alerts: readonly FiringAlert[];
  /** Its metrics (prom-client JSON) when Prometheus is on; the manager serves them with a `shard` label. */
  readonly metrics: MetricsJson | null;
}

/** One shard as the fleet views show it. */
export type ShardStatus = 'ready' | 'degraded' | 'not_ready' | 'down';

/** A row of the fleet table, made by the manager from the shard's last report and its supervision. */
export interface FleetShardRow {
  readonly id: number;
  readonly status: ShardStatus;
  readonly pid: number | null;
  readonly guilds: number | null;
  readonly ping_ms: number | null;
  readonly memory_mb: number | null;
  readonly cpu_percent: number | null;
  readonly lag_ms: number | null;
  readonly restarts: number;
  readonly uptime_seconds: number | null;
  /** How old its last report is; null before the first. */
  readonly report_age_ms: number | null;
  /** Why it is down or not ready, or which components and tasks are troubled; null when all is well. */
  readonly note: string | null;
  readonly tasks: {
    readonly total: number;
    readonly troubled: readonly string[];
    readonly restarts: number;
  } | null;
}

/** The whole fleet as a shard's command shows it: what the manager answers a fleet request with. */
export interface FleetView {
  /** ISO 8601 UTC. */
  readonly at: string;
  readonly total_shards: number;
  /** The shards this manager runs (a fleet over several machines runs a part on each). */
  readonly shard_ids: readonly number[];
  readonly status: OverallStatus;
  readonly version: string;
  readonly uptime_seconds: number;
  readonly shards: readonly FleetShardRow[];
  readonly manager: {
    readonly pid: number;
    readonly memory_mb: number | null;
    readonly troubled_components: readonly { readonly name: string; readonly state: string }[];
  };
  /** The manager's start: its own components and each shard's spawn, as a waterfall. */
  readonly startup: StartupReport | null;
}

/** Shard → manager. */
export type ShardMessage =
  | { readonly t: 'opsbot:report'; readonly report: ShardReport }
  /** The gateway closed with a code reconnecting cannot heal (4004, 4010, 4011, 4013, 4014). */
  | { readonly t: 'opsbot:refused'; readonly code: number; readonly reason: string }
  /** The shard began stopping (a signal, or the manager gone). */
  | { readonly t: 'opsbot:stopping'; readonly reason: string }
  | { readonly t: 'opsbot:fleet_request'; readonly id: number };

/** Manager → shard. */
export type ManagerMessage = {
  readonly t: 'opsbot:fleet_response';
  readonly id: number;
  readonly view: FleetView;
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** True for a well-formed {@link ShardMessage}; anything else (discord.js's own messages included) is not ours. */
export function isShardMessage(message: unknown): message is ShardMessage {
  if (!isObject(message)) return false;
  switch (message.t) {
    case 'opsbot:report': {
      const report = message.report;
      return (
        isObject(report) &&
        Number.isInteger(report.shard) &&
        Number.isInteger(report.pid) &&
        Number.isInteger(report.seq) &&
        typeof report.status === 'string' &&
        isObject(report.gateway) &&
        Array.isArray(report.alerts) &&
        Array.isArray(report.tasks) &&
        Array.isArray(report.troubled_components) &&
        (report.metrics === null || Array.isArray(report.metrics))
      );
    }
    case 'opsbot:refused':
      return Number.isInteger(message.code) && typeof message.reason === 'string';
    case 'opsbot:stopping':
      return typeof message.reason === 'string';
    case 'opsbot:fleet_request':
      return Number.isInteger(message.id);
    default:
      return false;
  }
}

/** True for a well-formed {@link ManagerMessage}. */
export function isManagerMessage(message: unknown): message is ManagerMessage {
  return (
    isObject(message) &&
    message.t === 'opsbot:fleet_response' &&
    Number.isInteger(message.id) &&
    isObject(message.view) &&
    Array.isArray(message.view.shards)
  );
}

/** Gateway close codes that reconnecting or respawning cannot heal, with what they mean. */
export const REFUSED_CLOSE_CODES: Readonly<Record<number, string>> = {
  4004: 'authentication failed (check DISCORD_TOKEN)',
  4010: 'invalid shard (the shard id or count was refused)',
  4011: 'sharding required (the bot is in too many guilds for this shard count: raise DISCORD_SHARDS or use auto)',
  4012: 'invalid API version',
  4013: 'invalid intents',
  4014: 'disallowed intents (enable them in the Developer Portal)',
};
