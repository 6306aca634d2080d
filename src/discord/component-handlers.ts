import type { APIEmbed } from 'discord-api-types/v10';
import { formatDuration } from '../core/alerts/alert-message.ts';
import type { AlertActionResult } from '../core/alerts/types.ts';
import { ALERT_BUTTONS, SILENCE_BUTTON_MS } from './alert-buttons.ts';
import type { CommandReply } from './command.ts';
import type { ComponentHandler } from './component-router.ts';
import { EMBED_COLORS, inlineCode } from './embeds/embed-text.ts';
import { healthView, VIEW_CONTROLS, viewByName } from './ops-views.ts';

const KEYS_LISTED = 5;
const VIEWS: ReadonlySet<string> = new Set(['health', 'resources', 'tasks', 'alerts']);

function keys(list: readonly string[]): string {
  const shown = list.slice(0, KEYS_LISTED).map((k) => inlineCode(k, 60));
  return `${shown.join(', ')}${list.length > KEYS_LISTED ? ` and ${list.length - KEYS_LISTED} more` : ''}`;
}

const say = (color: number, description: string): CommandReply => ({
  embeds: [{ color, description } satisfies APIEmbed],
});

/** What the presser reads when the alerts of the message are not firing any more. */
function nothingFiring(result: AlertActionResult): CommandReply {
  return result.resolved.length > 0
    ? say(EMBED_COLORS.ok, `✅ ${keys(result.resolved)} resolved since this was posted: nothing to do.`)
    : say(
        EMBED_COLORS.info,
        'This alert is no longer tracked (it resolved a while ago); `/alerts list` shows what fires now.',
      );
}

/** Acknowledge, Silence 1h and Silence 1d on an alert message in the ops channel. */
export const alertButtonsHandler: ComponentHandler = {
  prefix: 'ops:alert:',
  answers: 'reply',
  name: (customId) => (customId === ALERT_BUTTONS.acknowledge ? 'alert_ack' : 'alert_silence'),
  async run(interaction, ctx) {
    const messageId = interaction.message.id;
    const by = interaction.user.id;
    if (interaction.customId === ALERT_BUTTONS.acknowledge) {
      const result = ctx.ops.acknowledgeAlerts(messageId, by);
      if (result.applied.length > 0) {
        return say(
          EMBED_COLORS.ok,
          `✋ You acknowledged ${keys(result.applied)}: no more reminders, and the message says it is yours.`,
        );
      }
      if (result.already.length > 0) {
        return say(EMBED_COLORS.info, `✋ ${keys(result.already)} was already acknowledged.`);
      }
      return nothingFiring(result);
    }
    const durationMs = SILENCE_BUTTON_MS[interaction.customId];
    if (durationMs === undefined) {
      return say(EMBED_COLORS.warning, 'This button no longer does anything.');
    }
    const result = ctx.ops.silenceAlerts(messageId, durationMs, by);
    if (result.applied.length === 0) return nothingFiring(result);
    const until = result.silences[0]?.until;
    const when = until === undefined ? '' : ` until <t:${Math.floor(Date.parse(until) / 1000)}:f>`;
    return say(
      EMBED_COLORS.info,
      `🔕 ${keys(result.applied)} silenced for ${formatDuration(durationMs)}${when}: still logged, not posted; the channel is told, and hears when it ends.`,
    );
  },
};

/** Refresh on the /health, /resources, /tasks and /alerts list replies: the same view, now. */
export const refreshHandler: ComponentHandler = {
  prefix: VIEW_CONTROLS.refreshPrefix,
  answers: 'update',
  // Only names the bot made: a forged custom id must not mint log or metric label values.
  name: (customId) => {
    const view = customId.slice(VIEW_CONTROLS.refreshPrefix.length).split(':')[0] ?? '';
    return VIEWS.has(view) ? `refresh_${view}` : 'refresh_unknown';
  },
  async run(interaction, ctx) {
    const [view = '', ...rest] = interaction.customId.slice(VIEW_CONTROLS.refreshPrefix.length).split(':');
    const argument = rest.length > 0 ? rest.join(':') : undefined;
    const reply = viewByName(ctx, view, argument);
    if (reply === undefined) throw new Error(`no view named ${view}`);
    return reply;
  },
};

/** The component menu on /health: the chosen component and its error history. */
export const healthSelectHandler: ComponentHandler = {
  prefix: VIEW_CONTROLS.healthSelect,
  answers: 'update',
  name: () => 'health_component',
  async run(interaction, ctx) {
    const chosen = interaction.isStringSelectMenu() ? interaction.values[0] : undefined;
    return healthView(ctx, chosen);
  },
};

/** Every control the bot puts on its messages. */
export const COMPONENT_HANDLERS: readonly ComponentHandler[] = [
  alertButtonsHandler,
  refreshHandler,
  healthSelectHandler,
];
