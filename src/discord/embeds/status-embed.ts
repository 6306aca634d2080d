import type { APIEmbed } from 'discord-api-types/v10';
import type { OverallStatus, StatusSummary } from '../../core/health/types.ts';
import { EMBED_COLORS, neutralizeText, truncateText } from './embed-text.ts';

/** The words anyone sees for each overall status. */
export const STATUS_WORDS = {
  ready: { icon: '🟢', label: 'Operational', color: EMBED_COLORS.ok },
  degraded: { icon: '🟡', label: 'Degraded', color: EMBED_COLORS.warning },
  not_ready: { icon: '🔴', label: 'Down', color: EMBED_COLORS.critical },
} as const satisfies Record<OverallStatus, { icon: string; label: string; color: number }>;

/**
 * `/status` for anyone: the overall status and since when, and nothing else (no
 * component, error, task or figure), since whoever runs it may be a stranger.
 */
export function renderStatusEmbed(summary: StatusSummary): APIEmbed {
  const look = STATUS_WORDS[summary.status];
  const ms = Date.parse(summary.since);
  const since = Number.isFinite(ms)
    ? `<t:${Math.floor(ms / 1000)}:f> (<t:${Math.floor(ms / 1000)}:R>)`
    : neutralizeText(truncateText(summary.since, 40));
  return { title: `${look.icon} ${look.label}`, description: `Since ${since}.`, color: look.color };
}
