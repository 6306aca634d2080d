// The bot under measurement, alone in its own process so that its CPU time and
// memory are its own: the real composition root (src/bot.ts) configured from the
// environment, driven and sampled by the parent over the IPC channel.

import { loadConfig, readEnvironment, startBot } from '../../src/discord/index.ts';
import { type ChildReply, type ChildRequest, sampleReply } from './bot-protocol.ts';
import { watchIdentifyToReady } from './identify-timing.ts';

const send = (reply: ChildReply): void => {
  process.send?.(reply);
};

const result = loadConfig(readEnvironment());
if (!result.ok) {
  process.stderr.write(`bench bot: ${result.errors.join('; ')}\n`);
  process.exit(78);
}
// BENCH_CONSOLE=off turns the console sink off entirely; otherwise it writes to stdout (a pipe the parent drains).
const consoleOn = process.env.BENCH_CONSOLE !== 'off';
const bot = await startBot(result.config, { console: consoleOn ? process.stdout : false, color: false });
// Attached before the gateway start (it waits for the commands to load), so IDENTIFY is seen.
const timing = watchIdentifyToReady(bot.discord.client);
const { report } = await bot.started;
const identified = await Promise.race([timing, Promise.resolve(null)]);
send({ type: 'ready', outcome: report.outcome, identify_to_ready_ms: identified });

// A parent that died leaves no bot behind.
process.on('disconnect', () => process.exit(0));
process.on('message', (message: ChildRequest) => {
  switch (message.type) {
    case 'sample':
      send(sampleReply(message.id, message.gc === true));
      break;
    case 'raise':
      bot.manager.alerts.raise(message.key, {
        severity: 'warning',
        title: 'Benchmark alert',
        value: 'forced',
      });
      break;
    case 'clear':
      bot.manager.alerts.clear(message.key);
      break;
    case 'shutdown':
      void bot.shutdown('bench_finished').then(() => process.exit(0));
      break;
  }
});
