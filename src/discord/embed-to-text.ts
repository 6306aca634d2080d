import type { APIEmbed } from 'discord-api-types/v10';

export interface EmbedToTextOptions {
  /** Paint the bar in the embed's colour with 24-bit ANSI escapes. @default true */
  readonly ansi?: boolean;
  /** Indent of field values under their names. @default 2 */
  readonly indent?: number;
  /** "Now" for Discord's relative timestamps (`<t:…:R>`), ms since the epoch. @default Date.now() */
  readonly now?: number;
}

const DEFAULTS = { ansi: true, indent: 2 } as const satisfies Omit<Required<EmbedToTextOptions>, 'now'>;

const COLOUR_NAMES: ReadonlyMap<number, string> = new Map([
  [0x2ecc71, 'green'],
  [0xf1c40f, 'amber'],
  [0xe74c3c, 'red'],
  [0x5865f2, 'blurple'],
]);

/** The colour's name in the bot's palette, else its hex code; `none` when unset. */
export function colourName(colour: number | undefined): string {
  if (colour === undefined) return 'none';
  return COLOUR_NAMES.get(colour) ?? `#${colour.toString(16).padStart(6, '0')}`;
}

/**
 * Renders an embed for a terminal: a bar in the embed's colour down the left, the title,
 * the description, each field as a name with its value indented under it (inline fields
 * with a one-line value on one line), and the footer. Pure; no trailing newline.
 */
export function embedToText(embed: APIEmbed, options: EmbedToTextOptions = {}): string {
  const ansi = options.ansi ?? DEFAULTS.ansi;
  const indent = ' '.repeat(options.indent ?? DEFAULTS.indent);
  const bold = (s: string): string => (ansi ? `\x1b[1m${s}\x1b[22m` : s);
  const dim = (s: string): string => (ansi ? `\x1b[2m${s}\x1b[22m` : s);
  const bar = ansi && embed.color !== undefined ? `${rgb(embed.color)}▌\x1b[39m ` : '│ ';
  const now = options.now ?? Date.now();
  // What the Discord client would show instead of its markup: timestamps as times, bold
  // as bold, escapes and fenced-code markers dropped.
  const inline = (text: string): string =>
    text
      .replace(/<t:(\d+)(?::([tTdDfFR]))?>/g, (_m, seconds: string, style?: string) =>
        timestamp(Number(seconds) * 1000, style, now),
      )
      .replace(/\*\*(.+?)\*\*/g, (_m, inner: string) => bold(inner))
      .replace(/\\([\\*_~`|>[\]#])/g, '$1')
      .replace(/^```\w*$/, '');
  const lines: string[] = [];
  const header = embed.title ?? embed.author?.name;
  lines.push(`${header === undefined ? '' : `${bold(header)}  `}${dim(`[${colourName(embed.color)}]`)}`);
  if (embed.description) lines.push(...embed.description.split('\n').map(inline));
  for (const field of embed.fields ?? []) {
    const valueLines = field.value.split('\n').map(inline);
    if (field.inline && valueLines.length === 1) {
      lines.push(`${bold(inline(field.name))}: ${valueLines[0]}`);
    } else {
      lines.push(bold(inline(field.name)), ...valueLines.map((l) => `${indent}${l}`));
    }
  }
  const footer = [embed.footer?.text, embed.timestamp].filter(
    (s): s is string => typeof s === 'string' && s !== '',
  );
  if (footer.length > 0) lines.push(dim(footer.join(' · ')));
  return lines.map((line) => `${bar}${line}`).join('\n');
}

function timestamp(ms: number, style: string | undefined, now: number): string {
  if (style !== 'R') return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
  const seconds = Math.round((now - ms) / 1000);
  const span = Math.abs(seconds);
  if (span === 0) return 'now';
  const text =
    span < 60 ? `${span}s` : span < 3600 ? `${Math.round(span / 60)}m` : `${Math.round(span / 3600)}h`;
  return seconds >= 0 ? `${text} ago` : `in ${text}`;
}

function rgb(colour: number): string {
  return `\x1b[38;2;${(colour >> 16) & 0xff};${(colour >> 8) & 0xff};${colour & 0xff}m`;
}
