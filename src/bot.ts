import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Config, ConfigWarning } from './config.ts';
import { type Clock, settleWithin, systemClock } from './core/clock.ts';
import { CORE_COMPONENTS } from './core/core-components.ts';
import type { Logger } from './core/logging/logger.ts';
import { createLogging, type Logging } from './core/logging/logging.ts';
import { createObservabilityManager, type ObservabilityManager } from './core/manager.ts';
import { createMetrics } from './core/metrics/create-metrics.ts';
import type { StartupComponent } from './core/startup/startup-component.ts';
import type { StartupRunResult } from './core/startup/startup-orchestrator.ts';
import type { OpsCommand } from './discord/command.ts';
import { type CommandRouter, createCommandRouter } from './discord/command-router.ts';
import { createDiscordClient, type DiscordClient } from './discord/discord-client.ts';
import { isOpsAdmin } from './discord/is-ops-admin.ts';
import { loadCommands } from './discord/load-commands.ts';
import { createChannelPoster, createOpsChannelSink } from './discord/ops-channel-sink.ts';
import type { FleetAccess } from './fleet/fleet-client.ts';
import { typescriptRuntime } from './typescript-runtime.mjs';

/** What the shutdown keeps of its budget for closing the log sinks after `shutdown_complete`. */
const SINK_RESERVE_MS = 300;

/** The folder every slash command is loaded from. */
export const COMMANDS_DIR = fileURLToPath(new URL('../commands/', import.meta.url));

/** The package version, shown in `/health` and `bot_info`. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export interface StartBotOptions {
  /** @default systemClock */
  readonly clock?: Clock;
  /** Where the console sink writes; false turns it off. @default process.stdout */
  readonly console?: boolean | Writable;
  /** Colour on the console. @default the stream is a terminal and NO_COLOR is unset */
  readonly color?: boolean;
  /** @default COMMANDS_DIR */
  readonly commandsDir?: string;
  /** More startup components, started with the bot's own (a database, a cache…). */
  readonly components?: readonly StartupComponent[];
  /** Warnings from reading the configuration, logged once logging is up. */
  readonly configWarnings?: readonly ConfigWarning[];
  /**
   * This bot is shard `id` of `count`, spawned by a shard manager: every log line carries
   * `shard`, the commands show the whole fleet through `fleet`, and alerts reach the
   * ops channel through the manager (which alone posts there).
   */
  readonly shard?: { readonly id: number; readonly count: number; readonly fleet: FleetAccess };
}

export interface Bot {
  readonly manager: ObservabilityManager;
  readonly logging: Logging;
  readonly log: Logger;
  readonly discord: DiscordClient;
  /** Resolves when the start has ended, whatever its outcome. */
  readonly started: Promise<StartupRunResult>;
  /**
   * Stops taking interactions, delivers or logs queued alerts, stops every component in
   * reverse order, logs `shutdown_complete` last and closes the sinks. Bounded by
   * `OBS_SHUTDOWN_TIMEOUT_MS`; safe to call more than once, and during the start.
   */
  shutdown(reason: string): Promise<void>;
}

/**
 * The composition root: logging, metrics and the observability core, then the
 * Discord client and commands as start components. The start runs in the
 * background; await `started` for its outcome.
 */
export async function startBot(config: Config, options: StartBotOptions = {}): Promise<Bot> {
  const clock = options.clock ?? systemClock;
  const token = config.discord.token;
  if (token === undefined) throw new Error('DISCORD_TOKEN is not set');
  const httpToken = config.prometheus.authToken;

  const metrics = await createMetrics({ enabled: config.prometheus.enabled, version: VERSION });
  let sinkHealth: (sink: 'console' | 'file', state: 'ready' | 'degraded', error?: string) => void = () => {};
  const logging = createLogging({
    level: config.logging.level,
    file: config.logging.file,
    console: options.console ?? true,
    ...(options.color === undefined ? {} : { color: options.color }),
    rotation: {
      ...(config.logging.rotateMaxBytes > 0 ? { maxBytes: config.logging.rotateMaxBytes } : {}),
      daily: config.logging.rotateDaily,
      keep: config.logging.rotateKeep,
    },
    clock,
    metrics,
    secrets: httpToken === undefined ? [token] : [token, httpToken],
    onSinkHealth: (sink, state, error) => sinkHealth(sink, state, error),
    ...(options.shard === undefined ? {} : { fields: { shard: options.shard.id } }),
  });
  const log = logging.logger;
  const configLog = log.child({ name: 'bot.config', subsys: 'config' });
  for (const warning of options.configWarnings ?? []) configLog.warning(warning.event, warning.message);
  log
    .child({ name: 'bot.process', subsys: 'process' })
    .debug(
      'typescript_runtime',
      `Node ${process.version} runs the TypeScript sources ${typescriptRuntime === 'native' ? 'natively' : 'through tsx'}`,
      { node: process.version, typescript: typescriptRuntime },
    );

  const manager = createObservabilityManager({
    log,
    clock,
    metrics,
    logging,
    version: VERSION,
    parallelStartup: config.startup.parallel,
    healthChecks: config.health,
    taskGraceMs: config.health.taskGraceMs,
    resources: config.resources,
    alerts: config.alerts,
    ...(config.prometheus.enabled && config.prometheus.httpServer
      ? {
          http: {
            host: config.prometheus.host,
            port: config.prometheus.port,
            ...(httpToken === undefined ? {} : { authToken: httpToken }),
          },
        }
      : {}),
  });
  sinkHealth = (sink, state, error) => manager.reportLogSink(sink, state, error);

  const discordLog = log.child({ name: 'bot.discord', subsys: 'discord' });
  const commandsLog = log.child({ name: 'bot.commands', subsys: 'commands' });
  const alertsLog = log.child({ name: 'bot.alerts', subsys: 'alerts' });
  const discord = createDiscordClient({
    token,
    apiUrl: config.discord.apiUrl,
    observer: manager.gateway,
    log: discordLog,
    clock,
  });

  let commands: readonly OpsCommand[] = [];
  let router: CommandRouter | undefined;
  const components: StartupComponent[] = [
    {
      name: 'commands',
      timeoutMs: 10_000,
      retry: { attempts: 1 },
      async start() {
        commands = await loadCommands(options.commandsDir ?? COMMANDS_DIR);
      },
    },
    {
      // Attached before login, so no interaction arrives without a router to answer it.
      name: 'command_router',
      dependencies: ['commands'],
      timeoutMs: 5_000,
      start() {
        router ??= createCommandRouter({
          commands,
          ctx: {
            ops: manager.ops,
            log: commandsLog,
            clock,
            ...(options.shard === undefined ? {} : { fleet: options.shard.fleet }),
          },
          guard: (interaction) =>
            isOpsAdmin(interaction, {
              opsGuildIds: config.discord.opsGuildIds,
              adminUserIds: config.discord.adminUserIds,
              adminRoleIds: config.discord.adminRoleIds,
            }),
          log: commandsLog,
          clock,
          metrics,
          deferAfterMs: config.discord.deferAfterMs,
        });
        router.attach(discord.client);
      },
    },
    {
      name: 'discord_gateway',
      dependencies: ['command_router', CORE_COMPONENTS.tasks],
      timeoutMs: 60_000,
      retry: { attempts: 3, baseDelayMs: 2_000 },
      start: (signal) => discord.start(signal),
      stop: () => discord.stop(),
      stopTimeoutMs: 3_000,
    },
  ];

  const opsChannelId = config.discord.opsChannelId;
  if (options.shard !== undefined) {
    alertsLog.info(
      'alert_channel_via_manager',
      'Alerts reach the ops channel through the shard manager, which alone posts there',
      { shard: options.shard.id },
    );
  } else if (opsChannelId === undefined) {
    alertsLog.info('alert_channel_not_configured', 'OPS_CHANNEL_ID is not set: alerts go to the logs only');
  } else {
    let sinkAdded = false;
    components.push({
      name: 'ops_channel',
      critical: false,
      dependencies: ['discord_gateway'],
      timeoutMs: 15_000,
      retry: { attempts: 2, baseDelayMs: 2_000, maxDelayMs: 600_000 },
      async start() {
        const channel = await discord.client.channels.fetch(opsChannelId);
        if (channel === null || !channel.isSendable()) {
          throw new Error(`OPS_CHANNEL_ID ${opsChannelId} is not a channel the bot can post in`);
        }
        if (sinkAdded) return;
        sinkAdded = true;
        manager.alerts.addSink(
          createOpsChannelSink({
            post: createChannelPoster(discord.client, opsChannelId),
            clock,
            log: alertsLog,
            metrics,
            budget: { perWindow: 4, windowMs: 5_000, perMinute: config.alerts.channelPerMinute },
            onChannelState: (state, note) => manager.health.set('ops_channel', state, { note }),
          }),
        );
      },
      fallback() {
        // Alerts still reach the JSON log and the console; the channel is retried in the background.
      },
    });
  }

  components.push(...(options.components ?? []));
  const startAbort = new AbortController();
  const started = manager.start(components, startAbort.signal);

  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      // One deadline for the whole shutdown: each step gets what is left of it, and the
      // sinks keep a last slice, so a hung step costs its share and never the rest.
      const began = clock.now();
      const deadline = began + config.shutdownTimeoutMs;
      const left = (reserve = 0): number => Math.max(0, deadline - reserve - clock.now());
      const shutdownLog = log.child({ name: 'bot.shutdown', subsys: 'shutdown' });
      const late: string[] = [];
      const step = async (name: string, work: Promise<unknown>, ms: number): Promise<void> => {
        if (!(await settleWithin(clock, work, ms))) late.push(name);
      };
      startAbort.abort(new Error(`shutdown: ${reason}`));
      await step('start', started, left(SINK_RESERVE_MS));
      if (router !== undefined)
        await step('commands', router.close(left(SINK_RESERVE_MS)), left(SINK_RESERVE_MS));
      // The manager's own deadline falls a little before this wait's, so its stops are
      // cut (and logged as such) by the manager rather than abandoned here.
      await step(
        'components',
        manager.shutdown(Math.max(100, left(SINK_RESERVE_MS + 100))),
        left(SINK_RESERVE_MS),
      );
      shutdownLog.info('shutdown_complete', 'Shutdown complete', {
        reason,
        duration_ms: clock.now() - began,
        ...(late.length === 0 ? {} : { cut_short: late }),
      });
      await step('sinks', logging.close(), Math.max(left(), 200));
    })();
    return stopping;
  };

  return { manager, logging, log, discord, started, shutdown };
}
