import { ButtonStyle, ComponentType } from 'discord.js';
import type {
  APIActionRowComponent,
  APIButtonComponent,
  APIComponentInMessageActionRow,
  APIEmbed,
} from 'discord-api-types/v10';
import type { AlertEpisode } from '../core/alerts/types.ts';
import { renderEpisodeEmbed } from './embeds/alert-episode-embed.ts';
import { EMBED_LIMITS } from './embeds/embed-text.ts';

/** Custom ids of the buttons on an alert message. Every id of the bot starts with `ops:`. */
export const ALERT_BUTTONS = {
  acknowledge: 'ops:alert:ack',
  silence1h: 'ops:alert:silence:1h',
  silence1d: 'ops:alert:silence:1d',
} as const;

/** How long each silence button silences for. */
export const SILENCE_BUTTON_MS: Readonly<Record<string, number>> = {
  [ALERT_BUTTONS.silence1h]: 3_600_000,
  [ALERT_BUTTONS.silence1d]: 86_400_000,
};

export type ActionRow = APIActionRowComponent<APIComponentInMessageActionRow>;

/** An alert message as posted or edited: one embed per episode, the buttons while any fires. */
export interface AlertMessageBody {
  readonly embeds: APIEmbed[];
  readonly components: ActionRow[];
}

/**
 * The buttons of an alert message while one of its alerts still fires: Acknowledge
 * (greyed out as "Acknowledged" once every firing alert is), Silence 1h, Silence 1d.
 */
export function alertButtons(episodes: readonly AlertEpisode[]): ActionRow[] {
  const firing = episodes.filter((e) => e.state === 'firing');
  if (firing.length === 0) return [];
  const acknowledged = firing.every((e) => e.acknowledged !== null);
  const button = (
    custom_id: string,
    label: string,
    style: ButtonStyle.Primary | ButtonStyle.Secondary,
    emoji: string,
    disabled = false,
  ): APIButtonComponent => ({
    type: ComponentType.Button,
    custom_id,
    label,
    style,
    emoji: { name: emoji },
    disabled,
  });
  return [
    {
      type: ComponentType.ActionRow,
      components: [
        acknowledged
          ? button(ALERT_BUTTONS.acknowledge, 'Acknowledged', ButtonStyle.Secondary, '✋', true)
          : button(ALERT_BUTTONS.acknowledge, 'Acknowledge', ButtonStyle.Primary, '✋'),
        button(ALERT_BUTTONS.silence1h, 'Silence 1h', ButtonStyle.Secondary, '🔕'),
        button(ALERT_BUTTONS.silence1d, 'Silence 1d', ButtonStyle.Secondary, '🔕'),
      ],
    },
  ];
}

/** The embeds and buttons of a message showing `episodes` (at most ten, Discord's cap). */
export function renderAlertMessage(episodes: readonly AlertEpisode[]): AlertMessageBody {
  const shown = episodes.slice(0, EMBED_LIMITS.embedsPerMessage);
  return { embeds: shown.map(renderEpisodeEmbed), components: alertButtons(shown) };
}
