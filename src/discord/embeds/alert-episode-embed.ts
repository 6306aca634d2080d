import type { APIEmbed } from 'discord-api-types/v10';
import { formatDuration, severityIcon } from '../../core/alerts/alert-message.ts';
import type { AlertEpisode } from '../../core/alerts/types.ts';
import { EMBED_COLORS, inlineCode, neutralizeText, relativeTime, truncateText, ZWSP } from './embed-text.ts';

// Kept well under the per-field limits so ten episodes fit in one message's 6000 characters.
const VALUE_MAX = 100;
const TITLE_MAX = 120;
const KEY_MAX = 60;
/** Held-back alerts named before "… and N more". */
const HELD_LISTED = 8;
const SNOWFLAKE = /^\d{17,20}$/;

const safe = (text: string, max: number): string =>
  truncateText(neutralizeText(truncateText(text, max)), max);

/** A Discord id as a mention (posted with mentions off, so it shows the name without a ping), else inert code. */
export function whoText(by: string): string {
  return SNOWFLAKE.test(by) ? `<@${by}>` : inlineCode(by, 40);
}

function at(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? `<t:${Math.floor(ms / 1000)}:f>` : neutralizeText(truncateText(iso, 40));
}

function heldBackText(keys: readonly string[]): string {
  const listed = keys.slice(0, HELD_LISTED).map((k) => inlineCode(k, KEY_MAX));
  const more = keys.length > HELD_LISTED ? ` … and ${keys.length - HELD_LISTED} more` : '';
  return truncateText(`${listed.join(', ')}${more} (they follow from this one; logged, not posted)`, 1000);
}

/**
 * One alert episode as its message shows it. Firing: coloured by severity, with value,
 * threshold, since, and who acknowledged it, the silence on it and the alerts it holds
 * back. Resolved: green, with how long it lasted.
 */
export function renderEpisodeEmbed(e: AlertEpisode): APIEmbed {
  const resolved = e.state === 'resolved';
  const fields: NonNullable<APIEmbed['fields']> = [];
  if (e.value !== null) fields.push({ name: 'Value', value: safe(e.value, VALUE_MAX) || '—', inline: true });
  if (e.threshold !== null) {
    fields.push({ name: 'Threshold', value: safe(e.threshold, VALUE_MAX) || '—', inline: true });
  }
  fields.push({ name: 'Since', value: relativeTime(e.since), inline: true });
  const lastedMs =
    resolved && e.resolved_at !== null ? Date.parse(e.resolved_at) - Date.parse(e.since) : null;
  if (lastedMs !== null && Number.isFinite(lastedMs)) {
    fields.push({ name: 'Lasted', value: formatDuration(lastedMs), inline: true });
  }
  if (e.acknowledged !== null) {
    fields.push({
      name: 'Acknowledged',
      value: `✋ by ${whoText(e.acknowledged.by)} at ${at(e.acknowledged.at)}`,
      inline: false,
    });
  }
  if (!resolved && e.silenced_until !== null) {
    fields.push({ name: 'Silenced', value: `🔕 until ${at(e.silenced_until)}`, inline: false });
  }
  if (!resolved && e.held_back.length > 0) {
    fields.push({ name: 'Holding back', value: heldBackText(e.held_back), inline: false });
  }
  const state = resolved
    ? `Resolved after ${formatDuration(lastedMs ?? 0)}`
    : e.severity === 'critical'
      ? 'Critical alert'
      : 'Warning';
  const embed: APIEmbed = {
    title: `${resolved ? '✅' : severityIcon(e.severity)} ${safe(e.title, TITLE_MAX)}`,
    description: `${state} · ${inlineCode(e.key, KEY_MAX)}`,
    color: resolved
      ? EMBED_COLORS.ok
      : e.severity === 'critical'
        ? EMBED_COLORS.critical
        : EMBED_COLORS.warning,
    fields,
    footer: {
      text: `${resolved ? 'RESOLVED' : e.severity.toUpperCase()} · ${truncateText(e.key, KEY_MAX).replace(/@/g, `@${ZWSP}`)}`,
    },
  };
  const stamp = resolved ? e.resolved_at : e.since;
  return stamp !== null && Number.isFinite(Date.parse(stamp))
    ? { ...embed, timestamp: new Date(stamp).toISOString() }
    : embed;
}
