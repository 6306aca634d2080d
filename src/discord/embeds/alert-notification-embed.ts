import type { APIEmbed } from 'discord-api-types/v10';
import { formatDuration, severityIcon } from '../../core/alerts/alert-message.ts';
import type { AlertNotification, AlertSeverity } from '../../core/alerts/types.ts';

/** Discord's embed limits. */
export const EMBED_LIMITS = {
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  total: 6000,
  embedsPerMessage: 10,
} as const;

export const EMBED_COLORS = { ok: 0x2ecc71, warning: 0xf1c40f, critical: 0xe74c3c, info: 0x5865f2 } as const;

const ZWSP = '\u200b';

/**
 * Makes untrusted text inert in an embed: markdown is escaped and every `@` gets a
 * zero-width space, which breaks `@everyone`, `@here` and `<@id>` mentions.
 */
export function neutralizeText(text: string): string {
  return text.replace(/[\\*_~`|>[\]#]/g, '\\$&').replace(/@/g, `@${ZWSP}`);
}

/** For text inside an inline code span, where escapes would show: backticks swapped, mentions broken. */
export function inlineCode(text: string, max: number): string {
  return `\`${truncateText(text.replace(/`/g, 'ˋ').replace(/@/g, `@${ZWSP}`), max)}\``;
}

/** Cuts to `max` characters, ending in "…", without splitting a surrogate pair. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = Math.max(0, max - 1);
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  // A trailing backslash would escape the ellipsis.
  let head = text.slice(0, cut);
  while (head.endsWith('\\')) head = head.slice(0, -1);
  return `${head}…`;
}

/** The characters Discord counts toward an embed's 6000. */
export function embedLength(embed: APIEmbed): number {
  let n = (embed.title?.length ?? 0) + (embed.description?.length ?? 0) + (embed.footer?.text.length ?? 0);
  n += embed.author?.name.length ?? 0;
  for (const f of embed.fields ?? []) n += f.name.length + f.value.length;
  return n;
}

/** A Discord timestamp tag ("5 minutes ago" in each reader's locale), or the raw text when unparsable. */
export function relativeTime(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? `<t:${Math.floor(ms / 1000)}:R>` : neutralizeText(truncateText(iso, 40));
}

const severityColor = (s: AlertSeverity): number =>
  s === 'critical' ? EMBED_COLORS.critical : EMBED_COLORS.warning;

// Kept well under the per-field limit so ten notifications fit in one message's 6000 characters.
const VALUE_MAX = 100;
const TITLE_MAX = 120;
const KEY_MAX = 60;

/** Neutralised and cut to `max`, counting the escapes. */
const safe = (text: string, max: number): string =>
  truncateText(neutralizeText(truncateText(text, max)), max);

function describe(n: AlertNotification): string {
  switch (n.kind) {
    case 'fired':
      return n.severity === 'critical' ? 'Critical alert' : 'Warning';
    case 'escalated':
      return 'Escalated to critical';
    case 'reminder':
      return `Still firing after ${formatDuration(Date.parse(n.at) - Date.parse(n.since))}`;
    case 'resolved':
      return `Resolved after ${formatDuration(n.duration_ms ?? 0)}`;
  }
}

/** One alert notification as an embed coloured by severity (green once resolved). */
export function renderAlertNotificationEmbed(n: AlertNotification): APIEmbed {
  const resolved = n.kind === 'resolved';
  const icon = resolved ? '✅' : n.kind === 'reminder' ? '🔁' : severityIcon(n.severity);
  const fields: NonNullable<APIEmbed['fields']> = [];
  if (n.value !== null) {
    fields.push({
      name: 'Value',
      value: safe(n.value, VALUE_MAX) || '—',
      inline: true,
    });
  }
  if (n.threshold !== null) {
    fields.push({
      name: 'Threshold',
      value: safe(n.threshold, VALUE_MAX) || '—',
      inline: true,
    });
  }
  fields.push({ name: 'Since', value: relativeTime(n.since), inline: true });
  if (resolved && n.duration_ms !== null) {
    fields.push({ name: 'Lasted', value: formatDuration(n.duration_ms), inline: true });
  }
  const embed: APIEmbed = {
    title: `${icon} ${safe(n.title, TITLE_MAX)}`,
    description: `${describe(n)} · ${inlineCode(n.key, KEY_MAX)}`,
    color: resolved ? EMBED_COLORS.ok : severityColor(n.severity),
    fields,
    footer: {
      text: `${n.severity.toUpperCase()} · ${truncateText(n.key, KEY_MAX).replace(/@/g, `@${ZWSP}`)}`,
    },
  };
  return Number.isFinite(Date.parse(n.at)) ? { ...embed, timestamp: new Date(n.at).toISOString() } : embed;
}

/** The note that opens a message after notifications were lost to the rate limit or the full queue. */
export function renderDroppedNoticeEmbed(dropped: number): APIEmbed {
  const noun = dropped === 1 ? 'notification was' : 'notifications were';
  return {
    description: `⚠️ ${dropped} ${noun} dropped to stay within the channel's rate limit; the log has every alert.`,
    color: EMBED_COLORS.warning,
  };
}
