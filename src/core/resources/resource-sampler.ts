import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Clock } from '../clock.ts';
import { createEventLoopLagProbe, sharedEventLoopWindow } from './event-loop-lag.ts';
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
  /** Releases what the readers hold (the event-loop probe's timer). */
  close?(): void;
}

export interface ResourceSamplerOptions {
  readonly clock: Clock;
  /** Replaces some or all of the real readers. */
  readonly readers?: Partial<ResourceReaders>;
  /**
   * How often the event-loop probe's timer is due, in ms: a stall reads short by at most
   * this much, and each tick wakes an idle process once.
   * @default 100
   */
  readonly eventLoopResolutionMs?: number;
}

export interface ResourceSampler {
  /** Reads every figure; a figure that cannot be read is null, never an exception. */
  sample(): Promise<ResourceSample>;
  /** Wall time the last `sample()` took, in ms (undefined before the first). */
  readonly lastSampleCostMs: number | undefined;
  /** Stops the event-loop probe's timer. */
  close(): void;
}

const DEFAULTS = { eventLoopResolutionMs: 100 } as const satisfies Required<
  Pick<ResourceSamplerOptions, 'eventLoopResolutionMs'>
>;

// The /proc files are read synchronously: they live in memory, and one synchronous read
// costs a tenth of the thread-pool round trips of an asynchronous one.
async function readOpenFiles(): Promise<number | null> {
  try {
    // Listing the folder holds one descriptor open on it while it runs.
    return Math.max(0, readdirSync('/proc/self/fd').length - 1);
  } catch {
    return null;
  }
}

async function readThreads(): Promise<number | null> {
  try {
    const match = /^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'latin1'));
    return match?.[1] === undefined ? null : Number(match[1]);
  } catch {
    return null;
  }
}

/**
 * CPU of this process over the window since the previous call (the first window starts
 * when the reader is made), from process.cpuUsage(): the kernel's own counters for every
 * thread, in microseconds, on every platform, with no file read and no `ps` spawned.
 */
function createCpuReader(): () => Promise<number | null> {
  let lastUsage = process.cpuUsage();
  let lastAt = performance.now();
  return async () => {
    const at = performance.now();
    const usage = process.cpuUsage();
    const elapsedMs = at - lastAt;
    const busyMs = (usage.user - lastUsage.user + usage.system - lastUsage.system) / 1000;
    lastUsage = usage;
    lastAt = at;
    return elapsedMs >= 1 ? (busyMs / elapsedMs) * 100 : null;
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
  // At the default resolution the sampler reads its own window of the thread's shared probe,
  // whose timer the metrics' event-loop gauges read as well.
  const lagProbe =
    given.eventLoopLag !== undefined
      ? undefined
      : resolution === DEFAULTS.eventLoopResolutionMs
        ? sharedEventLoopWindow()
        : createEventLoopLagProbe({ intervalMs: resolution });
  const readers: ResourceReaders = {
    memoryUsage: given.memoryUsage ?? (() => process.memoryUsage()),
    cpuPercent: given.cpuPercent ?? createCpuReader(),
    openFiles: given.openFiles ?? readOpenFiles,
    threads: given.threads ?? readThreads,
    eventLoopLag: given.eventLoopLag ?? (lagProbe as NonNullable<typeof lagProbe>).read,
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
      lagProbe?.close();
      given.close?.();
    },
  };
}
