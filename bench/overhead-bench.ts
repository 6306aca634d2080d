import { performance } from 'node:perf_hooks';
import { startEmulator } from '../test/support/emulator/index.ts';
import { startBotProcess } from './support/bot-process.ts';
import { startScraper, steadyCommands } from './support/command-load.ts';
import { type Stats, sleep, stats } from './support/stats.ts';

export interface OverheadBenchOptions {
  /** Interleaved off/on pairs. */
  readonly pairs: number;
  /** Measured window of each run, ms. */
  readonly windowMs: number;
  /** Slash commands per second during the window. @default 20 */
  readonly perSecond?: number;
  /** Commands at the same rate before the window. @default 3000 */
  readonly warmupMs?: number;
}

export interface OverheadRun {
  readonly mode: 'off' | 'on';
  /** Child CPU time (user + system) over the window divided by the window: fraction of one core, %. */
  readonly cpu_percent_of_core: number;
  /** Mean of the RSS samples taken every second of the window, MB. */
  readonly rss_mb: number;
  readonly commands_sent: number;
  readonly commands_failed: number;
  readonly scrapes: number;
}

export interface OverheadBenchResult {
  readonly pairs: number;
  readonly window_ms: number;
  readonly per_second: number;
  readonly runs: readonly OverheadRun[];
  readonly off_cpu_percent: Stats;
  readonly on_cpu_percent: Stats;
  /** Per pair: on minus off, % of one core. */
  readonly cpu_delta_percent_of_core: Stats;
  /** Per pair: on / off CPU time. */
  readonly cpu_ratio: Stats;
  /** Per pair: on minus off mean RSS, MB. */
  readonly rss_delta_mb: Stats;
  readonly rss_ratio: Stats;
}

/**
 * Everything the variables can turn off, off; both sinks stay (the logging component is
 * degraded without its console) but at critical nothing reaches them.
 */
const OFF_ENV = {
  OBS_ENABLE_HEALTHCHECKS: 'false',
  OBS_ENABLE_RESOURCE_METRICS: 'false',
  LOG_LEVEL: 'critical',
} as const;

/** Everything on, at intervals shorter than the defaults: the worst a deployment would configure. */
const ON_ENV = {
  OBS_ENABLE_HEALTHCHECKS: 'true',
  OBS_HEALTHCHECK_INTERVAL_MS: '5000',
  OBS_ENABLE_RESOURCE_METRICS: 'true',
  RESOURCE_SAMPLE_INTERVAL_MS: '1000',
  RESOURCE_STATS_LOG_INTERVAL_MS: '10000',
  LOG_LEVEL: 'info',
} as const;

async function oneRun(
  mode: 'off' | 'on',
  windowMs: number,
  perSecond: number,
  warmupMs: number,
): Promise<OverheadRun> {
  const emulator = await startEmulator();
  const bot = await startBotProcess(emulator, {
    env: mode === 'on' ? ON_ENV : OFF_ENV,
    console: true,
    prometheus: mode === 'on',
  });
  try {
    // Warm-up: the first commands compile code paths; they are not what a long-running bot pays.
    await steadyCommands(emulator, perSecond, warmupMs);
    const scraper = bot.metricsUrl === undefined ? undefined : startScraper(bot.metricsUrl, 1_000);
    const first = await bot.sample();
    const firstAt = performance.now();
    const rss: number[] = [];
    const sampling = (async () => {
      const began = Date.now();
      while (Date.now() - began < windowMs - 500) {
        await sleep(1_000);
        rss.push((await bot.sample()).rss_bytes);
      }
    })();
    const load = await steadyCommands(emulator, perSecond, windowMs);
    await sampling;
    const last = await bot.sample();
    const elapsedMs = performance.now() - firstAt;
    const scrapes = (await scraper?.stop()) ?? { ok: 0, failed: 0 };
    const cpuMs = (last.cpu_us - first.cpu_us) / 1000;
    return {
      mode,
      cpu_percent_of_core: Math.round((cpuMs / elapsedMs) * 100 * 1000) / 1000,
      rss_mb: Math.round((rss.reduce((s, v) => s + v, 0) / Math.max(1, rss.length) / 1024 ** 2) * 100) / 100,
      commands_sent: load.sent,
      commands_failed: load.failed + scrapes.failed,
      scrapes: scrapes.ok,
    };
  } finally {
    await bot.close();
    await emulator.close();
  }
}

/** Interleaves off and on runs of the real bot in a child process under a steady command stream. */
export async function benchOverhead(options: OverheadBenchOptions): Promise<OverheadBenchResult> {
  const perSecond = options.perSecond ?? 20;
  const runs: OverheadRun[] = [];
  for (let i = 0; i < options.pairs; i += 1) {
    runs.push(await oneRun('off', options.windowMs, perSecond, options.warmupMs ?? 3_000));
    runs.push(await oneRun('on', options.windowMs, perSecond, options.warmupMs ?? 3_000));
  }
  const off = runs.filter((r) => r.mode === 'off');
  const on = runs.filter((r) => r.mode === 'on');
  const pair = (f: (a: OverheadRun, b: OverheadRun) => number): number[] =>
    off.map((a, i) => {
      const b = on[i];
      return b === undefined ? Number.NaN : f(a, b);
    });
  return {
    pairs: options.pairs,
    window_ms: options.windowMs,
    per_second: perSecond,
    runs,
    off_cpu_percent: stats(
      off.map((r) => r.cpu_percent_of_core),
      3,
    ),
    on_cpu_percent: stats(
      on.map((r) => r.cpu_percent_of_core),
      3,
    ),
    cpu_delta_percent_of_core: stats(
      pair((a, b) => b.cpu_percent_of_core - a.cpu_percent_of_core),
      3,
    ),
    cpu_ratio: stats(
      pair((a, b) => b.cpu_percent_of_core / a.cpu_percent_of_core),
      3,
    ),
    rss_delta_mb: stats(pair((a, b) => b.rss_mb - a.rss_mb)),
    rss_ratio: stats(
      pair((a, b) => b.rss_mb / a.rss_mb),
      3,
    ),
  };
}
