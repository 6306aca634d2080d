import type { ManagerMessage } from './ipc-protocol.ts';

/** What a shard process tells its supervisor. */
export interface ShardProcessEvents {
  /** A message of ours (discord.js's own IPC messages are filtered out before). */
  message(message: unknown): void;
  /** discord.js says the shard's gateway is ready (READY, or a RESUME). */
  ready(): void;
  /** discord.js says the shard's gateway closed or is reconnecting. */
  notReady(): void;
  exit(code: number | null, signal: NodeJS.Signals | null): void;
}

/** One running shard process. */
export interface ShardProcess {
  readonly pid: number | undefined;
  /** Sends a signal; false when the process is already gone. */
  kill(signal: NodeJS.Signals): boolean;
  /** Sends one of our messages; rejects when the channel is closed. */
  send(message: ManagerMessage): Promise<void>;
}

/** Starts shard processes: discord.js's ShardingManager in the bot, a fake in tests. */
export interface ShardLauncher {
  /** A new process for shard `id`, its events going to `events`; rejects when it cannot be started. */
  launch(id: number, events: ShardProcessEvents): Promise<ShardProcess>;
}
