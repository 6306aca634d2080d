import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { type Bot, type StartBotOptions, startBot } from '../../src/bot.ts';
import type { ChartModuleNames } from '../../src/charts/chart-modules.ts';
import { loadConfig } from '../../src/config.ts';
import { typescriptNodeArgs } from '../../src/typescript-runtime.ts';
import { type Emulator, type EmulatorOptions, type SeedIds, startEmulator } from './emulator/index.ts';

/** A distinctive token, so a test can search every output for it. */
export const BOT_TOKEN = 'MTk4NjIy.running-bot.PLANTED-s3cret-t0ken-value';

export interface RunningBot {
  readonly emulator: Emulator;
  readonly bot: Bot;
  /** The JSON-lines sink of this run (in a fresh temp folder). */
  readonly logFile: string;
  /** `OBS_STATE_FILE` of this run, beside the log. */
  readonly stateFile: string;
  /** Everything the console sink wrote. */
  consoleText(): string;
  /** Shuts the bot down (if not yet) and closes the emulator. */
  close(): Promise<void>;
}

export interface RunningBotOptions {
  /** Extra variables, as in `.env`; the Discord ones point at the emulator. */
  readonly env?: Readonly<Record<string, string>>;
  /** More variables that name the emulator's seeded ids (which change with every start). */
  readonly envFromIds?: (ids: SeedIds) => Readonly<Record<string, string>>;
  readonly emulator?: EmulatorOptions;
  /** Wait for the start to end. @default true */
  readonly awaitStart?: boolean;
  /** Loads the slash commands from here instead of `commands/` (fixture commands). */
  readonly commandsDir?: string;
  /** The packages charts load, e.g. a missing one to see the bot without charts. */
  readonly chartModules?: ChartModuleNames;
  /** Loads the extension folders from here instead of `components/`, `tasks/` and `checks/`. */
  readonly componentsDir?: string;
  readonly tasksDir?: string;
  readonly checksDir?: string;
  /** Replaces the real resource sampler. */
  readonly resourceSampler?: StartBotOptions['resourceSampler'];
}

/** The real bot, in this process, against a fresh emulator, logging into a temp folder. */
export async function startRunningBot(options: RunningBotOptions = {}): Promise<RunningBot> {
  const emulator = await startEmulator(options.emulator);
  const dir = mkdtempSync(join(tmpdir(), 'bot-'));
  const logFile = join(dir, 'bot.jsonl');
  const stateFile = join(dir, 'state.json');
  const result = loadConfig({
    DISCORD_TOKEN: BOT_TOKEN,
    DISCORD_API_URL: emulator.apiUrl,
    DISCORD_GUILD_ID: emulator.ids.guildId,
    OPS_CHANNEL_ID: emulator.ids.opsChannelId,
    LOG_FILE: logFile,
    OBS_STATE_FILE: stateFile,
    LOG_LEVEL: 'debug',
    ...options.env,
    ...options.envFromIds?.(emulator.ids),
  });
  if (!result.ok) {
    await emulator.close();
    throw new Error(`bad test configuration: ${result.errors.join('; ')}`);
  }
  const consoleStream = new PassThrough();
  let text = '';
  consoleStream.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  const bot = await startBot(result.config, {
    console: consoleStream,
    color: false,
    ...(options.commandsDir === undefined ? {} : { commandsDir: options.commandsDir }),
    ...(options.chartModules === undefined ? {} : { chartModules: options.chartModules }),
    ...(options.componentsDir === undefined ? {} : { componentsDir: options.componentsDir }),
    ...(options.tasksDir === undefined ? {} : { tasksDir: options.tasksDir }),
    ...(options.checksDir === undefined ? {} : { checksDir: options.checksDir }),
    ...(options.resourceSampler === undefined ? {} : { resourceSampler: options.resourceSampler }),
  });
  if (options.awaitStart ?? true) await bot.started;
  return {
    emulator,
    bot,
    logFile,
    stateFile,
    consoleText: () => text,
    async close() {
      await bot.shutdown('test_finished');
      await emulator.close();
    },
  };
}

export interface ChildRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `src/main.ts` (what `npm start` runs) in a child process with exactly `env`
 * (plus PATH), in `cwd`. `onStdout` may act on the output as it comes (e.g. send
 * SIGTERM once the bot says it is up, or note its pid). Bounded by `timeoutMs`.
 */
export function runMain(
  env: Readonly<Record<string, string>>,
  options: {
    readonly cwd?: string;
    readonly timeoutMs?: number;
    readonly onStdout?: (
      soFar: string,
      child: { kill(signal: NodeJS.Signals): void; readonly pid?: number | undefined },
    ) => void;
    /** Given the child as soon as it is spawned, before it has written anything. */
    readonly onSpawn?: (child: {
      kill(signal: NodeJS.Signals): void;
      readonly pid?: number | undefined;
    }) => void;
    /** Another entry point wired like `src/main.ts` (a fixture). @default src/main.ts */
    readonly entry?: URL;
    /** Node options before `src/main.ts`. @default typescriptNodeArgs (what `npm start` passes) */
    readonly nodeArgs?: readonly string[];
  } = {},
): Promise<ChildRun> {
  const main = (options.entry ?? new URL('../../src/main.ts', import.meta.url)).pathname;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? typescriptNodeArgs), main], {
      cwd: options.cwd ?? mkdtempSync(join(tmpdir(), 'main-')),
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    options.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`main did not exit within ${options.timeoutMs ?? 30_000} ms\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      options.onStdout?.(stdout, child);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    // 'close', not 'exit': output still in flight when the process exits is kept.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
