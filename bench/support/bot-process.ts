import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { typescriptNodeArgs } from '../../src/discord/index.ts';
import type { BuiltBot } from '../../test/support/build-bot.ts';
import type { Emulator } from '../../test/support/emulator/index.ts';
import type { ChildReply, ChildRequest } from './bot-protocol.ts';

type Sample = Extract<ChildReply, { type: 'sample' }>;

/** The bot in a child process, pointed at an emulator in this one. */
export interface BotProcess {
  readonly pid: number;
  /** Prometheus port when metrics are on. */
  readonly metricsUrl: string | undefined;
  /** From the client sending IDENTIFY to discord.js's clientReady, ms (null if not seen). */
  readonly identifyToReadyMs: number | null;
  sample(gc?: boolean): Promise<Sample>;
  raise(key: string): void;
  clear(key: string): void;
  close(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (the probe server binds it right after). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface BotProcessOptions {
  /** Variables on top of the Discord ones (which point at the emulator). */
  readonly env: Readonly<Record<string, string>>;
  /** The console sink writes to stdout, which is piped here and drained; false turns the sink off. */
  readonly console: boolean;
  /** Serve /metrics on a free port. */
  readonly prometheus: boolean;
  /** More arguments for the child's node (e.g. `--cpu-prof`). */
  readonly nodeArgs?: readonly string[];
  /**
   * `bot`: this bot (src/bot.ts). `bare`: a bare discord.js client with the same intents
   * and caches and no observability core, answering every command with a fixed embed.
   * @default 'bot'
   */
  readonly client?: 'bot' | 'bare';
  /**
   * Runs the child compiled, with no TypeScript loader, from a build made with
   * `buildBot(COMPILED_CHILDREN)`: the bot as `npm run start:built` runs it. @default from the sources
   */
  readonly compiled?: BuiltBot;
}

const CHILDREN = {
  bot: 'bench/support/bot-child',
  bare: 'bench/support/bare-client-child',
} as const;

/** What `buildBot` compiles besides the bot for `compiled` children. */
export const COMPILED_CHILDREN: readonly string[] = Object.values(CHILDREN).map((c) => `${c}.ts`);

const ROOT = new URL('../../', import.meta.url);

/** Starts the bot child and resolves once its start has ended `ready`. */
export async function startBotProcess(emulator: Emulator, options: BotProcessOptions): Promise<BotProcess> {
  const port = options.prometheus ? await freePort() : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'bench-bot-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NO_COLOR: '1',
    DISCORD_TOKEN: 'YmVuY2g.emulator-only.bench-token',
    DISCORD_API_URL: emulator.apiUrl,
    DISCORD_GUILD_ID: emulator.ids.guildId,
    OPS_CHANNEL_ID: emulator.ids.opsChannelId,
    LOG_FILE: join(dir, 'bot.jsonl'),
    OBS_STATE_FILE: join(dir, 'state.json'),
    BENCH_CONSOLE: options.console ? 'on' : 'off',
    ...(port === undefined
      ? { OBS_ENABLE_PROMETHEUS: 'false' }
      : { OBS_ENABLE_PROMETHEUS: 'true', PROMETHEUS_HOST: '127.0.0.1', PROMETHEUS_PORT: String(port) }),
    ...options.env,
  };
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--expose-gc',
      ...(options.nodeArgs ?? []),
      ...(options.compiled === undefined
        ? [...typescriptNodeArgs, new URL(`${CHILDREN[options.client ?? 'bot']}.ts`, ROOT).pathname]
        : [join(options.compiled.dir, `${CHILDREN[options.client ?? 'bot']}.js`)]),
    ],
    {
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  // Console output is drained and discarded here, so the child's writes never stall on a full pipe.
  child.stdout?.resume();
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const pending = new Map<number, (sample: Sample) => void>();
  let nextId = 1;
  const ready = new Promise<Extract<ChildReply, { type: 'ready' }>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bench bot did not start in 60 s\n${stderr}`)), 60_000);
    child.on('message', (reply: ChildReply) => {
      if (reply.type === 'ready') {
        clearTimeout(timer);
        resolve(reply);
      } else pending.get(reply.id)?.(reply);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bench bot exited ${code}\n${stderr}`));
    });
  });
  const { outcome, identify_to_ready_ms: identifyToReadyMs } = await ready;
  if (outcome !== 'ready') {
    child.kill('SIGKILL');
    throw new Error(`bench bot started ${outcome}\n${stderr}`);
  }
  const send = (request: ChildRequest): void => {
    child.send(request);
  };
  return {
    pid: child.pid ?? 0,
    metricsUrl: port === undefined ? undefined : `http://127.0.0.1:${port}/metrics`,
    identifyToReadyMs: identifyToReadyMs ?? null,
    sample(gc = false) {
      const id = nextId++;
      return new Promise<Sample>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error('bench bot did not answer a sample in 10 s')),
          10_000,
        );
        pending.set(id, (sample) => {
          clearTimeout(timer);
          pending.delete(id);
          resolve(sample);
        });
        send({ type: 'sample', id, gc });
      });
    },
    raise: (key) => send({ type: 'raise', key }),
    clear: (key) => send({ type: 'clear', key }),
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      send({ type: 'shutdown' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
