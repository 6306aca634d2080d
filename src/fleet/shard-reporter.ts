import type { Client } from 'discord.js';
import type { Clock, Timer } from '../core/clock.ts';
import type { Logger } from '../core/logging/logger.ts';
import type { ObservabilityManager } from '../core/manager.ts';
import type { MetricsJson, ShardMessage, ShardReport } from './ipc-protocol.ts';

export interface ShardReporterOptions {
  readonly shardId: number;
  readonly core: Pick<
    ObservabilityManager,
    'healthSnapshot' | 'gateway' | 'ops' | 'tasks' | 'alerts' | 'startupReport' | 'metrics'
  >;
  /** The shard's discord.js client: the last heartbeat acknowledgement. */
  readonly client: Pick<Client, 'ws'>;
  readonly clock: Clock;
  readonly log: Logger;
  /** Between two reports; the supervisor wants at least three per `SHARD_STALE_MS`. */
  readonly everyMs: number;
  /** Sends one message to the manager; must not throw. */
  readonly send: (message: ShardMessage) => void;
}

export interface ShardReporter {
  start(): void;
  /** Reports now (a gateway change the manager should know at once). */
  reportNow(): void;
  stop(): void;
}

/** The interval that gives at least three reports per `SHARD_STALE_MS` (four, bounded to 0.1 – 10 s). */
export function reportIntervalMs(staleMs: number): number {
  return Math.max(100, Math.min(10_000, Math.floor(staleMs / 4)));
}

interface MetricsRegistryHolder {
  readonly registry: { getMetricsAsJSON(): Promise<MetricsJson> };
}

const hasRegistry = (metrics: unknown): metrics is MetricsRegistryHolder =>
  typeof (metrics as Partial<MetricsRegistryHolder> | null)?.registry?.getMetricsAsJSON === 'function';

/**
 * The shard's half of supervision: a report to the manager every `everyMs` (status,
 * gateway, resources, troubled components, tasks, firing alerts, metrics as prom-client
 * JSON). A report that stops coming is what the manager takes for a frozen shard.
 */
export function createShardReporter(options: ShardReporterOptions): ShardReporter {
  const { core, clock, shardId } = options;
  const log = options.log.child({ name: 'bot.fleet', subsys: 'fleet' });
  let seq = 0;
  let timer: Timer | undefined;
  let sending = false;

  const build = async (): Promise<ShardReport> => {
    const metrics = hasRegistry(core.metrics) ? await core.metrics.registry.getMetricsAsJSON() : null;
    // The state is read after the wait, in the turn of the event loop that sends the report, so a
    // report never carries a state older than what the process has already told the manager.
    const health = core.healthSnapshot();
    const gateway = core.gateway.snapshot();
    const latest = core.ops.resources().latest;
    const startup = core.startupReport();
    const lastAck = options.client.ws.shards.first()?.lastPingTimestamp ?? -1;
    seq += 1;
    return {
      shard: shardId,
      pid: process.pid,
      seq,
      at: new Date(clock.now()).toISOString(),
      status: health.status,
      uptime_seconds: health.uptime_seconds,
      gateway: {
        status: gateway.status,
        ping_ms: gateway.ping_ms,
        guilds: gateway.guilds,
        reconnects: gateway.reconnects,
        last_heartbeat_ack_at: lastAck > 0 ? new Date(lastAck).toISOString() : null,
      },
      resources:
        latest === undefined
          ? null
          : {
              rss_bytes: latest.rss_bytes,
              heap_used_bytes: latest.heap_used_bytes,
              cpu_percent: latest.cpu_percent,
              event_loop_lag_ms: latest.event_loop_lag_ms.max,
            },
      troubled_components: health.components
        .filter((c) => c.state !== 'ready' && c.state !== 'skipped')
        .map((c) => ({
          name: c.name,
          state: c.state,
          critical: c.critical,
          error: c.last_error?.message ?? c.note,
        })),
      tasks: core.tasks.snapshot().map((t) => ({
        name: t.name,
        state: t.state,
        runs: t.runs,
        failures: t.failures,
        restarts: t.restarts,
        last_heartbeat_age_ms: t.last_heartbeat_age_ms,
      })),
      startup: startup === undefined ? null : { outcome: startup.outcome, duration_ms: startup.duration_ms },
      alerts: core.alerts.view().firing,
      metrics,
    };
  };

  let again = false;
  const report = (): void => {
    // One report at a time; one asked for meanwhile follows it, with what changed since.
    if (sending) {
      again = true;
      return;
    }
    sending = true;
    build()
      .then(
        (built) => options.send({ t: 'opsbot:report', report: built }),
        (error: unknown) => {
          log.warning('shard_report_failed', 'Building the report for the shard manager failed', { error });
        },
      )
      .finally(() => {
        sending = false;
        if (again) {
          again = false;
          report();
        }
      });
  };

  return {
    start() {
      if (timer !== undefined) return;
      report();
      timer = clock.setInterval(report, options.everyMs, { unref: true });
    },
    reportNow: report,
    stop() {
      timer?.cancel();
      timer = undefined;
    },
  };
}
