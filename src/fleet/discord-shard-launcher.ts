import type { ChildProcess } from 'node:child_process';
import { type Shard, ShardingManager } from 'discord.js';
import type { ShardLauncher, ShardProcessEvents } from './shard-launcher.ts';

export interface DiscordShardLauncherOptions {
  /** The file each shard process runs (the bot's own entry point). */
  readonly file: string;
  readonly totalShards: number;
  readonly shardIds: readonly number[];
  readonly token: string;
  /** Node options of each shard process (how it runs TypeScript). */
  readonly execArgv: readonly string[];
}

/** The variables discord.js's ShardingManager writes into its own process's environment. */
const MANAGER_VARIABLES = ['SHARDING_MANAGER', 'SHARDING_MANAGER_MODE', 'DISCORD_TOKEN'] as const;

/**
 * Shard processes through discord.js's ShardingManager in process mode, with its own
 * respawning off (the supervisor owns it) and no `spawn()`: that one is sequential and
 * gives up on the whole fleet at the first shard that is not ready, so each shard is
 * created and spawned on its own (`createShard(id)`, `shard.spawn(-1)`), its readiness
 * watched by the supervisor.
 */
export function createDiscordShardLauncher(options: DiscordShardLauncherOptions): ShardLauncher {
  const saved = Object.fromEntries(MANAGER_VARIABLES.map((name) => [name, process.env[name]]));
  const manager = new ShardingManager(options.file, {
    totalShards: options.totalShards,
    shardList: [...options.shardIds],
    mode: 'process',
    respawn: false,
    token: options.token,
    execArgv: [...options.execArgv],
    silent: false,
  });
  // The constructor leaves the token and its mode in this process's environment; the
  // manager runs no client of its own, so it gets its environment back, and each shard
  // gets the mode explicitly below.
  for (const name of MANAGER_VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }

  const slots = new Map<number, { readonly shard: Shard; target: ShardProcessEvents | undefined }>();
  const slotFor = (id: number) => {
    const known = slots.get(id);
    if (known !== undefined) return known;
    const shard = manager.createShard(id);
    Object.assign(shard.env as Record<string, unknown>, { SHARDING_MANAGER_MODE: 'process' });
    const slot: { readonly shard: Shard; target: ShardProcessEvents | undefined } = {
      shard,
      target: undefined,
    };
    shard.on('message', (message: unknown) => slot.target?.message(message));
    shard.on('ready', () => slot.target?.ready());
    shard.on('resume', () => slot.target?.ready());
    shard.on('disconnect', () => slot.target?.notReady());
    shard.on('reconnecting', () => slot.target?.notReady());
    // Only emitted by discord.js's own respawning, which is off; a listener keeps it harmless.
    shard.on('error', () => {});
    slots.set(id, slot);
    return slot;
  };

  return {
    async launch(id, events) {
      const slot = slotFor(id);
      slot.target = events;
      const child = (await slot.shard.spawn(-1)) as ChildProcess;
      child.once('exit', (code, signal) => events.exit(code, signal));
      // A failed signal or send surfaces here; the exit that follows is what counts.
      child.on('error', () => {});
      return {
        pid: child.pid,
        kill: (signal) => child.exitCode === null && child.signalCode === null && child.kill(signal),
        send: async (message) => {
          await slot.shard.send(message);
        },
      };
    },
  };
}
