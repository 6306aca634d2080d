import { performance } from 'node:perf_hooks';
import { type BuiltBot, buildBot } from '../test/support/build-bot.ts';
import { startEmulator } from '../test/support/emulator/index.ts';
import type { InvokeCommandInput } from '../test/support/emulator/interaction-payloads.ts';
import { COMPILED_CHILDREN, startBotProcess } from './support/bot-process.ts';
import { STATUS_COMMAND, startScraper, steadyCommands } from './support/command-load.ts';
import { table, type Verdict } from './support/report.ts';
import { type Stats, sleep, stats } from './support/stats.ts';

/**
 * How much watching the bot does in a run, and under which commands: the read-only ops
 * commands in turn unless the mode ends in `@status`, where the load is /status alone.
 * `bare` and `bare+scrape` are not the bot: a bare discord.js client answering with a fixed
 * embed, without and with a plain node:http server scraped as the defaults are.
 */
export type OverheadMode =
  | 'off'
  | 'logs'
  | 'default'
  | 'aggressive'
  | 'off@status'
  | 'default@status'
  | 'bare'
  | 'bare+scrape';

export interface OverheadSetting {
  /** Variables on top of the Discord ones. */
  readonly env: Readonly<Record<string, string>>;
  /** Serve /metrics (and scrape it every `scrapeEveryMs`). */
  readonly prometheus: boolean;
  readonly scrapeEveryMs?: number;
  /** The commands sent, in turn. @default the read-only ops commands */
  readonly commands?: readonly { readonly input: InvokeCommandInput }[];
  /** The bare discord.js client instead of the bot (bench/support/bare-client-child.ts). @default the bot */
  readonly client?: 'bare';
}

/**
 * The settings a run can have. **off**: everything the variables can turn off, off;
 * both sinks stay (the logging component is degraded without its console) but at
 * critical nothing reaches them. **logs**: off, but LOG_LEVEL=info, so each command's
 * record reaches both sinks: the share of logging alone. **default**: everything on at the defaults a deployment
 * runs with (15 s samples, 30 s health checks, stats logged once a minute) and a 15 s
 * scrape. **aggressive**: everything on at intervals far shorter than the defaults (1 s
 * samples, 5 s checks, stats every 10 s, a scrape every second).
 */
/**
 * Every setting leaves the charts out: a chart is drawn per /resources or /startup an operator
 * asks for (about 50 ms of the render process's CPU each, see the charts benchmark), a cost of the
 * reply, not of the watching; at this benchmark's 4 charted commands a second it would be most
 * of the figure.
 */
const NO_CHARTS = { OBS_ENABLE_CHARTS: 'false' } as const;

const OFF = {
  env: {
    ...NO_CHARTS,
    OBS_ENABLE_HEALTHCHECKS: 'false',
    OBS_ENABLE_RESOURCE_METRICS: 'false',
    LOG_LEVEL: 'critical',
  },
  prometheus: false,
} as const satisfies OverheadSetting;

const DEFAULT = {
  env: {
    ...NO_CHARTS,
    OBS_ENABLE_HEALTHCHECKS: 'true',
    OBS_ENABLE_RESOURCE_METRICS: 'true',
    LOG_LEVEL: 'info',
  },
  prometheus: true,
  scrapeEveryMs: 15_000,
} as const satisfies OverheadSetting;

/**
 * What the bare client serves at /metrics in `bare+scrape`: about what the bot at the defaults
 * serves in this benchmark (the runs' `KiB a scrape` column shows both).
 */
const BARE_METRICS_BYTES = 27 * 1024;

/** /status alone as the load: a reply the watching does not change (see STATUS_COMMAND). */
const STATUS_LOAD = [STATUS_COMMAND] as const;

export const OVERHEAD_SETTINGS = {
  off: OFF,
  logs: { ...OFF, env: { ...OFF.env, LOG_LEVEL: 'info' } },
  default: DEFAULT,
  aggressive: {
    ...DEFAULT,
    env: {
      ...DEFAULT.env,
      OBS_HEALTHCHECK_INTERVAL_MS: '5000',
      RESOURCE_SAMPLE_INTERVAL_MS: '1000',
      RESOURCE_STATS_LOG_INTERVAL_MS: '10000',
    },
    scrapeEveryMs: 1_000,
  },
  'off@status': { ...OFF, commands: STATUS_LOAD },
  'default@status': { ...DEFAULT, commands: STATUS_LOAD },
  bare: { env: {}, prometheus: false, client: 'bare' },
  'bare+scrape': {
    env: { BENCH_METRICS_BYTES: String(BARE_METRICS_BYTES) },
    prometheus: true,
    scrapeEveryMs: DEFAULT.scrapeEveryMs,
    client: 'bare',
  },
} as const satisfies Record<OverheadMode, OverheadSetting>;

export interface OverheadBenchOptions {
  /**
   * Rounds; each runs off, logs, default, aggressive, off@status and default@status side by
   * side (six bot processes at once), in a start order that rotates per round.
   */
  readonly rounds: number;
  /** Measured window of each round, ms (a multiple of 30 s gives each default interval whole periods). */
  readonly windowMs: number;
  /** Slash commands per second to each bot during the window. @default 20 */
  readonly perSecond?: number;
  /**
   * Commands at the same rate before the window, from the moment the bots are ready. A bot's
   * CPU falls for minutes after its start, in every setting, so a window right after the
   * start measures the start, not what a long-running bot pays. @default 150000
   */
  readonly warmupMs?: number;
}

export interface OverheadRun {
  readonly round: number;
  readonly mode: OverheadMode;
  /** Child CPU time (user + system) over the window divided by the window: fraction of one core, %. */
  readonly cpu_percent_of_core: number;
  /** The same over the warm-up, from the moment the bot was ready: what the first minutes cost, %. */
  readonly warmup_cpu_percent_of_core?: number;
  /** Of that, the main thread's own (Linux); the rest is V8's collector and compiler workers and libuv's pool. */
  readonly main_thread_cpu_percent_of_core?: number;
  /** Mean of the RSS samples taken every second of the window, MB. */
  readonly rss_mb: number;
  /** Heap in use right after a full GC at the end of the window: what the process retains, MB. */
  readonly heap_after_gc_mb?: number;
  /** How often the main thread was woken over the window, a second (Linux). */
  readonly wakeups_per_second?: number;
  readonly commands_sent: number;
  readonly commands_failed: number;
  /** Scrapes answered within the window. */
  readonly scrapes: number;
  /** What each of them carried, on average, KiB (absent before it was recorded). */
  readonly scrape_kib?: number;
}

/** One "on" setting against the "off" run of the same round. */
export interface OverheadComparison {
  readonly mode: Exclude<OverheadMode, 'off'>;
  /** CPU of the off runs it is paired with (absent from results before the /status load, which pair with off alone). */
  readonly off_cpu_percent?: Stats;
  readonly on_cpu_percent: Stats;
  /** Per round: on minus off, % of one core. */
  readonly cpu_delta_percent_of_core: Stats;
  /** Per round: on minus off, the main thread's own CPU, % of one core (when both runs read it). */
  readonly main_thread_cpu_delta_percent_of_core?: Stats;
  /** Per round: on minus off over the warm-up, right after the start, % of one core. */
  readonly warmup_cpu_delta_percent_of_core?: Stats;
  /** Per round: on / off CPU time. */
  readonly cpu_ratio: Stats;
  /** Per round: on minus off mean RSS, MB. */
  readonly rss_delta_mb: Stats;
  /** Per round: on minus off heap after a full GC, MB. */
  readonly heap_delta_mb?: Stats;
  readonly rss_ratio: Stats;
}

export interface OverheadBenchResult {
  readonly rounds: number;
  /** The bots ran compiled (`npm run start:built`), not from the sources through a TypeScript loader. */
  readonly compiled?: boolean;
  readonly window_ms: number;
  /** Warm-up before each window, ms (results without it had 3 s). */
  readonly warmup_ms?: number;
  readonly per_second: number;
  readonly runs: readonly OverheadRun[];
  readonly off_cpu_percent: Stats;
  readonly default: OverheadComparison;
  readonly aggressive: OverheadComparison;
  /** Logging alone (LOG_LEVEL=info, everything else off): the part of the defaults' cost that is the logs. */
  readonly logs?: OverheadComparison;
  /**
   * The defaults against off, both under a stream of /status instead of the ops commands: the
   * watching's cost under commands whose replies it does not change.
   */
  readonly status?: OverheadComparison;
  /**
   * Not the bot: a bare discord.js client serving a fixed /metrics text over a plain node:http
   * server, scraped as the defaults are, against the same client serving nothing. What serving
   * a scrape costs any discord.js process, whatever it renders.
   */
  readonly scrape?: OverheadComparison;
  /**
   * The defaults against off with no commands at all: what the watching costs a bot
   * between commands (its timers, samples, checks and scrapes), apart from any command's share.
   */
  readonly idle?: {
    readonly rounds: number;
    readonly runs: readonly OverheadRun[];
    readonly default: OverheadComparison;
  };
}

/** A bot at one setting, with its own emulator, started and not yet closed. */
export interface RunningSetting {
  readonly setting: OverheadSetting;
  readonly emulator: Awaited<ReturnType<typeof startEmulator>>;
  readonly bot: Awaited<ReturnType<typeof startBotProcess>>;
}

/**
 * Starts a bot at each setting, one after the other, each with its own emulator, pushing each
 * into `running` as it is up, so a caller's `finally` closes those started when a later one fails.
 */
export async function startSettings(
  running: RunningSetting[],
  settings: readonly OverheadSetting[],
  compiled?: BuiltBot,
  nodeArgs?: (index: number) => readonly string[],
): Promise<void> {
  for (const [i, setting] of settings.entries()) {
    const emulator = await startEmulator();
    try {
      const bot = await startBotProcess(emulator, {
        env: setting.env,
        console: true,
        prometheus: setting.prometheus,
        ...(compiled === undefined ? {} : { compiled }),
        ...(nodeArgs === undefined ? {} : { nodeArgs: nodeArgs(i) }),
        ...(setting.client === undefined ? {} : { client: setting.client }),
      });
      running.push({ setting, emulator, bot });
    } catch (error) {
      await emulator.close();
      throw error;
    }
  }
}

/** Closes each bot, then its emulator, and empties `running`. */
export async function closeSettings(running: RunningSetting[]): Promise<void> {
  for (const { bot, emulator } of running.splice(0)) {
    await bot.close();
    await emulator.close();
  }
}

/**
 * The bots at `settings`, side by side: each with its own emulator and command stream, all
 * measured over the same window, so each sees the same machine load at every moment.
 */
export async function measureSettings(
  settings: readonly OverheadSetting[],
  windowMs: number,
  perSecond: number,
  warmupMs: number,
  compiled?: BuiltBot,
): Promise<Omit<OverheadRun, 'round' | 'mode'>[]> {
  const running: RunningSetting[] = [];
  try {
    await startSettings(running, settings, compiled);
    // Warm-up: after its start a bot's CPU falls for minutes (V8 compiling and tiering its code,
    // sizing its heap), in every setting alike; that is what the start costs, not what a
    // long-running bot pays, so it is measured apart.
    const ready = await Promise.all(running.map((r) => r.bot.sample()));
    const readyAt = performance.now();
    // Prometheus scrapes a bot from its start, so the scrapes begin with the warm-up. The first
    // ones cost once, like the rest of the start: V8 meets a server socket beside the client ones
    // and compiles Node's stream code again for both (--trace-deopt: 25 functions of net and
    // streams deoptimised at the first scrape, four more by the second, none after).
    const scrapers = running.map(({ bot, setting }) =>
      bot.metricsUrl === undefined || setting.scrapeEveryMs === undefined
        ? undefined
        : startScraper(bot.metricsUrl, setting.scrapeEveryMs),
    );
    await Promise.all(
      running.map((r) => steadyCommands(r.emulator, perSecond, warmupMs, r.setting.commands)),
    );
    const scrapedBefore = scrapers.map((s) => s?.counts());
    const first = await Promise.all(running.map((r) => r.bot.sample()));
    const firstAt = performance.now();
    const warmupElapsedMs = firstAt - readyAt;
    const rss: number[][] = running.map(() => []);
    const sampling = (async () => {
      const began = Date.now();
      while (Date.now() - began < windowMs - 500) {
        await sleep(1_000);
        const now = await Promise.all(running.map((r) => r.bot.sample()));
        for (const [i, s] of now.entries()) rss[i]?.push(s.rss_bytes);
      }
    })();
    const loads = await Promise.all(
      running.map((r) => steadyCommands(r.emulator, perSecond, windowMs, r.setting.commands)),
    );
    await sampling;
    const last = await Promise.all(running.map((r) => r.bot.sample()));
    const elapsedMs = performance.now() - firstAt;
    // After the window, so the forced collections cost nothing inside it.
    const afterGc = await Promise.all(running.map((r) => r.bot.sample(true)));
    const scrapes = await Promise.all(
      scrapers.map(async (s, i) => {
        const after = (await s?.stop()) ?? { ok: 0, failed: 0, bytes: 0 };
        const before = scrapedBefore[i] ?? { ok: 0, failed: 0, bytes: 0 };
        return {
          ok: after.ok - before.ok,
          failed: after.failed - before.failed,
          bytes: after.bytes - before.bytes,
        };
      }),
    );
    return running.map((_, i) => {
      const cpuMs = ((last[i]?.cpu_us ?? 0) - (first[i]?.cpu_us ?? 0)) / 1000;
      const mine = rss[i] ?? [];
      const woken = last[i]?.wakeups;
      const wokenBefore = first[i]?.wakeups;
      const mainAfter = last[i]?.main_cpu_us;
      const mainBefore = first[i]?.main_cpu_us;
      return {
        ...(mainAfter === undefined || mainBefore === undefined
          ? {}
          : {
              main_thread_cpu_percent_of_core:
                Math.round(((mainAfter - mainBefore) / 1000 / elapsedMs) * 100 * 1000) / 1000,
            }),
        ...(woken === undefined || wokenBefore === undefined
          ? {}
          : { wakeups_per_second: Math.round(((woken - wokenBefore) / elapsedMs) * 1000 * 10) / 10 }),
        cpu_percent_of_core: Math.round((cpuMs / elapsedMs) * 100 * 1000) / 1000,
        warmup_cpu_percent_of_core:
          Math.round(
            (((first[i]?.cpu_us ?? 0) - (ready[i]?.cpu_us ?? 0)) / 1000 / warmupElapsedMs) * 100 * 1000,
          ) / 1000,
        rss_mb:
          Math.round((mine.reduce((s, v) => s + v, 0) / Math.max(1, mine.length) / 1024 ** 2) * 100) / 100,
        heap_after_gc_mb: Math.round(((afterGc[i]?.heap_used_bytes ?? 0) / 1024 ** 2) * 100) / 100,
        commands_sent: loads[i]?.sent ?? 0,
        commands_failed: (loads[i]?.failed ?? 0) + (scrapes[i]?.failed ?? 0),
        scrapes: scrapes[i]?.ok ?? 0,
        ...((scrapes[i]?.ok ?? 0) === 0
          ? {}
          : { scrape_kib: Math.round(((scrapes[i]?.bytes ?? 0) / (scrapes[i]?.ok ?? 1) / 1024) * 10) / 10 }),
      };
    });
  } finally {
    await closeSettings(running);
  }
}

const MODES: readonly OverheadMode[] = [
  'off',
  'logs',
  'default',
  'aggressive',
  'off@status',
  'default@status',
  'bare',
  'bare+scrape',
];

/**
 * The real bot in child processes under a steady command stream, off, with its logs only,
 * and at both "on" settings, under the ops commands; and off and at the defaults under /status.
 * Each round runs the six side by side over one window, so a load that drifts on a shared
 * machine reaches all alike; the start order rotates per round.
 */
export async function benchOverhead(options: OverheadBenchOptions): Promise<OverheadBenchResult> {
  const perSecond = options.perSecond ?? 20;
  const warmupMs = options.warmupMs ?? 150_000;
  const runs: OverheadRun[] = [];
  const idleRounds = Math.max(1, Math.ceil(options.rounds / 2));
  const idleRuns: OverheadRun[] = [];
  // Every bot runs compiled, as `npm run start:built` runs it in production: no TypeScript
  // loader in the process (from the sources, a loader would be part of what is measured).
  const compiled = await buildBot(COMPILED_CHILDREN);
  try {
    for (let round = 1; round <= options.rounds; round += 1) {
      const order = MODES.map((_, i) => MODES[(i + round - 1) % MODES.length] as OverheadMode);
      const measured = await measureSettings(
        order.map((mode) => OVERHEAD_SETTINGS[mode]),
        options.windowMs,
        perSecond,
        warmupMs,
        compiled,
      );
      order.forEach((mode, i) => {
        const run = measured[i];
        if (run !== undefined) runs.push({ round, mode, ...run });
      });
    }
    for (let round = 1; round <= idleRounds; round += 1) {
      const order: OverheadMode[] = round % 2 === 1 ? ['off', 'default'] : ['default', 'off'];
      const measured = await measureSettings(
        order.map((mode) => OVERHEAD_SETTINGS[mode]),
        options.windowMs,
        0,
        warmupMs,
        compiled,
      );
      order.forEach((mode, i) => {
        const run = measured[i];
        if (run !== undefined) idleRuns.push({ round, mode, ...run });
      });
    }
  } finally {
    compiled.remove();
  }
  const compare = (
    mode: Exclude<OverheadMode, 'off'>,
    from: readonly OverheadRun[] = runs,
    offMode: OverheadMode = 'off',
  ): OverheadComparison => {
    const offOf = (round: number): OverheadRun | undefined =>
      from.find((r) => r.round === round && r.mode === offMode);
    const pairs = from
      .filter((r) => r.mode === mode)
      .flatMap((on) => {
        const off = offOf(on.round);
        return off === undefined ? [] : [{ on, off }];
      });
    /** On minus off of a figure not every run reads, when every pair has it. */
    const pairedDelta = (
      figure: 'main_thread_cpu_percent_of_core' | 'warmup_cpu_percent_of_core',
    ): Stats | undefined => {
      const deltas = pairs.flatMap(({ on, off }) => {
        const a = on[figure];
        const b = off[figure];
        return a === undefined || b === undefined ? [] : [a - b];
      });
      return deltas.length === pairs.length && pairs.length > 0 ? stats(deltas, 3) : undefined;
    };
    const mainDelta = pairedDelta('main_thread_cpu_percent_of_core');
    const warmupDelta = pairedDelta('warmup_cpu_percent_of_core');
    return {
      mode,
      off_cpu_percent: stats(
        pairs.map((p) => p.off.cpu_percent_of_core),
        3,
      ),
      on_cpu_percent: stats(
        pairs.map((p) => p.on.cpu_percent_of_core),
        3,
      ),
      cpu_delta_percent_of_core: stats(
        pairs.map((p) => p.on.cpu_percent_of_core - p.off.cpu_percent_of_core),
        3,
      ),
      cpu_ratio: stats(
        pairs.map((p) => p.on.cpu_percent_of_core / p.off.cpu_percent_of_core),
        3,
      ),
      ...(mainDelta === undefined ? {} : { main_thread_cpu_delta_percent_of_core: mainDelta }),
      ...(warmupDelta === undefined ? {} : { warmup_cpu_delta_percent_of_core: warmupDelta }),
      rss_delta_mb: stats(pairs.map((p) => p.on.rss_mb - p.off.rss_mb)),
      heap_delta_mb: stats(pairs.map((p) => (p.on.heap_after_gc_mb ?? 0) - (p.off.heap_after_gc_mb ?? 0))),
      rss_ratio: stats(
        pairs.map((p) => p.on.rss_mb / p.off.rss_mb),
        3,
      ),
    };
  };
  return {
    rounds: options.rounds,
    compiled: true,
    window_ms: options.windowMs,
    warmup_ms: warmupMs,
    per_second: perSecond,
    runs,
    off_cpu_percent: stats(
      runs.filter((r) => r.mode === 'off').map((r) => r.cpu_percent_of_core),
      3,
    ),
    default: compare('default'),
    aggressive: compare('aggressive'),
    logs: compare('logs'),
    status: compare('default@status', runs, 'off@status'),
    scrape: compare('bare+scrape', runs, 'bare'),
    idle: { rounds: idleRounds, runs: idleRuns, default: compare('default', idleRuns) },
  };
}

const TARGET_CPU = 0.5;
const TARGET_RSS_MB = 10;

/**
 * Per round, the defaults' cost over off less what serving the scrape cost the bare client in
 * the same round (bare+scrape − bare); absent from results without the bare clients.
 */
export function defaultsLessScrape(o: OverheadBenchResult): Stats | undefined {
  const cpu = (round: number, mode: OverheadMode): number | undefined =>
    o.runs.find((r) => r.round === round && r.mode === mode)?.cpu_percent_of_core;
  const rest = [...new Set(o.runs.map((r) => r.round))].flatMap((round) => {
    const [on, off, served, bare] = (['default', 'off', 'bare+scrape', 'bare'] as const).map((m) =>
      cpu(round, m),
    );
    return on === undefined || off === undefined || served === undefined || bare === undefined
      ? []
      : [on - off - (served - bare)];
  });
  return rest.length === 0 ? undefined : stats(rest, 3);
}

/** What each setting turns on, in words for the table. */
const SETTING_WORDS = {
  logs: 'off, but LOG_LEVEL=info: each command’s record reaches both sinks, nothing else runs',
  default:
    'the defaults (15 s resource samples, 30 s health checks, stats logged once a minute) with Prometheus on and a 15 s scrape, LOG_LEVEL=info',
  aggressive:
    '1 s resource samples, 5 s health checks, stats every 10 s, a scrape every second, LOG_LEVEL=info',
} as const;

/** The rows of the headline table: CPU and RSS at the defaults and at the aggressive setting. */
export function overheadVerdicts(
  o: OverheadBenchResult,
  cpuNote: (mode: 'default' | 'aggressive') => string,
): Verdict[] {
  const idle = o.idle?.default;
  /** What the first minutes cost, beside the steady state the target is judged on. */
  const atStart = (c: OverheadComparison): string =>
    c.warmup_cpu_delta_percent_of_core === undefined || o.warmup_ms === undefined
      ? ''
      : `; in the first ${o.warmup_ms / 1000} s after the start ${c.warmup_cpu_delta_percent_of_core.median} %`;
  const idleRow: Verdict[] =
    idle === undefined
      ? []
      : [
          {
            benchmark: 'Monitoring overhead at the defaults, idle (no commands): CPU, on − off',
            target: `< ${TARGET_CPU} % of a core`,
            measured:
              `${idle.cpu_delta_percent_of_core.median} % of a core (min ${idle.cpu_delta_percent_of_core.min}, max ` +
              `${idle.cpu_delta_percent_of_core.max} over ${o.idle?.rounds} round(s)${atStart(idle)}); RSS ${idle.rss_delta_mb.median} MB, ` +
              `heap after a full GC +${idle.heap_delta_mb?.median ?? '–'} MB`,
            met: idle.cpu_delta_percent_of_core.median < TARGET_CPU,
            note:
              'the watching alone, between commands: one 100 ms timer (10 wake-ups a second) that the event-loop probe, the ' +
              "liveness and task watchdogs, the log file's watch and the no-data check all ride, a resource sample every 15 s, " +
              'health checks every 30 s, a stats line a minute and a 15 s scrape',
          },
        ];
  const status = o.status;
  const statusRow: Verdict[] =
    status === undefined
      ? []
      : [
          {
            benchmark: `Monitoring overhead at the defaults, ${o.per_second} /status a second: CPU, on − off`,
            target: `< ${TARGET_CPU} % of a core`,
            measured:
              `${status.cpu_delta_percent_of_core.median} % of a core (min ${status.cpu_delta_percent_of_core.min}, max ` +
              `${status.cpu_delta_percent_of_core.max} over ${o.rounds} round(s); on/off ${status.cpu_ratio.median}×${atStart(status)}); ` +
              `RSS ${status.rss_delta_mb.median} MB`,
            met: status.cpu_delta_percent_of_core.median < TARGET_CPU,
            note:
              'the watching under commands whose replies it does not change: /status, the command for every member, ' +
              'reads the status summary only, the same reply with the watching on or off; each command still gets its ' +
              'info record in both sinks and its metrics, and the samples, checks and scrapes run as at the defaults. ' +
              'Off and on side by side in the same rounds as the ops-command rows',
          },
        ];
  const scrape = o.scrape;
  const rest = defaultsLessScrape(o);
  const scrapeRow: Verdict[] =
    scrape === undefined || rest === undefined
      ? []
      : [
          {
            benchmark: `What serving a 15 s scrape costs a bare discord.js client, ${o.per_second} commands a second: CPU, with − without`,
            target: 'measured (the price of an HTTP endpoint, whatever it serves)',
            measured:
              `${scrape.cpu_delta_percent_of_core.median} % of a core (min ${scrape.cpu_delta_percent_of_core.min}, max ` +
              `${scrape.cpu_delta_percent_of_core.max} over ${o.rounds} round(s)); the defaults at ${o.per_second} ops commands a second ` +
              `less it, round by round: ${rest.median} % of a core (min ${rest.min}, max ${rest.max})`,
            met: true,
            note:
              'no metrics gathered or rendered: a plain node:http server answers each scrape with the same fixed text of ' +
              'about the bytes the defaults serve, each scrape on a fresh connection as with the bot, in a client that ' +
              'otherwise only answers the commands. Side by side with the bots, in the same rounds',
          },
        ];
  return [
    ...idleRow,
    ...statusRow,
    ...scrapeRow,
    ...(['default', 'aggressive'] as const).flatMap((mode): Verdict[] => {
      const c = o[mode];
      const label = `${mode === 'default' ? 'at the defaults' : 'at the aggressive setting'}${o.status === undefined ? '' : `, ${o.per_second} ops commands a second`}`;
      const cpuMet = c.cpu_delta_percent_of_core.median < TARGET_CPU;
      const rssMet = c.rss_delta_mb.median < TARGET_RSS_MB;
      return [
        {
          benchmark: `Monitoring overhead ${label}: CPU, on − off`,
          target: `< ${TARGET_CPU} % of a core`,
          measured:
            `${c.cpu_delta_percent_of_core.median} % of a core (min ${c.cpu_delta_percent_of_core.min}, max ${c.cpu_delta_percent_of_core.max} ` +
            `over ${o.rounds} round(s); on/off ${c.cpu_ratio.median}×${atStart(c)})`,
          met: cpuMet,
          ...(cpuMet ? {} : { note: cpuNote(mode) }),
        },
        {
          benchmark: `Monitoring overhead ${label}: RSS, on − off`,
          target: `< ${TARGET_RSS_MB} MB`,
          measured:
            `${c.rss_delta_mb.median} MB (min ${c.rss_delta_mb.min}, max ${c.rss_delta_mb.max}; on/off ${c.rss_ratio.median}×)` +
            (c.heap_delta_mb === undefined
              ? ''
              : `; heap retained after a full GC +${c.heap_delta_mb.median} MB`),
          met: rssMet,
          ...(rssMet
            ? {}
            : {
                note:
                  `the RSS of a Node process moves by 10 MB and more from one process to the next with the same heap ` +
                  `(the allocator's retained pages, heap sizing): the rounds range ${c.rss_delta_mb.min}…${c.rss_delta_mb.max} MB` +
                  (c.heap_delta_mb === undefined
                    ? ''
                    : `, while the heap each keeps after a full GC differs by ${c.heap_delta_mb.min}…${c.heap_delta_mb.max} MB (prom-client and its default metrics, loaded only when Prometheus is on, the resource history, the health checks)`) +
                  '; more rounds narrow the median',
              }),
        },
      ];
    }),
  ];
}

/** The columns every run shows, in the per-run tables. */
const RUN_COLUMNS = [
  'round',
  'mode',
  'CPU, % of a core',
  'of it, main thread',
  'CPU in the warm-up',
  'mean RSS, MB',
  'heap after GC, MB',
  'main thread woken, a second',
] as const;

const runCells = (r: OverheadRun): (string | number)[] => [
  r.round,
  r.mode,
  r.cpu_percent_of_core,
  r.main_thread_cpu_percent_of_core ?? '–',
  r.warmup_cpu_percent_of_core ?? '–',
  r.rss_mb,
  r.heap_after_gc_mb ?? '–',
  r.wakeups_per_second ?? '–',
];

/**
 * `default:LOG_LEVEL=warning` → the default setting with LOG_LEVEL overridden (`default@status:…`
 * the same under /status); names a bad part.
 */
export function parseSetting(spec: string): OverheadSetting {
  const [mode, ...overrides] = spec.split(':');
  if (mode === undefined || !(mode in OVERHEAD_SETTINGS)) {
    throw new Error(`unknown setting '${mode}' in '${spec}' (${Object.keys(OVERHEAD_SETTINGS).join(', ')})`);
  }
  const base: OverheadSetting = OVERHEAD_SETTINGS[mode as OverheadMode];
  const env: Record<string, string> = { ...base.env };
  for (const o of overrides) {
    const at = o.indexOf('=');
    if (at <= 0) throw new Error(`'${o}' in '${spec}' is not VARIABLE=value`);
    env[o.slice(0, at)] = o.slice(at + 1);
  }
  const prometheus = env.OBS_ENABLE_PROMETHEUS === 'false' ? false : base.prometheus;
  return {
    env,
    prometheus,
    ...(prometheus && base.scrapeEveryMs !== undefined ? { scrapeEveryMs: base.scrapeEveryMs } : {}),
    ...(base.commands === undefined ? {} : { commands: base.commands }),
    ...(base.client === undefined ? {} : { client: base.client }),
  };
}

/** Why the window comes minutes after the start: what was measured on this machine. */
const steadyState = (warmupMs: number): string =>
  ': a bot’s CPU falls for two to three minutes after its start, in every setting, the bot with everything off ' +
  'too (on this machine, at 20 commands a second, from 3.5–5.5 % of a core in its first 30 s to about 2 % from its ' +
  'third minute on). The time falls across all the code the commands run, discord.js, undici, streams and timers ' +
  'alike (a CPU profile of the first minute against the third), not in one part, and neither starting V8’s young ' +
  'generation at its full size nor 3,000 commands at 100 a second first shortened it. A bot runs for days, so the ' +
  'window measures the steady state it runs in; the warm-up’s own CPU, from ready to the window, is in the summary ' +
  `(“first ${warmupMs / 1000} s after the start”), what each start costs once.`;

/** Method, per-run table and summary, for RESULTS.md. */
export function formatOverheadBench(o: OverheadBenchResult): string {
  const mmm = (x: Stats): string => `${x.min} / ${x.median} / ${x.max}`;
  // Results from before the warm-up was recorded had the 3 s one.
  const warmupMs = o.warmup_ms ?? 3_000;
  const compared = [o.logs, o.default, o.aggressive, o.status, o.scrape].filter(
    (c): c is OverheadComparison => c !== undefined,
  );
  return [
    `Method: the real bot (src/bot.ts startBot) runs in a child process${o.compiled === true ? ', compiled as `npm run start:built` runs it in production (no TypeScript loader in the process)' : ', from its sources'}; the Discord emulator runs in the parent ` +
      `and sends ${o.per_second} slash commands per second (the five read-only ops commands in turn, as an admin` +
      (o.status === undefined ? '' : '; /status alone, as a member, to the two @status settings') +
      '). ' +
      `Each round starts ${new Set(o.runs.filter((r) => r.round === 1).map((r) => r.mode)).size} ` +
      `processes side by side, one per setting, each with its own emulator and command stream, ` +
      `so all see the same machine load at every moment; the start order rotates per round. ${warmupMs / 1000} s ` +
      `of warm-up at the same rate from the moment the bots are ready, then a ${o.window_ms / 1000} s window` +
      (o.scrape === undefined
        ? ''
        : ' (the scrapes begin with the warm-up, as Prometheus scrapes a bot from its start: the first ones make V8 ' +
          'compile Node’s stream code again for the server socket beside the client ones, a cost of the start; ' +
          'results before this row scraped from the window’s start)') +
      (warmupMs >= 60_000 ? steadyState(warmupMs) : '.') +
      " CPU is each child's own process.cpuUsage() " +
      '(user + system) over the window divided by the window (so it includes answering the commands, identical in all ' +
      'settings of one load); of it, main thread: the main thread’s own CPU time over the window (/proc/<pid>/task/<pid>/stat, in 10 ms ' +
      "ticks), the rest being V8's collector and compiler workers and libuv's pool. RSS is the mean of one sample per " +
      'second. Main thread woken: its voluntary context switches over the window ' +
      '(/proc/<pid>/task/<pid>/status) a second, how often the process went to sleep and was woken again, the ' +
      "bench's own sample a second among them. Deltas and ratios are per round, against the off run of the same round. " +
      '**off**: OBS_ENABLE_HEALTHCHECKS, OBS_ENABLE_RESOURCE_METRICS and OBS_ENABLE_PROMETHEUS false, LOG_LEVEL=critical ' +
      '(both sinks exist, nothing at that level is written; the bot reports logging degraded without a console sink, so it stays). ' +
      `**logs**: ${SETTING_WORDS.logs}. **default**: ${SETTING_WORDS.default}. **aggressive**: ${SETTING_WORDS.aggressive}. ` +
      (o.status === undefined
        ? ''
        : '**off@status** and **default@status**: off and default under /status, the command for every member, whose ' +
          'reply reads the status summary only and is the same with the watching on or off (the ops replies carry ' +
          'what the watching gathered only when it is on); default@status is compared with off@status. ') +
      (o.scrape === undefined
        ? ''
        : '**bare** and **bare+scrape** are not the bot: a bare discord.js client with the same intents answering ' +
          'every command with one fixed embed, the second also serving a fixed text of about the size of the ' +
          'defaults’ /metrics through a plain node:http server, scraped every 15 s as the defaults are; bare+scrape is ' +
          'compared with bare. ') +
      'The console sink writes to the child’s stdout in every mode, a pipe the parent drains and discards. ' +
      'OBS_ENABLE_CHARTS is false in every mode: a chart is a cost of the /resources or /startup reply an operator ' +
      'asks for (§9 gives its render time), not of the watching, and this load asks for four a second.',
    '',
    table(
      [...RUN_COLUMNS, 'commands', 'failed', 'scrapes', 'KiB a scrape'],
      o.runs.map((r) => [...runCells(r), r.commands_sent, r.commands_failed, r.scrapes, r.scrape_kib ?? '–']),
    ),
    '',
    table(
      ['figure (min / median / max over rounds)', ...compared.map((c) => c.mode)],
      [
        ['CPU off, % of a core', ...compared.map((c) => mmm(c.off_cpu_percent ?? o.off_cpu_percent))],
        ['CPU on, % of a core', ...compared.map((c) => mmm(c.on_cpu_percent))],
        ['CPU on − off, % of a core', ...compared.map((c) => mmm(c.cpu_delta_percent_of_core))],
        ...(compared.every((c) => c.main_thread_cpu_delta_percent_of_core !== undefined)
          ? [
              [
                'of it, main thread',
                ...compared.map((c) =>
                  c.main_thread_cpu_delta_percent_of_core === undefined
                    ? '–'
                    : mmm(c.main_thread_cpu_delta_percent_of_core),
                ),
              ],
            ]
          : []),
        ...(compared.every((c) => c.warmup_cpu_delta_percent_of_core !== undefined)
          ? [
              [
                `CPU on − off, first ${warmupMs / 1000} s after the start`,
                ...compared.map((c) =>
                  c.warmup_cpu_delta_percent_of_core === undefined
                    ? '–'
                    : mmm(c.warmup_cpu_delta_percent_of_core),
                ),
              ],
            ]
          : []),
        ['CPU on / off', ...compared.map((c) => mmm(c.cpu_ratio))],
        ['RSS on − off, MB', ...compared.map((c) => mmm(c.rss_delta_mb))],
        ['RSS on / off', ...compared.map((c) => mmm(c.rss_ratio))],
        [
          'heap after GC, on − off, MB',
          ...compared.map((c) => (c.heap_delta_mb === undefined ? '–' : mmm(c.heap_delta_mb))),
        ],
      ],
    ),
    ...(o.idle === undefined
      ? []
      : [
          '',
          `**Idle**: off and default side by side again, ${o.idle.rounds} round(s) of ${o.window_ms / 1000} s with no ` +
            'commands at all (the same warm-up and window, nothing sent), so the difference is the watching between ' +
            `commands: CPU on − off ${mmm(o.idle.default.cpu_delta_percent_of_core)} % of a core` +
            (o.idle.default.main_thread_cpu_delta_percent_of_core === undefined
              ? ''
              : ` (of it, main thread ${mmm(o.idle.default.main_thread_cpu_delta_percent_of_core)})`) +
            (o.idle.default.warmup_cpu_delta_percent_of_core === undefined
              ? ''
              : `, first ${warmupMs / 1000} s after the start ${mmm(o.idle.default.warmup_cpu_delta_percent_of_core)}`) +
            ', RSS ' +
            `${mmm(o.idle.default.rss_delta_mb)} MB (min / median / max).`,
          '',
          table(
            [...RUN_COLUMNS, 'scrapes'],
            o.idle.runs.map((r) => [...runCells(r), r.scrapes]),
          ),
        ]),
  ].join('\n');
}
