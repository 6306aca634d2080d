// Which threads of the bot spend the CPU the overhead benchmark measures, at settings of your
// choice: the bots run compiled, side by side, under the overhead benchmark's command stream
// and scrape (its measureSettings), and each reports its CPU split between its main thread and
// its other threads (V8's collector and compiler workers, libuv's pool).
//   node --import ./src/ts-loader.mjs bench/thread-cpu.ts [settings] [seconds] [commands a second] [warm-up seconds]
// settings: a comma-separated list of the overhead benchmark's modes (off, logs, default, aggressive, bare, bare+scrape, …), each with optional
// `:VARIABLE=value` overrides, e.g. `off,logs,default,default:LOG_LEVEL=warning` (the default).
// The warm-up (150 s unless given) is the overhead benchmark's: a bot's CPU falls for minutes after its start.
import { pathToFileURL } from 'node:url';
import { buildBot } from '../test/support/build-bot.ts';
import { measureSettings, parseSetting } from './overhead-bench.ts';
import { COMPILED_CHILDREN } from './support/bot-process.ts';

export interface ThreadCpu {
  readonly setting: string;
  /** % of a core over the window. */
  readonly total: number;
  readonly main: number;
  readonly other_threads: number;
}

export async function threadCpu(
  specs: readonly string[],
  windowMs: number,
  perSecond: number,
  warmupMs = 150_000,
): Promise<ThreadCpu[]> {
  const settings = specs.map(parseSetting);
  const compiled = await buildBot(COMPILED_CHILDREN);
  try {
    const runs = await measureSettings(settings, windowMs, perSecond, warmupMs, compiled);
    return runs.map((run, i) => {
      const main = run.main_thread_cpu_percent_of_core;
      if (main === undefined)
        throw new Error('thread-cpu: the main thread’s CPU time is read from /proc (Linux only)');
      return {
        setting: specs[i] ?? '',
        total: run.cpu_percent_of_core,
        main,
        other_threads: Math.round((run.cpu_percent_of_core - main) * 1000) / 1000,
      };
    });
  } finally {
    compiled.remove();
  }
}

export function formatThreadCpu(rows: readonly ThreadCpu[]): string {
  const first = rows[0];
  const delta = (x: number, y: number | undefined): string =>
    y === undefined ? '' : ` (${x - y >= 0 ? '+' : ''}${(x - y).toFixed(3)})`;
  return [
    `% of a core; in brackets, the difference from ${first?.setting ?? 'the first'}`,
    ...rows.map(
      (r) =>
        `${r.setting.padEnd(36)} main ${r.main.toFixed(3)}${delta(r.main, first?.main)}  ` +
        `other threads ${r.other_threads.toFixed(3)}${delta(r.other_threads, first?.other_threads)}  ` +
        `total ${r.total.toFixed(3)}${delta(r.total, first?.total)}`,
    ),
  ].join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const specs = (process.argv[2] ?? 'off,logs,default,default:LOG_LEVEL=warning').split(',');
  const seconds = Number(process.argv[3] ?? 60);
  const perSecond = Number(process.argv[4] ?? 20);
  const warmupSeconds = Number(process.argv[5] ?? 150);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new Error(`thread-cpu: seconds must be positive, not ${process.argv[3]}`);
  }
  if (!Number.isFinite(perSecond) || perSecond < 0) {
    throw new Error(`thread-cpu: commands a second must be 0 or more, not ${process.argv[4]}`);
  }
  if (!Number.isFinite(warmupSeconds) || warmupSeconds < 0) {
    throw new Error(`thread-cpu: warm-up seconds must be 0 or more, not ${process.argv[5]}`);
  }
  console.log(formatThreadCpu(await threadCpu(specs, seconds * 1000, perSecond, warmupSeconds * 1000)));
}
