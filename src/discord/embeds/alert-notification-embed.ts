import type { APIEmbed } from 'discord-api-types/v10';
import { formatDuration, severityIcon } from '../../core/alerts/alert-message.ts';
import type { AlertNotification, AlertSeverity, AlertTransition } from '../../core/alerts/types.ts';
import { renderOpsNoticeEmbed } from './alert-notice-embed.ts';
import { EMBED_COLORS, inlineCode, relativeTime, safeText, truncateText, ZWSP } from './embed-text.ts';

const severityColor = (s: AlertSeverity): number =>
  s === 'critical' ? EMBED_COLORS.critical : EMBED_COLORS.warning;

// Kept well under the per-field limit so ten notifications fit in one message's 6000 characters.
const VALUE_MAX = 100;
const TITLE_MAX = 120;
const KEY_MAX = 60;

function describe(n: AlertTransition): string {
  switch (n.kind) {
    case 'fired':
      return n.severity === 'critical' ? 'Critical alert' : 'Warning';
    case 'escalated':
      return 'Escalated to critical';
    case 'reminder':
      return `Still firing after ${formatDuration(Date.parse(n.at) - Date.parse(n.since))}`;
    case 'resolved':
      return `Resolved after ${formatDuration(n.duration_ms ?? 0)}`;
    case 'updated':
      return n.severity === 'critical' ? 'Critical alert' : 'Warning';
  }
}

/** One alert transition as an embed coloured by severity (green once resolved). */
export function renderAlertNotificationEmbed(n: AlertTransition): APIEmbed {
  const resolved = n.kind === 'resolved';
  const icon = resolved ? '✅' : n.kind === 'reminder' ? '🔁' : severityIcon(n.severity);
  const fields: NonNullable<APIEmbed['fields']> = [];
  if (n.value !== null) {
    fields.push({
      name: 'Value',
      value: safeText(n.value, VALUE_MAX),
      inline: true,
    });
  }
  if (n.threshold !== null) {
    fields.push({
      name: 'Threshold',
      value: safeText(n.threshold, VALUE_MAX),
      inline: true,
    });
  }
  fields.push({ name: 'Since', value: relativeTime(n.since), inline: true });
  if (resolved && n.duration_ms !== null) {
    fields.push({ name: 'Lasted', value: formatDuration(n.duration_ms), inline: true });
  }
  const embed: APIEmbed = {
    title: `${icon} ${safeText(n.title, TITLE_MAX, '')}`,
    description: `${describe(n)} · ${inlineCode(n.key, KEY_MAX)}`,
    color: resolved ? EMBED_COLORS.ok : severityColor(n.severity),
    fields,
    footer: {
      text: `${n.severity.toUpperCase()} · ${truncateText(n.key, KEY_MAX).replace(/@/g, `@${ZWSP}`)}`,
    },
  };
  return Number.isFinite(Date.parse(n.at)) ? { ...embed, timestamp: new Date(n.at).toISOString() } : embed;
}

/** Any notification as the ops channel shows it: an alert's transition, or a notice. */
export function renderNotificationEmbed(n: AlertNotification): APIEmbed {
  return n.kind === 'notice' ? renderOpsNoticeEmbed(n) : renderAlertNotificationEmbed(n);
}

/** Notifications lost to the rate limit or the full queue, by severity (`info`: recoveries, reminders, notices). */
export interface DroppedCounts {
  readonly critical: number;
  readonly warning: number;
  readonly info: number;
}

/** The note that opens a message after notifications were lost to the rate limit or the full queue. */
export function renderDroppedNoticeEmbed(dropped: DroppedCounts): APIEmbed {
  const total = dropped.critical + dropped.warning + dropped.info;
  const noun = total === 1 ? 'notification was' : 'notifications were';
  const parts = (['critical', 'warning', 'info'] as const)
    .filter((s) => dropped[s] > 0)
    .map((s) => `${dropped[s]} ${s}`);
  return {
    description: `⚠️ ${total} ${noun} dropped (${parts.join(', ')}) to stay within the channel's rate limit; the log has every alert.`,
    color: dropped.critical > 0 ? EMBED_COLORS.critical : EMBED_COLORS.warning,
  };
}
