import { randomBytes } from 'node:crypto';
import {
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  type Client,
  DiscordAPIError,
  Events,
  type Interaction,
  type InteractionEditReplyOptions,
  MessageFlags,
} from 'discord.js';
import { type Clock, settleWithin, systemClock, type Timer } from '../core/clock.ts';
import type { Logger } from '../core/logging/logger.ts';
import { type Metrics, noopMetrics } from '../core/metrics/metrics.ts';
import { scheduleDeferral, withinTimeout } from './ack-deadline.ts';
import type { CommandContext, CommandReply, OpsCommand, ReplyFile } from './command.ts';
import { type ComponentHandler, createComponentRouter } from './component-router.ts';
import { type GuardDecision, type GuardSubject, isInBotGuild } from './is-ops-admin.ts';
import { replyPayload } from './reply-payload.ts';
import { errorEmbed, refusalEmbed, shuttingDownEmbed, unknownCommandEmbed } from './router-replies.ts';

/** `command_invoked`'s `outcome`, also the metric's label. */
export type CommandOutcome = 'ok' | 'refused' | 'error' | 'unknown';

export interface CommandRouterOptions {
  readonly commands: readonly OpsCommand[];
  readonly ctx: CommandContext;
  /** The guard of the ops commands (`access: 'ops'`, the default); usually `(i) => isOpsAdmin(i, policy)`. */
  readonly guard: (interaction: GuardSubject) => GuardDecision;
  /** The guard of the public commands (`access: 'public'`). @default isInBotGuild */
  readonly publicGuard?: (interaction: GuardSubject) => GuardDecision;
  readonly log: Logger;
  /** @default systemClock */
  readonly clock?: Clock;
  /** @default noopMetrics */
  readonly metrics?: Metrics;
  /**
   * A command still running after this long is deferred (ephemeral "thinking…") and its
   * answer edited in later; well inside Discord's 3-second window. @default 1500
   */
  readonly deferAfterMs?: number;
  /**
   * A command still running after this long is answered with the error reply; its
   * result, if it ever comes, is dropped. @default 30000
   */
  readonly commandTimeoutMs?: number;
  /**
   * How long a deferred command waits for its fuller reply (a chart) before the
   * plain one goes out. @default 5000
   */
  readonly fullerTimeoutMs?: number;
  /** How long `close()` waits for in-flight commands. @default 5000 */
  readonly closeTimeoutMs?: number;
  /** Reference ids shown to users for failed commands. @default 8 random hex characters */
  readonly newReference?: () => string;
  /**
   * What the bot's buttons and select menus do; a press goes through the same guard and
   * the same acknowledgement timing as a command. @default none (presses are ignored)
   */
  readonly components?: readonly ComponentHandler[];
}

const DEFAULTS = {
  deferAfterMs: 1_500,
  commandTimeoutMs: 30_000,
  fullerTimeoutMs: 5_000,
  closeTimeoutMs: 5_000,
} as const satisfies Partial<CommandRouterOptions>;

export { DEFAULTS as COMMAND_ROUTER_DEFAULTS };

/** Discord acknowledges nothing after 3 s; deferring later than this would always fail. */
const ACK_WINDOW_MS = 3_000;

export interface CommandRouter {
  /** Handles one interaction; never rejects. */
  handle(interaction: Interaction): Promise<void>;
  /** Listens to the client's `interactionCreate`; returns the detach function. */
  attach(client: Client): () => void;
  /**
   * Answers new interactions with "shutting down" and waits for in-flight ones, at most
   * `timeoutMs` (default: the `closeTimeoutMs` option) so it fits a shutdown's budget.
   */
  close(timeoutMs?: number): Promise<void>;
  readonly inFlight: number;
}

type Reply = CommandReply;

/** discord.js's form of the files: each becomes an attachment of the message. */

/**
 * Routes slash commands and autocompletes to {@link OpsCommand}s: the guard of each
 * command's access (ops admins, or any member for a public command), ephemeral
 * replies with no mentions, deferral for slow commands, errors turned into a reference
 * id, and one `command_invoked` record per invocation.
 */
export function createCommandRouter(options: CommandRouterOptions): CommandRouter {
  const deferAfterMs = options.deferAfterMs ?? DEFAULTS.deferAfterMs;
  const closeTimeoutMs = options.closeTimeoutMs ?? DEFAULTS.closeTimeoutMs;
  if (!(deferAfterMs >= 0 && deferAfterMs < ACK_WINDOW_MS)) {
    throw new RangeError(`deferAfterMs must be in [0, ${ACK_WINDOW_MS}) ms, got ${deferAfterMs}`);
  }
  if (!(closeTimeoutMs >= 0)) throw new RangeError(`closeTimeoutMs must be >= 0, got ${closeTimeoutMs}`);
  const fullerTimeoutMs = options.fullerTimeoutMs ?? DEFAULTS.fullerTimeoutMs;
  if (!(fullerTimeoutMs >= 0)) throw new RangeError(`fullerTimeoutMs must be >= 0, got ${fullerTimeoutMs}`);
  const commandTimeoutMs = options.commandTimeoutMs ?? DEFAULTS.commandTimeoutMs;
  if (!(commandTimeoutMs > deferAfterMs)) {
    throw new RangeError(`commandTimeoutMs (${commandTimeoutMs}) must exceed deferAfterMs (${deferAfterMs})`);
  }
  const commands = new Map<string, OpsCommand>();
  for (const command of options.commands) {
    if (commands.has(command.data.name)) throw new Error(`duplicate command name "${command.data.name}"`);
    commands.set(command.data.name, command);
  }
  const publicGuard = options.publicGuard ?? isInBotGuild;
  const guard = (command: OpsCommand, interaction: GuardSubject): GuardDecision =>
    command.access === 'public' ? publicGuard(interaction) : options.guard(interaction);
  const clock = options.clock ?? systemClock;
  const metrics = options.metrics ?? noopMetrics;
  const log = options.log.child({ name: 'commands', subsys: 'commands' });
  const newReference = options.newReference ?? (() => randomBytes(4).toString('hex'));
  const inFlight = new Set<Promise<void>>();
  let closing = false;
  const components =
    options.components === undefined || options.components.length === 0
      ? undefined
      : createComponentRouter({
          handlers: options.components,
          ctx: options.ctx,
          guard: options.guard,
          log,
          clock,
          metrics,
          deferAfterMs,
          timeoutMs: commandTimeoutMs,
          newReference,
        });

  const replyFailed = (name: string, userId: string, stage: string, error: unknown): void => {
    // The whole error is not logged: a DiscordAPIError's url holds the interaction token.
    log.warning('command_reply_failed', `Could not answer /${name}`, {
      command: name,
      user_id: userId,
      stage,
      code: error instanceof DiscordAPIError ? error.code : null,
      status: error instanceof DiscordAPIError ? error.status : null,
      error_message: error instanceof Error ? error.message : String(error),
    });
  };

  /** The fuller reply if it comes within its budget and is well formed; undefined otherwise (logged). */
  async function awaitFuller(
    name: string,
    userId: string,
    fuller: () => Promise<CommandReply | undefined>,
  ): Promise<Reply | undefined> {
    let timer: Timer | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = clock.setTimeout(() => resolve('late'), fullerTimeoutMs, { unref: true });
    });
    try {
      // A synchronous throw lands in the catch below like a rejection.
      const making = Promise.resolve().then(fuller);
      const result = await Promise.race([making, late]);
      if (result === 'late') {
        log.warning('command_fuller_late', `/${name}: the chart was not ready in time; sent without it`, {
          command: name,
          user_id: userId,
          timeout_ms: fullerTimeoutMs,
        });
        return undefined;
      }
      return result === undefined ? undefined : checkReply(result);
    } catch (error) {
      log.warning('command_fuller_failed', `/${name}: the chart failed; sent without it`, {
        command: name,
        user_id: userId,
        error_message: error instanceof Error ? error.message : String(error),
      });
      return undefined;
    } finally {
      timer?.cancel();
    }
  }

  async function runChatInput(interaction: ChatInputCommandInteraction): Promise<void> {
    const receivedAt = clock.now();
    const name = interaction.commandName;
    const userId = interaction.user.id;
    const command = commands.get(name);
    let ackAt: number | undefined;
    let deferred = false;
    let replyOk = true;
    let outcome: CommandOutcome;
    let reason: string | undefined;

    const send = async (reply: Reply): Promise<void> => {
      try {
        await interaction.reply({ ...replyPayload(reply), flags: MessageFlags.Ephemeral });
        ackAt = clock.now();
      } catch (error) {
        replyOk = false;
        replyFailed(name, userId, 'reply', error);
      }
    };

    if (closing) {
      outcome = 'refused';
      reason = 'shutting_down';
      await send({ embeds: [shuttingDownEmbed()] });
    } else if (command === undefined) {
      outcome = 'unknown';
      await send({ embeds: [unknownCommandEmbed()] });
    } else {
      const decision = guard(command, interaction);
      if (!decision.allowed) {
        outcome = 'refused';
        reason = decision.reason;
        log.warning('command_refused', `Refused /${name}: ${decision.reason}`, {
          command: name,
          user_id: userId,
          reason: decision.reason,
        });
        await send({ embeds: [refusalEmbed(decision.reason)] });
      } else {
        const deferral = scheduleDeferral(
          clock,
          deferAfterMs,
          () => {
            deferred = true;
            return interaction.deferReply({ flags: MessageFlags.Ephemeral });
          },
          {
            acked: () => {
              ackAt = clock.now();
            },
            failed: (error) => replyFailed(name, userId, 'defer', error),
          },
        );
        let reply: Reply;
        try {
          reply = checkReply(
            await withinTimeout(
              clock,
              () => command.execute(interaction, options.ctx),
              commandTimeoutMs,
              `command timed out after ${commandTimeoutMs} ms`,
            ),
          );
          outcome = 'ok';
        } catch (error) {
          const reference = newReference();
          outcome = 'error';
          log.error('command_failed', `/${name} failed (ref ${reference})`, {
            command: name,
            user_id: userId,
            ref: reference,
            error,
          });
          reply = { embeds: [errorEmbed(reference)] };
        }
        deferral.cancel();
        if (outcome === 'ok' && reply.fuller !== undefined) {
          // Acknowledge first; the chart is made only then, and comes with the edit (or
          // the text alone does). A deferral that failed leaves nothing to edit.
          if (await deferral.defer()) reply = (await awaitFuller(name, userId, reply.fuller)) ?? reply;
        }
        if (deferral.started === undefined) {
          await send(reply);
        } else if (await deferral.started) {
          try {
            const edit: InteractionEditReplyOptions = replyPayload(reply);
            await interaction.editReply(edit);
          } catch (error) {
            replyOk = false;
            replyFailed(name, userId, 'edit', error);
          }
        } else {
          replyOk = false;
        }
      }
    }

    if (!replyOk && outcome === 'ok') outcome = 'error';
    const ackMs = ackAt === undefined ? undefined : ackAt - receivedAt;
    log.info('command_invoked', `/${name} → ${outcome}`, {
      command: name,
      user_id: userId,
      outcome,
      duration_ms: clock.now() - receivedAt,
      ack_ms: ackMs ?? null,
      deferred,
      ...(reason === undefined ? {} : { reason }),
      ...(replyOk ? {} : { reply_failed: true }),
    });
    // Unknown names would let anyone mint label values; they share one.
    metrics.interaction(
      command === undefined ? 'unknown' : name,
      outcome,
      ackMs === undefined ? undefined : ackMs / 1000,
    );
  }

  async function runAutocomplete(interaction: AutocompleteInteraction): Promise<void> {
    const name = interaction.commandName;
    const command = commands.get(name);
    const empty = async (): Promise<void> => {
      if (interaction.responded) return;
      try {
        await interaction.respond([]);
      } catch (error) {
        replyFailed(name, interaction.user.id, 'autocomplete', error);
      }
    };
    if (closing || command?.autocomplete === undefined || !guard(command, interaction).allowed) {
      await empty();
      return;
    }
    try {
      await command.autocomplete(interaction, options.ctx);
    } catch (error) {
      log.error('command_failed', `Autocomplete for /${name} failed`, {
        command: name,
        user_id: interaction.user.id,
        autocomplete: true,
        error,
      });
    }
    await empty();
  }

  const handle = async (interaction: Interaction): Promise<void> => {
    let run: Promise<void>;
    if (interaction.isChatInputCommand()) run = runChatInput(interaction);
    else if (interaction.isAutocomplete()) run = runAutocomplete(interaction);
    else if (interaction.isMessageComponent() && components !== undefined)
      run = components.handle(interaction, closing);
    else return;
    const tracked = run.catch((error: unknown) => {
      log.error('command_router_error', 'The command router failed on an interaction', {
        error_message: error instanceof Error ? error.message : String(error),
      });
    });
    inFlight.add(tracked);
    try {
      await tracked;
    } finally {
      inFlight.delete(tracked);
    }
  };

  return {
    handle,
    attach(client) {
      const listener = (interaction: Interaction): void => {
        void handle(interaction);
      };
      client.on(Events.InteractionCreate, listener);
      return () => {
        client.off(Events.InteractionCreate, listener);
      };
    },
    async close(timeoutMs = closeTimeoutMs) {
      closing = true;
      if (inFlight.size === 0) return;
      const bound = Math.min(timeoutMs, closeTimeoutMs);
      if (!(await settleWithin(clock, Promise.allSettled([...inFlight]), bound))) {
        log.warning('command_router_close_timeout', 'Stopped waiting for in-flight commands', {
          in_flight: inFlight.size,
          timeout_ms: bound,
        });
      }
    },
    get inFlight() {
      return inFlight.size;
    },
  };
}

function checkReply(reply: unknown): Reply {
  const candidate = reply as Partial<CommandReply> | null | undefined;
  if (candidate === null || typeof candidate !== 'object' || !Array.isArray(candidate.embeds)) {
    throw new TypeError('command returned no { embeds } reply');
  }
  const files: unknown = candidate.files;
  if (
    files !== undefined &&
    !(
      Array.isArray(files) &&
      files.every(
        (f: Partial<ReplyFile> | null) =>
          typeof f?.name === 'string' && /^[\w.-]{1,100}$/.test(f.name) && f.data instanceof Uint8Array,
      )
    )
  ) {
    throw new TypeError('command returned files that are not { name, data: Uint8Array }');
  }
  return candidate as CommandReply;
}
