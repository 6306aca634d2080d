import { randomBytes } from 'node:crypto';
import { DiscordAPIError, type MessageComponentInteraction, MessageFlags } from 'discord.js';
import { type Clock, systemClock } from '../core/clock.ts';
import type { Logger } from '../core/logging/logger.ts';
import { type Metrics, noopMetrics } from '../core/metrics/metrics.ts';
import { scheduleDeferral, withinTimeout } from './ack-deadline.ts';
import type { CommandContext, CommandReply } from './command.ts';
import type { GuardDecision, GuardSubject } from './is-ops-admin.ts';
import { asApiJson, replyPayload } from './reply-payload.ts';
import { errorEmbed, refusalEmbed, shuttingDownEmbed } from './router-replies.ts';

/**
 * What pressing a button (or picking from a menu) runs. Every custom id of the bot starts
 * with `ops:`; a handler takes the ids that start with its `prefix`.
 */
export interface ComponentHandler {
  readonly prefix: string;
  /**
   * `update`: the answer replaces the message the component is on (a Refresh of an
   * ephemeral reply). `reply`: the answer is a new ephemeral message to the presser only
   * (a button on an alert in the channel, whose message the ops channel sink edits).
   */
  readonly answers: 'update' | 'reply';
  /** A short stable name for the log and the metric, e.g. `alert_ack`, `refresh_health`. */
  name(customId: string): string;
  run(interaction: MessageComponentInteraction, ctx: CommandContext): Promise<CommandReply>;
}

export interface ComponentRouterOptions {
  readonly handlers: readonly ComponentHandler[];
  readonly ctx: CommandContext;
  readonly guard: (interaction: GuardSubject) => GuardDecision;
  readonly log: Logger;
  /** @default systemClock */
  readonly clock?: Clock;
  /** @default noopMetrics */
  readonly metrics?: Metrics;
  /** As for commands: a press still being handled after this long is deferred. @default 1500 */
  readonly deferAfterMs?: number;
  /** As for commands: a press still being handled after this long gets the error reply. @default 30000 */
  readonly timeoutMs?: number;
  /** @default 8 random hex characters */
  readonly newReference?: () => string;
}

const DEFAULTS = {
  deferAfterMs: 1_500,
  timeoutMs: 30_000,
} as const satisfies Partial<ComponentRouterOptions>;

export interface ComponentRouter {
  /** Handles one press; never rejects. `closing` answers "shutting down". */
  handle(interaction: MessageComponentInteraction, closing: boolean): Promise<void>;
}

const UNKNOWN_NAME = 'unknown';

/**
 * Routes button presses and menu choices: the same guard as the ops commands (ops guilds
 * and admins only; anyone else gets an ephemeral refusal and the press is logged), the
 * same acknowledgement inside Discord's 3 s (deferred when slow), errors turned into a
 * reference, and one `component_invoked` record per press.
 */
export function createComponentRouter(options: ComponentRouterOptions): ComponentRouter {
  const clock = options.clock ?? systemClock;
  const metrics = options.metrics ?? noopMetrics;
  const deferAfterMs = options.deferAfterMs ?? DEFAULTS.deferAfterMs;
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const log = options.log.child({ name: 'bot.commands', subsys: 'commands' });
  const newReference = options.newReference ?? (() => randomBytes(4).toString('hex'));
  for (const h of options.handlers) {
    if (!h.prefix.startsWith('ops:')) throw new Error(`component prefix "${h.prefix}" must start with ops:`);
  }

  const replyFailed = (name: string, userId: string, stage: string, error: unknown): void => {
    // Not the whole error: a DiscordAPIError's url holds the interaction token.
    log.warning('component_reply_failed', `Could not answer the ${name} press`, {
      component: name,
      user_id: userId,
      stage,
      code: error instanceof DiscordAPIError ? error.code : null,
      status: error instanceof DiscordAPIError ? error.status : null,
      error_message: error instanceof Error ? error.message : String(error),
    });
  };

  return {
    async handle(interaction, closing) {
      const receivedAt = clock.now();
      const handler = options.handlers.find((h) => interaction.customId.startsWith(h.prefix));
      const name = handler?.name(interaction.customId) ?? UNKNOWN_NAME;
      const userId = interaction.user.id;
      let ackAt: number | undefined;
      let deferred = false;
      let replyOk = true;
      let outcome: 'ok' | 'refused' | 'error' | 'unknown';
      let reason: string | undefined;

      /** An ephemeral message to the presser alone. */
      const tell = async (reply: CommandReply): Promise<void> => {
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
        await tell({ embeds: [shuttingDownEmbed()] });
      } else if (handler === undefined) {
        outcome = 'unknown';
        await tell({
          embeds: [],
          content: 'This control no longer does anything; run the command again for a fresh one.',
        });
      } else {
        const decision = options.guard(interaction);
        if (!decision.allowed) {
          outcome = 'refused';
          reason = decision.reason;
          log.warning('component_refused', `Refused the ${name} press: ${decision.reason}`, {
            component: name,
            user_id: userId,
            reason: decision.reason,
          });
          await tell({ embeds: [refusalEmbed(decision.reason)] });
        } else {
          const deferral = scheduleDeferral(
            clock,
            deferAfterMs,
            () => {
              deferred = true;
              return handler.answers === 'update'
                ? interaction.deferUpdate()
                : interaction.deferReply({ flags: MessageFlags.Ephemeral });
            },
            {
              acked: () => {
                ackAt = clock.now();
              },
              failed: (error) => replyFailed(name, userId, 'defer', error),
            },
          );
          let answer: CommandReply;
          let failed = false;
          try {
            answer = await withinTimeout(
              clock,
              () => handler.run(interaction, options.ctx),
              timeoutMs,
              `the press timed out after ${timeoutMs} ms`,
            );
            outcome = 'ok';
          } catch (error) {
            const reference = newReference();
            outcome = 'error';
            failed = true;
            log.error('component_failed', `The ${name} press failed (ref ${reference})`, {
              component: name,
              user_id: userId,
              ref: reference,
              error,
            });
            answer = { embeds: [errorEmbed(reference)] };
          }
          deferral.cancel();
          const payload = {
            embeds: answer.embeds.slice(0, 10).map(asApiJson),
            ...(answer.content === undefined ? {} : { content: answer.content }),
            ...(answer.components === undefined || failed
              ? {}
              : { components: answer.components.map(asApiJson) }),
            allowedMentions: { parse: [] as never[] },
          };
          try {
            if (deferral.started === undefined) {
              if (handler.answers === 'update' && !failed) await interaction.update(payload);
              else await tell(answer);
              ackAt ??= clock.now();
            } else if (await deferral.started) {
              // An update deferred with deferUpdate edits the message the component is on; an
              // error then goes to the presser alone rather than over the view.
              if (failed && handler.answers === 'update') {
                await interaction.followUp({ ...payload, flags: MessageFlags.Ephemeral });
              } else {
                await interaction.editReply(payload);
              }
            } else {
              replyOk = false;
            }
          } catch (error) {
            replyOk = false;
            replyFailed(name, userId, deferral.started === undefined ? 'update' : 'edit', error);
          }
        }
      }

      if (!replyOk && outcome === 'ok') outcome = 'error';
      const ackMs = ackAt === undefined ? undefined : ackAt - receivedAt;
      log.info('component_invoked', `${name} press → ${outcome}`, {
        component: name,
        user_id: userId,
        outcome,
        duration_ms: clock.now() - receivedAt,
        ack_ms: ackMs ?? null,
        deferred,
        ...(reason === undefined ? {} : { reason }),
        ...(replyOk ? {} : { reply_failed: true }),
      });
      metrics.interaction(
        `component:${handler === undefined ? UNKNOWN_NAME : name}`,
        outcome,
        ackMs === undefined ? undefined : ackMs / 1000,
      );
    },
  };
}
