// What every embed renderer needs: Discord's limits, the severity colours, and
// text that is safe to show (mentions broken, markdown escaped, cut cleanly).
import type { APIEmbed } from 'discord-api-types/v10';

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

/** Zero-width space: placed after `@` it breaks a mention without changing what people read. */
export const ZWSP = '\u200b';

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

/**
 * Untrusted text made inert ({@link neutralizeText}) and cut to `max` characters, the
 * escapes counted; `empty` stands in for nothing at all.
 */
export function safeText(text: string, max: number, empty = '—'): string {
  return truncateText(neutralizeText(truncateText(text, max)), max) || empty;
}

/** Joins lines until `max` characters, then says how many were left out ("… and N more"). */
export function fitLines(lines: readonly string[], max: number): string {
  const out: string[] = [];
  let used = 0;
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    const sep = out.length > 0 ? 1 : 0;
    const rest = lines.length - i - 1;
    const reserve = rest > 0 ? `\n… and ${rest} more`.length : 0;
    if (used + sep + line.length + reserve > max) {
      out.push(`… and ${lines.length - i} more`);
      return out.join('\n');
    }
    out.push(line);
    used += sep + line.length;
  }
  return out.join('\n');
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
