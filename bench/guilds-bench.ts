import { type BuiltBot, buildBot } from '../test/support/build-bot.ts';
import { startEmulator } from '../test/support/emulator/index.ts';
import { type BotProcess, COMPILED_CHILDREN, startBotProcess } from './support/bot-process.ts';
import { table, type Verdict } from './support/report.ts';
import { residentSplit } from './support/smaps.ts';
import { type Percentiles, percentiles, sleep } from './support/stats.ts';

export interface GuildsBenchOptions {
  /** Guild counts, seeded guilds included. @default [100, 1000, 2500] */
  readonly sizes?: readonly number[];
  /** `/health` calls one at a time per run. */
  readonly calls: number;
  /** Runs of each client at each size (RSS moves by several MB from one process to the next). @default 2 */
  readonly repeats?: number;
  /**
   * At the smallest size, more `/health` calls back to back after the measured ones, untimed, before
   * RSS is read again: a client under sustained traffic, which grows the young generation of both
   * clients as far as V8 takes it (the bare client's after about 800 calls at 100 guilds). @default 2000
   */
  readonly trafficCalls?: number;
}

/**
 * `bot_no_charts`: this bot with OBS_ENABLE_CHARTS=false, to show what the charts add to the process.
 * `bare_bot_reply`: the bare client answering with this bot's own /health reply, to tell what the
 * reply itself costs (its embed, fields, menu and buttons through discord.js) from what the bot does.
 * `bot_arena2` and `bare_arena2` (at the smallest size only): both clients with glibc's malloc held
 * to two arenas (MALLOC_ARENA_MAX=2), to tell what malloc keeps from what the processes use.
 */
export type GuildsClient = 'bare' | 'bot' | 'bot_no_charts' | 'bare_bot_reply' | 'bot_arena2' | 'bare_arena2';
const CLIENTS: readonly GuildsClient[] = ['bare', 'bot', 'bot_no_charts', 'bare_bot_reply'];
const ARENA_CLIENTS: readonly GuildsClient[] = ['bare_arena2', 'bot_arena2'];
/** The variable glibc reads at a process's start, and the value the arena pair runs with. */
const ARENA_ENV = { MALLOC_ARENA_MAX: '2' } as const;

export interface GuildsRun {
  readonly guilds: number;
  readonly client: GuildsClient;
  readonly repeat?: number;
  /** From the client sending IDENTIFY to discord.js's clientReady, ms. */
  readonly identify_to_ready_ms: number | null;
  /** Mean of 5 samples taken over 2 s after the calls, MB. */
  readonly rss_mb: number;
  /** V8's young generation then, resident, MB. */
  readonly new_space_mb?: number;
  /** At the smallest size: RSS the same way under traffic (see `trafficCalls`), MB. */
  readonly rss_traffic_mb?: number;
  /** V8's young generation then, resident, MB. */
  readonly new_space_traffic_mb?: number;
  /**
   * The same once V8 has shrunk the young generation the start grew (it does so by itself
   * after a while idle: 20–120 s here), or at the cap, MB. What the process holds for good.
   */
  readonly rss_settled_mb?: number;
  /** From ready to that sample, s; null when the cap came first. */
  readonly settled_after_s?: number | null;
  /**
   * Of `rss_mb` and `rss_settled_mb`, what is resident in the malloc arenas glibc gives threads
   * other than the main one (V8's collector and compiler workers, libuv's pool), from
   * /proc/<pid>/smaps at the last sample, MB; absent where smaps cannot be read.
   */
  readonly malloc_thread_arenas_mb?: number;
  readonly malloc_thread_arenas_settled_mb?: number;
  /** Heap in use right after a full GC, MB. */
  readonly heap_mb: number;
  /** `/health` acknowledgement, one call at a time, each sent {@link CALL_GAP_MS} after the previous answer, ms. */
  readonly ack_ms: Percentiles;
  /** The same with each call sent the moment the previous one was answered, ms. */
  readonly ack_back_to_back_ms?: Percentiles;
  readonly failed: number;
  /** The acknowledgements themselves, pooled over the repeats in the summary. */
  readonly acks?: readonly number[];
  readonly acks_back_to_back?: readonly number[];
}

/** One client at one size over its repeats: medians, and the acknowledgements pooled. */
export interface GuildsSummary {
  readonly guilds: number;
  readonly client: GuildsClient;
  readonly runs: number;
  readonly identify_to_ready_ms: number | null;
  readonly rss_mb: number;
  readonly new_space_mb?: number;
  readonly rss_traffic_mb?: number;
  readonly new_space_traffic_mb?: number;
  readonly rss_settled_mb?: number;
  readonly malloc_thread_arenas_mb?: number;
  readonly malloc_thread_arenas_settled_mb?: number;
  readonly heap_mb: number;
  readonly ack_ms: Percentiles;
  readonly ack_back_to_back_ms?: Percentiles;
}

/** The bot against the bare client at one size. */
export interface GuildsComparison {
  readonly guilds: number;
  readonly rss_over_bare_mb: number;
  /** (bot − bare) / bare RSS, %. */
  readonly rss_over_bare_percent: number;
  readonly ack_p50_over_bare_ms: number;
  readonly ack_p99_over_bare_ms: number;
  /** The same p50 difference with the calls back to back. */
  readonly ack_p50_back_to_back_over_bare_ms?: number;
  /** The bare client sending the bot's /health reply, over the bare client's fixed embed: the reply's own share. */
  readonly reply_ack_p50_over_bare_ms?: number;
  readonly ready_over_bare_ms: number | null;
  /** The same RSS figures for this bot with the charts off. */
  readonly no_charts_rss_over_bare_mb?: number;
  readonly no_charts_rss_over_bare_percent?: number;
  /** The bot over the bare client under sustained traffic (the smallest size only). */
  readonly traffic_rss_over_bare_mb?: number;
  readonly traffic_rss_over_bare_percent?: number;
  /** The bot over the bare client once both have settled. */
  readonly settled_rss_over_bare_mb?: number;
  readonly settled_rss_over_bare_percent?: number;
  /**
   * The gaps after the start and settled outside malloc's thread arenas: each client's median of
   * its RSS less what those arenas held at that moment (where smaps was read), in MB and as a
   * share of the bare client's whole RSS then (the target's measure).
   */
  readonly outside_arenas_rss_over_bare_mb?: number;
  readonly outside_arenas_rss_over_bare_percent?: number;
  readonly outside_arenas_settled_rss_over_bare_mb?: number;
  readonly outside_arenas_settled_rss_over_bare_percent?: number;
  /** The same two gaps with both clients at MALLOC_ARENA_MAX=2. */
  readonly arena2_rss_over_bare_mb?: number;
  readonly arena2_rss_over_bare_percent?: number;
  readonly arena2_settled_rss_over_bare_mb?: number;
  readonly arena2_settled_rss_over_bare_percent?: number;
}

export interface GuildsBenchResult {
  readonly sizes: readonly number[];
  readonly calls: number;
  readonly traffic_calls?: number;
  readonly runs: readonly GuildsRun[];
  readonly summaries?: readonly GuildsSummary[];
  readonly comparisons: readonly GuildsComparison[];
}

const DEFAULT_SIZES = [100, 1_000, 2_500] as const;
const DEFAULT_TRAFFIC_CALLS = 2_000;
/** The home guild and the foreign one, which the emulator always serves. */
const SEEDED_GUILDS = 2;
const MB = 1024 ** 2;
/** From ready to the first measured call. */
const SETTLE_MS = 5_000;
/** The young generation is taken as shrunk below this resident size. */
const SHRUNK_NEW_SPACE = 4 * 1024 ** 2;
/** The longest wait, from ready, for it to shrink. */
const SETTLED_CAP_MS = 180_000;
const SETTLED_POLL_MS = 2_000;
/**
 * The pause between one call's answer and the next call. Sent the moment the previous one is
 * answered, a call lands while the client is still finishing the previous one (taking the
 * response to its reply, writing the command's log record), and its acknowledgement waits for
 * that: the back-to-back figures, kept beside.
 */
const CALL_GAP_MS = 20;
const r2 = (n: number): number => Math.round(n * 100) / 100;
/** `a` over `b`: the difference in MB and as a share of `b`, %. */
const over = (a: number, b: number): { mb: number; percent: number } => ({
  mb: r2(a - b),
  percent: r2(((a - b) / b) * 100),
});

/** The clients measured at one size: the arena pair only at the smallest. */
const clientsAt = (sizes: readonly number[], guilds: number): readonly GuildsClient[] =>
  guilds === sizes[0] ? [...CLIENTS, ...ARENA_CLIENTS] : CLIENTS;

/** A run's RSS right after the start or settled, less what malloc's thread arenas held then, MB; undefined where either is unknown. */
const outsideArenas = (r: GuildsRun, settled: boolean): number | undefined => {
  const rss = settled ? r.rss_settled_mb : r.rss_mb;
  const arenas = settled ? r.malloc_thread_arenas_settled_mb : r.malloc_thread_arenas_mb;
  return rss === undefined || arenas === undefined ? undefined : r2(rss - arenas);
};

/** A client measured and still running, so its settled RSS can be read later. */
interface LiveRun {
  readonly run: GuildsRun;
  readonly bot: BotProcess;
  readonly readyAt: number;
  close(): Promise<void>;
}

/** RSS, the mean of 5 samples over 2 s, and the young generation's resident size at the last, MB. */
const meanRss = async (bot: BotProcess): Promise<{ rss: number; newSpace: number }> => {
  const rss: number[] = [];
  let newSpace = 0;
  for (let i = 0; i < 5; i += 1) {
    await sleep(400);
    const sample = await bot.sample();
    rss.push(sample.rss_bytes);
    newSpace = sample.new_space_bytes ?? 0;
  }
  return { rss: r2(rss.reduce((s, v) => s + v, 0) / rss.length / MB), newSpace: r2(newSpace / MB) };
};

/** Waits until the client's young generation has shrunk (or the cap), then reads its RSS. */
async function settled(live: LiveRun): Promise<GuildsRun> {
  for (;;) {
    const elapsed = Date.now() - live.readyAt;
    const sample = await live.bot.sample();
    const shrunk = (sample.new_space_bytes ?? 0) < SHRUNK_NEW_SPACE;
    if (shrunk || elapsed >= SETTLED_CAP_MS) {
      const rssSettled = (await meanRss(live.bot)).rss;
      const split = residentSplit(live.bot.pid);
      const afterGc = await live.bot.sample(true);
      return {
        ...live.run,
        rss_settled_mb: rssSettled,
        ...(split === undefined ? {} : { malloc_thread_arenas_settled_mb: split.malloc_thread_arenas_mb }),
        settled_after_s: shrunk ? Math.round(elapsed / 1000) : null,
        heap_mb: r2(afterGc.heap_used_bytes / MB),
      };
    }
    await sleep(SETTLED_POLL_MS);
  }
}

/** This bot's /health reply as the emulator receives it (embeds, components, flags), for `bare_bot_reply`. */
async function botHealthReply(compiled: BuiltBot): Promise<string> {
  const emulator = await startEmulator();
  let bot: BotProcess | undefined;
  try {
    bot = await startBotProcess(emulator, { env: {}, console: true, prometheus: false, compiled });
    const r = await emulator.invokeCommand({ name: 'health', user: 'admin' }).settled(10_000);
    const data = r.callbacks[0]?.data;
    if (data === undefined || data === null) throw new Error('the bot did not answer /health');
    return JSON.stringify(data);
  } finally {
    await bot?.close();
    await emulator.close();
  }
}

async function oneRun(
  guilds: number,
  client: GuildsClient,
  calls: number,
  trafficCalls: number,
  botReply: string,
  compiled: BuiltBot,
): Promise<LiveRun> {
  const emulator = await startEmulator({ extraGuilds: Math.max(0, guilds - SEEDED_GUILDS) });
  let bot: BotProcess | undefined;
  const close = async (): Promise<void> => {
    await bot?.close();
    await emulator.close();
  };
  try {
    // The bot as `npm run start:built` runs it, compiled: its defaults (health checks, resources, both sinks at
    // info; no Prometheus), the console drained through a pipe.
    bot = await startBotProcess(emulator, {
      env:
        client === 'bot_no_charts'
          ? { OBS_ENABLE_CHARTS: 'false' }
          : client === 'bare_bot_reply'
            ? { BENCH_REPLY_JSON: botReply }
            : ARENA_CLIENTS.includes(client)
              ? ARENA_ENV
              : {},
      console: true,
      prometheus: false,
      client: client.startsWith('bare') ? 'bare' : 'bot',
      compiled,
    });
    const readyAt = Date.now();
    // What a bot costs once its start is over: the start's own work (the chart render process's check
    // among it) has finished, for both clients alike.
    await sleep(SETTLE_MS);
    const health = { name: 'health', user: 'admin' } as const;
    for (let i = 0; i < 5; i += 1) await emulator.invokeCommand(health).settled(10_000);
    let failed = 0;
    /** `calls` acknowledgements, each call sent `gapMs` after the previous answer. */
    const timeCalls = async (gapMs: number): Promise<number[]> => {
      const times: number[] = [];
      for (let i = 0; i < calls; i += 1) {
        if (gapMs > 0) await sleep(gapMs);
        const r = await emulator.invokeCommand(health).settled(10_000);
        if (r.ackMs === null || r.rejections.length > 0) failed += 1;
        else times.push(r.ackMs);
      }
      return times;
    };
    const backToBack = await timeCalls(0);
    const acks = await timeCalls(CALL_GAP_MS);
    const afterStart = await meanRss(bot);
    const split = residentSplit(bot.pid);
    let traffic: { rss: number; newSpace: number } | undefined;
    if (trafficCalls > 0) {
      for (let i = 0; i < trafficCalls; i += 1) {
        const r = await emulator.invokeCommand(health).settled(10_000);
        if (r.ackMs === null || r.rejections.length > 0) failed += 1;
      }
      traffic = await meanRss(bot);
    }
    const run: GuildsRun = {
      guilds,
      client,
      identify_to_ready_ms: bot.identifyToReadyMs,
      rss_mb: afterStart.rss,
      new_space_mb: afterStart.newSpace,
      ...(split === undefined ? {} : { malloc_thread_arenas_mb: split.malloc_thread_arenas_mb }),
      ...(traffic === undefined
        ? {}
        : {
            rss_traffic_mb: traffic.rss,
            new_space_traffic_mb: traffic.newSpace,
          }),
      // Read once settled: a forced full GC now would shrink the young generation itself.
      heap_mb: 0,
      ack_ms: percentiles(acks),
      ack_back_to_back_ms: percentiles(backToBack),
      failed,
      acks: acks.map((a) => r2(a)),
      acks_back_to_back: backToBack.map((a) => r2(a)),
    };
    return { run, bot, readyAt, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * This bot and a bare discord.js client with the same intents and caches, at each guild
 * count, in one run: the bare client first at one size and second at the next, so a
 * drifting machine load does not always favour the same one.
 */
export async function benchGuilds(options: GuildsBenchOptions): Promise<GuildsBenchResult> {
  const sizes = options.sizes ?? DEFAULT_SIZES;
  const repeats = options.repeats ?? 2;
  const trafficCalls = options.trafficCalls ?? DEFAULT_TRAFFIC_CALLS;
  const runs: GuildsRun[] = [];
  // Both clients run compiled, as a deployment runs them: no TypeScript loader in either process.
  const compiled = await buildBot(COMPILED_CHILDREN);
  try {
    const botReply = await botHealthReply(compiled);
    let turn = 0;
    for (const guilds of sizes) {
      for (let repeat = 1; repeat <= repeats; repeat += 1) {
        const clients = clientsAt(sizes, guilds);
        const order = clients.map((_, i) => clients[(i + turn) % clients.length] as GuildsClient);
        turn += 1;
        // Measured one after the other; then, all three idle at once, each waits to settle.
        const live: LiveRun[] = [];
        try {
          for (const client of order)
            live.push(
              await oneRun(
                guilds,
                client,
                options.calls,
                guilds === sizes[0] ? trafficCalls : 0,
                botReply,
                compiled,
              ),
            );
          for (const run of await Promise.all(live.map(settled))) runs.push({ ...run, repeat });
        } finally {
          await Promise.all(live.map((l) => l.close()));
        }
      }
    }
  } finally {
    compiled.remove();
  }
  return guildsFigures(sizes, options.calls, trafficCalls, runs);
}

/** The summaries and comparisons of a run's figures; pure, so results already measured can be summed up again. */
export function guildsFigures(
  sizes: readonly number[],
  calls: number,
  trafficCalls: number,
  runs: readonly GuildsRun[],
): GuildsBenchResult {
  const median = (values: readonly number[]): number => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  };
  const summaries = sizes.flatMap((guilds) =>
    clientsAt(sizes, guilds).map((client): GuildsSummary => {
      const mine = runs.filter((r) => r.guilds === guilds && r.client === client);
      const ready = mine.map((r) => r.identify_to_ready_ms).filter((v): v is number => v !== null);
      return {
        guilds,
        client,
        runs: mine.length,
        identify_to_ready_ms: ready.length === 0 ? null : r2(median(ready)),
        rss_mb: r2(median(mine.map((r) => r.rss_mb))),
        ...(mine.every((r) => r.new_space_mb !== undefined)
          ? { new_space_mb: r2(median(mine.map((r) => r.new_space_mb ?? 0))) }
          : {}),
        ...(mine.every((r) => r.rss_traffic_mb !== undefined)
          ? {
              rss_traffic_mb: r2(median(mine.map((r) => r.rss_traffic_mb ?? 0))),
              new_space_traffic_mb: r2(median(mine.map((r) => r.new_space_traffic_mb ?? 0))),
            }
          : {}),
        ...(mine.every((r) => r.rss_settled_mb !== undefined)
          ? { rss_settled_mb: r2(median(mine.map((r) => r.rss_settled_mb ?? 0))) }
          : {}),
        ...(mine.every((r) => r.malloc_thread_arenas_mb !== undefined)
          ? { malloc_thread_arenas_mb: r2(median(mine.map((r) => r.malloc_thread_arenas_mb ?? 0))) }
          : {}),
        ...(mine.every((r) => r.malloc_thread_arenas_settled_mb !== undefined)
          ? {
              malloc_thread_arenas_settled_mb: r2(
                median(mine.map((r) => r.malloc_thread_arenas_settled_mb ?? 0)),
              ),
            }
          : {}),
        heap_mb: r2(median(mine.map((r) => r.heap_mb))),
        ack_ms: percentiles(mine.flatMap((r) => r.acks ?? [])),
        ack_back_to_back_ms: percentiles(mine.flatMap((r) => r.acks_back_to_back ?? [])),
      };
    }),
  );
  /** A client's median of its RSS less what malloc's thread arenas held at that moment. */
  const outsideOf = (guilds: number, client: GuildsClient, settled: boolean): number | undefined => {
    const values = runs
      .filter((r) => r.guilds === guilds && r.client === client)
      .map((r) => outsideArenas(r, settled));
    return values.length === 0 || values.some((v) => v === undefined)
      ? undefined
      : r2(median(values as number[]));
  };
  /** The gap outside the arenas, in MB and as a share of the bare client's whole RSS (its median) at that moment. */
  const outsideGaps = (guilds: number): Partial<GuildsComparison> => {
    const bareSummary = summaries.find((r) => r.guilds === guilds && r.client === 'bare');
    const share = (mb: number, of: number | undefined): number | undefined =>
      of === undefined || of <= 0 ? undefined : r2((mb / of) * 100);
    const [bot, bare] = [outsideOf(guilds, 'bot', false), outsideOf(guilds, 'bare', false)];
    const [botSettled, bareSettled] = [outsideOf(guilds, 'bot', true), outsideOf(guilds, 'bare', true)];
    const gap = bot === undefined || bare === undefined ? undefined : r2(bot - bare);
    const settledGap =
      botSettled === undefined || bareSettled === undefined ? undefined : r2(botSettled - bareSettled);
    const gapShare = gap === undefined ? undefined : share(gap, bareSummary?.rss_mb);
    const settledShare =
      settledGap === undefined ? undefined : share(settledGap, bareSummary?.rss_settled_mb);
    return {
      ...(gap === undefined || gapShare === undefined
        ? {}
        : { outside_arenas_rss_over_bare_mb: gap, outside_arenas_rss_over_bare_percent: gapShare }),
      ...(settledGap === undefined || settledShare === undefined
        ? {}
        : {
            outside_arenas_settled_rss_over_bare_mb: settledGap,
            outside_arenas_settled_rss_over_bare_percent: settledShare,
          }),
    };
  };
  const comparisons = sizes.flatMap((guilds): GuildsComparison[] => {
    const bare = summaries.find((r) => r.guilds === guilds && r.client === 'bare');
    const bot = summaries.find((r) => r.guilds === guilds && r.client === 'bot');
    const noCharts = summaries.find((r) => r.guilds === guilds && r.client === 'bot_no_charts');
    const bareBotReply = summaries.find((r) => r.guilds === guilds && r.client === 'bare_bot_reply');
    const bareArena = summaries.find((r) => r.guilds === guilds && r.client === 'bare_arena2');
    const botArena = summaries.find((r) => r.guilds === guilds && r.client === 'bot_arena2');
    if (bare === undefined || bot === undefined) return [];
    return [
      {
        ...(bareArena === undefined || botArena === undefined
          ? {}
          : {
              arena2_rss_over_bare_mb: over(botArena.rss_mb, bareArena.rss_mb).mb,
              arena2_rss_over_bare_percent: over(botArena.rss_mb, bareArena.rss_mb).percent,
              ...(botArena.rss_settled_mb === undefined || bareArena.rss_settled_mb === undefined
                ? {}
                : {
                    arena2_settled_rss_over_bare_mb: over(botArena.rss_settled_mb, bareArena.rss_settled_mb)
                      .mb,
                    arena2_settled_rss_over_bare_percent: over(
                      botArena.rss_settled_mb,
                      bareArena.rss_settled_mb,
                    ).percent,
                  }),
            }),
        ...(bareBotReply === undefined
          ? {}
          : { reply_ack_p50_over_bare_ms: r2(bareBotReply.ack_ms.p50 - bare.ack_ms.p50) }),
        ...(noCharts === undefined
          ? {}
          : {
              no_charts_rss_over_bare_mb: over(noCharts.rss_mb, bare.rss_mb).mb,
              no_charts_rss_over_bare_percent: over(noCharts.rss_mb, bare.rss_mb).percent,
            }),
        ...(bot.rss_traffic_mb === undefined || bare.rss_traffic_mb === undefined
          ? {}
          : {
              traffic_rss_over_bare_mb: over(bot.rss_traffic_mb, bare.rss_traffic_mb).mb,
              traffic_rss_over_bare_percent: over(bot.rss_traffic_mb, bare.rss_traffic_mb).percent,
            }),
        ...(bot.rss_settled_mb === undefined || bare.rss_settled_mb === undefined
          ? {}
          : {
              settled_rss_over_bare_mb: over(bot.rss_settled_mb, bare.rss_settled_mb).mb,
              settled_rss_over_bare_percent: over(bot.rss_settled_mb, bare.rss_settled_mb).percent,
            }),
        ...outsideGaps(guilds),
        guilds,
        rss_over_bare_mb: over(bot.rss_mb, bare.rss_mb).mb,
        rss_over_bare_percent: over(bot.rss_mb, bare.rss_mb).percent,
        ack_p50_over_bare_ms: r2(bot.ack_ms.p50 - bare.ack_ms.p50),
        ack_p99_over_bare_ms: r2(bot.ack_ms.p99 - bare.ack_ms.p99),
        ...(bot.ack_back_to_back_ms === undefined || bare.ack_back_to_back_ms === undefined
          ? {}
          : {
              ack_p50_back_to_back_over_bare_ms: r2(
                bot.ack_back_to_back_ms.p50 - bare.ack_back_to_back_ms.p50,
              ),
            }),
        ready_over_bare_ms:
          bot.identify_to_ready_ms === null || bare.identify_to_ready_ms === null
            ? null
            : r2(bot.identify_to_ready_ms - bare.identify_to_ready_ms),
      },
    ];
  });
  return { sizes, calls, traffic_calls: trafficCalls, runs, summaries, comparisons };
}

const TARGET_RSS_PERCENT = 10;
const TARGET_ACK_P50_MS = 1;

const signed = (n: number): string => `${n >= 0 ? '+' : ''}${n}`;

/** One client's figures at one size: its summary (or, in results from before summaries, its run). */
const summaryOf = (
  g: GuildsBenchResult,
  guilds: number,
  client: GuildsClient,
): GuildsSummary | GuildsRun | undefined =>
  (g.summaries ?? g.runs).find((r) => r.guilds === guilds && r.client === client);

/** Why the bot's RSS is what it is against the bare client at one size, from the figures of the run. */
function rssNote(g: GuildsBenchResult, c: GuildsComparison, rssMet: boolean): string {
  const of = (client: GuildsClient) => summaryOf(g, c.guilds, client);
  const bare = of('bare');
  const bot = of('bot');
  const reply = of('bare_bot_reply');
  const gap = (a: number | undefined, b: number | undefined): string =>
    a === undefined || b === undefined
      ? '?'
      : `${signed(over(a, b).mb)} MB (${signed(over(a, b).percent)} %)`;
  const settledOf = (client: GuildsClient): number[] =>
    g.runs
      .filter((r) => r.guilds === c.guilds && r.client === client)
      .map((r) => r.rss_settled_mb)
      .filter((v): v is number => v !== undefined);
  const outsideOf = (client: GuildsClient): number[] =>
    g.runs
      .filter((r) => r.guilds === c.guilds && r.client === client)
      .map((r) => outsideArenas(r, true))
      .filter((v): v is number => v !== undefined);
  const arenasOf = (client: GuildsClient): number[] =>
    g.runs
      .filter((r) => r.guilds === c.guilds && r.client === client)
      .map((r) => r.malloc_thread_arenas_settled_mb)
      .filter((v): v is number => v !== undefined);
  const range = (values: number[]): string =>
    values.length === 0 ? '?' : `${Math.min(...values)}–${Math.max(...values)} MB`;
  // Within a MB of each other: V8 has grown both as far as the traffic takes them.
  const bothGrown =
    bot?.new_space_traffic_mb !== undefined &&
    bare?.new_space_traffic_mb !== undefined &&
    Math.abs(bot.new_space_traffic_mb - bare.new_space_traffic_mb) <= 1;
  const arenaUnsettled = g.runs.some(
    (r) => r.guilds === c.guilds && ARENA_CLIENTS.includes(r.client) && r.settled_after_s === null,
  );
  const sentences = [
    ...(c.no_charts_rss_over_bare_mb === undefined
      ? []
      : [
          `With OBS_ENABLE_CHARTS=false the gap after the start is ${signed(c.no_charts_rss_over_bare_mb)} MB: the charts add ` +
            'nothing to the process until one is drawn (they draw in a child process that exits when idle)',
        ]),
    `Right after the start, V8's young generation holds ${bot?.new_space_mb ?? '?'} MB resident in this bot and ` +
      `${bare?.new_space_mb ?? '?'} MB in the bare client: V8 grows it, up to 32 MB, as objects keep surviving its ` +
      'collections, so a start that loads more code grows it sooner',
    ...(c.traffic_rss_over_bare_mb === undefined
      ? []
      : [
          bothGrown
            ? `Kept busy (${g.traffic_calls} calls more), the bare client grows its own as far (${bare?.new_space_traffic_mb} MB, ` +
              `this bot ${bot?.new_space_traffic_mb} MB) and the two are ${gap(bot?.rss_traffic_mb, bare?.rss_traffic_mb)} apart: ` +
              'right after the start the bot is only further along a growth both make'
            : `Kept busy (${g.traffic_calls} calls more), the bare client's young generation had still not grown as far ` +
              `(${bare?.new_space_traffic_mb ?? '?'} MB, this bot ${bot?.new_space_traffic_mb ?? '?'} MB), so the two are still ` +
              `${gap(bot?.rss_traffic_mb, bare?.rss_traffic_mb)} apart: too few calls to show both at the size V8 grows them to`,
        ]),
    ...(reply === undefined || bare === undefined
      ? []
      : [
          "The bare client sending this bot's own /health reply instead of its fixed embed, with no observability at all, " +
            `is ${gap(reply.rss_mb, bare.rss_mb)} from its fixed embed right after the start` +
            (reply.rss_traffic_mb === undefined
              ? ''
              : ` and ${gap(reply.rss_traffic_mb, bare.rss_traffic_mb)} under traffic`) +
            ': what the reply itself costs',
        ]),
    'Idle, V8 shrinks the young generation again (20–120 s here): the settled figure, what the process keeps. ' +
      `It moves by several MB from one process to the next (settled, this bot's runs here span ${range(settledOf('bot'))}, ` +
      `the bare client's ${range(settledOf('bare'))})`,
    ...(c.outside_arenas_settled_rss_over_bare_percent === undefined ||
    bot?.malloc_thread_arenas_settled_mb === undefined ||
    bare?.malloc_thread_arenas_settled_mb === undefined
      ? []
      : [
          "/proc/<pid>/smaps says where: in the malloc arenas glibc gives V8's background threads (compiling code, marking " +
            `the heap), where pages they free can stay resident. Those held ${bot.malloc_thread_arenas_settled_mb} MB in this bot ` +
            `and ${bare.malloc_thread_arenas_settled_mb} MB in the bare client (medians; the runs span ${range(arenasOf('bot'))} ` +
            `and ${range(arenasOf('bare'))}), either client the larger from one run to the next. The rest of each process, its ` +
            `settled RSS less its arenas, holds steady (this bot's runs span ${range(outsideOf('bot'))}, the bare client's ` +
            `${range(outsideOf('bare'))}): there the bot is ${signed(c.outside_arenas_settled_rss_over_bare_mb ?? 0)} MB ` +
            `(${signed(c.outside_arenas_settled_rss_over_bare_percent)} % of the bare client's settled RSS) over the bare client settled, and ` +
            `${signed(c.outside_arenas_rss_over_bare_mb ?? 0)} MB (${signed(c.outside_arenas_rss_over_bare_percent ?? 0)} %) right after the start`,
        ]),
    "That is a fixed cost, not a per-guild one: the bot's heap after a full GC, " +
      `${r2((bot?.heap_mb ?? 0) - (bare?.heap_mb ?? 0))} MB over the bare client's (the modules it loads once: importing ` +
      'src/bot.ts keeps about 3 MB on top of discord.js, measured apart with bench/module-heap.ts; it keeps nothing per guild), ' +
      "about 1 MB more of the node binary paged in, and V8's and malloc's pages around them",
    ...(c.arena2_rss_over_bare_mb === undefined
      ? []
      : [
          `With both at MALLOC_ARENA_MAX=2 (two arenas instead of glibc's eight a core) the gap is ${signed(c.arena2_rss_over_bare_mb)} MB ` +
            `(${signed(c.arena2_rss_over_bare_percent ?? 0)} %) after the start` +
            (arenaUnsettled
              ? '; the young generation of one of them had not shrunk after 180 s, so there is no settled figure to compare (the per-run table)'
              : ` and ${signed(c.arena2_settled_rss_over_bare_mb ?? 0)} MB (${signed(c.arena2_settled_rss_over_bare_percent ?? 0)} %) settled: ` +
                'two arenas are not enough to keep it down'),
        ]),
    rssMet
      ? 'Under traffic and settled the bot is under the target; only the moment right after the start is over it, until the bare ' +
        'client has grown its young generation too. A start that allocated less would move that moment later, not remove it'
      : (c.settled_rss_over_bare_percent ?? Number.POSITIVE_INFINITY) >= TARGET_RSS_PERCENT
        ? `What misses the target is the settled figure, ${signed(c.settled_rss_over_bare_percent ?? 0)} %: the heap and the binary ` +
          `above are about ${r2((bot?.heap_mb ?? 0) - (bare?.heap_mb ?? 0) + 1)} MB of its ${signed(c.settled_rss_over_bare_mb ?? 0)} MB, ` +
          'the rest is what malloc keeps, which moves by several MB from one process to the next (the spans above). Closing it ' +
          'would mean loading less code, or loading modules only when first used'
        : 'What misses the target is the young generation right after the start. Closing that would mean a start that allocates ' +
          'less (--max-semi-space-size caps it, at the price of more scavenges)',
  ];
  return `${sentences.join('. ')}.`;
}

/** One headline row per size: the bot's share over the bare client. */
export function guildsVerdicts(g: GuildsBenchResult): Verdict[] {
  return g.comparisons.map((c): Verdict => {
    const of = (client: GuildsClient) => summaryOf(g, c.guilds, client);
    const bare = of('bare');
    const bot = of('bot');
    const settledKnown = c.settled_rss_over_bare_percent !== undefined;
    const trafficKnown = c.traffic_rss_over_bare_percent !== undefined;
    // Under sustained traffic both clients hold the young generation the traffic grows: that gap, and
    // the settled one, are what the bot adds. Right after the start the bot is only further along that
    // growth (its start grows it sooner), so the figure then counts where no traffic figure was taken.
    const afterStartMet = c.rss_over_bare_percent < TARGET_RSS_PERCENT;
    const rssMet =
      (trafficKnown ? (c.traffic_rss_over_bare_percent ?? 0) < TARGET_RSS_PERCENT : afterStartMet) &&
      (c.settled_rss_over_bare_percent ?? 0) < TARGET_RSS_PERCENT;
    const ackMet = c.ack_p50_over_bare_ms < TARGET_ACK_P50_MS;
    return {
      benchmark: `Guilds: ${c.guilds}, this bot over a bare discord.js client`,
      target: `< ${TARGET_RSS_PERCENT} % of RSS and < ${TARGET_ACK_P50_MS} ms of /health ack p50`,
      measured:
        `RSS after the start ${signed(c.rss_over_bare_mb)} MB (${signed(c.rss_over_bare_percent)} %: ${bot?.rss_mb} vs ${bare?.rss_mb} MB)` +
        (trafficKnown
          ? `, under traffic ${signed(c.traffic_rss_over_bare_mb ?? 0)} MB (${signed(c.traffic_rss_over_bare_percent ?? 0)} %: ${bot?.rss_traffic_mb} vs ${bare?.rss_traffic_mb} MB)`
          : '') +
        (settledKnown
          ? `, settled ${signed(c.settled_rss_over_bare_mb ?? 0)} MB (${signed(c.settled_rss_over_bare_percent ?? 0)} %: ${bot?.rss_settled_mb} vs ${bare?.rss_settled_mb} MB)`
          : '') +
        `; ack p50 ${signed(c.ack_p50_over_bare_ms)} ms (${bot?.ack_ms.p50} vs ${bare?.ack_ms.p50}), ` +
        `p99 ${bot?.ack_ms.p99} vs ${bare?.ack_ms.p99} ms` +
        (c.ack_p50_back_to_back_over_bare_ms === undefined
          ? ''
          : ` (calls back to back: p50 ${signed(c.ack_p50_back_to_back_over_bare_ms)} ms, ${bot?.ack_back_to_back_ms?.p50} vs ${bare?.ack_back_to_back_ms?.p50})`) +
        `; IDENTIFY to ready ${bot?.identify_to_ready_ms} vs ${bare?.identify_to_ready_ms} ms`,
      met: rssMet && ackMet,
      ...(rssMet && ackMet && afterStartMet
        ? {}
        : {
            note: [
              ...(rssMet && afterStartMet ? [] : [rssNote(g, c, rssMet)]),
              ...(ackMet
                ? []
                : [
                    `the ack p50 difference (${c.ack_p50_over_bare_ms} ms) is what /health does beyond a fixed embed: the admin check, ` +
                      'a health snapshot rendered into an embed with its menu and buttons, the command log record' +
                      (c.reply_ack_p50_over_bare_ms === undefined
                        ? ''
                        : `; the bare client sending this bot's own /health reply instead of its fixed embed takes ${signed(c.reply_ack_p50_over_bare_ms)} ms ` +
                          `at p50 (${of('bare_bot_reply')?.ack_ms.p50} ms): that much of the gap is the reply itself going through discord.js, ` +
                          `${r2(c.ack_p50_over_bare_ms - c.reply_ack_p50_over_bare_ms)} ms is the bot's own work`) +
                      '; see §3 for both under the same load',
                  ]),
            ].join('; '),
          }),
    };
  });
}

/** Method and per-run table for RESULTS.md. */
export function formatGuildsBench(g: GuildsBenchResult): string {
  const p = (x: Percentiles): string => `${x.p50} / ${x.p99} / ${x.max}`;
  const arenasCell = (r: GuildsSummary | GuildsRun): string =>
    r.malloc_thread_arenas_mb === undefined && r.malloc_thread_arenas_settled_mb === undefined
      ? '–'
      : `${r.malloc_thread_arenas_mb ?? '–'} / ${r.malloc_thread_arenas_settled_mb ?? '–'}`;
  const rows: readonly (GuildsSummary | GuildsRun)[] = g.summaries ?? g.runs;
  const perGuild = (client: GuildsClient, pick: (r: GuildsSummary | GuildsRun) => number): string => {
    const mine = rows.filter((r) => r.client === client).sort((a, b) => a.guilds - b.guilds);
    const a = mine[0];
    const b = mine.at(-1);
    if (a === undefined || b === undefined || a === b) return '–';
    return `${(((pick(b) - pick(a)) * 1024) / (b.guilds - a.guilds)).toFixed(1)} KB`;
  };
  return [
    'Method: the emulator serves N guilds (the two seeded ones and N − 2 more, each with two roles and three text ' +
      'channels, the bot its only member, all sent as GUILD_CREATE after READY). At each N, this bot (src/bot.ts with ' +
      'its defaults, compiled as `npm run start:built` runs it: health checks, resources, charts, both sinks at info, no Prometheus; and once ' +
      'more with OBS_ENABLE_CHARTS=false) and a bare ' +
      'discord.js client with the same intents (Guilds) and caches (discord.js defaults), answering every command with ' +
      "a fixed embed (bench/support/bare-client-child.ts), and that client again answering with the bot's own /health " +
      'reply (embeds, menu and buttons, taken from the bot once before the runs: bare_bot_reply), all compiled by tsc before the runs and run as ' +
      'JavaScript with no TypeScript loader in the process, one after the other, each run a fresh process, in an ' +
      'order that alternates from one pair to the next. At the smallest N, the bot and the bare client run once more each with ' +
      "MALLOC_ARENA_MAX=2 (bot_arena2, bare_arena2), glibc's malloc held to two arenas. " +
      'IDENTIFY to ready: from the client\'s "Identifying" debug line ' +
      `to clientReady. After ${SETTLE_MS / 1000} s, ${g.calls} /health calls one at a time (after 5 unmeasured), each sent the moment the ` +
      `previous one was answered (back to back), then ${g.calls} more each sent ${CALL_GAP_MS} ms after the previous answer, as commands from people ` +
      'arrive (the headline figure: back to back, a call also waits for the client to finish the previous one, its log record among it); ' +
      'acknowledgement timed by the ' +
      "emulator; RSS after the start is the mean of 5 samples over 2 s after the calls, with V8's young generation " +
      '(new space, resident) at the last.' +
      (g.traffic_calls === undefined || g.traffic_calls === 0
        ? ''
        : ` At the smallest N, ${g.traffic_calls} more calls follow back to back, untimed, and RSS is read again the same way ` +
          '(under traffic, with the young generation at the last): a client kept busy, its young generation grown as far as V8 takes it.') +
      " The processes of a round then stay up, idle, until each one's young " +
      `generation has shrunk below ${SHRUNK_NEW_SPACE / MB} MB (polled every ${SETTLED_POLL_MS / 1000} s, at most ${SETTLED_CAP_MS / 1000} s from ready): RSS settled ` +
      'is read then, the same way, and the heap in use after a full GC last. After each of those RSS readings, ' +
      '/proc/<pid>/smaps gives what is resident in the malloc arenas glibc gives threads other than the main one ' +
      "(V8's collector and compiler workers, libuv's pool: each a 64 MB-aligned reservation): what one process keeps " +
      'there moves by several MB from the next, so the tables give it apart. The summary takes the median of the ' +
      'runs and pools their acknowledgements.',
    '',
    table(
      [
        'guilds',
        'client',
        'runs',
        'IDENTIFY to ready, ms',
        'RSS after the start, MB',
        'young generation then, MB',
        'RSS under traffic, MB (young generation)',
        'RSS settled, MB',
        "of it, malloc's thread arenas, MB (after the start / settled)",
        'heap after GC, MB',
        '/health ack p50 / p99 / max, ms',
        'back to back, ms',
      ],
      rows.map((r) => [
        r.guilds,
        r.client,
        'runs' in r ? r.runs : 1,
        r.identify_to_ready_ms ?? '–',
        r.rss_mb,
        r.new_space_mb ?? '–',
        r.rss_traffic_mb === undefined ? '–' : `${r.rss_traffic_mb} (${r.new_space_traffic_mb})`,
        r.rss_settled_mb ?? '–',
        arenasCell(r),
        r.heap_mb,
        p(r.ack_ms),
        r.ack_back_to_back_ms === undefined ? '–' : p(r.ack_back_to_back_ms),
      ]),
    ),
    '',
    `Growth per guild between the smallest and largest N: RSS ${perGuild('bare', (r) => r.rss_mb)} for the bare client, ` +
      `${perGuild('bot', (r) => r.rss_mb)} for this bot (${perGuild('bot_no_charts', (r) => r.rss_mb)} with the charts off); settled ${perGuild('bare', (r) => r.rss_settled_mb ?? 0)} and ${perGuild('bot', (r) => r.rss_settled_mb ?? 0)}; heap ${perGuild('bare', (r) => r.heap_mb)} and ${perGuild('bot', (r) => r.heap_mb)}.`,
    '',
    table(
      [
        'guilds',
        'run',
        'client',
        'IDENTIFY to ready, ms',
        'RSS after the start, MB',
        'RSS under traffic, MB (young generation)',
        'RSS settled, MB (after, s)',
        "of it, malloc's thread arenas, MB (after the start / settled)",
        'heap after GC, MB',
        '/health ack p50 / p99 / max, ms',
        'back to back, ms',
        'failed',
      ],
      g.runs.map((r) => [
        r.guilds,
        r.repeat ?? 1,
        r.client,
        r.identify_to_ready_ms ?? '–',
        r.rss_mb,
        r.rss_traffic_mb === undefined ? '–' : `${r.rss_traffic_mb} (${r.new_space_traffic_mb})`,
        r.rss_settled_mb === undefined
          ? '–'
          : `${r.rss_settled_mb} (${r.settled_after_s === null || r.settled_after_s === undefined ? `not shrunk by ${SETTLED_CAP_MS / 1000}` : r.settled_after_s})`,
        arenasCell(r),
        r.heap_mb,
        p(r.ack_ms),
        r.ack_back_to_back_ms === undefined ? '–' : p(r.ack_back_to_back_ms),
        r.failed,
      ]),
    ),
  ].join('\n');
}
