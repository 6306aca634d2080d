import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { typescriptNodeArgs } from '../../src/typescript-runtime.ts';
import {
  type EmulatedMessage,
  type Emulator,
  type EmulatorOptions,
  type SeedIds,
  startEmulator,
} from './emulator/index.ts';
import { freePort } from './free-port.ts';
import { assertLogLine, readJsonLines } from './log-schema.ts';
import { until } from './until.ts';

/** A distinctive token, so a test can search every output for it. */
export const FLEET_TOKEN = 'MTk4NjIy.running-fleet.PLANTED-s3cret-t0ken-value';

const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;

export interface RunningFleet {
  readonly emulator: Emulator;
  readonly child: ChildProcess;
  /** The folder it runs in; its logs are under `logs/`. */
  readonly dir: string;
  /** The manager's JSON log, or shard `k`'s. */
  logFile(shard?: number): string;
  readonly port: number;
  /** `Date.now()` just before the manager was spawned. */
  readonly spawnedAt: number;
  /** Everything the manager's process group wrote to stdout and stderr so far. */
  output(): string;
  get(path: string): Promise<{ status: number; body: string }>;
  /** Sends `signal` to the manager's whole process group (as Ctrl-C or an orchestrator does). */
  signalGroup(signal: NodeJS.Signals): void;
  /** Resolves with the manager's exit. */
  exited(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILLs whatever is left of the group (and SIGCONTs nothing: a stopped process dies to SIGKILL) and closes the emulator. */
  close(): Promise<void>;
}

export interface RunningFleetOptions {
  readonly env: Readonly<Record<string, string>>;
  readonly envFromIds?: (ids: SeedIds) => Readonly<Record<string, string>>;
  readonly emulator?: EmulatorOptions;
  /** Arms emulator faults before the manager starts (e.g. `closeNextIdentify`). */
  readonly beforeStart?: (emulator: Emulator) => void;
  /** The entry point, e.g. a compiled build's main.js. @default src/main.ts */
  readonly main?: string;
  /** Node options before the entry point. @default typescriptNodeArgs (what `npm start` passes) */
  readonly nodeArgs?: readonly string[];
}

/**
 * `src/main.ts` (what `npm start` runs) in sharded mode, as a child process leading its
 * own process group, against a fresh emulator: the real ShardingManager and real shard
 * processes. Prometheus is on, on a free loopback port.
 */
export async function startRunningFleet(options: RunningFleetOptions): Promise<RunningFleet> {
  const emulator = await startEmulator(options.emulator);
  options.beforeStart?.(emulator);
  const dir = mkdtempSync(join(tmpdir(), 'fleet-'));
  const port = await freePort();
  const spawnedAt = Date.now();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? typescriptNodeArgs), options.main ?? MAIN], {
    cwd: dir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      NO_COLOR: '1',
      DISCORD_TOKEN: FLEET_TOKEN,
      DISCORD_API_URL: emulator.apiUrl,
      DISCORD_GUILD_ID: emulator.ids.guildId,
      OPS_CHANNEL_ID: emulator.ids.opsChannelId,
      LOG_LEVEL: 'debug',
      OBS_ENABLE_PROMETHEUS: 'true',
      PROMETHEUS_HOST: '127.0.0.1',
      PROMETHEUS_PORT: String(port),
      ...options.env,
      ...options.envFromIds?.(emulator.ids),
    },
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const group = (signal: NodeJS.Signals): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // the group is gone
    }
  };
  return {
    emulator,
    child,
    dir,
    port,
    spawnedAt,
    logFile: (shard) => join(dir, 'logs', shard === undefined ? 'bot.jsonl' : `bot.shard-${shard}.jsonl`),
    output: () => text,
    async get(path) {
      const response = await fetch(`http://127.0.0.1:${port}${path}`);
      return { status: response.status, body: await response.text() };
    },
    signalGroup: group,
    exited: (timeoutMs) =>
      Promise.race([
        exit,
        new Promise<never>((_, reject) =>
          setTimeout(
            () => reject(new Error(`the manager did not exit within ${timeoutMs} ms\n${text.slice(-4000)}`)),
            timeoutMs,
          ).unref(),
        ),
      ]),
    async close() {
      group('SIGKILL');
      await Promise.race([exit, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
      await emulator.close();
    },
  };
}

/** The fleet's `/healthz`, parsed, once `predicate` holds for it. */
export async function healthzWhen(
  fleet: RunningFleet,
  predicate: (health: FleetHealthBody) => boolean,
  timeoutMs: number,
  what: string,
): Promise<FleetHealthBody> {
  return until(
    async () => {
      try {
        const { body } = await fleet.get('/healthz');
        const health = JSON.parse(body) as FleetHealthBody;
        return predicate(health) ? health : undefined;
      } catch {
        return undefined;
      }
    },
    timeoutMs,
    what,
    100,
  );
}

export interface FleetHealthBody {
  readonly status: string;
  readonly uptime_seconds: number;
  readonly total_shards: number;
  readonly components: readonly { readonly name: string; readonly status: string }[];
  readonly shards: readonly {
    readonly id: number;
    readonly status: string;
    readonly pid: number | null;
    readonly guilds: number | null;
    readonly ping_ms: number | null;
    readonly restarts: number;
    readonly uptime_seconds: number | null;
    readonly down_reason: string | null;
  }[];
}

/** How long a fleet gets to come up: each run spawns a manager and its shard processes, on a busy 2-core machine. */
export const UP_MS = 60_000;

/** Each message's embeds, as JSON text. */
export const embedsText = (messages: readonly EmulatedMessage[]): string[] =>
  messages.flatMap((m) => m.embeds.map((e) => JSON.stringify(e)));

/** The ops channel's embeds matching `pattern`, once there is one. */
export async function opsMessagesMatching(
  fleet: RunningFleet,
  pattern: RegExp,
  timeoutMs: number,
): Promise<string[]> {
  return until(
    () => {
      const found = embedsText(fleet.emulator.messages(fleet.emulator.ids.opsChannelId)).filter((e) =>
        pattern.test(e),
      );
      return found.length > 0 ? found : undefined;
    },
    timeoutMs,
    `an ops-channel message matching ${pattern}`,
    100,
  );
}

/** What a failed run leaves to read: the ops channel's titles and the manager's fleet and alert records. */
export function diagnostics(fleet: RunningFleet): string {
  const titles = embedsText(fleet.emulator.messages(fleet.emulator.ids.opsChannelId)).map(
    (e) => (JSON.parse(e) as { title?: string }).title,
  );
  let records: string[] = [];
  try {
    records = readJsonLines(fleet.logFile())
      .filter((l) => l.subsys === 'fleet' || l.subsys === 'alerts')
      .map((l) => `${String(l.ts)} ${String(l.event)} ${String(l.msg)}`);
  } catch {
    // no log yet
  }
  return `ops channel: ${titles.join(' | ')}\n${records.join('\n')}`;
}

/** Shard `id`'s JSON log: every line valid, with the integer `shard`, and the schema's keys besides. */
export function assertShardLog(fleet: RunningFleet, id: number): Record<string, unknown>[] {
  const lines = readJsonLines(fleet.logFile(id));
  assert.ok(lines.length > 0, `shard ${id} logged`);
  for (const line of lines) {
    assert.equal(line.shard, id, `every line of shard ${id}'s file carries "shard": ${id}`);
    const { shard: _shard, ...rest } = line;
    assertLogLine(rest);
  }
  return lines;
}
