import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import pino from 'pino';
import { createLogging } from '../src/core/index.ts';
import { threadSchedstat } from './support/schedstat.ts';
import { type Stats, stats } from './support/stats.ts';

export interface LoggingBenchOptions {
  /** Records per throughput run. */
  readonly records: number;
  /** Interleaved pino / ours pairs. */
  readonly pairs: number;
  /** Length of each paced run that measures event-loop delay, ms. */
  readonly pacedMs: number;
  /** Paced runs with logging (preemption on a shared machine lands in one run, a real stall in all). */
  readonly pacedRuns: number;
}

export interface LoopDelay {
  /** Records per second actually logged during the paced run. */
  readonly rate: number;
  readonly p99_ms: number;
  readonly max_ms: number;
  /** Longest single `log.info()` call, ms. */
  readonly longest_call_ms: number;
  /** Longest call that no garbage collection overlapped: the sinks' own blocking, ms. */
  readonly longest_call_without_gc_ms: number;
  /** Garbage collections during the run and the longest, ms. */
  readonly gcs: number;
  readonly longest_gc_ms: number;
  /** Calls over 1 ms that no garbage collection overlapped. */
  readonly slow_calls_without_gc: number;
  /**
   * The longest call no GC overlapped, less the time its thread spent waiting for a CPU
   * (runnable but not running, from /proc/thread-self/schedstat read around each loop turn):
   * the call's own time, with the machine's preemption taken out, ms. Absent where
   * schedstat is missing.
   */
  readonly longest_call_own_ms?: number;
  /** Time the thread waited for a CPU during that call's turn, ms. */
  readonly longest_call_waited_ms?: number;
  /** Calls whose own time (no GC, preemption taken out) was over 1 ms. */
  readonly slow_calls_own?: number;
}

export interface LoggingBenchResult {
  readonly records: number;
  readonly pairs: number;
  /** Records per second, from the first record to everything written and the file closed. */
  readonly ours_per_s: Stats;
  readonly pino_file_only_per_s: Stats;
  /** Per pair: ours / pino. */
  readonly ratio: Stats;
  /** The same paced loop with a control call of like cost instead of logging (the machine's own noise), and with both sinks. */
  readonly baseline_delay: LoopDelay;
  readonly logging_delay: readonly LoopDelay[];
  /** Median over the paced runs of the longest call no GC overlapped, ms. */
  readonly longest_call_without_gc_ms: Stats;
  /** Median logging run's max − baseline max, ms: the most logging added to a wait. */
  readonly added_max_ms: number;
  readonly added_p99_ms: number;
  /** Heap allocated by one log call with both sinks, bytes (median over batches no GC cut short). */
  readonly allocated_bytes_per_record?: number;
}

const BATCH = 1_000;

function ours(dir: string): { info: (i: number) => void; done: () => Promise<void> } {
  const logging = createLogging({
    level: 'info',
    file: join(dir, 'ours.jsonl'),
    console: createWriteStream('/dev/null'),
    color: false,
    // Rotation would add file renames mid-run; pino has none to compare with.
    rotation: { maxBytes: 1024 ** 3, keep: 1 },
  });
  const log = logging.logger.child({ name: 'bench', subsys: 'bench' });
  return {
    info: (i) => log.info('bench_record', 'Benchmark record', { i, command: 'health', ok: true }),
    done: async () => {
      await logging.flush();
      await logging.close();
    },
  };
}

function pinoFileOnly(dir: string): { info: (i: number) => void; done: () => Promise<void> } {
  const dest = pino.destination({ dest: join(dir, 'pino.jsonl'), sync: false });
  const log = pino(dest).child({ name: 'bench', subsys: 'bench' });
  return {
    info: (i) => log.info({ event: 'bench_record', i, command: 'health', ok: true }, 'Benchmark record'),
    done: () =>
      new Promise<void>((resolve) => {
        dest.once('close', () => resolve());
        dest.end();
      }),
  };
}

async function throughput(make: (dir: string) => ReturnType<typeof ours>, records: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-log-'));
  try {
    const sink = make(dir);
    const began = performance.now();
    for (let i = 0; i < records; i += 1) {
      sink.info(i);
      // Yield now and then, as a bot does between events, so asynchronous writes can proceed.
      if (i % BATCH === BATCH - 1) await yieldToLoop();
    }
    await sink.done();
    return records / ((performance.now() - began) / 1000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let sink = '';
/**
 * The baseline's stand-in for a log call, of like cost and timed the same way:
 * serialise a record, parse it back and format a line. Its slow calls are what the
 * machine itself (preemption, GC) does to a call, with no sink involved.
 */
function control(i: number): void {
  const line = JSON.stringify({
    level: 30,
    time: Date.now(),
    event: 'bench_record',
    i,
    command: 'health',
    ok: true,
  });
  const record = JSON.parse(line) as { event: string; i: number };
  sink = `${new Date().toISOString()} INFO ${record.event} i=${record.i}\n`;
  if (sink.length === 0) throw new Error('unreachable');
}

/** Logs at `rate` per second in small chunks per loop turn and records the loop's delay. */
async function paced(rate: number, ms: number, log: (i: number) => void): Promise<LoopDelay> {
  const gcs: { start: number; end: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push({ start: e.startTime, end: e.startTime + e.duration });
  });
  observer.observe({ entryTypes: ['gc'] });
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const slow: { start: number; end: number; waitedMs: number }[] = [];
  const sched = threadSchedstat();
  const began = performance.now();
  let done = 0;
  while (performance.now() - began < ms) {
    const due = Math.floor(((performance.now() - began) / 1000) * rate);
    const before = sched?.read();
    const slowBefore = slow.length;
    for (let n = 0; done < due && n < 10; n += 1) {
      const start = performance.now();
      log(done);
      const end = performance.now();
      if (end - start > 0.2) slow.push({ start, end, waitedMs: 0 });
      done += 1;
    }
    if (sched !== undefined && before !== undefined && slow.length > slowBefore) {
      // Time the thread was runnable but not running during this turn: the machine's, not the call's.
      const waitedMs = (sched.read().wait - before.wait) / 1e6;
      for (let i = slowBefore; i < slow.length; i += 1) {
        const call = slow[i];
        if (call !== undefined) call.waitedMs = waitedMs;
      }
    }
    await yieldToLoop();
  }
  sched?.close();
  histogram.disable();
  // GC entries are delivered asynchronously; one more turn lets the last ones arrive.
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  const elapsed = (performance.now() - began) / 1000;
  const toMs = (ns: number): number => Math.round((ns / 1e6) * 1000) / 1000;
  const r3 = (n: number): number => Math.round(n * 1000) / 1000;
  const longest = (calls: readonly { start: number; end: number }[]): number =>
    calls.reduce((m, c) => Math.max(m, c.end - c.start), 0);
  const withoutGc = slow.filter((c) => !gcs.some((g) => g.start < c.end && g.end > c.start));
  const own = (c: { start: number; end: number; waitedMs: number }): number =>
    Math.max(0, c.end - c.start - c.waitedMs);
  const longestOwn = withoutGc.reduce<(typeof slow)[number] | undefined>(
    (m, c) => (m === undefined || own(c) > own(m) ? c : m),
    undefined,
  );
  return {
    ...(sched === undefined
      ? {}
      : {
          longest_call_own_ms: r3(longestOwn === undefined ? 0 : own(longestOwn)),
          longest_call_waited_ms: r3(longestOwn?.waitedMs ?? 0),
          slow_calls_own: withoutGc.filter((c) => own(c) > 1).length,
        }),
    rate: Math.round(done / elapsed),
    p99_ms: toMs(histogram.percentile(99)),
    max_ms: toMs(histogram.max),
    longest_call_ms: r3(longest(slow)),
    longest_call_without_gc_ms: r3(longest(withoutGc)),
    slow_calls_without_gc: withoutGc.filter((c) => c.end - c.start > 1).length,
    gcs: gcs.length,
    longest_gc_ms: r3(gcs.reduce((m, g) => Math.max(m, g.end - g.start), 0)),
  };
}

/**
 * Bytes one log call leaves on the heap: heap growth over a batch of 1000 calls with no
 * turn of the loop in between; batches a GC ran in show less growth (or a drop), so the
 * median over many batches is taken.
 */
async function allocationPerRecord(batches = 60): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-log-'));
  try {
    const sink = ours(dir);
    for (let i = 0; i < 5_000; i += 1) sink.info(i);
    const perRecord: number[] = [];
    for (let b = 0; b < batches; b += 1) {
      const before = process.memoryUsage().heapUsed;
      for (let i = 0; i < 1_000; i += 1) sink.info(i);
      const grown = process.memoryUsage().heapUsed - before;
      if (grown > 0) perRecord.push(grown / 1_000);
    }
    await sink.done();
    return Math.round(stats(perRecord, 0).median);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Our dual-sink logging vs pino alone writing the JSON file, and the loop delay logging adds. */
export async function benchLogging(options: LoggingBenchOptions): Promise<LoggingBenchResult> {
  // Warm-up of both, so neither pays for compiling its code inside a timed run.
  await throughput(pinoFileOnly, 20_000);
  await throughput(ours, 20_000);
  const pinoRates: number[] = [];
  const ourRates: number[] = [];
  for (let i = 0; i < options.pairs; i += 1) {
    pinoRates.push(await throughput(pinoFileOnly, options.records));
    ourRates.push(await throughput(ours, options.records));
  }
  const rate = stats(ourRates).median;

  const baseline = await paced(rate, options.pacedMs, control);
  const runs: LoopDelay[] = [];
  for (let i = 0; i < options.pacedRuns; i += 1) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-log-'));
    try {
      const sink = ours(dir);
      runs.push(await paced(rate, options.pacedMs, sink.info));
      await sink.done();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const median = (pick: (d: LoopDelay) => number): number => stats(runs.map(pick), 3).median;
  const r3 = (n: number): number => Math.round(n * 1000) / 1000;
  return {
    records: options.records,
    pairs: options.pairs,
    ours_per_s: stats(ourRates, 0),
    pino_file_only_per_s: stats(pinoRates, 0),
    ratio: stats(
      ourRates.map((o, i) => o / (pinoRates[i] ?? Number.NaN)),
      3,
    ),
    baseline_delay: baseline,
    logging_delay: runs,
    longest_call_without_gc_ms: stats(
      runs.map((d) => d.longest_call_without_gc_ms),
      3,
    ),
    added_max_ms: r3(median((d) => d.max_ms) - baseline.max_ms),
    added_p99_ms: r3(median((d) => d.p99_ms) - baseline.p99_ms),
    allocated_bytes_per_record: await allocationPerRecord(),
  };
}
