import type { APIEmbed, APIEmbedField } from 'discord-api-types/v10';
import type {
  StartupComponentReport,
  StartupComponentStatus,
  StartupReport,
} from '../../core/startup/types.ts';
import { neutralizeText as neutralize, truncateText as truncate, ZWSP } from './embed-text.ts';

const COLORS = {
  ready: 0x2ecc71,
  degraded: 0xf1c40f,
  failed: 0xe74c3c,
  cancelled: 0xf1c40f,
  info: 0x5865f2,
} as const;

const STATUS_ICONS: Readonly<Record<StartupComponentStatus, string>> = {
  ready: '✅',
  degraded: '⚠️',
  failed: '❌',
  skipped: '⏭️',
  cancelled: '⏹️',
  pending: '⏳',
};

const OUTCOME_WORDS: Readonly<Record<StartupReport['outcome'], string>> = {
  ready: 'completed',
  degraded: 'completed degraded',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** Layout of the waterfall and the budgets that keep the embed inside Discord's limits. */
const LAYOUT = {
  barWidth: 24,
  nameWidth: 18,
  /** The description holds the waterfall; the rest of the 6000 is left to the fields. */
  descriptionBudget: 3_200,
  errorValueMax: 300,
  fieldValueMax: 1_024,
  fieldNameMax: 256,
  maxFields: 25,
  total: 6_000,
  /** Slack under `total` so the footer and titles always fit. */
  totalSlack: 300,
} as const;

const CRITICAL_MARK = '★';
/** Text for inside the code block: one line, no backticks that could close it, no live mentions. */
function codeSafe(text: string): string {
  return text
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/`/g, 'ˋ')
    .replace(/@/g, `@${ZWSP}`);
}

/** Human duration: `12ms`, `3.24s`, `2m05s`. */
export function formatStartupDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(2)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1_000);
  return `${minutes}m${String(seconds).padStart(2, '0')}s`;
}

function bar(c: StartupComponentReport, scale: number): string {
  const width = LAYOUT.barWidth;
  if (c.start_offset_ms === null) return '·'.repeat(width);
  const end = c.end_offset_ms ?? scale;
  const from = Math.min(width - 1, Math.max(0, Math.floor((c.start_offset_ms / scale) * width)));
  const to = Math.min(width, Math.max(from + 1, Math.ceil((end / scale) * width)));
  const fill = c.status === 'ready' ? '█' : c.status === 'degraded' ? '▒' : '░';
  return ' '.repeat(from) + fill.repeat(to - from) + ' '.repeat(width - to);
}

function waterfallLine(c: StartupComponentReport, scale: number, nameWidth: number): string {
  const name = truncate(codeSafe(c.name), nameWidth).padEnd(nameWidth);
  const mark = c.on_critical_path ? CRITICAL_MARK : ' ';
  const duration = (c.duration_ms === null ? '—' : formatStartupDuration(c.duration_ms)).padStart(7);
  const notes = [
    c.attempts > 1 ? `×${c.attempts}` : '',
    c.fallback ? '↺fallback' : '',
    c.recovered_offset_ms !== undefined ? '↻recovered' : '',
  ].filter((n) => n !== '');
  const icon = STATUS_ICONS[c.status] ?? '❔';
  return `${icon}${mark}${name} ▏${bar(c, scale)}▕${duration}${notes.length > 0 ? ` ${notes.join(' ')}` : ''}`;
}

function waterfall(report: StartupReport, budget: number): string {
  const components = report.components;
  const ends = components.map((c) => c.end_offset_ms ?? c.start_offset_ms ?? 0);
  const scale = Math.max(1, report.duration_ms, ...ends);
  const nameWidth = Math.min(
    LAYOUT.nameWidth,
    Math.max(4, ...components.map((c) => codeSafe(c.name).length)),
  );
  const open = '```\n';
  const close = '```';
  const lines: string[] = [];
  let used = open.length + close.length;
  for (const [i, c] of components.entries()) {
    const line = `${waterfallLine(c, scale, nameWidth)}\n`;
    const left = components.length - i - 1;
    // Keep room for the "+N more" line unless this is the last component.
    const reserve = left > 0 ? `+${components.length - i} more\n`.length : 0;
    if (used + line.length + reserve > budget) {
      lines.push(`+${components.length - i} more\n`);
      break;
    }
    lines.push(line);
    used += line.length;
  }
  if (components.length === 0) lines.push('(no components)\n');
  return `${open}${lines.join('')}${close}`;
}

function counts(report: StartupReport): string {
  const order: StartupComponentStatus[] = ['ready', 'degraded', 'failed', 'skipped', 'cancelled', 'pending'];
  return order
    .map((s) => [s, report.components.filter((c) => c.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${STATUS_ICONS[s]} ${n} ${s}`)
    .join(' · ');
}

function issueFields(report: StartupReport, room: { fields: number; chars: number }): APIEmbedField[] {
  const fields: APIEmbedField[] = [];
  const troubled = report.components.filter(
    (c) => c.error !== null && (c.status === 'failed' || c.status === 'degraded' || c.status === 'cancelled'),
  );
  for (const [i, c] of troubled.entries()) {
    const left = troubled.length - i;
    const name = truncate(`${STATUS_ICONS[c.status]} ${neutralize(c.name)}`, LAYOUT.fieldNameMax);
    const facts = [
      c.critical ? 'critical' : 'non-critical',
      `${c.attempts} attempt${c.attempts === 1 ? '' : 's'}`,
      c.fallback ? 'on fallback' : '',
    ].filter((f) => f !== '');
    const value = truncate(
      `${truncate(neutralize(c.error ?? ''), LAYOUT.errorValueMax)}\n*${facts.join(' · ')}*`,
      LAYOUT.fieldValueMax,
    );
    const moreField = { name: 'More', value: `+${left} more with errors` };
    const needsMore = left > 1;
    const reserveChars = needsMore ? moreField.name.length + moreField.value.length : 0;
    const reserveFields = needsMore ? 1 : 0;
    if (
      fields.length + 1 + reserveFields > room.fields ||
      name.length + value.length + reserveChars > room.chars
    ) {
      if (fields.length < room.fields && moreField.name.length + moreField.value.length <= room.chars) {
        fields.push(moreField);
      }
      break;
    }
    fields.push({ name, value });
    room.fields -= 1;
    room.chars -= name.length + value.length;
  }
  return fields;
}

function namesField(
  title: string,
  names: readonly string[],
  separator: string,
  room: { fields: number; chars: number },
) {
  const max = Math.min(LAYOUT.fieldValueMax, room.chars - title.length);
  if (names.length === 0 || room.fields < 1 || max < 20) return [];
  const value = truncate(neutralize(names.join(separator)), max);
  room.fields -= 1;
  room.chars -= title.length + value.length;
  return [{ name: title, value }];
}

/**
 * The `/startup` embed: outcome, total time and mode, a waterfall of the
 * components as text bars to scale (★ on the critical path), and the errors.
 * Pure; stays inside Discord's limits whatever the report holds.
 */
export function renderStartupEmbed(report: StartupReport | undefined): APIEmbed {
  if (report === undefined) {
    return {
      title: '🚀 Startup',
      description: 'No startup report yet: the bot is still starting.',
      color: COLORS.info,
    };
  }
  const icon = report.outcome === 'ready' ? '✅' : report.outcome === 'failed' ? '❌' : '⚠️';
  const title = truncate(
    `${icon} Startup ${OUTCOME_WORDS[report.outcome]} in ${formatStartupDuration(report.duration_ms)} (${report.mode})`,
    256,
  );
  const header = `**${report.components.length}** components · ${counts(report)}\n`;
  const description = header + waterfall(report, LAYOUT.descriptionBudget - header.length);
  const footer = `${CRITICAL_MARK} critical path · ×n attempts · ↺ fallback · ↻ recovered later`;

  const room = {
    fields: LAYOUT.maxFields,
    chars: LAYOUT.total - LAYOUT.totalSlack - title.length - description.length - footer.length,
  };
  const fields: APIEmbedField[] = [
    ...namesField(`${CRITICAL_MARK} Critical path`, report.critical_path, ' → ', room),
    ...issueFields(report, room),
    ...namesField(
      '⏭️ Skipped (a dependency is down)',
      report.components.filter((c) => c.status === 'skipped').map((c) => c.name),
      ', ',
      room,
    ),
  ];

  const embed: APIEmbed = {
    title,
    description,
    color: COLORS[report.outcome],
    fields,
    footer: { text: footer },
  };
  const started = Date.parse(report.started_at);
  return Number.isFinite(started) ? { ...embed, timestamp: new Date(started).toISOString() } : embed;
}
