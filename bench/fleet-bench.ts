// Sharded mode, measured: the fleet's start against the identify bound, memory per
// process, /health acknowledgement across the fleet, the manager's /metrics merge, and
// the time from a SIGKILLed shard to its replacement ready. Real processes against the
// emulator, except the /metrics merge, which is timed in this process.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createMetrics } from '../src/core/index.ts';
import {
  IDENTIFY_INTERVAL_MS,
  loadFleetMetrics,
  type MetricsJson,
  type ShardReport,
  type ShardSnapshot,
} from '../src/discord/index.ts';
import { fakeSources, startupReport } from '../test/core/metrics/fake-metrics-sources.ts';
import { readJsonLines } from '../test/support/log-schema.ts';
import {
  type FleetHealthBody,
  healthzWhen,
  type RunningFleet,
  startRunningFleet,
} from '../test/support/running-fleet.ts';
import { type Percentiles, percentiles, type Stats, stats } from './support/stats.ts';

export interface FleetStartRun {
  /** 1: the single-process bot (DISCORD_SHARDS=1), for comparison. */
  readonly shards: number;
  readonly max_concurrency: number;
  readonly identify_rounds: number;
  /** Spawn of the manager (or the bot) to `/healthz` ready, ms. */
  readonly ready_ms: Stats;
  /** The manager's own part: its spawn to its shard plan (process start, `GET /gateway/bot`), ms. */
  readonly manager_ms: Stats;
  /** The slowest shard's own start: its spawn to its ready, ms. */
  readonly slowest_shard_ms: Stats;
  /**
   * What identify concurrency allows: the manager's part, then per round the slowest
   * shard's start, at least 5.5 s for each round but the last (the identify gate's rule).
   */
  readonly bound_ms: Stats;
}

export interface FleetBenchResult {
  readonly measured_at: string;
  readonly node: string;
  readonly load_average: readonly number[];
  readonly runs: number;
  readonly starts: readonly FleetStartRun[];
  /** RSS a few seconds after ready, MB. */
  readonly rss_mb: {
    readonly single_process: number;
    readonly manager_of_4: number;
    readonly shard_of_4: Stats;
    readonly manager_of_8: number;
    readonly shard_of_8: Stats;
  };
  /** `/health` in the two guilds, served by two different shards of 4, each answering for the fleet. */
  readonly health_ack_ms: { readonly fleet: Percentiles; readonly single_process: Percentiles };
  readonly metrics_merge_ms: Percentiles & { readonly shards: number; readonly exposition_kib: number };
  /** One SIGKILL per shard of 4: from the kill to the new process ready, and the backoff part of it. */
  readonly kill_to_ready_ms: Stats;
  readonly respawn_backoff_ms: Stats;
}

export interface FleetBenchOptions {
  readonly runs: number;
  readonly healthCalls: number;
  readonly renders: number;
}

const rssMb = (pid: number | null | undefined): number => {
  if (pid === null || pid === undefined) return 0;
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? 0 : Math.round(Number(kb) / 102.4) / 10;
  } catch {
    return 0;
  }
};
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Started {
  readonly fleet: RunningFleet;
  readonly readyMs: number;
  readonly health: FleetHealthBody;
}

interface StartParts {
  readonly managerMs: number;
  readonly slowestMs: number;
  readonly boundMs: number;
}

/** The start as the manager's log tells it: its own part, each shard's, and the bound they set. */
function startParts(fleet: RunningFleet, rounds: readonly (readonly number[])[]): StartParts {
  const lines = readJsonLines(fleet.logFile());
  const at = (line: Record<string, unknown>): number => Date.parse(String(line.ts));
  // The plan is logged just before the first round is spawned.
  const planned = lines.find((l) => l.event === 'shard_plan');
  const managerMs = planned === undefined ? 0 : at(planned) - fleet.spawnedAt;
  const startOf = new Map<number, number>();
  for (const line of lines) {
    const detail = line.detail as { shard?: number; duration_ms?: number; restarts?: number };
    if (line.event === 'shard_ready' && detail.restarts === 0 && typeof detail.shard === 'number')
      startOf.set(detail.shard, detail.duration_ms ?? 0);
  }
  const slowest = (ids: readonly number[]): number => Math.max(0, ...ids.map((id) => startOf.get(id) ?? 0));
  const boundMs =
    managerMs +
    rounds.reduce(
      (sum, round, r) =>
        sum + (r === rounds.length - 1 ? slowest(round) : Math.max(IDENTIFY_INTERVAL_MS, slowest(round))),
      0,
    );
  return { managerMs, slowestMs: slowest([...startOf.keys()]), boundMs };
}

async function startFleet(
  shards: number,
  maxConcurrency: number,
  env: Record<string, string> = {},
): Promise<Started> {
  const fleet = await startRunningFleet({
    env: {
      DISCORD_SHARDS: String(shards),
      LOG_LEVEL: 'info',
      SHARD_STALE_MS: '10000',
      SHARD_RESPAWN_MAX: '100',
      ...env,
    },
    envFromIds: (ids) => ({ OPS_GUILD_IDS: ids.foreignGuildId }),
    emulator: { shards: Math.max(shards, 2), maxConcurrency, homeGuildShard: 1 },
  });
  const health = await healthzWhen(
    fleet,
    (h) => h.status === 'ready' && (shards === 1 || h.shards?.length === shards),
    180_000,
    `${shards} shard(s) ready`,
  );
  return { fleet, readyMs: Date.now() - fleet.spawnedAt, health };
}

async function stop(fleet: RunningFleet): Promise<void> {
  fleet.signalGroup('SIGTERM');
  await fleet.exited(40_000).catch(() => undefined);
  await fleet.close();
}

/** Sequential `/health` calls alternating between the home guild (shard 1) and the foreign one (shard 0). */
async function healthAcks(fleet: RunningFleet, calls: number): Promise<number[]> {
  const { emulator } = fleet;
  const guilds = [emulator.ids.guildId, emulator.ids.foreignGuildId];
  const user = (i: number) => (i % 2 === 0 ? ('admin' as const) : ('foreign_admin' as const));
  for (const [i, guildId] of guilds.entries())
    await emulator.invokeCommand({ name: 'health', user: user(i), guildId }).settled(10_000);
  const acks: number[] = [];
  for (let i = 0; i < calls; i += 1) {
    const answer = await emulator
      .invokeCommand({ name: 'health', user: user(i), guildId: guilds[i % 2] ?? emulator.ids.guildId })
      .settled(10_000);
    if (answer.ackMs !== null) acks.push(answer.ackMs);
  }
  return acks;
}

/** The manager's merge of `shards` reports plus its own registry, timed in this process. */
async function metricsMerge(shards: number, renders: number): Promise<FleetBenchResult['metrics_merge_ms']> {
  const reports: MetricsJson[] = [];
  for (let i = 0; i < shards; i += 1) {
    const m = await createMetrics({ enabled: true, collectDefault: true, version: '0.1.0' });
    m.bindSources(fakeSources());
    m.startupFinished(startupReport(1500));
    for (const command of ['health', 'resources', 'tasks', 'startup', 'alerts'])
      m.interaction(command, 'ok', 0.03);
    reports.push(await m.registry.getMetricsAsJSON());
  }
  const snapshots: ShardSnapshot[] = reports.map((metrics, id) => ({
    id,
    phase: 'running',
    status: 'ready',
    pid: 1000 + id,
    restarts: 0,
    gatewayReady: true,
    spawnedAt: 0,
    readySince: 0,
    report: {
      gateway: { status: 'ready', ping_ms: 40, guilds: 2400, reconnects: 0, last_heartbeat_ack_at: null },
      metrics,
    } as unknown as ShardReport,
    reportAt: 0,
    downReason: null,
    downSince: null,
    permanent: false,
  }));
  const own = await createMetrics({ enabled: true, collectDefault: true, version: '0.1.0' });
  own.bindSources(fakeSources());
  const { createFleetMetrics } = await loadFleetMetrics();
  const exposition = createFleetMetrics({ registry: own.registry, shards: () => snapshots, now: () => 0 });
  let text = '';
  for (let i = 0; i < 20; i += 1) text = await exposition.metricsText();
  const times: number[] = [];
  for (let i = 0; i < renders; i += 1) {
    const began = performance.now();
    text = await exposition.metricsText();
    times.push(performance.now() - began);
  }
  return { ...percentiles(times), shards, exposition_kib: Math.round(Buffer.byteLength(text) / 1024) };
}

export async function benchFleet(options: FleetBenchOptions): Promise<FleetBenchResult> {
  const starts = new Map<
    string,
    { ready: number[]; manager: number[]; slowest: number[]; bound: number[] }
  >();
  const note = (shards: number, mc: number, started: Started): void => {
    const key = `${shards}/${mc}`;
    const known = starts.get(key) ?? { ready: [], manager: [], slowest: [], bound: [] };
    const ids = Array.from({ length: shards }, (_, i) => i);
    const rounds = Array.from({ length: Math.ceil(shards / mc) }, (_, r) => ids.slice(r * mc, (r + 1) * mc));
    const parts =
      shards === 1
        ? { managerMs: 0, slowestMs: started.readyMs, boundMs: started.readyMs }
        : startParts(started.fleet, rounds);
    known.ready.push(started.readyMs);
    known.manager.push(parts.managerMs);
    known.slowest.push(parts.slowestMs);
    known.bound.push(parts.boundMs);
    starts.set(key, known);
  };
  const rss = {
    single: [] as number[],
    manager4: [] as number[],
    shard4: [] as number[],
    manager8: [] as number[],
    shard8: [] as number[],
  };
  let singleAcks: number[] = [];
  let fleetAcks: number[] = [];
  const killToReady: number[] = [];
  const backoff: number[] = [];

  for (let run = 0; run < options.runs; run += 1) {
    const single = await startFleet(1, 16);
    note(1, 16, single);
    await sleep(3_000);
    rss.single.push(rssMb(single.fleet.child.pid));
    if (run === 0) singleAcks = await healthAcks(single.fleet, options.healthCalls);
    await stop(single.fleet);

    const four = await startFleet(4, 16);
    note(4, 16, four);
    await sleep(3_000);
    rss.manager4.push(rssMb(four.fleet.child.pid));
    for (const s of four.health.shards) rss.shard4.push(rssMb(s.pid));
    if (run === 0) {
      fleetAcks = await healthAcks(four.fleet, options.healthCalls);
      for (const s of four.health.shards) {
        const killedAt = Date.now();
        process.kill(s.pid ?? 0, 'SIGKILL');
        await healthzWhen(
          four.fleet,
          (h) =>
            h.shards.find((x) => x.id === s.id)?.restarts === 1 &&
            h.shards.find((x) => x.id === s.id)?.status === 'ready',
          60_000,
          `shard ${s.id} respawned`,
        );
        killToReady.push(Date.now() - killedAt);
      }
      for (const line of readJsonLines(four.fleet.logFile())) {
        const ms = (line.detail as { respawn_in_ms?: unknown }).respawn_in_ms;
        if (line.event === 'shard_down' && typeof ms === 'number') backoff.push(ms);
      }
    }
    await stop(four.fleet);

    const eight = await startFleet(8, 16);
    note(8, 16, eight);
    await sleep(3_000);
    rss.manager8.push(rssMb(eight.fleet.child.pid));
    for (const s of eight.health.shards) rss.shard8.push(rssMb(s.pid));
    await stop(eight.fleet);
  }
  // One round per shard: the identify bound at max_concurrency 1.
  const serial = await startFleet(4, 1);
  note(4, 1, serial);
  await stop(serial.fleet);

  const rounds = (shards: number, mc: number): number => Math.ceil(shards / mc);
  return {
    measured_at: new Date().toISOString(),
    node: process.version,
    load_average: loadavg().map((l) => Math.round(l * 100) / 100),
    runs: options.runs,
    starts: [...starts.entries()].map(([key, values]) => {
      const [shards, mc] = key.split('/').map(Number) as [number, number];
      return {
        shards,
        max_concurrency: mc,
        identify_rounds: rounds(shards, mc),
        ready_ms: stats(values.ready, 0),
        manager_ms: stats(values.manager, 0),
        slowest_shard_ms: stats(values.slowest, 0),
        bound_ms: stats(values.bound, 0),
      };
    }),
    rss_mb: {
      single_process: stats(rss.single, 1).median,
      manager_of_4: stats(rss.manager4, 1).median,
      shard_of_4: stats(rss.shard4, 1),
      manager_of_8: stats(rss.manager8, 1).median,
      shard_of_8: stats(rss.shard8, 1),
    },
    health_ack_ms: { fleet: percentiles(fleetAcks, 0), single_process: percentiles(singleAcks, 0) },
    metrics_merge_ms: await metricsMerge(16, options.renders),
    kill_to_ready_ms: stats(killToReady, 0),
    respawn_backoff_ms: stats(backoff, 0),
  };
}
