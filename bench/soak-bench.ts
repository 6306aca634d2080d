import { startEmulator } from '../test/support/emulator/index.ts';
import { startBotProcess } from './support/bot-process.ts';
import { startScraper, steadyCommands } from './support/command-load.ts';
import { table, type Verdict } from './support/report.ts';
import { sleep, slope } from './support/stats.ts';

export interface SoakBenchOptions {
  /** The measured part of the run: the slopes are taken over it. */
  readonly durationMs: number;
  /**
   * Run before the measured part, under the same load, sampled but left out of the slopes:
   * long enough for the resource history (an hour) to fill, so that what still grows after
   * it is not the history. @default 0
   */
  readonly settleMs?: number;
  /** @default 10000 */
  readonly sampleEveryMs?: number;
  /**
   * With no settle phase, samples before this are left out of the slope (start-up
   * allocation, JIT). @default 1/10 of the run
   */
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
  /** Time run before the measured part (0 for the short soak). */
  readonly settle_ms?: number;
  readonly per_second: number;
  readonly commands_sent: number;
  readonly commands_failed: number;
  readonly alerts_raised: number;
  readonly alert_posts: number;
  readonly samples: readonly SoakSample[];
  /** Samples before this time (ms from the start) are left out of the slopes. */
  readonly warmup_ms: number;
  /** Least-squares slopes over the samples after the warm-up, MB per hour. */
  readonly rss_mb_per_hour: number;
  readonly heap_mb_per_hour: number;
  /** The same slope over each half of the measured part, MB per hour. */
  readonly heap_mb_per_hour_halves?: readonly [number, number];
}

const ALERT_KEY = 'bench.soak';
/** The resource history's reach (ResourceMonitor's historyMs default): a soak must outlast it. */
export const RESOURCE_HISTORY_MS = 3_600_000;

/**
 * The real bot with everything on, in a child process, under a steady command
 * stream, Prometheus scraped every second, and an alert raised and cleared every
 * 10 s (each reaching the ops channel); RSS and post-GC heap sampled every 10 s.
 */
export async function benchSoak(options: SoakBenchOptions): Promise<SoakBenchResult> {
  const every = options.sampleEveryMs ?? 10_000;
  const settleMs = options.settleMs ?? 0;
  const warmupMs = settleMs > 0 ? settleMs : (options.warmupMs ?? Math.round(options.durationMs / 10));
  const totalMs = settleMs + options.durationMs;
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
    const load = steadyCommands(emulator, perSecond, totalMs);
    const side = (async () => {
      let next = every;
      while (Date.now() - began < totalMs) {
        bot.raise(ALERT_KEY);
        raised += 1;
        await sleep(Math.min(5_000, every / 2));
        bot.clear(ALERT_KEY);
        await sleep(Math.max(0, began + next - Date.now()));
        const s = await bot.sample(true);
        samples.push({
          t_s: Math.round((Date.now() - began) / 100) / 10,
          rss_mb: Math.round((s.rss_bytes / 1024 ** 2) * 100) / 100,
          heap_mb: Math.round((s.heap_used_bytes / 1024 ** 2) * 100) / 100,
        });
        // The emulator keeps every answered interaction; over hours that is the bench's memory, not the bot's.
        emulator.forgetHistory();
        next += every;
      }
    })();
    const [result] = await Promise.all([load, side]);
    const scrapes = (await scraper?.stop()) ?? { ok: 0, failed: 0 };
    const kept = samples.filter((s) => s.t_s * 1000 > warmupMs);
    const perHour = (points: readonly SoakSample[], pick: (s: SoakSample) => number): number =>
      Math.round(slope(points.map((s) => ({ x: s.t_s / 3600, y: pick(s) }))) * 100) / 100;
    const half = Math.floor(kept.length / 2);
    return {
      duration_ms: options.durationMs,
      settle_ms: settleMs,
      per_second: perSecond,
      commands_sent: result.sent,
      commands_failed: result.failed + scrapes.failed,
      alerts_raised: raised,
      alert_posts: emulator.messages(emulator.ids.opsChannelId).length,
      samples,
      warmup_ms: warmupMs,
      rss_mb_per_hour: perHour(kept, (s) => s.rss_mb),
      heap_mb_per_hour: perHour(kept, (s) => s.heap_mb),
      heap_mb_per_hour_halves: [
        perHour(kept.slice(0, half), (s) => s.heap_mb),
        perHour(kept.slice(half), (s) => s.heap_mb),
      ],
    };
  } finally {
    await bot.close();
    await emulator.close();
  }
}

/** The headline row of a soak: the short one in every full run, or the long one after the history is full. */
export function soakVerdict(k: SoakBenchResult, kind: 'short' | 'long', quick: boolean): Verdict {
  const minutes = k.duration_ms / 60_000;
  const halves = k.heap_mb_per_hour_halves;
  const halvesText =
    halves === undefined ? '' : `; first half ${halves[0]} MB/h, second half ${halves[1]} MB/h`;
  if (kind === 'long') {
    const met = k.heap_mb_per_hour < 1;
    return {
      benchmark: `Soak, ${minutes} min after the resource history is full: retained heap growth`,
      target: '< 1 MB/h',
      measured: `${k.heap_mb_per_hour} MB/h heap, ${k.rss_mb_per_hour} MB/h RSS${halvesText}`,
      met,
      ...(met
        ? {}
        : {
            note: `measured after ${(k.settle_ms ?? 0) / 60_000} min of the same load, when the hour of resource samples is full; a slope that stays in both halves is a leak to find with a heap snapshot diff`,
          }),
    };
  }
  const met = k.heap_mb_per_hour < 5;
  return {
    benchmark: `Soak, ${minutes} min (short): retained heap growth`,
    target: '< 5 MB/h (what a short run can show)',
    measured: `${k.heap_mb_per_hour} MB/h heap, ${k.rss_mb_per_hour} MB/h RSS${halvesText}`,
    met,
    note: quick
      ? 'a 1-minute run cannot show a trend'
      : 'can show a fast leak; cannot show the last MB/h: the resource history (an hour of 1 s samples, about 370 B each, ' +
        'so about 1.3 MB/h while it fills) and warm-up are still growing, so < 1 MB/h is judged by the 60-minute soak ' +
        '(`npm run bench -- --only long-soak`), measured after the history is full',
  };
}

export function formatSoak(k: SoakBenchResult): string {
  const first = k.samples[0];
  const last = k.samples.at(-1);
  const sample = (s: SoakSample | undefined): string =>
    s === undefined ? '–' : `${s.t_s} s, ${s.rss_mb} MB, ${s.heap_mb} MB`;
  return [
    `Method: the real bot in a child process with everything on (as the aggressive setting of §2), ${k.per_second} commands per second ` +
      `and a Prometheus scrape every second` +
      ((k.settle_ms ?? 0) > 0
        ? ` for ${(k.settle_ms ?? 0) / 60_000} min (while the hour of resource samples fills), then ${k.duration_ms / 60_000} min measured`
        : ` for ${k.duration_ms / 60_000} min`) +
      '; an alert is raised and cleared on every sample (each reaching the ops channel). At each sample the child runs ' +
      'a full GC (--expose-gc) and reports RSS and heap used. Slopes are least squares over the samples after the first ' +
      `${k.warmup_ms / 1000} s, in MB per hour.`,
    '',
    table(
      ['figure', 'value'],
      [
        ['commands sent / failed', `${k.commands_sent} / ${k.commands_failed}`],
        ['alerts raised / ops-channel posts', `${k.alerts_raised} / ${k.alert_posts}`],
        ['retained heap slope', `${k.heap_mb_per_hour} MB/h`],
        ...(k.heap_mb_per_hour_halves === undefined
          ? []
          : [
              [
                'retained heap slope, first / second half',
                `${k.heap_mb_per_hour_halves[0]} / ${k.heap_mb_per_hour_halves[1]} MB/h`,
              ],
            ]),
        ['RSS slope', `${k.rss_mb_per_hour} MB/h`],
        ['first sample (t, RSS, heap)', sample(first)],
        ['last sample (t, RSS, heap)', sample(last)],
      ],
    ),
  ].join('\n');
}
