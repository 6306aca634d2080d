// The probe server under a scrape flood: while a separate process sends 200 concurrent
// GET /metrics every second for 10 s, /health is run through the emulator and its
// acknowledgement timed. Run alone with `node --import ./src/ts-loader.mjs bench/scrape-flood-bench.ts`.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { typescriptNodeArgs } from '../src/discord/index.ts';
import { startEmulator } from '../test/support/emulator/index.ts';
import { startBotProcess } from './support/bot-process.ts';
import { steadyCommands } from './support/command-load.ts';
import { headlineTable, type Verdict } from './support/report.ts';
import type { FloodReport } from './support/scrape-flood-child.ts';
import { type Percentiles, percentiles } from './support/stats.ts';

export interface ScrapeFloodBenchOptions {
  /** GET /metrics sent at once, every second. @default 200 */
  readonly scrapesPerSecond?: number;
  /** Seconds the flood lasts. @default 10 */
  readonly floodSeconds?: number;
  /** /health invocations per second, during the quiet baseline and the flood. @default 10 */
  readonly healthPerSecond?: number;
  /** The quiet baseline before the flood, ms. @default 5000 */
  readonly baselineMs?: number;
}

export interface ScrapeFloodBenchResult {
  readonly scrapes_per_second: number;
  readonly flood_seconds: number;
  readonly health_per_second: number;
  /** /health dispatch to first callback, ms, with no scrape running. */
  readonly baseline_ack_ms: Percentiles;
  /** The same during the flood. */
  readonly flood_ack_ms: Percentiles;
  readonly health_sent: number;
  readonly health_failed: number;
  readonly scrapes: Omit<FloodReport, 'type' | 'ok_ms'>;
  /** Wall time of the scrapes answered 200, ms, as the flood process saw it. */
  readonly scrape_ms: Percentiles;
}

const DEFAULTS = {
  scrapesPerSecond: 200,
  floodSeconds: 10,
  healthPerSecond: 10,
  baselineMs: 5_000,
} as const satisfies Required<ScrapeFloodBenchOptions>;

const TARGET_MS = 100;
const FLOOD_CHILD = fileURLToPath(new URL('./support/scrape-flood-child.ts', import.meta.url));
const HEALTH_INPUT = { name: 'health', user: 'admin' } as const;
const HEALTH = [{ input: HEALTH_INPUT }] as const;
const TOKEN = 'bench-probe-token-0123456789abcdef';

/** Starts the flood process; `started` resolves as its first burst goes out, `done` with its counts. */
function startFlood(
  url: string,
  perSecond: number,
  seconds: number,
): { readonly started: Promise<void>; readonly done: Promise<FloodReport> } {
  const child = spawn(process.execPath, [...typescriptNodeArgs, FLOOD_CHILD], {
    env: {
      PATH: process.env.PATH ?? '',
      FLOOD_URL: url,
      FLOOD_PER_SECOND: String(perSecond),
      FLOOD_SECONDS: String(seconds),
      FLOOD_TOKEN: TOKEN,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let onStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    onStarted = resolve;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    if (stdout.includes('"started"')) onStarted();
  });
  const done = new Promise<FloodReport>((resolve, reject) => {
    const bound = setTimeout(() => child.kill('SIGKILL'), (seconds + 30) * 1_000);
    child.once('exit', (code) => {
      clearTimeout(bound);
      const line = stdout.split('\n').find((l) => l.includes('"done"'));
      if (code !== 0 || line === undefined) {
        reject(new Error(`the scrape flood exited ${code}\n${stderr}`));
        return;
      }
      resolve(JSON.parse(line) as FloodReport);
    });
  });
  return { started, done };
}

/** The real bot in a child process with Prometheus on and a probe token, the emulator here, the flood in a third process. */
export async function benchScrapeFlood(
  options: ScrapeFloodBenchOptions = {},
): Promise<ScrapeFloodBenchResult> {
  const o = { ...DEFAULTS, ...options };
  const emulator = await startEmulator();
  const bot = await startBotProcess(emulator, {
    env: { LOG_LEVEL: 'info', OBS_HTTP_AUTH_TOKEN: TOKEN },
    console: true,
    prometheus: true,
  });
  try {
    const url = bot.metricsUrl;
    if (url === undefined) throw new Error('the bench bot has no /metrics');
    // Warm-up: compile the /health path and the first render.
    for (let i = 0; i < 5; i += 1) await emulator.invokeCommand(HEALTH_INPUT).settled(10_000);
    await fetch(url, { headers: { Authorization: `Bearer ${TOKEN}` } }).then((r) => r.text());

    const baseline = await steadyCommands(emulator, o.healthPerSecond, o.baselineMs, HEALTH);
    const flood = startFlood(url, o.scrapesPerSecond, o.floodSeconds);
    await flood.started;
    const during = await steadyCommands(emulator, o.healthPerSecond, o.floodSeconds * 1_000, HEALTH);
    const { type: _type, ok_ms, ...scrapes } = await flood.done;
    return {
      scrapes_per_second: o.scrapesPerSecond,
      flood_seconds: o.floodSeconds,
      health_per_second: o.healthPerSecond,
      baseline_ack_ms: percentiles(baseline.ack_ms),
      flood_ack_ms: percentiles(during.ack_ms),
      health_sent: during.sent,
      health_failed: during.failed,
      scrapes,
      scrape_ms: percentiles(ok_ms),
    };
  } finally {
    await bot.close();
    await emulator.close();
  }
}

/** The headline row: /health's p99 during the flood against 100 ms. */
export function scrapeFloodVerdict(r: ScrapeFloodBenchResult): Verdict {
  const met = r.health_failed === 0 && r.flood_ack_ms.p99 < TARGET_MS;
  const s = r.scrapes;
  return {
    benchmark: `/health acknowledged while ${r.scrapes_per_second} concurrent scrapes a second hit /metrics for ${r.flood_seconds} s: p99`,
    target: `< ${TARGET_MS} ms`,
    measured:
      `p99 ${r.flood_ack_ms.p99} ms (p50 ${r.flood_ack_ms.p50}, max ${r.flood_ack_ms.max}; n=${r.flood_ack_ms.n}, ` +
      `${r.health_failed} failed); quiet baseline p99 ${r.baseline_ack_ms.p99} ms`,
    met,
    note:
      `${s.ok} of ${s.sent} scrapes answered 200 (p50 ${r.scrape_ms.p50} ms, p99 ${r.scrape_ms.p99} ms), ` +
      `${s.refused} closed by the 64-connection cap, ${s.timed_out} timed out, ${s.unauthorized + s.other_status} other answers; ` +
      '/metrics renders at most once a second',
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await benchScrapeFlood();
  process.stdout.write(
    `${headlineTable([scrapeFloodVerdict(result)])}\n\n${JSON.stringify(result, null, 2)}\n`,
  );
}
