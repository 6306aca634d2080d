import type { Clock } from '../../src/core/clock.ts';
import { systemClock } from '../../src/core/clock.ts';
import type { GatewayObserver } from '../../src/core/health/types.ts';
import type { Logger } from '../../src/core/logging/logger.ts';
import type { Metrics } from '../../src/core/metrics/metrics.ts';
import type { OpsCommand, OpsView } from '../../src/discord/command.ts';
import { type CommandRouter, createCommandRouter } from '../../src/discord/command-router.ts';
import { createDiscordClient, type DiscordClient } from '../../src/discord/discord-client.ts';
import { isOpsAdmin } from '../../src/discord/is-ops-admin.ts';
import { CaptureLogger } from './capture-logger.ts';
import { type Emulator, type EmulatorOptions, type SeedIds, startEmulator } from './emulator/index.ts';

/** A distinctive fake token, so tests can assert it never shows up anywhere. */
export const HARNESS_TOKEN = 'MTIz.harness-fake-token.SECRET-b0t-t0ken-do-not-log';

export interface BotHarnessOptions {
  readonly commands: readonly OpsCommand[];
  /** What commands read; by default every method throws (fixture commands need none). */
  readonly ops?: OpsView;
  /** @default the seeded home guild only */
  readonly opsGuildIds?: readonly string[];
  readonly adminUserIds?: readonly string[];
  /** Role ids, or a function of the seed (role ids change with every emulator start). */
  readonly adminRoleIds?: readonly string[] | ((ids: SeedIds) => readonly string[]);
  /** @default 1500 */
  readonly deferAfterMs?: number;
  /** How long a deferred command waits for its fuller reply. @default 5000 */
  readonly fullerTimeoutMs?: number;
  /** @default a fresh CaptureLogger */
  readonly log?: Logger;
  readonly metrics?: Metrics;
  readonly observer?: GatewayObserver;
  readonly emulator?: EmulatorOptions;
  /** @default systemClock (the real client runs in real time) */
  readonly clock?: Clock;
  /** @default HARNESS_TOKEN */
  readonly token?: string;
}

export interface BotHarness {
  readonly emulator: Emulator;
  readonly discord: DiscordClient;
  readonly router: CommandRouter;
  /** The logger given, or the CaptureLogger made for the run. */
  readonly log: Logger;
  /** Calls the default observer received, e.g. `ready(1)`, `disconnected(4000)`. */
  readonly gatewayEvents: readonly string[];
  readonly token: string;
  /** Router, client and emulator, in that order. */
  close(): Promise<void>;
}

function recordingObserver(events: string[]): GatewayObserver {
  return {
    connecting: () => events.push('connecting()'),
    ready: (guilds) => events.push(`ready(${guilds})`),
    disconnected: (code) => events.push(`disconnected(${code})`),
    reconnecting: () => events.push('reconnecting()'),
    resumed: () => events.push('resumed()'),
    ping: (ms) => events.push(`ping(${ms})`),
  };
}

const missingOps: OpsView = new Proxy({} as OpsView, {
  get(_target, property) {
    return () => {
      throw new Error(`bot harness: no OpsView was given, yet a command called ops.${String(property)}()`);
    };
  },
});

/**
 * Starts the emulator, the real discord.js client logged in against it, and the
 * command router with `commands`; for end-to-end tests of commands and the Discord layer.
 */
export async function startBotHarness(options: BotHarnessOptions): Promise<BotHarness> {
  const emulator = await startEmulator(options.emulator);
  const log = options.log ?? new CaptureLogger();
  const clock = options.clock ?? systemClock;
  const token = options.token ?? HARNESS_TOKEN;
  const gatewayEvents: string[] = [];
  const discord = createDiscordClient({
    token,
    apiUrl: emulator.apiUrl,
    observer: options.observer ?? recordingObserver(gatewayEvents),
    log,
    clock,
  });
  const roles = options.adminRoleIds ?? [];
  const policy = {
    opsGuildIds: options.opsGuildIds ?? [emulator.ids.guildId],
    adminUserIds: options.adminUserIds ?? [],
    adminRoleIds: typeof roles === 'function' ? roles(emulator.ids) : roles,
  };
  const router = createCommandRouter({
    commands: options.commands,
    ctx: { ops: options.ops ?? missingOps, log, clock },
    guard: (interaction) => isOpsAdmin(interaction, policy),
    log,
    clock,
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.deferAfterMs === undefined ? {} : { deferAfterMs: options.deferAfterMs }),
    ...(options.fullerTimeoutMs === undefined ? {} : { fullerTimeoutMs: options.fullerTimeoutMs }),
  });
  const detach = router.attach(discord.client);
  try {
    await discord.start();
  } catch (error) {
    await discord.stop();
    await emulator.close();
    throw error;
  }
  return {
    emulator,
    discord,
    router,
    log,
    gatewayEvents,
    token,
    async close() {
      await router.close();
      detach();
      await discord.stop();
      await emulator.close();
    },
  };
}
