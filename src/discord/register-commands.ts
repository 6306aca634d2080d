import { REST } from '@discordjs/rest';
import {
  ApplicationIntegrationType,
  InteractionContextType,
  PermissionFlagsBits,
  type RESTGetAPIApplicationCommandsResult,
  type RESTGetCurrentApplicationResult,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
  Routes,
} from 'discord-api-types/v10';
import type { OpsCommand } from './command.ts';
import { DISCORD_CLIENT_DEFAULTS } from './discord-client.ts';

export interface RegisterCommandsOptions {
  /** @default 'https://discord.com/api' */
  readonly apiUrl?: string;
  readonly token: string;
  /** Fetched from `GET /applications/@me` when absent. */
  readonly applicationId?: string;
  /** The ops guilds: the commands are registered in each (instant), never globally. */
  readonly guildIds: readonly string[];
  readonly commands: readonly Pick<OpsCommand, 'data'>[];
}

export interface RegisteredCommands {
  readonly applicationId: string;
  /** The guilds registered in, in order. */
  readonly guildIds: readonly string[];
  readonly names: readonly string[];
  /**
   * Global registrations of these same commands that were deleted: left by an older
   * version that registered globally, they would show the commands in every guild.
   */
  readonly removedGlobal: readonly string[];
}

/**
 * The JSON a command is registered with: whatever the file declares, then guild-only
 * and Administrator by default, so no command file can forget it.
 */
export function toRegistrationBody(
  command: Pick<OpsCommand, 'data'>,
): RESTPostAPIChatInputApplicationCommandsJSONBody {
  const body = command.data.toJSON();
  const { dm_permission: _legacy, ...rest } = body;
  return {
    ...rest,
    default_member_permissions: PermissionFlagsBits.Administrator.toString(),
    contexts: [InteractionContextType.Guild],
    integration_types: [ApplicationIntegrationType.GuildInstall],
  };
}

/**
 * Overwrites the application's commands in each ops guild with `commands`, then deletes
 * global registrations of any of them (other global commands are left alone).
 */
export async function registerCommands(options: RegisterCommandsOptions): Promise<RegisteredCommands> {
  const names = options.commands.map((c) => c.data.name);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) throw new Error(`registerCommands: duplicate command name "${duplicate}"`);
  if (options.guildIds.length === 0) {
    throw new Error('registerCommands: no guild to register in (set DISCORD_GUILD_ID or OPS_GUILD_IDS)');
  }
  const rest = new REST({ api: options.apiUrl ?? DISCORD_CLIENT_DEFAULTS.apiUrl }).setToken(options.token);
  const applicationId =
    options.applicationId ??
    ((await rest.get(Routes.currentApplication())) as RESTGetCurrentApplicationResult).id;
  const body = options.commands.map(toRegistrationBody);
  for (const guildId of options.guildIds) {
    await rest.put(Routes.applicationGuildCommands(applicationId, guildId), { body });
  }
  const global = (await rest.get(
    Routes.applicationCommands(applicationId),
  )) as RESTGetAPIApplicationCommandsResult;
  const stale = global.filter((command) => names.includes(command.name));
  for (const command of stale) {
    await rest.delete(Routes.applicationCommand(applicationId, command.id));
  }
  return { applicationId, guildIds: [...options.guildIds], names, removedGlobal: stale.map((c) => c.name) };
}
