// `npm run bench` (full, about 14 min) or `npm run bench -- --quick` (under 2 min):
// every benchmark in turn, then RESULTS.md and results.json in bench/results/ (the
// committed figures), or for `--quick` in bench/results/quick/ (ignored by git), so a
// smoke run never overwrites them. `--render` only rewrites RESULTS.md from results.json;
// `--only process-start` measures that one again (on the Node running the bench) and keeps
// the other figures (`--only fleet` likewise for the sharded fleet); with `--quick`, both work
// on bench/results/quick/.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { benchCharts, type ChartsBenchResult, formatChartsBench } from './charts-bench.ts';
import { benchFleet, type FleetBenchResult } from './fleet-bench.ts';
import { benchLatency, type LatencyBenchResult } from './latency-bench.ts';
import { benchLogging, type LoggingBenchResult } from './logging-bench.ts';
import { benchMetrics, formatMetricsBench, type MetricsBenchResult } from './metrics-bench.ts';
import { benchOverhead, type OverheadBenchResult } from './overhead-bench.ts';
import {
  benchProcessStart,
  formatProcessStartBench,
  type ProcessStartBenchResult,
} from './process-start-bench.ts';
import { benchScrapeFlood, type ScrapeFloodBenchResult, scrapeFloodVerdict } from './scrape-flood-bench.ts';
import { benchSoak, type SoakBenchResult } from './soak-bench.ts';
import { benchStartup, formatStartupBench, type StartupBenchResult } from './startup-bench.ts';
import { describeMachine, type Machine } from './support/machine.ts';
import { headlineTable, table, type Verdict } from './support/report.ts';
import { slope } from './support/stats.ts';

/** What the runs measured: everything RESULTS.md is rendered from. */
interface Measured {
  readonly mode: 'quick' | 'full';
  readonly machine: Machine;
  readonly load_average_at_end: readonly number[];
  readonly total_seconds: number;
  readonly seconds_per_benchmark: Record<string, number>;
  readonly startup: StartupBenchResult;
  readonly overhead: OverheadBenchResult;
  readonly latency: LatencyBenchResult;
  readonly logging: LoggingBenchResult;
  readonly metrics: MetricsBenchResult;
  readonly soak: SoakBenchResult;
  /** Absent from results measured before this benchmark existed. */
  readonly scrape_flood?: ScrapeFloodBenchResult;
  /** Absent from results measured before it existed. */
  readonly process_start?: ProcessStartBenchResult;
  /** Absent from results measured before the charts existed. */
  readonly charts?: ChartsBenchResult;
  /** Absent from results measured before sharded mode existed. */
  readonly fleet?: FleetBenchResult;
}

const plan = (quick: boolean) =>
  quick
    ? {
        startupRuns: 1,
        processStartRuns: 2,
        overhead: { pairs: 1, windowMs: 10_000, warmupMs: 1_500 },
        latency: { sequential: 20, bursts: 1 },
        logging: { records: 30_000, pairs: 2, pacedMs: 1_000, pacedRuns: 2 },
        metrics: { renders: 200, calls: 100_000 },
        soakMs: 60_000,
        charts: { renders: 20, pairs: 1, commands: 30 },
        fleet: { runs: 1, healthCalls: 20, renders: 100 },
      }
    : {
        startupRuns: 3,
        processStartRuns: 5,
        overhead: { pairs: 2, windowMs: 30_000, warmupMs: 3_000 },
        latency: { sequential: 100, bursts: 3 },
        logging: { records: 200_000, pairs: 3, pacedMs: 3_000, pacedRuns: 3 },
        metrics: { renders: 1_000, calls: 500_000 },
        soakMs: 600_000,
        charts: { renders: 100, pairs: 2, commands: 100 },
        fleet: { runs: 2, healthCalls: 60, renders: 300 },
      };

const progress = (text: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
};

async function measure(quick: boolean): Promise<Measured> {
  const p = plan(quick);
  const machine = describeMachine();
  const took: Record<string, number> = {};
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    progress(`${name}…`);
    const began = performance.now();
    const result = await fn();
    took[name] = Math.round((performance.now() - began) / 100) / 10;
    progress(`${name} done in ${took[name]} s`);
    return result;
  };
  const began = performance.now();
  const metrics = await timed('metrics', () => benchMetrics(p.metrics));
  const logging = await timed('logging', () => benchLogging(p.logging));
  const startup = await timed('startup', () => benchStartup({ runs: p.startupRuns }));
  const processStart = await timed('process_start', () => benchProcessStart({ runs: p.processStartRuns }));
  const overhead = await timed('overhead', () => benchOverhead(p.overhead));
  const latency = await timed('latency', () => benchLatency(p.latency));
  const scrapeFlood = await timed('scrape_flood', () => benchScrapeFlood());
  const soak = await timed('soak', () => benchSoak({ durationMs: p.soakMs }));
  const charts = await timed('charts', () => benchCharts(p.charts));
  const fleet = await timed('fleet', () => benchFleet(p.fleet));
  return {
    mode: quick ? 'quick' : 'full',
    machine,
    load_average_at_end: loadavg().map((l) => Math.round(l * 100) / 100),
    total_seconds: Math.round((performance.now() - began) / 1000),
    seconds_per_benchmark: took,
    startup,
    overhead,
    latency,
    logging,
    metrics,
    soak,
    scrape_flood: scrapeFlood,
    process_start: processStart,
    charts,
    fleet,
  };
}

/** Measures the process start again and keeps every other figure of results.json. */
async function measureProcessStartOnly(previous: Measured): Promise<Measured> {
  const began = performance.now();
  const processStart = await benchProcessStart({ runs: plan(previous.mode === 'quick').processStartRuns });
  return {
    ...previous,
    process_start: processStart,
    seconds_per_benchmark: {
      ...previous.seconds_per_benchmark,
      process_start: Math.round((performance.now() - began) / 100) / 10,
    },
  };
}

/** Measures the sharded fleet again and keeps every other figure of results.json. */
async function measureFleetOnly(previous: Measured): Promise<Measured> {
  const began = performance.now();
  const fleet = await benchFleet(plan(previous.mode === 'quick').fleet);
  return {
    ...previous,
    fleet,
    seconds_per_benchmark: {
      ...previous.seconds_per_benchmark,
      fleet: Math.round((performance.now() - began) / 100) / 10,
    },
  };
}

const quickRun = process.argv.includes('--quick');
const dir = new URL(quickRun ? './results/quick/' : './results/', import.meta.url);
const shownDir = quickRun ? 'bench/results/quick/' : 'bench/results/';
// --render rewrites RESULTS.md from results.json, without measuring again.
const previous = (): Measured => JSON.parse(readFileSync(new URL('results.json', dir), 'utf8')) as Measured;
const only = process.argv.indexOf('--only');
const onlyWhat = only === -1 ? undefined : process.argv[only + 1];
if (onlyWhat !== undefined && onlyWhat !== 'process-start' && onlyWhat !== 'fleet') {
  throw new Error(`--only takes "process-start" or "fleet", not ${JSON.stringify(onlyWhat)}`);
}
const measured: Measured = process.argv.includes('--render')
  ? previous()
  : onlyWhat === 'process-start'
    ? await measureProcessStartOnly(previous())
    : onlyWhat === 'fleet'
      ? await measureFleetOnly(previous())
      : await measure(quickRun);
const quick = measured.mode === 'quick';
const PLAN = plan(quick);
const { machine, startup, overhead, latency, logging, metrics, soak } = measured;
const loadAtEnd = measured.load_average_at_end;
const totalS = measured.total_seconds;
const took = measured.seconds_per_benchmark;

const verdicts = [
  ...judge(startup, overhead, latency, logging, metrics, soak, measured.scrape_flood),
  ...judgeProcessStart(measured.process_start),
  ...judgeCharts(measured.charts),
  ...judgeFleet(measured.fleet),
];
const results = { ...measured, verdicts };
mkdirSync(dir, { recursive: true });
writeFileSync(new URL('results.json', dir), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(new URL('RESULTS.md', dir), render());
process.stdout.write(
  `${headlineTable(verdicts)}\n\nwrote ${shownDir}RESULTS.md and results.json in ${totalS} s${
    quickRun ? ' (a quick run: the committed bench/results/ is left as it was)' : ''
  }\n`,
);

function judge(
  s: StartupBenchResult,
  o: OverheadBenchResult,
  l: LatencyBenchResult,
  g: LoggingBenchResult,
  m: MetricsBenchResult,
  k: SoakBenchResult,
  f: ScrapeFloodBenchResult | undefined,
): Verdict[] {
  const allowance = Math.max(5, s.critical_path_bound_ms * 0.01);
  const saved = s.saved_ms.median;
  return [
    {
      benchmark: 'Startup: time saved by parallel start',
      target: '3–5 s',
      measured: `${(saved / 1000).toFixed(2)} s (median of ${s.runs})`,
      met: saved >= 3_000 && saved <= 5_000,
    },
    {
      benchmark: 'Startup: parallel over the critical-path bound',
      target: `≤ 1 % or 5 ms (≤ ${allowance.toFixed(0)} ms)`,
      measured: `${s.parallel_overhead_ms.median} ms (${s.parallel_overhead_percent.median} %), max ${s.parallel_overhead_ms.max} ms`,
      met: s.parallel_overhead_ms.median <= allowance,
    },
    {
      benchmark: 'Monitoring overhead: CPU, all on − all off',
      target: '< 0.5 % of a core',
      measured: `${o.cpu_delta_percent_of_core.median} % of a core (on/off ${o.cpu_ratio.median}×)`,
      met: o.cpu_delta_percent_of_core.median < 0.5,
      ...(o.cpu_delta_percent_of_core.median < 0.5
        ? {}
        : {
            note: 'a CPU profile of both modes (node --cpu-prof, 20 s at 20 commands/s) spreads the difference over writing each command\'s log records to both sinks (the stdout writes are the largest single part), rendering /metrics every second (~3 ms each) and the 1 s resource sample (pidusage, /proc); nothing dominates. The "on" run samples 15× and scrapes 15–30× more often than a deployment with the defaults (15 s samples, a 15–30 s scrape) would; the logging share is the price of logging every command',
          }),
    },
    {
      benchmark: 'Monitoring overhead: RSS, all on − all off',
      target: '< 10 MB',
      measured: `${o.rss_delta_mb.median} MB (on/off ${o.rss_ratio.median}×)`,
      met: o.rss_delta_mb.median < 10,
      ...(o.rss_delta_mb.median < 10
        ? {}
        : {
            note: `RSS of an idle-ish Node process moves by several MB from run to run (heap sizing, GC timing); over ${o.pairs} pair(s) the deltas were ${o.rss_delta_mb.min}…${o.rss_delta_mb.max} MB`,
          }),
    },
    {
      benchmark: 'Interaction latency, one at a time: p99',
      target: '< 50 ms',
      measured: `p99 ${l.all_sequential_ms.p99} ms (p50 ${l.all_sequential_ms.p50}, max ${l.all_sequential_ms.max}; n=${l.all_sequential_ms.n})`,
      met: l.all_sequential_ms.p99 < 50,
      ...(l.all_sequential_ms.p99 < 50
        ? {}
        : {
            note: `a tail over a p50 of ${l.all_sequential_ms.p50} ms: on a shared machine, GC pauses and scheduling in the bot or emulator process`,
          }),
    },
    {
      benchmark: `Interaction latency, ${l.burst_size} at once: p99`,
      target: '< 500 ms',
      measured: `p99 ${l.all_concurrent_ms.p99} ms (p50 ${l.all_concurrent_ms.p50}, max ${l.all_concurrent_ms.max}; n=${l.all_concurrent_ms.n})`,
      met: l.all_concurrent_ms.p99 < 500,
    },
    ...(f === undefined ? [] : [scrapeFloodVerdict(f)]),
    {
      benchmark: 'Logging throughput, both sinks vs pino file only',
      target: '≥ 80 % of pino',
      measured: `${(g.ratio.median * 100).toFixed(0)} % (${g.ours_per_s.median} vs ${g.pino_file_only_per_s.median} records/s)`,
      met: g.ratio.median >= 0.8,
      ...(g.ratio.median >= 0.8
        ? {}
        : {
            note: "both sinks do twice pino's work (a JSON line and a console line per record, both redacted); the console line is formatted from the record object, not re-parsed. On a busy machine the ratio swings between runs: see the min and max below",
          }),
    },
    {
      benchmark: 'Logging: longest log call (both sinks) not overlapped by a GC',
      target: '≤ 1 ms (the console sink never blocks the loop longer)',
      measured:
        `${g.longest_call_without_gc_ms.median} ms (median of ${g.logging_delay.length} runs); ` +
        `loop delay at that rate: max +${g.added_max_ms} ms, p99 +${g.added_p99_ms} ms over the control loop`,
      met: g.longest_call_without_gc_ms.median <= 1,
      ...(g.longest_call_without_gc_ms.median <= 1
        ? {}
        : {
            note:
              `wall time of one call. The control loop with no sink had ${g.baseline_delay.slow_calls_without_gc} calls over 1 ms without a GC entry` +
              (g.baseline_delay.slow_calls_without_gc > 0
                ? ` (longest ${g.baseline_delay.longest_call_without_gc_ms} ms), so part of this is the machine preempting the process. `
                : ', so this is the logging path itself. ') +
              'Slow log calls spend 1–5 ms on CPU with no GC entry reported, likely V8 incremental marking triggered by allocation. ' +
              `The loop as a whole is not held up more than the control's: its delay at this rate is max ${g.added_max_ms >= 0 ? '+' : ''}${g.added_max_ms} ms over the control. ` +
              'Closing it: allocate less per record (fewer intermediate objects in the detail sanitiser and the console line)',
          }),
    },
    {
      benchmark: `/metrics render, ${m.components} components + ${m.tasks} tasks: p99`,
      target: '< 5 ms',
      measured: `${m.render_ms.p99.toFixed(2)} ms (p50 ${m.render_ms.p50.toFixed(2)}, max ${m.render_ms.max.toFixed(2)})`,
      met: m.render_ms.p99 < 5,
      ...(m.render_ms.p99 < 5
        ? {}
        : {
            note: `p50 is ${m.render_ms.p50.toFixed(2)} ms; the tail is GC and scheduling on a shared machine (renders allocate ~${Math.round(m.exposition_bytes / 1024)} KiB of text each)`,
          }),
    },
    {
      benchmark: 'Soak: retained heap (after GC) growth',
      target: 'no growth trend (< 5 MB/h)',
      measured: `${k.heap_mb_per_hour} MB/h heap, ${k.rss_mb_per_hour} MB/h RSS over ${k.duration_ms / 60_000} min`,
      met: k.heap_mb_per_hour < 5,
      ...(quick
        ? { note: 'a 1-minute run cannot show a trend; the full run soaks for 10 minutes' }
        : k.heap_mb_per_hour < 5
          ? {}
          : { note: soakNote(k) }),
    },
  ];
}

/** The start row: on a Node that strips types, the native start against tsx's (none elsewhere). */
function judgeProcessStart(r: ProcessStartBenchResult | undefined): Verdict[] {
  const of = (variant: string) => r?.variants.find((v) => v.variant === variant);
  const native = of('native');
  const tsx = of('tsx_hooks');
  const cold = of('tsx_hooks_cold');
  const cli = of('tsx_cli');
  if (r === undefined || native === undefined || tsx === undefined) return [];
  const figure = (v: { ready_ms: { median: number }; rss_mb: { median: number } }): string =>
    `${v.ready_ms.median} ms, ${v.rss_mb.median} MB`;
  return [
    {
      benchmark: `Process start to ready against the emulator, native vs tsx (Node ${r.node})`,
      target: 'native no slower than tsx',
      measured:
        `native ${figure(native)}; tsx in-process ${figure(tsx)}` +
        (cold === undefined ? '' : ` (cold cache ${figure(cold)})`) +
        (cli === undefined ? '' : `; tsx CLI + bot ${figure(cli)}`) +
        ` (medians of ${r.runs}; time, RSS at ready)`,
      met: native.ready_ms.median <= tsx.ready_ms.median,
      ...(native.rss_mb.median > tsx.rss_mb.median
        ? {
            note: `native RSS is ${Math.round(native.rss_mb.median - tsx.rss_mb.median)} MB above tsx's: Node's own type stripper (WebAssembly) keeps the memory it grew to strip the sources (stripping the bot’s sources in a bare Node 24 process grows its RSS by about 40 MB, kept after a GC), where tsx serves warm starts from its disk cache`,
          }
        : {}),
    },
  ];
}

function judgeCharts(c: ChartsBenchResult | undefined): Verdict[] {
  if (c === undefined) return [];
  const largest = Math.max(...c.charts.map((x) => x.png_bytes));
  const slowest = Math.max(...c.charts.map((x) => x.render_ms.p99));
  return [
    {
      benchmark: 'Charts: /resources acknowledgement p99, charts on − off',
      target: 'within 5 ms',
      measured: `${c.ack_p99_delta_ms.median} ms (p99 ${c.resources_ack_ms.on.p99} on, ${c.resources_ack_ms.off.p99} off, ${c.gap_ms} ms apart)`,
      met: c.ack_p99_delta_ms.median <= 5,
      note: `back to back: p99 ${c.back_to_back_ack_ms.on.p99} on, ${c.back_to_back_ack_ms.off.p99} off`,
    },
    {
      benchmark: 'Charts: PNG size, largest chart',
      target: '< 200 KB',
      measured: `${(largest / 1024).toFixed(1)} KB`,
      met: largest < 200 * 1024,
    },
    {
      benchmark: 'Charts: render p99 in the worker, slowest chart',
      target: 'well inside the 2 s budget (OBS_CHART_TIMEOUT_MS)',
      measured: `${slowest} ms`,
      met: slowest < 500,
    },
  ];
}

/** The sharded fleet's rows: its start against the identify bound, the merge, the acks, the heal. */
function judgeFleet(f: FleetBenchResult | undefined): Verdict[] {
  if (f === undefined) return [];
  const run = (shards: number, mc = 16) =>
    f.starts.find((s) => s.shards === shards && s.max_concurrency === mc);
  const over = (shards: number, mc = 16): number => {
    const r = run(shards, mc);
    return r === undefined ? Number.NaN : r.ready_ms.median - r.bound_ms.median;
  };
  const seconds = (ms: number | undefined): string => `${((ms ?? Number.NaN) / 1000).toFixed(1)} s`;
  const serial = run(4, 1);
  const merge = f.metrics_merge_ms;
  const overs = [over(4), over(8), ...(serial === undefined ? [] : [over(4, 1)])];
  return [
    {
      benchmark: 'Fleet start vs the identify bound (4 and 8 shards in one round; 4 in four rounds)',
      target:
        'within 0.5 s of the bound: the manager’s own start + each round’s slowest shard (≥ 5.5 s a round)',
      measured:
        `4 shards ${seconds(run(4)?.ready_ms.median)} (bound ${seconds(run(4)?.bound_ms.median)}), ` +
        `8 shards ${seconds(run(8)?.ready_ms.median)} (bound ${seconds(run(8)?.bound_ms.median)})` +
        (serial === undefined
          ? ''
          : `, 4 shards at max_concurrency 1 ${seconds(serial.ready_ms.median)} (bound ${seconds(serial.bound_ms.median)})`) +
        `; one process ${seconds(run(1)?.ready_ms.median)}`,
      met: overs.every((o) => o <= 500),
      note: `medians of ${f.runs}, spawn to /healthz ready (polled every 100 ms). One round costs one shard’s start, but on 2 cores N processes loading discord.js at once each start slower than one alone (slowest shard of 8: ${seconds(run(8)?.slowest_shard_ms.median)}): that gap to one process is CPU, not identify waits`,
    },
    {
      benchmark: `/metrics merge and render, ${merge.shards} shards’ reports + the manager: p99`,
      target: '< 20 ms',
      measured: `${merge.p99.toFixed(2)} ms (p50 ${merge.p50.toFixed(2)}, max ${merge.max.toFixed(2)}; ${merge.exposition_kib} KiB)`,
      met: merge.p99 < 20,
    },
    {
      benchmark: '/health ack across a fleet of 4 (IPC fleet view): p99',
      target: '< 100 ms (well inside Discord’s 3 s)',
      measured: `p99 ${f.health_ack_ms.fleet.p99} ms (p50 ${f.health_ack_ms.fleet.p50}, n=${f.health_ack_ms.fleet.n}); one process p99 ${f.health_ack_ms.single_process.p99} ms (p50 ${f.health_ack_ms.single_process.p50})`,
      met: f.health_ack_ms.fleet.p99 < 100,
    },
    {
      benchmark: 'SIGKILLed shard to its replacement ready',
      target: 'measured (backoff 1 s ± 20 % included)',
      measured: `${(f.kill_to_ready_ms.median / 1000).toFixed(1)} s median (${(f.kill_to_ready_ms.min / 1000).toFixed(1)}–${(f.kill_to_ready_ms.max / 1000).toFixed(1)} s), of which backoff ${(f.respawn_backoff_ms.median / 1000).toFixed(1)} s`,
      met: true,
    },
  ];
}

function render(): string {
  const p = (x: { p50: number; p99: number; max: number }): string => `${x.p50} / ${x.p99} / ${x.max}`;
  const mmm = (x: { min: number; median: number; max: number }): string =>
    `${x.min} / ${x.median} / ${x.max}`;
  return `${[
    `# Benchmark results (${quick ? '`npm run bench -- --quick`: short smoke run, figures indicative only' : '`npm run bench`'})`,
    '',
    `Measured ${machine.started_at} on ${machine.cpu}, ${machine.cores} cores, ${machine.memory_gb} GB, ` +
      `Node ${machine.node} (${machine.platform}). Load average at start ${machine.load_average_at_start.join(' / ')}, ` +
      `at end ${loadAtEnd.join(' / ')} (1 / 5 / 15 min): the machine was shared, so ratios are taken from runs ` +
      `interleaved in this one session. Total ${totalS} s.`,
    '',
    '## Targets',
    '',
    headlineTable(verdicts),
    '',
    '## 1. Startup: sequential vs parallel',
    '',
    'Method: the startup orchestrator (src/core/startup) runs a synthetic bot ' +
      '(11 components whose start is a real timer of the declared length), alternating sequential and ' +
      'parallel mode. The critical-path bound is the longest dependency chain of declared durations: no ' +
      'parallel start can beat it, so parallel minus the bound is the orchestrator’s own cost (scheduling, ' +
      'timers, health bookkeeping). Figures are min / median / max.',
    '',
    formatStartupBench(startup),
    '',
    '## 2. Monitoring overhead',
    '',
    `Method: the real bot (src/bot.ts startBot) runs in a child process; the Discord emulator runs in the parent ` +
      `and sends ${overhead.per_second} slash commands per second (the five read-only ops commands in turn, as an admin). ` +
      `Each run: start, ${PLAN.overhead.warmupMs / 1000} s warm-up at the same rate, then a ${overhead.window_ms / 1000} s window. CPU is the child's ` +
      'own process.cpuUsage() (user + system) over the window divided by the window (so it includes answering ' +
      'the commands, identical in both modes); RSS is the mean of one sample per second. Runs are interleaved ' +
      `off, on, off, on… (${overhead.pairs} pair(s)); deltas and ratios are per pair. ` +
      '**Off**: OBS_ENABLE_HEALTHCHECKS, OBS_ENABLE_RESOURCE_METRICS and OBS_ENABLE_PROMETHEUS false, LOG_LEVEL=critical (both sinks exist, nothing at that level is written; the bot reports logging ' +
      'degraded without a console sink, so it stays). **On**: health checks every 5 s, RESOURCE_SAMPLE_INTERVAL_MS=1000, Prometheus on with ' +
      'a real HTTP GET /metrics from the parent every second, LOG_LEVEL=info to both sinks; the console sink ' +
      'writes to the child’s stdout in both modes, a pipe the parent drains and discards.',
    '',
    table(
      ['run', 'mode', 'CPU, % of a core', 'mean RSS, MB', 'commands', 'failed', 'scrapes'],
      overhead.runs.map((r, i) => [
        i + 1,
        r.mode,
        r.cpu_percent_of_core,
        r.rss_mb,
        r.commands_sent,
        r.commands_failed,
        r.scrapes,
      ]),
    ),
    '',
    table(
      ['figure (min / median / max over pairs)', 'value'],
      [
        ['CPU off, % of a core', mmm(overhead.off_cpu_percent)],
        ['CPU on, % of a core', mmm(overhead.on_cpu_percent)],
        ['CPU on − off, % of a core', mmm(overhead.cpu_delta_percent_of_core)],
        ['CPU on / off', mmm(overhead.cpu_ratio)],
        ['RSS on − off, MB', mmm(overhead.rss_delta_mb)],
        ['RSS on / off', mmm(overhead.rss_ratio)],
      ],
    ),
    '',
    '## 3. Interaction latency',
    '',
    'Method: from the emulator dispatching INTERACTION_CREATE on the gateway to the bot’s first interaction ' +
      'callback arriving at the emulator’s REST API (the emulator’s ackMs, Date.now(): 1 ms resolution). The ' +
      'emulator runs in the bench process and the bot in a child process, with its default monitoring plus ' +
      'Prometheus, both sinks at info (console drained through a pipe). After one warm-up call of each ' +
      `command: ${PLAN.latency.sequential} calls of each one at a time (the next sent when the previous is ` +
      `answered), then ${PLAN.latency.bursts} burst(s) of ${latency.burst_size} sent at once. p50 / p99 / max in ms.`,
    '',
    table(
      ['command', 'one at a time', `${latency.burst_size} at once`, 'failed'],
      [
        ...latency.commands.map((c) => [c.command, p(c.sequential_ms), p(c.concurrent_ms), c.failed]),
        ['all', p(latency.all_sequential_ms), p(latency.all_concurrent_ms), ''],
      ],
    ),
    '',
    ...(measured.scrape_flood === undefined ? [] : scrapeFloodSection(measured.scrape_flood)),
    '## 4. Logging',
    '',
    `Method: in the bench process. Throughput: ${logging.records} info records with a small detail object, ` +
      'yielding to the event loop every 1000, timed from the first record until everything is written and the ' +
      'file closed. Ours: createLogging (src/core/logging) with both sinks, the console sink to a /dev/null ' +
      'write stream and the JSON file in a temp folder (rotation out of reach). Pino: pino(pino.destination({dest, ' +
      `sync: false})) writing only the JSON file. ${logging.pairs} interleaved pairs after a warm-up; ratio per pair. ` +
      `Loop delay: monitorEventLoopDelay (1 ms resolution) during ${PLAN.logging.pacedRuns} run(s) of ${PLAN.logging.pacedMs / 1000} s ` +
      'logging at our measured rate in chunks of at most 10 records per loop turn, against the same paced loop ' +
      'calling a control of like cost instead (serialise a record, parse it, format a line: no sink), whose slow ' +
      'calls show what the machine (preemption, GC) does to any call.',
    '',
    table(
      ['figure', 'min / median / max'],
      [
        ['ours, both sinks, records/s', mmm(logging.ours_per_s)],
        ['pino, file only, records/s', mmm(logging.pino_file_only_per_s)],
        ['ours / pino', mmm(logging.ratio)],
      ],
    ),
    '',
    table(
      [
        'paced run',
        'records/s',
        'loop delay p99, ms',
        'loop delay max, ms',
        'longest log call, ms',
        'longest call no GC overlapped, ms',
        'calls > 1 ms without GC',
        'GCs (longest, ms)',
      ],
      [
        [
          'control call, no logging (baseline)',
          logging.baseline_delay.rate,
          logging.baseline_delay.p99_ms,
          logging.baseline_delay.max_ms,
          logging.baseline_delay.longest_call_ms,
          logging.baseline_delay.longest_call_without_gc_ms,
          logging.baseline_delay.slow_calls_without_gc,
          `${logging.baseline_delay.gcs} (${logging.baseline_delay.longest_gc_ms})`,
        ],
        ...logging.logging_delay.map((d, i) => [
          `both sinks, run ${i + 1}`,
          d.rate,
          d.p99_ms,
          d.max_ms,
          d.longest_call_ms,
          d.longest_call_without_gc_ms,
          d.slow_calls_without_gc,
          `${d.gcs} (${d.longest_gc_ms})`,
        ]),
      ],
    ),
    '',
    'The paced runs aim at the measured throughput, so the loop is close to saturated: their loop delay ' +
      'includes every record’s own cost and every GC. A call’s time is wall time (performance.now around ' +
      'log.info); GCs come from a PerformanceObserver.',
    '',
    '## 5. Metrics',
    '',
    `Method: benchMetrics (bench/metrics-bench.ts) in the bench process: a prom-client registry fed by ` +
      `${metrics.components} components and ${metrics.tasks} tasks, ${metrics.renders} timed renders of the ` +
      'exposition after 20 warm-up renders (what GET /metrics returns, without the HTTP hop); hot-path calls ' +
      'timed in a tight loop with metrics off (no-op) and on.',
    '',
    formatMetricsBench(metrics),
    '',
    '## 6. Soak',
    '',
    `Method: the real bot in a child process with everything on (as in §2), ${soak.per_second} commands per second ` +
      'and a Prometheus scrape every second for ' +
      `${soak.duration_ms / 60_000} min; an alert is raised and cleared every 10 s through manager.alerts (each ` +
      'reaching the ops channel). Every 10 s the child runs a full GC (--expose-gc) and reports RSS and heap ' +
      `used. Slopes are least squares over the samples after the first ${soak.warmup_ms / 1000} s, in MB per hour.`,
    '',
    table(
      ['figure', 'value'],
      [
        ['commands sent / failed', `${soak.commands_sent} / ${soak.commands_failed}`],
        ['alerts raised / ops-channel posts', `${soak.alerts_raised} / ${soak.alert_posts}`],
        ['retained heap slope', `${soak.heap_mb_per_hour} MB/h`],
        ['RSS slope', `${soak.rss_mb_per_hour} MB/h`],
        ['first sample (t, RSS, heap)', sampleText(soak.samples[0])],
        ['last sample (t, RSS, heap)', sampleText(soak.samples.at(-1))],
      ],
    ),
    '',
    '## 7. Process start to ready',
    '',
    ...(measured.process_start === undefined
      ? ['Not measured in this run.']
      : [
          'Method: `src/main.ts` (what `npm start` runs) with its defaults, in a fresh folder, against the emulator ' +
            'in the bench process, from spawn() to the console line "Bot startup completed" (the gateway is ' +
            'connected and the commands are loaded); RSS is read from /proc at that moment and summed over the ' +
            'process and its children (the tsx CLI runs the bot as its child). The variants run in rotating order ' +
            'after one unmeasured start; tsx keeps its transforms in a disk cache, warm after that first start ' +
            'except in the cold-cache variant, which gives each start an empty temp folder. ' +
            `Measured ${measured.process_start.measured_at}, load average then ` +
            `${measured.process_start.load_average.join(' / ')}.`,
          '',
          formatProcessStartBench(measured.process_start),
        ]),
    '## 8. Charts',
    '',
    'Method: benchCharts (bench/charts-bench.ts). Renders: a chart renderer (src/charts) in the bench process draws ' +
      'each chart from fixed data (an hour of 15 s samples; a start of nine components; a lag alert) after 5 warm-up ' +
      `renders, ${PLAN.charts.renders} times; "in the worker" is the worker's own drawing and PNG encoding, the round trip ` +
      'adds the hop from render() and back. /resources: the real bot in a child process (as in §3) with ' +
      `OBS_ENABLE_CHARTS off and on, interleaved, ${PLAN.charts.pairs} pair(s) of runs; each run, after 3.5 s of samples ` +
      `and 10 warm-up calls, sends ${PLAN.charts.commands} commands one at a time 250 ms apart (as operators send them), ` +
      'then as many back to back (the next as the previous is answered, so each acknowledgement meets the tail of the ' +
      'previous chart). With charts on the router defers at once and edits the chart in: the final answer comes later, ' +
      'the acknowledgement should not.',
    '',
    measured.charts === undefined ? 'Not measured in this run.' : formatChartsBench(measured.charts),
    '',
    ...(measured.fleet === undefined ? [] : fleetSection(measured.fleet)),
    '## Wall time per benchmark',
    '',
    table(
      ['benchmark', 'seconds'],
      Object.entries(took).map(([name, s]) => [name, s]),
    ),
    '',
    'Raw figures: results.json.',
  ].join('\n')}\n`;
}

function scrapeFloodSection(f: ScrapeFloodBenchResult): string[] {
  const p = (x: { p50: number; p99: number; max: number; n: number }): string =>
    `${x.p50} / ${x.p99} / ${x.max} (n=${x.n})`;
  return [
    '### 3b. /health under a scrape flood',
    '',
    'Method: the bot in a child process as above, with Prometheus on and OBS_HTTP_AUTH_TOKEN set. A third ' +
      `process (bench/support/scrape-flood-child.ts) sends ${f.scrapes_per_second} GET /metrics at once every second ` +
      `for ${f.flood_seconds} s, each on a fresh loopback connection with the bearer token. Meanwhile the emulator ` +
      `runs /health ${f.health_per_second} times a second on schedule and times its acknowledgement as in §3; the ` +
      'same rate with no scrapes gives the baseline. p50 / p99 / max in ms.',
    '',
    table(
      ['figure', 'value'],
      [
        ['/health ack, quiet', p(f.baseline_ack_ms)],
        ['/health ack, during the flood', p(f.flood_ack_ms)],
        ['/health failed during the flood', f.health_failed],
        [
          'scrapes sent / 200 / closed by the connection cap / timed out / other',
          `${f.scrapes.sent} / ${f.scrapes.ok} / ${f.scrapes.refused} / ${f.scrapes.timed_out} / ${f.scrapes.unauthorized + f.scrapes.other_status}`,
        ],
        ['answered scrape, wall time', p(f.scrape_ms)],
      ],
    ),
    '',
  ];
}

function fleetSection(f: FleetBenchResult): string[] {
  const mmm = (x: { min: number; median: number; max: number }): string =>
    `${x.min} / ${x.median} / ${x.max}`;
  return [
    '## 8. Sharded fleet',
    '',
    'Method: `src/main.ts` with DISCORD_SHARDS=N (the shard manager on discord.js’s ShardingManager, one process ' +
      'per shard) against the emulator in the bench process, Prometheus on, LOG_LEVEL=info; `DISCORD_SHARDS=1` is the ' +
      'single-process bot measured the same way. Start: from spawn() to the first `GET /healthz` (polled every 100 ms) ' +
      'answering `ready`, every shard ready. The emulator answers `GET /gateway/bot` with max_concurrency 16 (all ' +
      'shards in one identify round) or 1 (one round per shard, 5.5 s apart). RSS: /proc VmRSS 3 s after ready. ' +
      '/health: sequential calls alternating between the home guild (shard 1) and a second ops guild (shard 0), each ' +
      'answered with the fleet view the shard asks the manager for over IPC; acknowledgement as in §3. Heal: each ' +
      'of the 4 shards SIGKILLed once, from the kill to `/healthz` showing it ready again; the backoff is the ' +
      'manager’s own `respawn_in_ms`. /metrics: what the manager does per scrape: its own registry as JSON, merged ' +
      `with ${f.metrics_merge_ms.shards} shards’ prom-client JSON into one family per name, each shard’s series labelled, and rendered, timed in ` +
      `the bench process after 20 warm-up renders. Measured ${f.measured_at} on Node ${f.node}, load average ` +
      `${f.load_average.join(' / ')}.`,
    '',
    table(
      [
        'configuration',
        'identify rounds',
        'start to ready, ms',
        'manager’s own part, ms',
        'slowest shard’s start, ms',
        'bound, ms',
      ],
      f.starts.map((s) => [
        s.shards === 1
          ? 'one process (DISCORD_SHARDS=1)'
          : `${s.shards} shards, max_concurrency ${s.max_concurrency}`,
        s.identify_rounds,
        mmm(s.ready_ms),
        s.shards === 1 ? '–' : mmm(s.manager_ms),
        s.shards === 1 ? '–' : mmm(s.slowest_shard_ms),
        s.shards === 1 ? '–' : mmm(s.bound_ms),
      ]),
    ),
    '',
    'Each cell is min / median / max. The bound is what identify concurrency allows this start: the manager’s own ' +
      'part (its process start and `GET /gateway/bot`, up to its `shard_plan` record), then for each identify round ' +
      'its slowest shard’s spawn-to-ready (from the manager’s `shard_ready` records), at least 5.5 s for every round ' +
      'but the last.',
    '',
    table(
      ['figure', 'value'],
      [
        ['RSS, one process', `${f.rss_mb.single_process} MB`],
        ['RSS of a shard, fleet of 4 (min / median / max)', `${mmm(f.rss_mb.shard_of_4)} MB`],
        ['RSS of the manager, fleet of 4', `${f.rss_mb.manager_of_4} MB`],
        ['RSS of a shard, fleet of 8 (min / median / max)', `${mmm(f.rss_mb.shard_of_8)} MB`],
        ['RSS of the manager, fleet of 8', `${f.rss_mb.manager_of_8} MB`],
        [
          '/health ack, fleet of 4 (p50 / p99 / max)',
          `${f.health_ack_ms.fleet.p50} / ${f.health_ack_ms.fleet.p99} / ${f.health_ack_ms.fleet.max} ms (n=${f.health_ack_ms.fleet.n})`,
        ],
        [
          '/health ack, one process (p50 / p99 / max)',
          `${f.health_ack_ms.single_process.p50} / ${f.health_ack_ms.single_process.p99} / ${f.health_ack_ms.single_process.max} ms (n=${f.health_ack_ms.single_process.n})`,
        ],
        [
          `/metrics merge + render, ${f.metrics_merge_ms.shards} shards (p50 / p99 / max)`,
          `${f.metrics_merge_ms.p50} / ${f.metrics_merge_ms.p99} / ${f.metrics_merge_ms.max} ms (n=${f.metrics_merge_ms.n}, ${f.metrics_merge_ms.exposition_kib} KiB)`,
        ],
        ['SIGKILL to replacement ready (min / median / max)', `${mmm(f.kill_to_ready_ms)} ms`],
        ['of which the respawn backoff', `${mmm(f.respawn_backoff_ms)} ms`],
      ],
    ),
    '',
  ];
}

/** Why a soak slope is not yet a leak: the slope of each half after the warm-up, and what is still filling. */
function soakNote(k: SoakBenchResult): string {
  const kept = k.samples.filter((x) => x.t_s * 1000 > k.warmup_ms);
  const half = Math.floor(kept.length / 2);
  const perHour = (xs: typeof kept): string =>
    (slope(xs.map((x) => ({ x: x.t_s / 3600, y: x.heap_mb }))) || 0).toFixed(1);
  return (
    `the growth slows: ${perHour(kept.slice(0, half))} MB/h over the first half after the warm-up, ` +
    `${perHour(kept.slice(half))} MB/h over the second (${((kept.at(-1)?.heap_mb ?? 0) - (kept[0]?.heap_mb ?? 0)).toFixed(2)} MB in all). ` +
    'Part is by design: the resource history keeps an hour of samples (about 370 B each, 3600 at the 1 s interval used here) and is still filling. ' +
    'Each source measured alone in the bot process levels off: 3 rounds of 1000 commands grew the heap by +0.9, +0.2 and −0.05 MB; alert raise/clear cycles and 20 scrapes a second flatten within a minute. ' +
    'The rest looks like warm-up (compiled code, caches); a soak longer than the history would settle it'
  );
}

function sampleText(s: { t_s: number; rss_mb: number; heap_mb: number } | undefined): string {
  return s === undefined ? '–' : `${s.t_s} s, ${s.rss_mb} MB, ${s.heap_mb} MB`;
}
