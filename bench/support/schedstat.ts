import { closeSync, openSync, readSync } from 'node:fs';

/**
 * This thread's time on a CPU and time runnable but waiting for one (ns), from
 * /proc/thread-self/schedstat: what tells a slow call's own time from the machine
 * preempting the process. Undefined where the file is missing (not Linux).
 */
export function threadSchedstat(): { read(): { run: number; wait: number }; close(): void } | undefined {
  try {
    const fd = openSync('/proc/thread-self/schedstat', 'r');
    const buffer = Buffer.alloc(128);
    return {
      read() {
        const n = readSync(fd, buffer, 0, buffer.length, 0);
        const [run, wait] = buffer.toString('latin1', 0, n).split(' ');
        return { run: Number(run), wait: Number(wait) };
      },
      close: () => closeSync(fd),
    };
  } catch {
    return undefined;
  }
}
