import { readdir, readFile } from 'node:fs/promises';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import pidusage from 'pidusage';
import type { Clock } from '../clock.ts';
import type { EventLoopLag, ResourceSample } from './types.ts';

/** Where the sampler reads each figure; injected so tests control the values. */
export interface ResourceReaders {
  memoryUsage(): { readonly rss: number; readonly heapUsed: number; readonly heapTotal: number };
  /** CPU of this process in percent (100 = one core), or null when it cannot be read. */
  cpuPercent(): Promise<number | null>;
  /** Open file descriptors, or null where `/proc` is missing. */
  openFiles(): Promise<number | null>;
  /** OS threads, or null where `/proc` is missing. */
  threads(): Promise<number | null>;
  /** Event-loop delay over the window since the previous call, in ms; starts a new window. */
  eventLoopLag(): EventLoopLag;
  /** A monotonic high-resolution time in ms, used only to measure the sampler's own cost. */
  monotonicMs(): number;
  /** Releases what the readers hold (the event-loop histogram). */
  close?(): void;
}

export interface ResourceSamplerOptions {
  readonly clock: Clock;
  /** Replaces some or all of the real readers. */
  readonly readers?: Partial<ResourceReaders>;
  /**
   * Resolution of the event-loop delay histogram, in ms.
   * @default 10
   */
  readonly eventLoopResolutionMs?: number;
}

export interface ResourceSampler {
  /** Reads every figure; a figure that cannot be read is null, never an exception. */
  sample(): Promise<ResourceSample>;
  /** Wall time the last `sample()` took, in ms (undefined before the first). */
  readonly lastSampleCostMs: number | undefined;
  /** Stops the event-loop histogram. */
  close(): void;
}

const DEFAULTS = { eventLoopResolutionMs: 10 } as const satisfies Required<
  Pick<ResourceSamplerOptions, 'eventLoopResolutionMs'>
>;

/** Period of the timer that catches stalls a histogram reset would lose, ms. */
const GAP_TICK_MS = 50;

async function readOpenFiles(): Promise<number | null> {
  try {
    // readdir itself holds one descriptor open on the directory while it lists it.
    return Math.max(0, (await readdir('/proc/self/fd')).length - 1);
  } catch {
    return null;
  }
}

async function readThreads(): Promise<number | null> {
  try {
    const match = /^Threads:\s+(\d+)/m.exec(await readFile('/proc/self/status', 'utf8'));
    return match?.[1] === undefined ? null : Number(match[1]);
  } catch {
    return null;
  }
}

async function readCpuPercent(): Promise<number | null> {
  try {
    const stat = await pidusage(process.pid);
    return Number.isFinite(stat.cpu) ? stat.cpu : null;
  } catch {
    return null;
  }
}

function createEventLoopLagReader(resolutionMs: number): Pick<ResourceReaders, 'eventLoopLag' | 'close'> {
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  // The histogram records the whole interval between its timer's runs, resolution included.
  const lag = (ns: number): number => (Number.isFinite(ns) ? Math.max(0, ns / 1e6 - resolutionMs) : 0);
  // reset() also forgets when the histogram's timer last ran, so a stall that ends just
  // before a read is lost from both windows. This timer's gap is never reset: a stall
  // the read came too early for lands in the next window instead.
  // It ticks coarser than the histogram (a stall is underestimated by at most one
  // tick, far below any threshold) so that it costs 20 wake-ups a second, not 100.
  const tickMs = Math.max(resolutionMs, GAP_TICK_MS);
  let lastTick = performance.now();
  let gapMax = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    gapMax = Math.max(gapMax, now - lastTick - tickMs);
    lastTick = now;
  }, tickMs);
  ticker.unref();
  return {
    eventLoopLag() {
      const out =
        histogram.count === 0
          ? { mean: 0, p99: 0, max: 0 }
          : { mean: lag(histogram.mean), p99: lag(histogram.percentile(99)), max: lag(histogram.max) };
      histogram.reset();
      const max = Math.max(out.max, gapMax);
      gapMax = 0;
      return { ...out, max };
    },
    close: () => {
      clearInterval(ticker);
      histogram.disable();
    },
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Samples memory, CPU, descriptors, threads and event-loop lag of this process. */
export function createResourceSampler(options: ResourceSamplerOptions): ResourceSampler {
  const resolution = options.eventLoopResolutionMs ?? DEFAULTS.eventLoopResolutionMs;
  if (!Number.isFinite(resolution) || resolution < 1) {
    throw new Error(`eventLoopResolutionMs must be at least 1 (got ${resolution})`);
  }
  const given = options.readers ?? {};
  const lagReader = given.eventLoopLag === undefined ? createEventLoopLagReader(resolution) : undefined;
  const readers: ResourceReaders = {
    memoryUsage: given.memoryUsage ?? (() => process.memoryUsage()),
    cpuPercent: given.cpuPercent ?? readCpuPercent,
    openFiles: given.openFiles ?? readOpenFiles,
    threads: given.threads ?? readThreads,
    eventLoopLag: given.eventLoopLag ?? (lagReader as NonNullable<typeof lagReader>).eventLoopLag,
    monotonicMs: given.monotonicMs ?? (() => performance.now()),
  };
  let lastCost: number | undefined;

  const safe = async <T>(read: () => Promise<T | null>): Promise<T | null> => {
    try {
      return await read();
    } catch {
      return null;
    }
  };

  return {
    get lastSampleCostMs() {
      return lastCost;
    },
    async sample() {
      const started = readers.monotonicMs();
      const lag = readers.eventLoopLag();
      const memory = readers.memoryUsage();
      const [cpu, openFiles, threads] = await Promise.all([
        safe(readers.cpuPercent),
        safe(readers.openFiles),
        safe(readers.threads),
      ]);
      lastCost = Math.max(0, readers.monotonicMs() - started);
      return {
        at: new Date(options.clock.now()).toISOString(),
        rss_bytes: memory.rss,
        heap_used_bytes: memory.heapUsed,
        heap_total_bytes: memory.heapTotal,
        cpu_percent: cpu === null ? null : round(cpu, 1),
        open_files: openFiles,
        threads,
        event_loop_lag_ms: { mean: round(lag.mean, 2), p99: round(lag.p99, 2), max: round(lag.max, 2) },
      };
    },
    close() {
      lagReader?.close?.();
      // pidusage keeps a per-pid history for its CPU deltas.
      if (given.cpuPercent === undefined) pidusage.clear();
      given.close?.();
    },
  };
}
