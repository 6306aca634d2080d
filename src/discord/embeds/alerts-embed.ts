import type { APIEmbed } from 'discord-api-types/v10';
import { severityIcon } from '../../core/alerts/alert-message.ts';
import type { AlertsView, FiringAlert, Silence } from '../../core/alerts/types.ts';
import {
  EMBED_COLORS,
  EMBED_LIMITS,
  fitLines,
  inlineCode,
  neutralizeText,
  relativeTime,
  truncateText,
} from './embed-text.ts';

function firingLine(a: FiringAlert): string {
  const measured =
    a.value === null
      ? ''
      : ` — ${neutralizeText(truncateText(a.value, 60))}${a.threshold === null ? '' : ` (threshold ${neutralizeText(truncateText(a.threshold, 60))})`}`;
  const title = neutralizeText(truncateText(a.title, 120));
  return `${severityIcon(a.severity)} **${title}**${measured} · since ${relativeTime(a.since)} · ${inlineCode(a.key, 60)}${a.silenced ? ' · 🔕' : ''}`;
}

function silenceLine(s: Silence): string {
  const by = /^\d{17,20}$/.test(s.created_by) ? ` by <@${s.created_by}>` : '';
  return `${inlineCode(s.key, 60)} until ${relativeTime(s.until)}${by}`;
}

/** What `/alerts list` shows: the firing alerts, worst first, and the running silences. */
export function renderAlertsEmbed(view: AlertsView, nowMs: number): APIEmbed {
  const live = view.firing.filter((a) => !a.silenced);
  const color = live.some((a) => a.severity === 'critical')
    ? EMBED_COLORS.critical
    : live.length > 0
      ? EMBED_COLORS.warning
      : view.firing.length > 0
        ? EMBED_COLORS.info
        : EMBED_COLORS.ok;
  const description =
    view.firing.length === 0 ? '✅ No alert is firing.' : fitLines(view.firing.map(firingLine), 3500);
  const embed: APIEmbed = {
    title: `🚨 Alerts — ${view.firing.length} firing`,
    description,
    color,
    fields: [
      {
        name: `🔕 Silences (${view.silences.length})`,
        value:
          view.silences.length === 0
            ? 'None.'
            : fitLines(view.silences.map(silenceLine), EMBED_LIMITS.fieldValue),
      },
    ],
    footer: { text: 'Silence with /alerts silence key:<key or prefix.*> duration:<30m, 2h, 1d>' },
  };
  return Number.isFinite(nowMs) ? { ...embed, timestamp: new Date(nowMs).toISOString() } : embed;
}
