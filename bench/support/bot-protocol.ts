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
      /** Each V8 heap space's resident size, bytes. */
      readonly spaces?: Readonly<Record<string, number>>;
      /** process.hrtime() in µs when the sample was taken: the clock a --cpu-prof profile's timestamps use. */
      readonly hrtime_us: number;
      /** A full GC ran just before (the child runs with --expose-gc). */
      readonly gc: boolean;
    };

/** The main thread's voluntary context switches, from /proc/self/task/<pid>/status (Linux only). */
function mainThreadWakeups(): number | undefined {
  try {
    const status = readFileSync(`/proc/self/task/${process.pid}/status`, 'utf8');
    const match = /^voluntary_ctxt_switches:\s+(\d+)/m.exec(status);
    return match?.[1] === undefined ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

/** The child's answer to a sample request: its memory and CPU now, after a full GC when asked (and exposed). */
export function sampleReply(id: number, gcRequested: boolean): ChildReply {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gcRequested) gc?.();
  const mem = process.memoryUsage();
  const cpu = process.cpuUsage();
  const wakeups = mainThreadWakeups();
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
    hrtime_us: Number(process.hrtime.bigint() / 1000n),
    gc: gcRequested && gc !== undefined,
  };
}
