import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createBotLogging } from './bot-logging.ts';
import type { ChartModuleNames } from './charts/chart-modules.ts';
import { type ChartRenderer, createChartRenderer } from './charts/chart-renderer.ts';
import type { Config, ConfigWarning } from './config.ts';
// The bot is composed through the same two surfaces a bot built on this one would use.
import {
  type Clock,
  CORE_COMPONENTS,
  createObservabilityManager,
  ExtensionLoadError,
  installExtensions,
  type LoadedExtensions,
  type Logger,
  type Logging,
  loadExtensions,
  type ObservabilityManager,
  type OpsNotice,
  type PreviousRun,
  type ResourceSampler,
  RUN_STARTED_EVENT,
  readPreviousRun,
  type StartupComponent,
  type StartupRunResult,
  settleWithin,
  systemClock,
} from './core/index.ts';
import {
  COMPONENT_HANDLERS,
  type CommandRouter,
  createChannelEditor,
  createChannelPoster,
  createCommandRouter,
  createDiscordClient,
  createOpsChannelSink,
  type DiscordClient,
  isOpsAdmin,
  loadCommands,
  OPS_CHANNEL_SINK_DEFAULTS,
  type OpsCommand,
  resourceAlertChart,
} from './discord/index.ts';
import type { FleetAccess } from './fleet/fleet-client.ts';
import { typescriptRuntime } from './typescript-runtime.ts';

/** What the shutdown keeps of its budget for closing the log sinks after `shutdown_complete`. */
const SINK_RESERVE_MS = 300;

/** The folder every slash command is loaded from. */
export const COMMANDS_DIR = fileURLToPath(new URL('../commands/', import.meta.url));
/** The folder of the bot's own start components (`defineComponent`), loaded at start. */
export const COMPONENTS_DIR = fileURLToPath(new URL('../components/', import.meta.url));
/** The folder of the bot's own background tasks (`defineTask`), loaded at start. */
export const TASKS_DIR = fileURLToPath(new URL('../tasks/', import.meta.url));
/** The folder of the bot's own health checks (`defineHealthCheck`), loaded at start. */
export const CHECKS_DIR = fileURLToPath(new URL('../checks/', import.meta.url));

const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

/**
 * The version in the nearest package.json above this file, shown in `/health` and
 * `bot_info`: the project's, whether the bot runs from src/ or compiled into build/src/.
 */
export const VERSION: string = packageVersion(new URL('.', import.meta.url));

function packageVersion(dir: URL): string {
  for (let at = dir; ; at = new URL('..', at)) {
    const file = new URL('package.json', at);
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    if (at.pathname === '/') throw new Error(`no package.json above ${fileURLToPath(dir)}`);
  }
}

export interface StartBotOptions {
  /** @default systemClock */
  readonly clock?: Clock;
  /** Where the console sink writes; false turns it off. @default process.stdout */
  readonly console?: boolean | Writable;
  /** Colour on the console. @default the stream is a terminal and NO_COLOR is unset */
  readonly color?: boolean;
  /** @default COMMANDS_DIR */
  readonly commandsDir?: string;
  /** A missing folder adds nothing. @default COMPONENTS_DIR */
  readonly componentsDir?: string;
  /** A missing folder adds nothing. @default TASKS_DIR */
  readonly tasksDir?: string;
  /** A missing folder adds nothing. @default CHECKS_DIR */
  readonly checksDir?: string;
  /** More startup components, started with the bot's own (a database, a cache…). */
  readonly components?: readonly StartupComponent[];
  /** Warnings from reading the configuration, logged once logging is up. */
  readonly configWarnings?: readonly ConfigWarning[];
  /** The packages charts load (tests point one at a missing or broken package). */
  readonly chartModules?: ChartModuleNames;
  /** Replaces the real resource sampler (tests: a sampler that stops answering). */
  readonly resourceSampler?: ResourceSampler;
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
  /** The chart renderer, when `OBS_ENABLE_CHARTS` is on. */
  readonly charts: ChartRenderer | undefined;
  /** Resolves when the start has ended, whatever its outcome. */
  readonly started: Promise<StartupRunResult>;
  /**
   * Stops taking interactions, delivers or logs queued alerts, stops every component in
   * reverse order, logs `shutdown_complete` last and closes the sinks. Bounded by
   * `OBS_SHUTDOWN_TIMEOUT_MS`; safe to call more than once, and during the start.
   */
  shutdown(reason: string): Promise<void>;
}

/** The first record of every run, which tells the next run where this one began. */
function logRunStart(log: Logger, previous: PreviousRun | undefined): void {
  const processLog = log.child({ name: 'bot.process', subsys: 'process' });
  const previousRun = previous === undefined ? 'none' : previous.clean ? 'clean' : 'crashed';
  processLog.info(RUN_STARTED_EVENT, `Bot ${VERSION} starting (pid ${process.pid})`, {
    pid: process.pid,
    version: VERSION,
    previous_run: previousRun,
  });
  if (previous !== undefined && !previous.clean) {
    processLog.warning(
      'previous_run_crashed',
      'The previous run ended without a clean shutdown (crashed or killed)',
      {
        previous_started_at: previous.started_at,
        previous_last_record_at: previous.last_record_at,
        last_error_event: previous.last_error?.event ?? null,
        last_error_at: previous.last_error?.ts ?? null,
      },
    );
  }
}

/** What the ops channel is told after an unclean exit. */
function crashNotice(previous: PreviousRun, nowMs: number): OpsNotice {
  const at = new Date(nowMs).toISOString();
  return {
    kind: 'notice',
    topic: 'crash_restart',
    key: 'process',
    title: 'The bot restarted after a crash',
    by: null,
    until: at,
    requested_ms: null,
    still_firing: [],
    at,
    last_error: previous.last_error,
    previous_run: { started_at: previous.started_at, last_record_at: previous.last_record_at },
  };
}

/**
 * The composition root: logging, metrics, the files of the extension folders (commands,
 * components, tasks, checks), the observability core, then the Discord client and the
 * command router as start components. The start runs in the background; await `started`
 * for its outcome.
 * @throws {ExtensionLoadError} when a file of an extension folder cannot be used (logged
 * as `extension_load_failed` first); nothing has started then
 */
export async function startBot(config: Config, options: StartBotOptions = {}): Promise<Bot> {
  const clock = options.clock ?? systemClock;
  const token = config.discord.token;
  if (token === undefined) throw new Error('DISCORD_TOKEN is not set');
  const httpToken = config.prometheus.authToken;
  const heartbeatUrl = config.heartbeat.url;
  // Read before this run writes a line: how did the previous run end?
  const previousRun = readPreviousRun(config.logging.file);

  const { metrics, logging, log, onSinkHealth } = await createBotLogging(config, {
    clock,
    version: VERSION,
    ...(options.console === undefined ? {} : { console: options.console }),
    ...(options.color === undefined ? {} : { color: options.color }),
    ...(options.shard === undefined ? {} : { fields: { shard: options.shard.id } }),
    ...(options.configWarnings === undefined ? {} : { configWarnings: options.configWarnings }),
  });
  logRunStart(log, previousRun);
  log
    .child({ name: 'bot.process', subsys: 'process' })
    .debug(
      'typescript_runtime',
      typescriptRuntime === 'compiled'
        ? `Node ${process.version} runs the bot compiled to JavaScript`
        : `Node ${process.version} runs the TypeScript sources ${typescriptRuntime === 'native' ? 'natively' : 'through esbuild'}`,
      { node: process.version, typescript: typescriptRuntime },
    );

  const extensionsLog = log.child({ name: 'bot.extensions', subsys: 'extensions' });
  /** Logs why nothing can start, closes the sinks and rethrows: the start never began. */
  const refuse = async (error: unknown): Promise<never> => {
    if (error instanceof ExtensionLoadError) {
      extensionsLog.critical(
        'extension_load_failed',
        'Cannot start: a file of an extension folder cannot be used',
        {
          file: error.file,
          problem: error.problem,
        },
      );
    } else {
      log
        .child({ name: 'bot.startup', subsys: 'startup' })
        .critical('startup_failed', 'Cannot start: the commands or the start components cannot be used', {
          error,
        });
    }
    await logging.close();
    throw error;
  };
  const loadStarted = clock.now();
  let commands: readonly OpsCommand[];
  let extensions: LoadedExtensions;
  try {
    commands = await loadCommands(options.commandsDir ?? COMMANDS_DIR);
    extensions = await loadExtensions(
      {
        components: options.componentsDir ?? COMPONENTS_DIR,
        tasks: options.tasksDir ?? TASKS_DIR,
        checks: options.checksDir ?? CHECKS_DIR,
      },
      { log: extensionsLog, clock, logFile: resolve(config.logging.file) },
    );
  } catch (error) {
    return refuse(error);
  }

  const manager = createObservabilityManager({
    log,
    clock,
    metrics,
    logging,
    version: VERSION,
    parallelStartup: config.startup.parallel,
    healthChecks: config.health,
    taskGraceMs: config.health.taskGraceMs,
    resources:
      options.resourceSampler === undefined
        ? config.resources
        : { ...config.resources, sampler: options.resourceSampler },
    alerts: config.alerts,
    state: { file: config.state.file },
    ...(heartbeatUrl === undefined
      ? {}
      : { heartbeat: { url: heartbeatUrl, intervalMs: config.heartbeat.intervalMs } }),
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
  onSinkHealth((sink, state, error) => manager.reportLogSink(sink, state, error));

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

  // Charts load in a child process beside the start; they are never part of it, and a
  // platform without the canvas only loses the images (said once in the log).
  const charts = config.charts.enabled
    ? createChartRenderer({
        log,
        clock,
        timeoutMs: config.charts.timeoutMs,
        alertRule: {
          consecutive: config.alerts.consecutiveSamples,
          resolveAfter: config.alerts.consecutiveSamples,
          hysteresis: 0.05,
        },
        ...(options.chartModules === undefined ? {} : { modules: options.chartModules }),
      })
    : undefined;

  let router: CommandRouter | undefined;
  const components: StartupComponent[] = [
    {
      // Attached before login, so no interaction arrives without a router to answer it.
      name: 'command_router',
      timeoutMs: 5_000,
      start() {
        router ??= createCommandRouter({
          commands,
          ctx: {
            ops: manager.ops,
            log: commandsLog,
            clock,
            ...(charts === undefined ? {} : { charts }),
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
          components: COMPONENT_HANDLERS,
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
            edit: createChannelEditor(discord.client, opsChannelId),
            episodes: manager.alerts,
            clock,
            log: alertsLog,
            metrics,
            budget: { ...OPS_CHANNEL_SINK_DEFAULTS.budget, perMinute: config.alerts.channelPerMinute },
            digestWindowMs: config.alerts.groupWaitMs,
            onChannelState: (state, note) => manager.health.set('ops_channel', state, { note }),
            ...(charts === undefined
              ? {}
              : { attachmentFor: (n) => resourceAlertChart(n, manager.ops.resources(), charts) }),
          }),
        );
        // Once, on the first start after an unclean exit.
        if (previousRun !== undefined && !previousRun.clean) {
          manager.alerts.announce(crashNotice(previousRun, clock.now()));
        }
      },
      fallback() {
        // Alerts still reach the JSON log and the console; the channel is retried in the background.
      },
    });
  }

  components.push(...(options.components ?? []));
  let own: StartupComponent[];
  try {
    // Before the bot's own, so in a sequential start a database is up before the gateway.
    own = [...installExtensions(extensions, manager, components), ...components];
  } catch (error) {
    await manager.shutdown(1_000);
    return refuse(error);
  }
  // Only once nothing can refuse the start any more: a render process still loading keeps
  // the bot alive until it answers.
  void charts?.start();
  extensionsLog.info(
    'extensions_loaded',
    `Loaded ${count(commands.length, 'command')}, ${count(extensions.components.length, 'component')}, ${count(extensions.checks.length, 'health check')} and ${count(extensions.tasks.length, 'task')}`,
    {
      commands: commands.map((c) => c.data.name),
      components: extensions.components.map((c) => c.value.name),
      checks: extensions.checks.map((c) => c.value.name),
      tasks: extensions.tasks.map((t) => t.value.name),
      duration_ms: clock.now() - loadStarted,
    },
  );
  const startAbort = new AbortController();
  const started = manager.start(own, startAbort.signal);

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
      if (charts !== undefined) await step('charts', charts.close(), left(SINK_RESERVE_MS));
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

  return { manager, logging, log, discord, charts, started, shutdown };
}
