import type { Writable } from 'node:stream';
import { REST } from 'discord.js';
import { VERSION } from '../bot.ts';
import { createBotLogging } from '../bot-logging.ts';
import type { Config, ConfigWarning } from '../config.ts';
import { type Clock, settleWithin, systemClock } from '../core/clock.ts';
import { createHttpServer, type HttpServer } from '../core/http/http-server.ts';
import type { Logger } from '../core/logging/logger.ts';
import type { Logging } from '../core/logging/logging.ts';
import { createObservabilityManager, type ObservabilityManager } from '../core/manager.ts';
import { hasExposition, type MetricsExposition } from '../core/metrics/metrics-exposition.ts';
import type { PromMetrics } from '../core/metrics/prom-metrics.ts';
import type { StartupComponent } from '../core/startup/startup-component.ts';
import { siblingModule, typescriptNodeArgs } from '../typescript-runtime.ts';
import { createDiscordShardLauncher } from './discord-shard-launcher.ts';
import { httpComponent, opsChannelComponent } from './fleet-components.ts';
import { createFleetHealth, type FleetHealthSnapshot } from './fleet-health.ts';
import { isShardComponent, shardComponent } from './fleet-status.ts';
import { buildFleetView } from './fleet-view.ts';
import { planShards, type ShardPlan } from './gateway-plan.ts';
import { createIdentifyGate } from './identify-gate.ts';
import { createShardAlerts } from './shard-alerts.ts';
import { createShardHealthSync } from './shard-health-sync.ts';
import type { ShardLauncher } from './shard-launcher.ts';
import { createShardSupervisor, type ShardSnapshot, type ShardSupervisor } from './shard-supervisor.ts';

/** What each shard process runs: the bot's own entry point, which sees it is a shard. */
export const SHARD_ENTRY = siblingModule('../main', import.meta.url);

/** What the shards get of the shutdown beyond their own bound (their backstop fires 1 s past it). */
const SHARD_STOP_SLACK_MS = 1_500;
/** What the shutdown keeps for closing the log sinks after `shutdown_complete`. */
const SINK_RESERVE_MS = 300;

/** The whole bound of the manager's shutdown: the shards' own, then the manager's components. */
export function fleetShutdownBudgetMs(config: Pick<Config, 'shutdownTimeoutMs'>): number {
  return (
    config.shutdownTimeoutMs + SHARD_STOP_SLACK_MS + 2_000 + Math.max(3_000, config.shutdownTimeoutMs / 2)
  );
}

export interface StartFleetOptions {
  /** @default systemClock */
  readonly clock?: Clock;
  /** Where the console sink writes; false turns it off. @default process.stdout */
  readonly console?: boolean | Writable;
  readonly color?: boolean;
  readonly configWarnings?: readonly ConfigWarning[];
  /** The file each shard process runs. @default SHARD_ENTRY */
  readonly shardFile?: string;
  /** Replaces discord.js's ShardingManager (tests of supervision without processes). */
  readonly launcher?: (plan: ShardPlan) => ShardLauncher;
}

export interface FleetStartResult {
  readonly outcome: 'ready' | 'degraded' | 'failed' | 'cancelled';
  readonly error: Error | null;
  readonly plan: ShardPlan | undefined;
}

export interface Fleet {
  readonly core: ObservabilityManager;
  readonly logging: Logging;
  readonly log: Logger;
  readonly http: HttpServer | undefined;
  /** Resolves when the start has ended: the plan asked from Discord, every shard spawned (or given up on). */
  readonly started: Promise<FleetStartResult>;
  /** What `GET /healthz` answers. */
  health(): FleetHealthSnapshot;
  shards(): readonly ShardSnapshot[];
  /** Reopens the manager's JSON log and tells every shard to reopen its own (SIGHUP). */
  reopenLogs(): void;
  /**
   * Stops every shard gracefully (relaying `reason` when it is SIGINT, else SIGTERM),
   * then the manager's own components; logs `shutdown_complete` last. Safe to call twice.
   */
  shutdown(reason: string): Promise<void>;
}

/**
 * The shard manager's composition root, beside the bot's own (src/bot.ts) and built from
 * the same core: logging, metrics, health, alerts and the probe server, with the shards
 * as its start components, spawned in Discord's identify rounds through discord.js's
 * ShardingManager and watched by the shard supervisor. Only the manager listens for
 * HTTP and posts to the ops channel (over REST: it has no gateway connection).
 */
export async function startFleet(config: Config, options: StartFleetOptions = {}): Promise<Fleet> {
  const clock = options.clock ?? systemClock;
  const token = config.discord.token;
  if (token === undefined) throw new Error('DISCORD_TOKEN is not set');
  const httpToken = config.prometheus.authToken;

  const { metrics, logging, log, onSinkHealth } = await createBotLogging(config, {
    clock,
    version: VERSION,
    ...(options.console === undefined ? {} : { console: options.console }),
    ...(options.color === undefined ? {} : { color: options.color }),
    ...(options.configWarnings === undefined ? {} : { configWarnings: options.configWarnings }),
  });
  const fleetLog = log.child({ name: 'bot.fleet', subsys: 'fleet' });

  const core = createObservabilityManager({
    log,
    clock,
    metrics,
    logging,
    version: VERSION,
    // Shards start as their identify rounds allow, not one after another.
    parallelStartup: true,
    healthChecks: config.health,
    taskGraceMs: config.health.taskGraceMs,
    resources: config.resources,
    alerts: config.alerts,
    gateway: false,
    quietComponents: isShardComponent,
  });
  onSinkHealth((sink, state, error) => core.reportLogSink(sink, state, error));

  const rest = new REST({ api: config.discord.apiUrl }).setToken(token);
  rest.on('rateLimited', (info) => {
    fleetLog.warning('rate_limited', `Discord rate limit on ${info.route}`, {
      route: info.route,
      method: info.method,
      global: info.global,
      retry_after_ms: info.retryAfter,
    });
  });

  let plan: ShardPlan | undefined;
  let supervisor: ShardSupervisor | undefined;
  const shardSnapshots = (): readonly ShardSnapshot[] => supervisor?.snapshots() ?? [];
  const health = createFleetHealth({
    clock,
    monitor: core.monitor,
    registry: core.health,
    shards: shardSnapshots,
    totalShards: () => plan?.totalShards ?? 0,
  });
  // The manager's own series answer for the fleet: bot_health_status is the fleet's.
  metrics.bindSources({
    health,
    resources: () => core.ops.resources().latest,
    tasks: () => core.tasks.snapshot(),
    gateway: () => core.gateway.snapshot(),
    startup: () => core.startupReport(),
  });
  let exposition: MetricsExposition | undefined;
  if (hasExposition(metrics)) {
    const { createFleetMetrics } = await import('./fleet-metrics.ts');
    exposition = createFleetMetrics({
      registry: (metrics as PromMetrics).registry,
      shards: shardSnapshots,
      now: () => clock.now(),
    });
  }
  const http =
    config.prometheus.enabled && config.prometheus.httpServer
      ? createHttpServer({
          host: config.prometheus.host,
          port: config.prometheus.port,
          ...(httpToken === undefined ? {} : { authToken: httpToken }),
          ...(exposition === undefined ? {} : { metrics: exposition }),
          health,
          isLive: () => core.monitor.isLive(),
          log,
          clock,
        })
      : undefined;

  const components: StartupComponent[] = [];
  if (http !== undefined) components.push(httpComponent(http));
  const alertsLog = log.child({ name: 'bot.alerts', subsys: 'alerts' });
  const opsChannelId = config.discord.opsChannelId;
  if (opsChannelId === undefined) {
    alertsLog.info('alert_channel_not_configured', 'OPS_CHANNEL_ID is not set: alerts go to the logs only');
  } else {
    components.push(
      opsChannelComponent({
        rest,
        channelId: opsChannelId,
        alerts: core.alerts,
        health: core.health,
        clock,
        log: alertsLog,
        metrics,
        perMinute: config.alerts.channelPerMinute,
      }),
    );
  }

  const shardAlerts = createShardAlerts(core.alerts);
  let stopping: Promise<void> | undefined;
  const syncHealth = createShardHealthSync({
    health: core.health,
    snapshot: (id) => supervisor?.snapshot(id),
    // Stopping, the start components' own stops say what becomes of each shard.
    paused: () => stopping !== undefined,
  });

  const startAbort = new AbortController();
  const started = (async (): Promise<FleetStartResult> => {
    try {
      plan = await planShards(rest, config.sharding, { clock, log: fleetLog, signal: startAbort.signal });
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      return { outcome: startAbort.signal.aborted ? 'cancelled' : 'failed', error: failure, plan: undefined };
    }
    const settled = plan;
    const launcher =
      options.launcher?.(settled) ??
      createDiscordShardLauncher({
        file: options.shardFile ?? SHARD_ENTRY,
        totalShards: settled.totalShards,
        shardIds: settled.shardIds,
        token,
        execArgv: typescriptNodeArgs,
      });
    const running = createShardSupervisor({
      shardIds: settled.shardIds,
      launcher,
      log,
      clock,
      staleMs: config.sharding.staleMs,
      readyTimeoutMs: config.sharding.readyTimeoutMs,
      respawnMax: config.sharding.respawnMax,
      events: {
        down: (id, reason, info) => shardAlerts.down(id, reason, info.respawnInMs),
        recovered: (id) => shardAlerts.recovered(id),
        limitReached: (id, used) => shardAlerts.limitReached(id, used, config.sharding.respawnMax),
        report: (id, report) => shardAlerts.report(id, report),
        changed: syncHealth,
        fleetRequest: (id, requestId) => {
          running.send(id, {
            t: 'opsbot:fleet_response',
            id: requestId,
            view: buildFleetView({
              health,
              shards: shardSnapshots,
              startup: () => core.startupReport(),
              managerRssBytes: () => process.memoryUsage.rss(),
              now: () => clock.now(),
            }),
          });
        },
      },
    });
    supervisor = running;
    const gate = createIdentifyGate({ rounds: settled.rounds, clock });
    const shards: StartupComponent[] = settled.shardIds.map((id) => ({
      name: shardComponent(id),
      critical: false,
      retry: { attempts: 1 },
      // The supervisor respawns a shard that fails; the start only waits for it.
      retryInBackground: false,
      timeoutMs: config.sharding.readyTimeoutMs + gate.maxWaitMs(gate.roundOf(id)) + 1_000,
      async start(signal) {
        await gate.turn(id, signal);
        try {
          await running.start(id, signal);
        } finally {
          gate.settled(id);
        }
      },
    }));
    const result = await core.start([...components, ...shards], startAbort.signal);
    return { outcome: result.report.outcome, error: result.error, plan: settled };
  })();

  const shutdown = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      const began = clock.now();
      const deadline = began + fleetShutdownBudgetMs(config);
      const left = (reserve = 0): number => Math.max(0, deadline - reserve - clock.now());
      const shutdownLog = log.child({ name: 'bot.shutdown', subsys: 'shutdown' });
      const late: string[] = [];
      const step = async (name: string, work: Promise<unknown>, ms: number): Promise<void> => {
        if (!(await settleWithin(clock, work, ms))) late.push(name);
      };
      // Exits from now on are the fleet stopping: no respawn, no alert.
      supervisor?.beginStop();
      startAbort.abort(new Error(`shutdown: ${reason}`));
      const killed =
        (await supervisor?.stopAll(
          reason === 'SIGINT' ? 'SIGINT' : 'SIGTERM',
          Math.min(config.shutdownTimeoutMs + SHARD_STOP_SLACK_MS, left(SINK_RESERVE_MS + 3_000)),
        )) ?? [];
      await step('start', started, left(SINK_RESERVE_MS));
      await step(
        'components',
        core.shutdown(Math.max(100, left(SINK_RESERVE_MS + 100))),
        left(SINK_RESERVE_MS),
      );
      shutdownLog.info('shutdown_complete', 'Shutdown complete', {
        reason,
        duration_ms: clock.now() - began,
        shards: shardSnapshots().length,
        ...(killed.length === 0 ? {} : { shards_killed: [...killed] }),
        ...(late.length === 0 ? {} : { cut_short: late }),
      });
      await step('sinks', logging.close(), Math.max(left(), 200));
    })();
    return stopping;
  };

  return {
    core,
    logging,
    log,
    http,
    started,
    health,
    shards: shardSnapshots,
    reopenLogs() {
      logging.reopen();
      supervisor?.signalAll('SIGHUP');
    },
    shutdown,
  };
}
