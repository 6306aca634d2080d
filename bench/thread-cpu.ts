// Which threads of the bot spend the CPU the overhead benchmark measures: bots at several
// settings run compiled, side by side under the same command stream (and the same scrape),
// and each reports its main thread's CPU and its other threads' (V8's garbage-collector and
// compiler workers, libuv's pool), read from /proc/<pid>/task/<tid>/stat over the window.
//   node --import ./src/ts-loader.mjs bench/thread-cpu.ts [settings] [seconds] [commands a second]
// settings: a comma-separated list of off, logs, default, aggressive, each with optional
// `:VARIABLE=value` overrides, e.g. `off,logs,default,default:LOG_LEVEL=warning` (the default).
import { readdirSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { buildBot } from '../test/support/build-bot.ts';
import { startEmulator } from '../test/support/emulator/index.ts';
import { OVERHEAD_SETTINGS, type OverheadMode, type OverheadSetting } from './overhead-bench.ts';
import { type BotProcess, COMPILED_CHILDREN, startBotProcess } from './support/bot-process.ts';
import { startScraper, steadyCommands } from './support/command-load.ts';

/** Linux reports a thread's CPU time in USER_HZ ticks, 100 a second on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

export interface ThreadCpu {
  readonly setting: string;
  /** % of a core over the window. */
  readonly main: number;
  readonly other_threads: number;
  readonly total: number;
}

interface Setting {
  readonly label: string;
  readonly mode: OverheadMode;
  readonly env: Readonly<Record<string, string>>;
}

/** `default:LOG_LEVEL=warning` → the default setting with LOG_LEVEL overridden; names a bad part. */
export function parseSetting(spec: string): Setting {
  const [mode, ...overrides] = spec.split(':');
  if (mode === undefined || !(mode in OVERHEAD_SETTINGS)) {
    throw new Error(`thread-cpu: unknown setting '${mode}' in '${spec}' (off, logs, default or aggressive)`);
  }
  const env: Record<string, string> = {};
  for (const o of overrides) {
    const at = o.indexOf('=');
    if (at <= 0) throw new Error(`thread-cpu: '${o}' in '${spec}' is not VARIABLE=value`);
    env[o.slice(0, at)] = o.slice(at + 1);
  }
  return { label: spec, mode: mode as OverheadMode, env };
}

/** CPU ticks of the main thread and of the others, from /proc. */
function threadTicks(pid: number): { main: number; other: number } {
  let main = 0;
  let other = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // The thread ended between the listing and the read.
    }
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    if (tid === String(pid)) main += ticks;
    else other += ticks;
  }
  return { main, other };
}

export async function threadCpu(
  specs: readonly string[],
  windowMs: number,
  perSecond: number,
): Promise<ThreadCpu[]> {
  const settings = specs.map(parseSetting);
  const compiled = await buildBot(COMPILED_CHILDREN);
  const running: {
    setting: Setting;
    emulator: Awaited<ReturnType<typeof startEmulator>>;
    bot: BotProcess;
  }[] = [];
  try {
    for (const setting of settings) {
      const base: OverheadSetting = OVERHEAD_SETTINGS[setting.mode];
      const env: Record<string, string> = { ...base.env, ...setting.env };
      const emulator = await startEmulator();
      try {
        const bot = await startBotProcess(emulator, {
          env,
          console: true,
          prometheus: env.OBS_ENABLE_PROMETHEUS === 'false' ? false : base.prometheus,
          compiled,
        });
        running.push({ setting, emulator, bot });
      } catch (error) {
        await emulator.close();
        throw error;
      }
    }
    await Promise.all(running.map((r) => steadyCommands(r.emulator, perSecond, 3_000)));
    const scrapers = running.map(({ bot, setting }) => {
      const every = (OVERHEAD_SETTINGS[setting.mode] as OverheadSetting).scrapeEveryMs;
      return bot.metricsUrl === undefined || every === undefined
        ? undefined
        : startScraper(bot.metricsUrl, every);
    });
    const before = running.map((r) => threadTicks(r.bot.pid));
    const began = performance.now();
    await Promise.all(running.map((r) => steadyCommands(r.emulator, perSecond, windowMs)));
    const after = running.map((r) => threadTicks(r.bot.pid));
    const elapsedS = (performance.now() - began) / 1000;
    await Promise.all(scrapers.map((s) => s?.stop()));
    const percent = (ticks: number): number =>
      Math.round((ticks / TICKS_PER_SECOND / elapsedS) * 100 * 1000) / 1000;
    return running.map((r, i) => {
      const main = percent((after[i]?.main ?? 0) - (before[i]?.main ?? 0));
      const other = percent((after[i]?.other ?? 0) - (before[i]?.other ?? 0));
      return {
        setting: r.setting.label,
        main,
        other_threads: other,
        total: Math.round((main + other) * 1000) / 1000,
      };
    });
  } finally {
    for (const { bot, emulator } of running) {
      await bot.close();
      await emulator.close();
    }
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
  const seconds = Number(process.argv[3] ?? 40);
  const perSecond = Number(process.argv[4] ?? 20);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new Error(`thread-cpu: seconds must be positive, not ${process.argv[3]}`);
  if (!Number.isFinite(perSecond) || perSecond < 0) {
    throw new Error(`thread-cpu: commands a second must be 0 or more, not ${process.argv[4]}`);
  }
  console.log(formatThreadCpu(await threadCpu(specs, seconds * 1000, perSecond)));
}
