import {
  ApplicationIntegrationType,
  InteractionContextType,
  PermissionFlagsBits,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import type { CommandAccess, OpsCommand } from './command.ts';

/** A command as its file declares it; {@link defineCommand} turns it into an {@link OpsCommand}. */
export type CommandDefinition = Omit<OpsCommand, 'access'> & {
  /**
   * Who may run it. `ops` (the default): the ops admins, in the ops guilds only. `public`:
   * any member of any guild the bot is in; such a command must show nothing an outsider
   * should not see.
   */
  readonly access?: CommandAccess;
};

/**
 * The registration JSON of a command of this access, whatever its builder says: guild
 * installs and guild channels only (never DMs), and the Administrator permission by
 * default for an ops command (a guild may widen it, so the router checks again), none
 * for a public one.
 */
export function withRegistrationDefaults(
  body: RESTPostAPIChatInputApplicationCommandsJSONBody,
  access: CommandAccess,
): RESTPostAPIChatInputApplicationCommandsJSONBody {
  const { dm_permission: _legacy, ...rest } = body;
  return {
    ...rest,
    default_member_permissions: access === 'ops' ? PermissionFlagsBits.Administrator.toString() : null,
    contexts: [InteractionContextType.Guild],
    integration_types: [ApplicationIntegrationType.GuildInstall],
  };
}

/**
 * Declares a slash command in a file of `commands/`: give it a `SlashCommandBuilder` with
 * a name, a description and options, say who it is for, and this applies the registration
 * defaults of that access (no `setDefaultMemberPermissions` or `setContexts` in the file);
 * the router applies the matching guard when it runs.
 */
export function defineCommand(definition: CommandDefinition): OpsCommand {
  const access = definition.access ?? 'ops';
  const { data } = definition;
  return {
    ...definition,
    access,
    data: { name: data.name, toJSON: () => withRegistrationDefaults(data.toJSON(), access) },
  };
}
