// `npm run demo -- --shards 4`: the bot in sharded mode against the local Discord
// emulator. The shard manager (`npm start` with DISCORD_SHARDS=4) runs as a child
// process and spawns one process per shard through discord.js's ShardingManager; the
// demo shows them spawning, /health answered for the whole fleet, a shard SIGKILLed and
// respawned, and what reached the ops channel. `--once` stops the fleet after that.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { APIEmbed } from 'discord-api-types/v10';
import {
  COMMANDS_DIR,
  embedToText,
  loadCommands,
  registerCommands,
  typescriptNodeArgs,
} from '../src/discord/index.ts';
import { type Emulator, startEmulator } from '../test/support/emulator/index.ts';
import type { InvokeCommandInput } from '../test/support/emulator/interaction-payloads.ts';
import { freePort } from '../test/support/free-port.ts';
import { ansi, banner, dim, say } from './demo-output.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const DEMO_TOKEN = 'ZGVtbw.emulator-only.demo-token-never-logged';
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Healthz {
  readonly status: string;
  readonly shards: readonly {
    readonly id: number;
    readonly status: string;
    readonly pid: number | null;
    readonly guilds: number | null;
    readonly restarts: number;
  }[];
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** The manager's console, and the shards' warnings and errors (their JSON logs have everything). */
function relayConsole(child: ChildProcess): void {
  let rest = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString('utf8')).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      const fromShard = line.includes('] [shard ');
      if (!fromShard || /^\S*(⚠|✖)/.test(line)) say(dim(`  │ ${line}`));
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
}

async function invoke(emulator: Emulator, label: string, input: InvokeCommandInput): Promise<void> {
  banner(label);
  const answer = await emulator.invokeCommand(input).settled(10_000);
  say(
    dim(
      `acknowledged in ${answer.ackMs === null ? '?' : answer.ackMs.toFixed(1)} ms${answer.deferred ? ' (deferred)' : ''}`,
    ),
  );
  if (answer.content !== '') say(answer.content);
  for (const embed of answer.embeds) say(embedToText(embed as APIEmbed, { ansi }));
}

function showShards(health: Healthz): void {
  for (const s of health.shards) {
    say(
      `  shard ${s.id}: ${s.status.padEnd(9)} pid ${String(s.pid ?? '–').padEnd(7)} guilds ${s.guilds ?? '–'} · restarts ${s.restarts}`,
    );
  }
}

async function showOpsChannel(emulator: Emulator, from: number, count: number): Promise<number> {
  const messages = await emulator.waitForMessages(emulator.ids.opsChannelId, from + count, 60_000);
  for (const message of messages.slice(from)) {
    for (const embed of message.embeds) say(embedToText(embed as APIEmbed, { ansi }));
  }
  return messages.length;
}

/** Runs the fleet demo with `shards` shards; resolves with the exit code once it is over. */
export async function runFleetDemo(shardsArg: string | undefined, once: boolean): Promise<number> {
  const shards = Number(shardsArg);
  if (!Number.isInteger(shards) || shards < 2 || shards > 16) {
    process.stderr.write('--shards takes a whole number from 2 to 16, e.g. npm run demo -- --shards 4\n');
    return 2;
  }
  const emulator = await startEmulator({ shards, maxConcurrency: 16, heartbeatIntervalMs: 1_000 });
  const port = await freePort();
  const get = async <T>(path: string): Promise<T> =>
    (await (await fetch(`http://127.0.0.1:${port}${path}`)).text()) as T;
  const healthz = async (): Promise<Healthz> => JSON.parse(await get<string>('/healthz')) as Healthz;

  banner('Registering the slash commands');
  const registered = await registerCommands({
    apiUrl: emulator.apiUrl,
    token: DEMO_TOKEN,
    guildIds: [emulator.ids.guildId],
    commands: await loadCommands(COMMANDS_DIR),
  });
  say(`${registered.names.map((n) => `/${n}`).join(' ')} → guild ${registered.guildIds.join(', ')}`);

  banner(`Starting the shard manager: DISCORD_SHARDS=${shards}, one process per shard`);
  const manager = spawn(process.execPath, [...typescriptNodeArgs, MAIN], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NO_COLOR: ansi ? '' : '1',
      DISCORD_TOKEN: DEMO_TOKEN,
      DISCORD_API_URL: emulator.apiUrl,
      DISCORD_GUILD_ID: emulator.ids.guildId,
      OPS_CHANNEL_ID: emulator.ids.opsChannelId,
      DISCORD_SHARDS: String(shards),
      DISCORD_SHARD_IDS: '',
      SHARD_STALE_MS: '5000',
      OBS_ENABLE_PROMETHEUS: 'true',
      PROMETHEUS_HOST: '127.0.0.1',
      PROMETHEUS_PORT: String(port),
      RESOURCE_SAMPLE_INTERVAL_MS: '1000',
      OBS_PARALLEL_STARTUP: 'true',
      LOG_FILE: 'logs/bot.jsonl',
    },
  });
  relayConsole(manager);
  const exited = new Promise<number>((resolve) => manager.once('exit', (code) => resolve(code ?? 1)));
  // The same signal the demo got: Ctrl-C reaches the manager too (one process group), and a
  // repeat of the same signal within a second is taken as that copy, not as a second Ctrl-C.
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number> => {
    manager.kill(signal);
    const code = await exited;
    await emulator.close();
    return code;
  };
  process.on('SIGINT', () => void stop('SIGINT').then((code) => process.exit(code)));
  process.on('SIGTERM', () => void stop('SIGTERM').then((code) => process.exit(code)));

  try {
    const up = await waitFor('every shard ready', 90_000, async () => {
      const h = await healthz();
      return h.status === 'ready' ? h : undefined;
    });
    banner(`GET /healthz on the manager: ${up.status}`);
    showShards(up);
    await sleep(2_500);

    await invoke(
      emulator,
      '/health as an admin (answered by the shard serving the guild, for the whole fleet)',
      {
        name: 'health',
        user: 'admin',
      },
    );
    await invoke(emulator, '/resources as an admin', { name: 'resources', user: 'admin' });

    const victim = up.shards.find((s) => s.id === Math.min(2, shards - 1));
    if (victim?.pid === null || victim === undefined) throw new Error('no shard to kill');
    banner(`Killing shard ${victim.id} (pid ${victim.pid}) with SIGKILL`);
    process.kill(victim.pid, 'SIGKILL');
    let seen = await showOpsChannel(emulator, 0, 1);
    const healed = await waitFor('the shard respawned', 60_000, async () => {
      const h = await healthz();
      return h.status === 'ready' && h.shards.some((s) => s.id === victim.id && s.restarts === 1)
        ? h
        : undefined;
    });
    banner('Respawned: the manager saw the exit, waited its backoff and spawned a new process');
    showShards(healed);
    banner('Its recovery, announced once in the ops channel');
    seen = await showOpsChannel(emulator, seen, 1);

    banner('GET /metrics on the manager: every shard’s series, labelled');
    const metrics = await get<string>('/metrics');
    for (const line of metrics.split('\n')) {
      if (/^bot_shard_(up|restarts_total|guilds)\{|^bot_resource_memory_bytes/.test(line)) say(`  ${line}`);
    }
    say(dim(`${seen} message(s) in the ops channel`));
  } catch (error) {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    await stop();
    return 1;
  }

  if (!once) {
    banner(`The fleet keeps running against the emulator at ${emulator.apiUrl}. Ctrl-C stops it.`);
    return new Promise<number>(() => {});
  }
  banner('Done: SIGTERM to the manager stops every shard, then itself');
  const code = await stop();
  for (const file of ['bot.jsonl', ...Array.from({ length: shards }, (_, i) => `bot.shard-${i}.jsonl`)]) {
    const last = readFileSync(`${ROOT}logs/${file}`, 'utf8').trim().split('\n').at(-1) ?? '{}';
    say(`  logs/${file.padEnd(18)} ends with ${(JSON.parse(last) as { event?: string }).event}`);
  }
  say(dim(`the manager exited ${code}`));
  return code;
}
