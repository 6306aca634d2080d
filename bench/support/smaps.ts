// Where a process's resident memory lives, from /proc/<pid>/smaps (Linux): what glibc's malloc
// holds in the arenas of threads other than the main one, apart from the rest.
import { readFileSync } from 'node:fs';

/** Resident memory by kind, MB. */
export interface ResidentSplit {
  readonly total_mb: number;
  /**
   * The arenas glibc gives other threads (V8's collector and compiler workers, libuv's pool):
   * each a 64 MB-aligned reservation, read and write at its start, the rest `---p`. Memory
   * freed there stays resident until the arena's top is free.
   */
  readonly malloc_thread_arenas_mb: number;
}

interface Mapping {
  readonly start: bigint;
  readonly end: bigint;
  readonly perms: string;
  readonly name: string;
  rssKb: number;
}

const ARENA_BYTES = 64n * 1024n * 1024n;
const KB_PER_MB = 1024;

/** Splits an smaps text; pure. */
export function splitResident(smaps: string): ResidentSplit {
  const maps: Mapping[] = [];
  let current: Mapping | undefined;
  for (const line of smaps.split('\n')) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header !== null) {
      current = {
        start: BigInt(`0x${header[1]}`),
        end: BigInt(`0x${header[2]}`),
        perms: header[3] ?? '',
        name: header[4] ?? '',
        rssKb: 0,
      };
      maps.push(current);
    } else if (current !== undefined && line.startsWith('Rss:')) {
      current.rssKb = Number(line.split(/\s+/)[1] ?? 0);
    }
  }
  let totalKb = 0;
  let arenasKb = 0;
  maps.forEach((m, i) => {
    totalKb += m.rssKb;
    if (m.name !== '' || !m.perms.startsWith('rw') || m.start % ARENA_BYTES !== 0n) return;
    const next = maps[i + 1];
    const whole =
      m.end - m.start === ARENA_BYTES ||
      (next !== undefined &&
        next.name === '' &&
        next.perms.startsWith('---') &&
        next.start === m.end &&
        next.end - m.start === ARENA_BYTES);
    if (whole) arenasKb += m.rssKb;
  });
  const mb = (kb: number): number => Math.round((kb / KB_PER_MB) * 100) / 100;
  return { total_mb: mb(totalKb), malloc_thread_arenas_mb: mb(arenasKb) };
}

/** The split of a running process, or undefined where /proc/<pid>/smaps cannot be read. */
export function residentSplit(pid: number): ResidentSplit | undefined {
  try {
    return splitResident(readFileSync(`/proc/${pid}/smaps`, 'utf8'));
  } catch {
    return undefined;
  }
}
