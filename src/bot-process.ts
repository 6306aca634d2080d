import { type Bot, type StartBotOptions, startBot } from './bot.ts';
import { EXIT_CONFIG, loadConfig, readEnvironment } from './config.ts';
import { ExtensionLoadError } from './core/index.ts';
import { createShardRole } from './fleet/shard-role.ts';
import { installProcessLifecycle } from './process-lifecycle.ts';

export type BotProcessOptions = Pick<
  StartBotOptions,
  'components' | 'commandsDir' | 'componentsDir' | 'tasksDir' | 'checksDir'
>;

/**
 * The bot as its own process, which is what `npm start` runs: configuration (exit 78 on
 * a bad variable), then the bot (exit 78 on a file of commands/, components/, tasks/ or
 * checks/ that cannot be used, naming it and the problem); SIGTERM and SIGINT stop it gracefully within
 * `OBS_SHUTDOWN_TIMEOUT_MS`, SIGHUP reopens the JSON log file (logrotate), and a failed
 * critical start exits 1. With `DISCORD_SHARDS` above 1 (or `auto`) this process is the
 * shard manager instead, and each shard process it spawns runs this same entry point as
 * one shard of the fleet.
 */
export async function runBotProcess(options: BotProcessOptions = {}): Promise<void> {
  const result = loadConfig(readEnvironment());
  if (!result.ok) {
    for (const warning of result.warnings) process.stderr.write(`warning: ${warning.message}\n`);
    for (const error of result.errors) process.stderr.write(`config error: ${error}\n`);
    process.exit(EXIT_CONFIG);
  }
  const { sharding } = result.config;
  if (sharding.child === undefined && sharding.shards !== 1) {
    const { runFleetProcess } = await import('./fleet/fleet-process.ts');
    await runFleetProcess(result.config, result.warnings);
    return;
  }
  const role = sharding.child === undefined ? undefined : createShardRole(result.config, sharding.child);

  // The handlers go in before anything can take time: a SIGTERM while the bot is still
  // being built waits for it, then stops it like any other.
  let bot: Bot | undefined;
  const starting = startBot(role?.config ?? result.config, {
    ...options,
    configWarnings: result.warnings,
    ...role?.botOptions,
  });
  installProcessLifecycle({
    log: () => bot?.log,
    shutdown: async (reason) => {
      role?.stopping(reason);
      await (await starting).shutdown(reason);
    },
    shutdownTimeoutMs: result.config.shutdownTimeoutMs,
    flushSync: () => bot?.logging.flushSync(),
    reopenLogs: () => bot?.logging.reopen(),
    exit: (code) => process.exit(code),
  });
  try {
    bot = await starting;
  } catch (error) {
    if (!(error instanceof ExtensionLoadError)) throw error;
    process.stderr.write(`extension error: ${error.message}\n`);
    process.exit(EXIT_CONFIG);
  }
  const running = bot;
  process.on('exit', () => running.logging.flushSync());
  role?.attach(running, (reason) => {
    running.shutdown(reason).finally(() => process.exit(0));
  });

  const { report, error } = await bot.started;
  if (report.outcome === 'failed') {
    bot.log.critical('startup_failed', error?.message ?? 'Startup failed', { outcome: report.outcome });
    await bot.shutdown('startup_failed');
    process.exit(1);
  }
}
