import { Events } from 'discord.js';
import type { Bot, StartBotOptions } from '../bot.ts';
import type { Config } from '../config.ts';
import { systemClock } from '../core/clock.ts';
import { createFleetClient } from './fleet-client.ts';
import { isManagerMessage, REFUSED_CLOSE_CODES, type ShardMessage } from './ipc-protocol.ts';
import { shardLogFile } from './shard-log-file.ts';
import { createShardReporter, reportIntervalMs } from './shard-reporter.ts';

/** What makes today's bot a shard of a fleet. */
export interface ShardRole {
  /** The configuration as a shard runs it: its own log file, no probe server (the manager has it). */
  readonly config: Config;
  readonly botOptions: Required<Pick<StartBotOptions, 'shard'>>;
  /** Starts reporting to the manager, and stops the bot when the manager goes away. */
  attach(bot: Bot, shutdown: (reason: string) => void): void;
  /** Tells the manager this shard is stopping on purpose, before it does. */
  stopping(reason: string): void;
}

/** Sends to the manager over the IPC channel; false (never a throw) when it is closed. */
function sendToManager(message: ShardMessage): boolean {
  if (typeof process.send !== 'function' || !process.connected) return false;
  try {
    return process.send(message, undefined, {}, () => {});
  } catch {
    return false;
  }
}

/** The shard side of the fleet for shard `child.id` of `child.count`. */
export function createShardRole(
  config: Config,
  child: { readonly id: number; readonly count: number },
): ShardRole {
  const clock = systemClock;
  const fleet = createFleetClient({
    shardId: child.id,
    totalShards: child.count,
    clock,
    send: sendToManager,
  });
  // discord.js's own ShardClientUtil also writes to the channel on gateway events; once
  // the manager is gone those writes fail with an 'error' event, which must not crash
  // the shard while it shuts down.
  process.on('error', () => {});
  return {
    config: {
      ...config,
      logging: { ...config.logging, file: shardLogFile(config.logging.file, child.id) },
      // Each shard keeps its own silences and episodes, as it keeps its own log.
      state: { ...config.state, file: shardLogFile(config.state.file, child.id) },
      prometheus: { ...config.prometheus, httpServer: false },
    },
    botOptions: { shard: { id: child.id, count: child.count, fleet } },
    attach(bot, shutdown) {
      const log = bot.log.child({ name: 'bot.fleet', subsys: 'fleet' });
      const reporter = createShardReporter({
        shardId: child.id,
        core: bot.manager,
        client: bot.discord.client,
        clock,
        log,
        everyMs: reportIntervalMs(config.sharding.staleMs),
        send: (message) => {
          sendToManager(message);
        },
      });
      const client = bot.discord.client;
      // The first shardReady comes before clientReady, which is when discord.js tells the manager
      // the shard is ready and the bot's gateway status turns ready: a report made then would
      // still say connecting and reach the manager after that ready, undoing it for a moment.
      // So the first report with the gateway up is made on clientReady; later shardReadys (a
      // fresh IDENTIFY) find the gateway status already updated.
      client.once(Events.ClientReady, () => reporter.reportNow());
      client.on(Events.ShardReady, () => {
        if (client.isReady()) reporter.reportNow();
      });
      client.on(Events.ShardResume, () => reporter.reportNow());
      client.on(Events.ShardDisconnect, (event) => {
        const meaning = REFUSED_CLOSE_CODES[event.code];
        if (meaning !== undefined) {
          log.error('gateway_refused', `Discord closed the gateway with ${event.code}: ${meaning}`, {
            code: event.code,
            shard: child.id,
          });
          sendToManager({ t: 'opsbot:refused', code: event.code, reason: meaning });
        }
        reporter.reportNow();
      });
      process.on('message', (message: unknown) => {
        if (isManagerMessage(message)) fleet.handle(message);
      });
      process.once('disconnect', () => {
        reporter.stop();
        log.warning('shard_manager_lost', 'The shard manager is gone: stopping this shard', {
          shard: child.id,
        });
        shutdown('manager_gone');
      });
      reporter.start();
      // The manager counts a shard ready once its own start is over: tell it at once.
      void bot.started.then(() => reporter.reportNow());
    },
    stopping(reason) {
      sendToManager({ t: 'opsbot:stopping', reason });
    },
  };
}
