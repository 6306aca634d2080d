// Where the bot's CPU goes at one or more overhead settings: each bot child runs compiled under
// `node --cpu-prof`, side by side, with the same load and warm-up as the overhead benchmark,
// and the samples of the measured window (warm-up and shutdown left out) are summarised.
//   node --import ./src/ts-loader.mjs bench/profile-overhead.ts [settings] [seconds] [warm-up seconds]
// settings: comma-separated, as bench/thread-cpu.ts takes them (e.g. `default,default:OBS_ENABLE_PROMETHEUS=false`).
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildBot } from '../test/support/build-bot.ts';
import { closeSettings, parseSetting, type RunningSetting, startSettings } from './overhead-bench.ts';
import { COMPILED_CHILDREN } from './support/bot-process.ts';
import { startScraper, steadyCommands } from './support/command-load.ts';
import { type ProfileSummary, summariseProfile } from './support/cpu-profile.ts';

export interface OverheadProfile extends ProfileSummary {
  readonly setting: string;
  /** The child's own CPU time over the window, ms (process.cpuUsage). */
  readonly cpu_ms: number;
  readonly file: string;
}

/** Profiles a bot child at each of `specs`, side by side, under `perSecond` commands a second for `windowMs`. */
export async function profileOverhead(
  specs: readonly string[],
  windowMs: number,
  warmupMs = 150_000,
  perSecond = 20,
  top = 25,
): Promise<OverheadProfile[]> {
  const settings = specs.map(parseSetting);
  const compiled = await buildBot(COMPILED_CHILDREN);
  const dirs = specs.map(() => mkdtempSync(join(tmpdir(), 'bench-prof-')));
  const running: RunningSetting[] = [];
  try {
    await startSettings(running, settings, compiled, (i) => [
      '--cpu-prof',
      `--cpu-prof-dir=${dirs[i]}`,
      '--cpu-prof-interval=1000',
    ]);
    // Scraped from the start, as in the overhead benchmark (see measureSettings).
    const scrapers = running.map(({ bot }, i) => {
      const every = settings[i]?.scrapeEveryMs;
      return bot.metricsUrl === undefined || every === undefined
        ? undefined
        : startScraper(bot.metricsUrl, every);
    });
    await Promise.all(running.map((r) => steadyCommands(r.emulator, perSecond, warmupMs)));
    const first = await Promise.all(running.map((r) => r.bot.sample()));
    await Promise.all(running.map((r) => steadyCommands(r.emulator, perSecond, windowMs)));
    const last = await Promise.all(running.map((r) => r.bot.sample()));
    await Promise.all(scrapers.map((s) => s?.stop()));
    // Each profile is written when its child exits.
    await closeSettings(running);
    return dirs.map((dir, i) => {
      const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
      const before = first[i];
      const after = last[i];
      if (file === undefined || before === undefined || after === undefined) {
        throw new Error(`no profile written in ${dir}`);
      }
      return {
        setting: specs[i] ?? '',
        cpu_ms: Math.round((after.cpu_us - before.cpu_us) / 1000),
        file: join(dir, file),
        ...summariseProfile(join(dir, file), before.hrtime_us, after.hrtime_us, top),
      };
    });
  } finally {
    await closeSettings(running);
    compiled.remove();
  }
}

export function formatOverheadProfile(p: OverheadProfile): string {
  const rows = (shares: ProfileSummary['top_self']): string[] =>
    shares.map((s) => `  ${s.ms.toFixed(1).padStart(8)} ms ${s.percent.toFixed(1).padStart(5)} %  ${s.name}`);
  return [
    `${p.setting}: ${p.window_ms} ms window, ${p.cpu_ms} ms CPU (process.cpuUsage), ${p.busy_ms} ms busy in the profile (${p.file})`,
    ' self time, by function:',
    ...rows(p.top_self),
    ' on the stack, by module:',
    ...rows(p.modules_inclusive),
  ].join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const specs = (process.argv[2] ?? 'default').split(',');
  const seconds = Number(process.argv[3] ?? 60);
  const warmupSeconds = Number(process.argv[4] ?? 150);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new Error(`profile-overhead: seconds must be positive, not ${process.argv[3]}`);
  }
  if (!Number.isFinite(warmupSeconds) || warmupSeconds < 0) {
    throw new Error(`profile-overhead: warm-up seconds must be 0 or more, not ${process.argv[4]}`);
  }
  for (const p of await profileOverhead(specs, seconds * 1000, warmupSeconds * 1000)) {
    console.log(formatOverheadProfile(p));
  }
}
