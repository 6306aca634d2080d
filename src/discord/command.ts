import type { AutocompleteInteraction, ChatInputCommandInteraction } from 'discord.js';
import type {
  APIActionRowComponent,
  APIComponentInMessageActionRow,
  APIEmbed,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import type { ChartService } from '../charts/chart-renderer.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logging/logger.ts';
import type { OpsView } from '../core/ops-view.ts';
import type { FleetAccess } from '../fleet/fleet-client.ts';

export type { FleetAccess, OpsView };

export interface CommandContext {
  readonly ops: OpsView;
  readonly log: Logger;
  readonly clock: Clock;
  /** Charts for the replies; absent or unavailable means text only. */
  readonly charts?: ChartService;
  /** In a shard of a fleet: the whole fleet, asked from the shard manager with a deadline. */
  readonly fleet?: FleetAccess;
}

/** A file sent with a reply; an embed shows an image one with `image: { url: 'attachment://NAME' }`. */
export interface ReplyFile {
  /** The file name, also what `attachment://` refers to: letters, digits, `._-`. */
  readonly name: string;
  readonly data: Uint8Array;
  /** Alt text for screen readers. */
  readonly description?: string;
}

/** What a command answers; the router sends it ephemerally, deferring first when the command is slow. */
export interface CommandReply {
  readonly embeds: readonly APIEmbed[];
  readonly content?: string;
  /** Sent as attachments (at most 10). */
  readonly files?: readonly ReplyFile[];
  /**
   * Makes a fuller reply (one with a chart). The router defers at once and calls it
   * only once the deferral is acknowledged, so the work never competes with the
   * acknowledgement; it edits the result in when it comes within its budget. When it
   * resolves undefined, fails or is late, the reply above goes out instead.
   */
  readonly fuller?: () => Promise<CommandReply | undefined>;
  /** Buttons and select menus under the reply (at most 5 rows). */
  readonly components?: readonly APIActionRowComponent<APIComponentInMessageActionRow>[];
}

/** Who may run a command: the ops admins in the ops guilds, or any member of any guild the bot is in. */
export type CommandAccess = 'ops' | 'public';

/**
 * One file per slash command under `commands/` exports this shape as its default
 * export. Commands are thin: read a snapshot from `ctx.ops`, render it with a pure
 * renderer, return the reply. The router does acknowledgement, the guard of the
 * command's access, errors and the `command_invoked` record. Declare one with
 * `defineCommand`, which also applies the registration defaults.
 */
export interface OpsCommand {
  /** @default 'ops' */
  readonly access?: CommandAccess;
  readonly data: { readonly name: string; toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody };
  execute(interaction: ChatInputCommandInteraction, ctx: CommandContext): Promise<CommandReply>;
  autocomplete?(interaction: AutocompleteInteraction, ctx: CommandContext): Promise<void>;
}
