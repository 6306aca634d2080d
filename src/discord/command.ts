import type { AutocompleteInteraction, ChatInputCommandInteraction } from 'discord.js';
import type { APIEmbed, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord-api-types/v10';
import type { AlertsView } from '../core/alerts/types.ts';
import type { Clock } from '../core/clock.ts';
import type { HealthSnapshot } from '../core/health/types.ts';
import type { Logger } from '../core/logging/logger.ts';
import type { ResourcesView } from '../core/resources/types.ts';
import type { StartupReport } from '../core/startup/types.ts';
import type { TaskSnapshot } from '../core/tasks/types.ts';

/** The read side of the observability core that commands see, plus the few actions an admin may take. */
export interface OpsView {
  health(): HealthSnapshot;
  startup(): StartupReport | undefined;
  tasks(): readonly TaskSnapshot[];
  resources(): ResourcesView;
  alerts(): AlertsView;
  /** Silences an alert key (or a `prefix.*` pattern) for `durationMs`; returns the silence's end, ISO 8601 UTC. */
  silence(key: string, durationMs: number, by: string): string;
  /** Lifts a silence; false when there was none. */
  unsilence(key: string): boolean;
}

export interface CommandContext {
  readonly ops: OpsView;
  readonly log: Logger;
  readonly clock: Clock;
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
