import type { Config, ConfigWarning } from '../config.ts';
import { installProcessLifecycle } from '../process-lifecycle.ts';
import { type Fleet, fleetShutdownBudgetMs, startFleet } from './fleet.ts';

/**
 * The shard manager as its own process (`npm start` with `DISCORD_SHARDS` above 1 or
 * `auto`): SIGTERM and SIGINT stop every shard gracefully, then the manager, exit 0;
 * SIGHUP reopens every log file; a failed start (no shard plan: a rejected token, an
 * unreachable API) exits 1.
 */
export async function runFleetProcess(config: Config, warnings: readonly ConfigWarning[]): Promise<void> {
  let fleet: Fleet | undefined;
  const starting = startFleet(config, { configWarnings: warnings });
  installProcessLifecycle({
    log: () => fleet?.log,
    shutdown: async (reason) => (await starting).shutdown(reason),
    shutdownTimeoutMs: fleetShutdownBudgetMs(config),
    flushSync: () => fleet?.logging.flushSync(),
    reopenLogs: () => fleet?.reopenLogs(),
    exit: (code) => process.exit(code),
  });
  fleet = await starting;
  const running = fleet;
  process.on('exit', () => running.logging.flushSync());
  const { outcome, error } = await running.started;
  if (outcome === 'failed') {
    running.log.critical('startup_failed', error?.message ?? 'The shard manager did not start', { outcome });
    await running.shutdown('startup_failed');
    process.exit(1);
  }
}
