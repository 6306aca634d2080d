import { REST } from 'discord.js';
import {
  type RESTGetAPIApplicationCommandsResult,
  type RESTGetCurrentApplicationResult,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
  Routes,
} from 'discord-api-types/v10';
import type { OpsCommand } from './command.ts';
import { withRegistrationDefaults } from './define-command.ts';
import { DISCORD_CLIENT_DEFAULTS } from './discord-client.ts';

export interface RegisterCommandsOptions {
  /** @default 'https://discord.com/api' */
  readonly apiUrl?: string;
  readonly token: string;
  /** Fetched from `GET /applications/@me` when absent. */
  readonly applicationId?: string;
  /** The ops guilds: the ops commands are registered in each (instant), never globally. */
  readonly guildIds: readonly string[];
  /** The ops commands go to `guildIds`; the public ones (`access: 'public'`) are registered globally. */
  readonly commands: readonly Pick<OpsCommand, 'data' | 'access'>[];
}

export interface RegisteredCommands {
  readonly applicationId: string;
  /** The guilds the ops commands were registered in, in order. */
  readonly guildIds: readonly string[];
  /** The ops commands, registered in each of `guildIds`. */
  readonly names: readonly string[];
  /** The public commands, registered globally (usable in every guild the bot is in). */
  readonly globalNames: readonly string[];
  /**
   * Global registrations of ops commands that were deleted: left by an older version that
   * registered globally, they would show the ops commands in every guild.
   */
  readonly removedGlobal: readonly string[];
}

/**
 * The JSON a command is registered with: whatever the file declares, then the defaults of
 * its access (guild-only; Administrator by default for an ops command), so no command
 * file can forget them.
 */
export function toRegistrationBody(
  command: Pick<OpsCommand, 'data' | 'access'>,
): RESTPostAPIChatInputApplicationCommandsJSONBody {
  return withRegistrationDefaults(command.data.toJSON(), command.access ?? 'ops');
}

/**
 * Overwrites the application's commands in each ops guild with the ops commands, creates
 * or updates each public command globally, then deletes global registrations of the ops
 * commands (other global commands, the public ones among them, are left alone).
 */
export async function registerCommands(options: RegisterCommandsOptions): Promise<RegisteredCommands> {
  const all = options.commands.map((c) => c.data.name);
  const duplicate = all.find((name, i) => all.indexOf(name) !== i);
  if (duplicate !== undefined) throw new Error(`registerCommands: duplicate command name "${duplicate}"`);
  if (options.guildIds.length === 0) {
    throw new Error('registerCommands: no guild to register in (set DISCORD_GUILD_ID or OPS_GUILD_IDS)');
  }
  const ops = options.commands.filter((c) => (c.access ?? 'ops') === 'ops');
  const open = options.commands.filter((c) => c.access === 'public');
  const names = ops.map((c) => c.data.name);
  const rest = new REST({ api: options.apiUrl ?? DISCORD_CLIENT_DEFAULTS.apiUrl }).setToken(options.token);
  const applicationId =
    options.applicationId ??
    ((await rest.get(Routes.currentApplication())) as RESTGetCurrentApplicationResult).id;
  const body = ops.map(toRegistrationBody);
  for (const guildId of options.guildIds) {
    await rest.put(Routes.applicationGuildCommands(applicationId, guildId), { body });
  }
  // One by one: a PUT of the global list would delete every other global command of the bot.
  for (const command of open) {
    await rest.post(Routes.applicationCommands(applicationId), { body: toRegistrationBody(command) });
  }
  const global = (await rest.get(
    Routes.applicationCommands(applicationId),
  )) as RESTGetAPIApplicationCommandsResult;
  const stale = global.filter((command) => names.includes(command.name));
  for (const command of stale) {
    await rest.delete(Routes.applicationCommand(applicationId, command.id));
  }
  return {
    applicationId,
    guildIds: [...options.guildIds],
    names,
    globalNames: open.map((c) => c.data.name),
    removedGlobal: stale.map((c) => c.name),
  };
}
