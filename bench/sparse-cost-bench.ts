import { fork } from 'node:child_process';
import { typescriptNodeArgs } from '../src/discord/index.ts';
import { type Stats, stats } from './support/stats.ts';

/**
 * What the two biggest parts of the default overhead cost at the overhead benchmark's rate,
 * each against what the same job costs without this bot's code. Every process wakes every
 * 50 ms (20 commands a second); the modes add:
 * - `ours`: a `command_invoked` record through createLogging at its defaults, both sinks
 *   (console to stdout, a pipe the parent drains; the JSON file), records written in batches
 *   of up to a second; `ours-each`: the same, each record written in its call
 *   (`LOG_FLUSH_MS=0`); `ours-file`: the JSON file only, each record in its call;
 * - `pino`: the same record through plain pino as JSON to the same file and to stdout;
 *   `pino-file`: to the file only;
 * - `stringify`: the record through JSON.stringify once, written nowhere;
 * - `metrics`: what a command adds to the metrics (prom-client: a counter and a histogram),
 *   queued in the call and counted at the next read of the registry;
 * - `timer-100ms`: a JS timer every 100 ms, what the event-loop lag probe runs;
 * - `eld-100ms`: Node's monitorEventLoopDelay at the same resolution (its timer is C++);
 * - `idle`: nothing, the baseline of all the others.
 */
export const SPARSE_MODES = [
  'idle',
  'ours',
  'ours-each',
  'pino',
  'ours-file',
  'pino-file',
  'stringify',
  'metrics',
  'timer-100ms',
  'eld-100ms',
] as const;
export type SparseMode = (typeof SPARSE_MODES)[number];

export interface SparseCostOptions {
  /** Rounds; each runs every mode side by side, one process each, in a start order that rotates. */
  readonly rounds: number;
  readonly warmupMs: number;
  readonly windowMs: number;
}

export interface SparseCostRow {
  readonly mode: Exclude<SparseMode, 'idle'>;
  /** Per round: the mode's CPU minus idle's, % of one core. */
  readonly cpu_over_idle_percent: Stats;
  /** The same per record (logging modes: 20 a second) or per tick (timers: 10 a second), µs. */
  readonly us_per_event: Stats;
}

export interface SparseCostResult {
  readonly rounds: number;
  readonly window_ms: number;
  readonly idle_cpu_percent: Stats;
  readonly rows: readonly SparseCostRow[];
}

const CHILD = new URL('./support/sparse-cost-child.ts', import.meta.url).pathname;

interface ChildResult {
  readonly mode: SparseMode;
  readonly cpu_us: number;
  readonly window_ms: number;
}

function runChild(mode: SparseMode, options: SparseCostOptions): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [mode, String(options.warmupMs), String(options.windowMs)], {
      execArgv: [...typescriptNodeArgs],
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    // The console sink's pipe is drained and discarded, as a log shipper would read it.
    child.stdout?.resume();
    let result: ChildResult | undefined;
    child.on('message', (message: ChildResult) => {
      result = message;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (result !== undefined) resolve(result);
      else reject(new Error(`sparse-cost child ${mode} exited ${code} without a result`));
    });
  });
}

/** Events per second each mode adds its cost to. */
const EVENTS_PER_S: Record<Exclude<SparseMode, 'idle'>, number> = {
  ours: 20,
  'ours-each': 20,
  pino: 20,
  'ours-file': 20,
  'pino-file': 20,
  stringify: 20,
  metrics: 20,
  'timer-100ms': 10,
  'eld-100ms': 10,
};

export async function benchSparseCost(options: SparseCostOptions): Promise<SparseCostResult> {
  const percent = new Map<SparseMode, number[]>(SPARSE_MODES.map((m) => [m, []]));
  const over = new Map<SparseMode, number[]>(SPARSE_MODES.map((m) => [m, []]));
  for (let round = 0; round < options.rounds; round += 1) {
    const order = SPARSE_MODES.map((_, i) => SPARSE_MODES[(i + round) % SPARSE_MODES.length] as SparseMode);
    const results = await Promise.all(order.map((mode) => runChild(mode, options)));
    const byMode = new Map(results.map((r) => [r.mode, (r.cpu_us / 1000 / r.window_ms) * 100]));
    const idle = byMode.get('idle') ?? Number.NaN;
    for (const mode of SPARSE_MODES) {
      const value = byMode.get(mode) ?? Number.NaN;
      percent.get(mode)?.push(value);
      over.get(mode)?.push(value - idle);
    }
  }
  const rows = SPARSE_MODES.filter((m): m is Exclude<SparseMode, 'idle'> => m !== 'idle').map((mode) => {
    const deltas = over.get(mode) ?? [];
    return {
      mode,
      cpu_over_idle_percent: stats(deltas, 3),
      // % of a core = ms per 100 ms = 10 000 µs per second per percent.
      us_per_event: stats(
        deltas.map((d) => (d * 10_000) / EVENTS_PER_S[mode]),
        1,
      ),
    };
  });
  return {
    rounds: options.rounds,
    window_ms: options.windowMs,
    idle_cpu_percent: stats(percent.get('idle') ?? [], 3),
    rows,
  };
}

const LABELS: Record<Exclude<SparseMode, 'idle'>, string> = {
  ours: 'this bot’s logging at its defaults, both sinks (console to a pipe, JSON file), batched over a second',
  'ours-each': 'this bot’s logging, both sinks, each record written in its call (LOG_FLUSH_MS=0)',
  pino: 'plain pino, the same JSON to the file and to the pipe',
  'ours-file': 'this bot’s logging, JSON file only, each record in its call',
  'pino-file': 'plain pino, JSON file only',
  stringify: 'JSON.stringify of the same record, written nowhere',
  metrics:
    'a command’s metrics (interactions_total, the ack-time histogram): queued in the call, counted at the next read of the registry (here every 256 commands, no scrape)',
  'timer-100ms': 'a 100 ms JS timer (what the event-loop lag probe runs)',
  'eld-100ms': 'monitorEventLoopDelay at 100 ms resolution (C++ timer)',
};

export function formatSparseCost(r: SparseCostResult): string[] {
  return [
    '| what runs on top of a process woken every 50 ms | CPU over that process, % of a core (min / median / max) | per record or tick, µs (median) |',
    '| --- | --- | --- |',
    ...r.rows.map((row) => {
      const c = row.cpu_over_idle_percent;
      return `| ${LABELS[row.mode]} | ${c.min} / ${c.median} / ${c.max} | ${row.us_per_event.median} |`;
    }),
  ];
}
