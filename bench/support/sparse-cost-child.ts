// One process of the sparse-cost benchmark: a 50 ms timer (one record's worth of work
// every 50 ms, the rate of 20 commands a second) doing what its mode says, then its own
// CPU time over the window, sent to the parent. See bench/sparse-cost-bench.ts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pino from 'pino';
import { createLogging, createMetrics } from '../../src/core/index.ts';

const [mode = 'idle', warmupArg = '3000', windowArg = '30000'] = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'bench-sparse-'));

/** The record the command router writes for each command, as it passes it. */
const DETAIL = {
  command: 'health',
  user_id: '123456789012345678',
  outcome: 'ok',
  duration_ms: 2.31,
  ack_ms: 1.18,
  deferred: false,
} as const;

let record: () => void = () => {};
if (mode === 'ours' || mode === 'ours-each' || mode === 'ours-file') {
  const logging = createLogging({
    level: 'info',
    file: join(dir, 'bot.jsonl'),
    console: mode === 'ours-file' ? false : process.stdout,
    color: false,
    // `ours` runs the default batching (LOG_FLUSH_MS=1000); the others write each record in its call, as pino does.
    ...(mode === 'ours' ? {} : { flushMs: 0 }),
  });
  const log = logging.logger.child({ name: 'discord.commands', subsys: 'discord' });
  record = () => log.info('command_invoked', '/health → ok', DETAIL);
} else if (mode === 'pino' || mode === 'pino-file') {
  // Plain pino, JSON to the same places: the file through a synchronous destination (a write
  // per record, like ours), and in `pino` the same JSON line to stdout as well.
  const file = pino.destination({ dest: join(dir, 'pino.jsonl'), sync: true });
  const stream =
    mode === 'pino'
      ? pino.multistream([{ stream: file }, { stream: pino.destination({ dest: 1, sync: true }) }])
      : file;
  const log = pino({ messageKey: 'msg' }, stream).child({ name: 'bot.discord.commands', subsys: 'discord' });
  record = () => log.info({ event: 'command_invoked', detail: DETAIL }, '/health → ok');
} else if (mode === 'metrics') {
  // What a command adds to the metrics: its interactions_total count and its ack-time observation.
  const metrics = await createMetrics({ enabled: true });
  record = () => metrics.interaction('health', 'ok', 0.00118);
} else if (mode === 'stringify') {
  // The least a JSON line costs: the record serialised once, written nowhere.
  let bytes = 0;
  record = () => {
    bytes += JSON.stringify({
      ts: new Date().toISOString(),
      level: 'INFO',
      name: 'bot.discord.commands',
      subsys: 'discord',
      event: 'command_invoked',
      detail: DETAIL,
      msg: '/health → ok',
    }).length;
  };
  process.on('exit', () => bytes);
} else if (mode === 'timer-100ms') {
  // What the event-loop lag probe runs: one JS timer every 100 ms, doing next to nothing.
  let last = performance.now();
  let late = 0;
  setInterval(() => {
    const at = performance.now();
    late = Math.max(late, at - last - 100);
    last = at;
  }, 100);
} else if (mode === 'eld-100ms') {
  // Node's own delay monitor at the same resolution: its timer runs in C++, no JS per tick.
  monitorEventLoopDelay({ resolution: 100 }).enable();
} else if (mode !== 'idle') {
  throw new Error(`sparse-cost child: unknown mode ${mode}`);
}

setInterval(() => record(), 50);
await new Promise((resolve) => setTimeout(resolve, Number(warmupArg)));
const from = process.cpuUsage();
await new Promise((resolve) => setTimeout(resolve, Number(windowArg)));
const used = process.cpuUsage(from);
process.send?.({ mode, cpu_us: used.user + used.system, window_ms: Number(windowArg) }, () =>
  process.exit(0),
);
