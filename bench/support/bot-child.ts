// The bot under measurement, alone in its own process so that its CPU time and
// memory are its own: the real composition root (src/bot.ts) configured from the
// environment, driven and sampled by the parent over the IPC channel.

import { loadConfig, readEnvironment, startBot } from '../../src/discord/index.ts';
import type { ChildReply, ChildRequest } from './bot-protocol.ts';

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
const { report } = await bot.started;
send({ type: 'ready', outcome: report.outcome });

const gc = (globalThis as { gc?: () => void }).gc;

process.on('message', (message: ChildRequest) => {
  switch (message.type) {
    case 'sample': {
      if (message.gc === true) gc?.();
      const mem = process.memoryUsage();
      const cpu = process.cpuUsage();
      send({
        type: 'sample',
        id: message.id,
        cpu_us: cpu.user + cpu.system,
        rss_bytes: mem.rss,
        heap_used_bytes: mem.heapUsed,
        gc: message.gc === true && gc !== undefined,
      });
      break;
    }
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
