import { REST } from '@discordjs/rest';
import {
  ApplicationIntegrationType,
  InteractionContextType,
  PermissionFlagsBits,
  type RESTGetCurrentApplicationResult,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
  type RESTPutAPIApplicationCommandsResult,
  Routes,
} from 'discord-api-types/v10';
import type { OpsCommand } from './command.ts';

export interface RegisterCommandsOptions {
  /** @default 'https://discord.com/api' */
  readonly apiUrl?: string;
  readonly token: string;
  /** Fetched from `GET /applications/@me` when absent. */
  readonly applicationId?: string;
  /** Registers in this guild (instant) instead of globally. */
  readonly guildId?: string;
  readonly commands: readonly Pick<OpsCommand, 'data'>[];
}

export interface RegisteredCommands {
  readonly scope: 'guild' | 'global';
  readonly applicationId: string;
  readonly names: readonly string[];
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

/** Overwrites the application's commands (in `guildId`, else globally) with `commands`. */
export async function registerCommands(options: RegisterCommandsOptions): Promise<RegisteredCommands> {
  const names = options.commands.map((c) => c.data.name);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) throw new Error(`registerCommands: duplicate command name "${duplicate}"`);
  const rest = new REST({ api: options.apiUrl ?? 'https://discord.com/api' }).setToken(options.token);
  const applicationId =
    options.applicationId ??
    ((await rest.get(Routes.currentApplication())) as RESTGetCurrentApplicationResult).id;
  const body = options.commands.map(toRegistrationBody);
  const route =
    options.guildId === undefined
      ? Routes.applicationCommands(applicationId)
      : Routes.applicationGuildCommands(applicationId, options.guildId);
  const created = (await rest.put(route, { body })) as RESTPutAPIApplicationCommandsResult;
  return {
    scope: options.guildId === undefined ? 'global' : 'guild',
    applicationId,
    names: created.map((c) => c.name),
  };
}
