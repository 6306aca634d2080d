import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { systemClock } from '../src/core/clock.ts';
import type { StartupComponent } from '../src/core/startup/startup-component.ts';
import { createStartupOrchestrator } from '../src/core/startup/startup-orchestrator.ts';

/** Options of {@link benchStartup}. */
export interface StartupBenchOptions {
  /** Runs of each mode; min/median/max are taken over them. */
  readonly runs: number;
  /** Multiplies every declared duration (0.1 for a quick smoke run). @default 1 */
  readonly scale?: number;
}

export interface Stats {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

export interface StartupBenchResult {
  readonly runs: number;
  readonly components: number;
  /** Sum of the declared durations: what a perfect sequential start takes, ms. */
  readonly sequential_bound_ms: number;
  /** Longest dependency chain of declared durations: no parallel start can beat it, ms. */
  readonly critical_path_bound_ms: number;
  readonly critical_path: readonly string[];
  readonly sequential_ms: Stats;
  readonly parallel_ms: Stats;
  /** Parallel time minus the critical-path bound: the orchestrator's own cost, ms and %. */
  readonly parallel_overhead_ms: Stats;
  readonly parallel_overhead_percent: Stats;
  /** Sequential time minus parallel time, per run, ms. */
  readonly saved_ms: Stats;
}

/**
 * A bot shaped like a typical AI bot's: config and logging first, a database,
 * an embedding model that takes 3 s and the RAG system on it, speech in both
 * directions (1 s each), the Discord login and command sync, cache warm-up and
 * background tasks. Sized so that parallel start saves a few seconds
 * (3–5 s): the sum is 7.75 s, the longest chain 3.33 s. Durations in ms.
 */
const GRAPH: readonly { readonly name: string; readonly ms: number; readonly deps: readonly string[] }[] = [
  { name: 'config', ms: 30, deps: [] },
  { name: 'logging', ms: 20, deps: ['config'] },
  { name: 'database', ms: 500, deps: ['config'] },
  { name: 'embedding_model', ms: 3_000, deps: ['config'] },
  { name: 'rag_system', ms: 300, deps: ['embedding_model', 'database'] },
  { name: 'text_to_speech', ms: 1_000, deps: ['config'] },
  { name: 'speech_to_text', ms: 1_000, deps: ['config'] },
  { name: 'discord_login', ms: 1_000, deps: ['config', 'logging'] },
  { name: 'command_sync', ms: 300, deps: ['discord_login'] },
  { name: 'cache_warmup', ms: 500, deps: ['database'] },
  { name: 'background_tasks', ms: 100, deps: ['discord_login', 'database'] },
];

function stats(values: readonly number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  const round = (n: number): number => Math.round(n * 10) / 10;
  return { min: round(sorted[0] ?? 0), median: round(median), max: round(sorted.at(-1) ?? 0) };
}

/** Longest chain of declared durations, computed over the graph in declaration (already dependency) order. */
function criticalPathBound(graph: typeof GRAPH, scale: number): { ms: number; path: string[] } {
  const finish = new Map<string, { ms: number; path: string[] }>();
  for (const node of graph) {
    let best = { ms: 0, path: [] as string[] };
    for (const dep of node.deps) {
      const f = finish.get(dep);
      if (f !== undefined && f.ms > best.ms) best = f;
    }
    finish.set(node.name, { ms: best.ms + node.ms * scale, path: [...best.path, node.name] });
  }
  let last = { ms: 0, path: [] as string[] };
  for (const f of finish.values()) if (f.ms > last.ms) last = f;
  return last;
}

function components(scale: number): StartupComponent[] {
  return GRAPH.map((node) => ({
    name: node.name,
    dependencies: node.deps,
    timeoutMs: 60_000,
    start: (signal: AbortSignal) => systemClock.sleep(node.ms * scale, signal),
  }));
}

async function timeRun(parallel: boolean, scale: number): Promise<number> {
  const orchestrator = createStartupOrchestrator({ components: components(scale), parallel });
  const began = performance.now();
  const { report } = await orchestrator.run();
  const took = performance.now() - began;
  if (report.outcome !== 'ready') throw new Error(`bench start ended ${report.outcome}`);
  return took;
}

/** Times the synthetic bot's start in both modes, real timers, `runs` times each (alternating). */
export async function benchStartup(opts: StartupBenchOptions): Promise<StartupBenchResult> {
  const runs = opts.runs;
  const scale = opts.scale ?? 1;
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError('runs must be a positive integer');
  if (!(scale > 0)) throw new RangeError('scale must be positive');
  const bound = criticalPathBound(GRAPH, scale);
  const sequential: number[] = [];
  const parallel: number[] = [];
  for (let i = 0; i < runs; i++) {
    sequential.push(await timeRun(false, scale));
    parallel.push(await timeRun(true, scale));
  }
  return {
    runs,
    components: GRAPH.length,
    sequential_bound_ms: GRAPH.reduce((sum, node) => sum + node.ms * scale, 0),
    critical_path_bound_ms: bound.ms,
    critical_path: bound.path,
    sequential_ms: stats(sequential),
    parallel_ms: stats(parallel),
    parallel_overhead_ms: stats(parallel.map((p) => p - bound.ms)),
    parallel_overhead_percent: stats(parallel.map((p) => ((p - bound.ms) / bound.ms) * 100)),
    saved_ms: stats(sequential.map((s, i) => s - (parallel[i] ?? 0))),
  };
}

/** A small Markdown table of the figures, for the bench results file and the console. */
export function formatStartupBench(r: StartupBenchResult): string {
  const row = (label: string, s: Stats, unit: string): string =>
    `| ${label} | ${s.min}${unit} | ${s.median}${unit} | ${s.max}${unit} |`;
  return [
    `Startup: ${r.components} components, ${r.runs} runs per mode; sequential bound ${r.sequential_bound_ms} ms, ` +
      `critical-path bound ${r.critical_path_bound_ms} ms (${r.critical_path.join(' → ')})`,
    '',
    '| figure | min | median | max |',
    '| --- | --- | --- | --- |',
    row('sequential', r.sequential_ms, ' ms'),
    row('parallel', r.parallel_ms, ' ms'),
    row('saved by parallel', r.saved_ms, ' ms'),
    row('parallel over the bound', r.parallel_overhead_ms, ' ms'),
    row('parallel over the bound', r.parallel_overhead_percent, ' %'),
  ].join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const runs = Number(process.argv[2] ?? 3);
  const result = await benchStartup({ runs });
  console.log(formatStartupBench(result));
}
