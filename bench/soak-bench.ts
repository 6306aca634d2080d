import { startEmulator } from '../test/support/emulator/index.ts';
import { startBotProcess } from './support/bot-process.ts';
import { startScraper, steadyCommands } from './support/command-load.ts';
import { sleep, slope } from './support/stats.ts';

export interface SoakBenchOptions {
  readonly durationMs: number;
  /** @default 10000 */
  readonly sampleEveryMs?: number;
  /** Samples before this are left out of the slope (start-up allocation, JIT). @default 1/10 of the run */
  readonly warmupMs?: number;
  /** @default 20 */
  readonly perSecond?: number;
}

export interface SoakSample {
  readonly t_s: number;
  readonly rss_mb: number;
  /** Heap in use right after a full GC: what the process retains. */
  readonly heap_mb: number;
}

export interface SoakBenchResult {
  readonly duration_ms: number;
  readonly per_second: number;
  readonly commands_sent: number;
  readonly commands_failed: number;
  readonly alerts_raised: number;
  readonly alert_posts: number;
  readonly samples: readonly SoakSample[];
  readonly warmup_ms: number;
  /** Least-squares slopes over the samples after the warm-up, MB per hour. */
  readonly rss_mb_per_hour: number;
  readonly heap_mb_per_hour: number;
}

const ALERT_KEY = 'bench.soak';

/**
 * The real bot with everything on, in a child process, under a steady command
 * stream, Prometheus scraped every second, and an alert raised and cleared every
 * 10 s (each reaching the ops channel); RSS and post-GC heap sampled every 10 s.
 */
export async function benchSoak(options: SoakBenchOptions): Promise<SoakBenchResult> {
  const every = options.sampleEveryMs ?? 10_000;
  const warmupMs = options.warmupMs ?? Math.round(options.durationMs / 10);
  const perSecond = options.perSecond ?? 20;
  const emulator = await startEmulator();
  const bot = await startBotProcess(emulator, {
    env: {
      OBS_ENABLE_HEALTHCHECKS: 'true',
      OBS_HEALTHCHECK_INTERVAL_MS: '5000',
      RESOURCE_SAMPLE_INTERVAL_MS: '1000',
      RESOURCE_STATS_LOG_INTERVAL_MS: '10000',
      LOG_LEVEL: 'info',
      // The channel budget would otherwise hold back some of the forced alerts.
      ALERT_CHANNEL_PER_MINUTE: '60',
    },
    console: true,
    prometheus: true,
  });
  try {
    const scraper = bot.metricsUrl === undefined ? undefined : startScraper(bot.metricsUrl, 1_000);
    const began = Date.now();
    const samples: SoakSample[] = [];
    let raised = 0;
    const load = steadyCommands(emulator, perSecond, options.durationMs);
    const side = (async () => {
      let next = every;
      while (Date.now() - began < options.durationMs) {
        bot.raise(ALERT_KEY);
        raised += 1;
        await sleep(every / 2);
        bot.clear(ALERT_KEY);
        await sleep(Math.max(0, began + next - Date.now()));
        const s = await bot.sample(true);
        samples.push({
          t_s: Math.round((Date.now() - began) / 100) / 10,
          rss_mb: Math.round((s.rss_bytes / 1024 ** 2) * 100) / 100,
          heap_mb: Math.round((s.heap_used_bytes / 1024 ** 2) * 100) / 100,
        });
        next += every;
      }
    })();
    const [result] = await Promise.all([load, side]);
    const scrapes = (await scraper?.stop()) ?? { ok: 0, failed: 0 };
    const kept = samples.filter((s) => s.t_s * 1000 > warmupMs);
    const perHour = (pick: (s: SoakSample) => number): number =>
      Math.round(slope(kept.map((s) => ({ x: s.t_s / 3600, y: pick(s) }))) * 100) / 100;
    return {
      duration_ms: options.durationMs,
      per_second: perSecond,
      commands_sent: result.sent,
      commands_failed: result.failed + scrapes.failed,
      alerts_raised: raised,
      alert_posts: emulator.messages(emulator.ids.opsChannelId).length,
      samples,
      warmup_ms: warmupMs,
      rss_mb_per_hour: perHour((s) => s.rss_mb),
      heap_mb_per_hour: perHour((s) => s.heap_mb),
    };
  } finally {
    await bot.close();
    await emulator.close();
  }
}
