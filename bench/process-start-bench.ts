import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TS_LOADER, typescriptRuntime } from '../src/discord/index.ts';
import { buildBot } from '../test/support/build-bot.ts';
import { startEmulator } from '../test/support/emulator/index.ts';
import { type Stats, stats } from './support/stats.ts';

/**
 * How the bot's TypeScript is run: what `npm start` does on each kind of Node, what it did
 * before, and the bot compiled to JavaScript (`npm run start:built`).
 */
export type StartVariant = 'compiled' | 'native' | 'esbuild' | 'esbuild_cold';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
/** On a Node that strips types, what makes ts-loader.mjs register its esbuild hooks all the same. */
const NOT_NATIVE = typescriptRuntime === 'native' ? ['--no-experimental-strip-types'] : [];
const READY = 'Bot startup completed';

/** The command line of each variant, on the Node running the bench. */
const VARIANTS: Record<
  StartVariant,
  { readonly args: readonly string[]; readonly shown: string; readonly coldCache?: boolean }
> = {
  compiled: {
    // The build's main.js is put in front of the run's arguments (startOnce).
    args: [],
    shown: '`node build/src/main.js` (npm run start:built, after npm run build:bot)',
  },
  native: {
    args: ['--import', TS_LOADER, MAIN],
    shown: '`node --import ./src/ts-loader.mjs src/main.ts` (npm start where Node strips types)',
  },
  esbuild: {
    args: [...NOT_NATIVE, '--import', TS_LOADER, MAIN],
    shown:
      '`node --import ./src/ts-loader.mjs src/main.ts` through its esbuild hooks (npm start before Node 22.18)',
  },
  esbuild_cold: {
    args: [...NOT_NATIVE, '--import', TS_LOADER, MAIN],
    shown: 'the same with an empty cache of transforms (a new machine or container)',
    coldCache: true,
  },
};

export interface StartVariantResult {
  readonly variant: StartVariant;
  readonly command: string;
  /** Processes whose RSS is summed: the bot and any child it has then (esbuild's process, while the hooks transform). */
  readonly processes: number;
  /** From spawn() to the bot's "startup completed" line, ms. */
  readonly ready_ms: Stats;
  /** Resident memory of the process(es) at that moment, MB. */
  readonly rss_mb: Stats;
}

export interface ProcessStartBenchResult {
  readonly node: string;
  readonly runs: number;
  readonly measured_at: string;
  readonly load_average: readonly number[];
  /** Why a variant was left out (native stripping needs Node ≥ 22.18, 23.6 or 24). */
  readonly skipped?: string;
  readonly variants: readonly StartVariantResult[];
}

export interface ProcessStartBenchOptions {
  /** Starts of each variant, interleaved. */
  readonly runs: number;
}

/** VmRSS of one process, in MB; 0 once it is gone. */
function rssMb(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? 0 : Number(kb) / 1024;
  } catch {
    return 0;
  }
}

/**
 * The pid and its children, whichever of its threads started them (the module hooks run on
 * a thread of their own, and esbuild's process, while one runs, is that thread's child).
 */
function processTree(pid: number): number[] {
  const children: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const listed = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (listed !== '') children.push(...listed.split(/\s+/).map(Number));
    }
  } catch {
    // Gone already: only its own figure (0) counts.
  }
  return [pid, ...children];
}

async function startOnce(
  variant: StartVariant,
  env: Readonly<Record<string, string>>,
  compiledMain: string,
): Promise<{ ms: number; rss: number; processes: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-start-'));
  const began = performance.now();
  const args = variant === 'compiled' ? [compiledMain] : VARIANTS[variant].args;
  const child: ChildProcess = spawn(process.execPath, args, {
    // A fresh folder, so no developer's .env is read.
    cwd: dir,
    // The hooks keep their transforms under the temp folder: a fresh one is a cold cache.
    env: {
      ...env,
      LOG_FILE: join(dir, 'bot.jsonl'),
      OBS_STATE_FILE: join(dir, 'state.json'),
      ...(VARIANTS[variant].coldCache ? { TMPDIR: dir } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const at = await new Promise<{ ms: number; rss: number; processes: number }>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`${variant}: not ready in 60 s\n${stderr}`)), 60_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        if (out.includes(READY)) return;
        out += chunk.toString('utf8');
        if (!out.includes(READY)) return;
        const ms = performance.now() - began;
        clearTimeout(timer);
        const pids = processTree(child.pid as number);
        resolve({ ms, rss: pids.reduce((sum, pid) => sum + rssMb(pid), 0), processes: pids.length });
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${variant}: exited ${code} before it was ready\n${stderr}`));
      });
    });
    return at;
  } finally {
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
  }
}

/**
 * Starts the real bot (`src/main.ts`, with its defaults) against the emulator `runs` times
 * per variant, in rotating order, and times each from spawn() to ready with its RSS then.
 * The native variant needs a Node that strips types; elsewhere it is skipped and said so.
 */
export async function benchProcessStart(opts: ProcessStartBenchOptions): Promise<ProcessStartBenchResult> {
  if (!Number.isInteger(opts.runs) || opts.runs < 1) throw new RangeError('runs must be a positive integer');
  const variants: StartVariant[] =
    typescriptRuntime === 'native'
      ? ['native', 'compiled', 'esbuild', 'esbuild_cold']
      : ['compiled', 'esbuild', 'esbuild_cold'];
  const build = await buildBot();
  const emulator = await startEmulator();
  const samples = new Map<StartVariant, { ms: number[]; rss: number[]; processes: number }>(
    variants.map((v) => [v, { ms: [], rss: [], processes: 0 }]),
  );
  try {
    const env = {
      PATH: process.env.PATH ?? '',
      NO_COLOR: '1',
      DISCORD_TOKEN: 'YmVuY2g.emulator-only.bench-token',
      DISCORD_API_URL: emulator.apiUrl,
      DISCORD_GUILD_ID: emulator.ids.guildId,
      OPS_CHANNEL_ID: emulator.ids.opsChannelId,
    };
    // One warm-up start, unmeasured: the first one pays for cold disk caches.
    await startOnce(variants[0] as StartVariant, env, build.main);
    for (let run = 0; run < opts.runs; run++) {
      for (let i = 0; i < variants.length; i++) {
        const variant = variants[(run + i) % variants.length] as StartVariant;
        const at = await startOnce(variant, env, build.main);
        const into = samples.get(variant);
        into?.ms.push(at.ms);
        into?.rss.push(at.rss);
        if (into !== undefined) into.processes = at.processes;
      }
    }
  } finally {
    await emulator.close();
    build.remove();
  }
  return {
    node: process.version,
    runs: opts.runs,
    measured_at: new Date().toISOString(),
    load_average: loadavg().map((l) => Math.round(l * 100) / 100),
    ...(typescriptRuntime === 'native'
      ? {}
      : { skipped: `native: Node ${process.version} does not strip types (it needs 22.18, 23.6 or 24)` }),
    variants: variants.map((variant) => {
      const s = samples.get(variant) ?? { ms: [], rss: [], processes: 0 };
      return {
        variant,
        command: VARIANTS[variant].shown,
        processes: s.processes,
        ready_ms: stats(s.ms, 0),
        rss_mb: stats(s.rss, 1),
      };
    }),
  };
}

/** The figures as a Markdown table (min / median / max). */
export function formatProcessStartBench(r: ProcessStartBenchResult): string {
  const mmm = (s: Stats, unit: string): string => `${s.min} / ${s.median} / ${s.max} ${unit}`;
  return [
    `Process start to ready on Node ${r.node}, ${r.runs} start(s) per variant${r.skipped === undefined ? '' : `; ${r.skipped}`}`,
    '',
    '| variant | processes | start to ready | RSS at ready |',
    '| --- | --- | --- | --- |',
    ...r.variants.map(
      (v) => `| ${v.command} | ${v.processes} | ${mmm(v.ready_ms, 'ms')} | ${mmm(v.rss_mb, 'MB')} |`,
    ),
    '',
    'Figures are min / median / max.',
  ].join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await benchProcessStart({ runs: Number(process.env.RUNS ?? 3) });
  console.log(formatProcessStartBench(result));
}
