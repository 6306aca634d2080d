import type { AutocompleteInteraction, ChatInputCommandInteraction } from 'discord.js';
import type { APIEmbed, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord-api-types/v10';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logging/logger.ts';
import type { OpsView } from '../core/ops-view.ts';
import type { FleetAccess } from '../fleet/fleet-client.ts';

export type { FleetAccess, OpsView };

export interface CommandContext {
  readonly ops: OpsView;
  readonly log: Logger;
  readonly clock: Clock;
  /** In a shard of a fleet: the whole fleet, asked from the shard manager with a deadline. */
  readonly fleet?: FleetAccess;
}

/** What a command answers; the router sends it ephemerally, deferring first when the command is slow. */
export interface CommandReply {
  readonly embeds: readonly APIEmbed[];
  readonly content?: string;
}

/**
 * One file per slash command under `commands/` exports this shape as its default
 * export. Commands are thin: read a snapshot from `ctx.ops`, render it with a pure
 * renderer, return the reply. The router does acknowledgement, the admin guard,
 * errors and the `command_invoked` record.
 */
export interface OpsCommand {
  readonly data: { readonly name: string; toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody };
  execute(interaction: ChatInputCommandInteraction, ctx: CommandContext): Promise<CommandReply>;
  autocomplete?(interaction: AutocompleteInteraction, ctx: CommandContext): Promise<void>;
}
