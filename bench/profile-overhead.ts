// Where the bot's CPU goes at one overhead setting: the bot child runs under
// `node --cpu-prof` with the same load as the overhead benchmark, and the samples of
// the measured window (warm-up and shutdown left out) are summarised.
//   node --import ./src/ts-loader.mjs bench/profile-overhead.ts [off|logs|default|aggressive] [seconds]
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startEmulator } from '../test/support/emulator/index.ts';
import { OVERHEAD_SETTINGS, type OverheadMode, type OverheadSetting } from './overhead-bench.ts';
import { startBotProcess } from './support/bot-process.ts';
import { startScraper, steadyCommands } from './support/command-load.ts';
import { type ProfileSummary, summariseProfile } from './support/cpu-profile.ts';

export interface OverheadProfile extends ProfileSummary {
  readonly mode: OverheadMode;
  /** The child's own CPU time over the window, ms (process.cpuUsage). */
  readonly cpu_ms: number;
  readonly file: string;
}

/** Profiles the bot child at `mode` under `perSecond` commands a second for `windowMs`. */
export async function profileOverhead(
  mode: OverheadMode,
  windowMs: number,
  perSecond = 20,
  top = 25,
): Promise<OverheadProfile> {
  const setting: OverheadSetting = OVERHEAD_SETTINGS[mode];
  const dir = mkdtempSync(join(tmpdir(), 'bench-prof-'));
  const emulator = await startEmulator();
  const bot = await startBotProcess(emulator, {
    env: setting.env,
    console: true,
    prometheus: setting.prometheus,
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=1000'],
  });
  let first: Awaited<ReturnType<typeof bot.sample>>;
  let last: typeof first;
  try {
    await steadyCommands(emulator, perSecond, 3_000);
    const every = setting.scrapeEveryMs;
    const scraper =
      bot.metricsUrl === undefined || every === undefined ? undefined : startScraper(bot.metricsUrl, every);
    first = await bot.sample();
    await steadyCommands(emulator, perSecond, windowMs);
    last = await bot.sample();
    await scraper?.stop();
  } finally {
    await bot.close();
    await emulator.close();
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`no profile written in ${dir}`);
  return {
    mode,
    cpu_ms: Math.round((last.cpu_us - first.cpu_us) / 1000),
    file: join(dir, file),
    ...summariseProfile(join(dir, file), first.hrtime_us, last.hrtime_us, top),
  };
}

export function formatOverheadProfile(p: OverheadProfile): string {
  const rows = (shares: ProfileSummary['top_self']): string[] =>
    shares.map((s) => `  ${s.ms.toFixed(1).padStart(8)} ms ${s.percent.toFixed(1).padStart(5)} %  ${s.name}`);
  return [
    `${p.mode}: ${p.window_ms} ms window, ${p.cpu_ms} ms CPU (process.cpuUsage), ${p.busy_ms} ms busy in the profile (${p.file})`,
    ' self time, by function:',
    ...rows(p.top_self),
    ' on the stack, by module:',
    ...rows(p.modules_inclusive),
  ].join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const mode = (process.argv[2] ?? 'default') as OverheadMode;
  if (!(mode in OVERHEAD_SETTINGS))
    throw new Error(`mode must be off, logs, default or aggressive, not ${mode}`);
  const seconds = Number(process.argv[3] ?? 30);
  console.log(formatOverheadProfile(await profileOverhead(mode, seconds * 1000)));
}
