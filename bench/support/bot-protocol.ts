import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

/** Messages from the bench parent to the bot child. */
export type ChildRequest =
  | { readonly type: 'sample'; readonly id: number; readonly gc?: boolean }
  | { readonly type: 'raise'; readonly key: string }
  | { readonly type: 'clear'; readonly key: string }
  | { readonly type: 'shutdown' };

/** Messages from the bot child. */
export type ChildReply =
  | {
      readonly type: 'ready';
      readonly outcome: string;
      /** From the client sending IDENTIFY to discord.js's clientReady, ms (null if not seen). */
      readonly identify_to_ready_ms?: number | null;
    }
  | {
      readonly type: 'sample';
      readonly id: number;
      /** process.cpuUsage() user + system, µs, since the child started. */
      readonly cpu_us: number;
      readonly rss_bytes: number;
      readonly heap_used_bytes: number;
      /** V8 heap reserved, and memory held outside it (Buffers, native), bytes. */
      readonly heap_total_bytes: number;
      readonly external_bytes: number;
      /** V8's young generation, resident: it grows while a start allocates and shrinks once idle. */
      readonly new_space_bytes?: number;
      /**
       * Times the main thread has gone to sleep and been woken since the child started (its
       * voluntary context switches, from /proc; absent elsewhere): an idle process's wake-ups.
       */
      readonly wakeups?: number;
      /**
       * The main thread's own CPU time (user + system), µs, since the child started, from /proc
       * in 10 ms ticks (absent elsewhere); `cpu_us` less this is the other threads' (V8's
       * collector and compiler workers, libuv's pool).
       */
      readonly main_cpu_us?: number;
      /** Each V8 heap space's resident size, bytes. */
      readonly spaces?: Readonly<Record<string, number>>;
      /** process.hrtime() in µs when the sample was taken: the clock a --cpu-prof profile's timestamps use. */
      readonly hrtime_us: number;
      /** A full GC ran just before (the child runs with --expose-gc). */
      readonly gc: boolean;
    };

/** Linux reports a thread's CPU time in USER_HZ ticks, 100 a second on every architecture Node runs on. */
const MICROSECONDS_PER_TICK = 10_000;

/**
 * The main thread's voluntary context switches (/proc/self/task/<pid>/status) and its own CPU
 * time (…/stat); Linux only, each absent where it cannot be read.
 */
function mainThread(): { wakeups?: number; cpu_us?: number } {
  const task = `/proc/self/task/${process.pid}`;
  const out: { wakeups?: number; cpu_us?: number } = {};
  try {
    const match = /^voluntary_ctxt_switches:\s+(\d+)/m.exec(readFileSync(`${task}/status`, 'utf8'));
    if (match?.[1] !== undefined) out.wakeups = Number(match[1]);
  } catch {
    // Not Linux.
  }
  try {
    const stat = readFileSync(`${task}/stat`, 'utf8');
    // The fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    if (Number.isFinite(ticks)) out.cpu_us = ticks * MICROSECONDS_PER_TICK;
  } catch {
    // Not Linux.
  }
  return out;
}

/** The child's answer to a sample request: its memory and CPU now, after a full GC when asked (and exposed). */
export function sampleReply(id: number, gcRequested: boolean): ChildReply {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gcRequested) gc?.();
  const mem = process.memoryUsage();
  const cpu = process.cpuUsage();
  const { wakeups, cpu_us: mainCpuUs } = mainThread();
  const spaces = Object.fromEntries(
    getHeapSpaceStatistics().map((s) => [s.space_name, s.physical_space_size]),
  );
  return {
    type: 'sample',
    id,
    cpu_us: cpu.user + cpu.system,
    rss_bytes: mem.rss,
    heap_used_bytes: mem.heapUsed,
    heap_total_bytes: mem.heapTotal,
    external_bytes: mem.external,
    new_space_bytes: spaces.new_space ?? 0,
    spaces,
    ...(wakeups === undefined ? {} : { wakeups }),
    ...(mainCpuUs === undefined ? {} : { main_cpu_us: mainCpuUs }),
    hrtime_us: Number(process.hrtime.bigint() / 1000n),
    gc: gcRequested && gc !== undefined,
  };
}
