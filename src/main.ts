import { startBot } from './bot.ts';
import { EXIT_CONFIG, loadConfig, readEnvironment } from './config.ts';
import { installProcessLifecycle } from './process-lifecycle.ts';

/**
 * `npm start`: configuration (exit 78 on a bad variable), then the bot; SIGTERM and
 * SIGINT stop it gracefully, SIGHUP reopens the JSON log file (logrotate), a failed
 * critical start exits 1.
 */
async function main(): Promise<void> {
  const result = loadConfig(readEnvironment());
  if (!result.ok) {
    for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
    for (const error of result.errors) process.stderr.write(`config error: ${error}\n`);
    process.exit(EXIT_CONFIG);
  }

  const bot = await startBot(result.config, { configWarnings: result.warnings });
  process.on('exit', () => bot.logging.flushSync());
  installProcessLifecycle({
    log: bot.log,
    shutdown: (reason) => bot.shutdown(reason),
    flushSync: () => bot.logging.flushSync(),
    reopenLogs: () => bot.logging.reopen(),
    exit: (code) => process.exit(code),
  });

  const { report, error } = await bot.started;
  if (report.outcome === 'failed') {
    bot.log.critical('startup_failed', error?.message ?? 'Startup failed', { outcome: report.outcome });
    await bot.shutdown('startup_failed');
    process.exit(1);
  }
}

await main();
