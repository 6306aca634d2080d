import type { APIEmbed } from 'discord-api-types/v10';
import { formatDuration } from '../../core/alerts/alert-message.ts';
import type { OpsNotice } from '../../core/alerts/types.ts';
import { EMBED_COLORS, inlineCode, neutralizeText, truncateText, ZWSP } from './embed-text.ts';

const KEY_MAX = 60;
/** Alert keys named in full before "… and N more". */
const LISTED_MAX = 10;
const SNOWFLAKE = /^\d{17,20}$/;

/**
 * Who did it: a user mention for a Discord id (the channel posts with mentions off,
 * so it shows the name without pinging), anything else as inert code.
 */
function who(by: string | null): string {
  if (by === null) return 'Someone';
  return SNOWFLAKE.test(by) ? `<@${by}>` : inlineCode(by, 40);
}

/** `<t:…:f> (<t:…:R>)`: the date and time in each reader's locale, and how far off it is. */
function when(iso: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return neutralizeText(truncateText(iso, 40));
  const s = Math.floor(ms / 1000);
  return `<t:${s}:f> (<t:${s}:R>)`;
}

function stillFiring(keys: readonly string[]): string | null {
  if (keys.length === 0) return null;
  const listed = keys.slice(0, LISTED_MAX).map((k) => inlineCode(k, KEY_MAX));
  const more = keys.length > LISTED_MAX ? ` … and ${keys.length - LISTED_MAX} more` : '';
  const noun = keys.length === 1 ? 'alert it covered is' : 'alerts it covered are';
  return `🔁 ${keys.length} ${noun} still firing, announced again below: ${listed.join(', ')}${more}.`;
}

/** A notice (a silence set, lifted or run out) as the ops channel shows it. */
export function renderOpsNoticeEmbed(n: OpsNotice): APIEmbed {
  const key = inlineCode(n.key, KEY_MAX);
  const lines: string[] = [];
  let title: string;
  let color: number = EMBED_COLORS.info;
  switch (n.topic) {
    case 'silence_set': {
      title = '🔕 Alerts silenced';
      lines.push(`${who(n.by)} silenced ${key} until ${when(n.until)}.`);
      if (n.requested_ms !== null) {
        const runs = Date.parse(n.until) - Date.parse(n.at);
        lines.push(
          `⏳ Capped at ${formatDuration(runs)}: ${formatDuration(n.requested_ms)} was asked, longer than a catch-all silence may run.`,
        );
      }
      lines.push('Matching alerts are still logged; this channel hears when the silence ends.');
      break;
    }
    case 'silence_lifted':
      title = '🔔 Silence lifted';
      lines.push(`${who(n.by)} lifted the silence on ${key}, which was to run until ${when(n.until)}.`);
      break;
    case 'silence_expired':
      title = '🔔 Silence ended';
      lines.push(`The silence on ${key} ran out at ${when(n.until)}.`);
      break;
    case 'crash_restart': {
      title = '💥 Restarted after a crash';
      color = EMBED_COLORS.critical;
      const previous = n.previous_run;
      lines.push(
        `The previous run ended without a clean shutdown${
          previous?.last_record_at ? `; its last log record was at ${when(previous.last_record_at)}` : ''
        }. The bot is back up.`,
      );
      const last = n.last_error;
      if (last === undefined || last === null) {
        lines.push('It logged no error before it stopped (killed, out of memory, or the machine went down).');
      } else {
        lines.push(
          `Its last error, at ${when(last.ts)}: **${neutralizeText(last.level)}** ${inlineCode(last.event, 60)}`,
          `> ${neutralizeText(truncateText(last.msg.replace(/\s+/g, ' '), 500))}`,
        );
      }
      break;
    }
  }
  const firing = stillFiring(n.still_firing);
  if (firing !== null) {
    lines.push(firing);
    color = EMBED_COLORS.warning;
  }
  const embed: APIEmbed = {
    title,
    description: lines.join('\n'),
    color,
    footer: { text: `NOTICE · ${truncateText(n.key, KEY_MAX).replace(/@/g, `@${ZWSP}`)}` },
  };
  return Number.isFinite(Date.parse(n.at)) ? { ...embed, timestamp: new Date(n.at).toISOString() } : embed;
}
