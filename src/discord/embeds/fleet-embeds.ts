// The fleet views a shard's commands add in sharded mode: one table row per shard,
// worst first, cut to a budget so every reply stays inside Discord's limits however
// many shards there are (64 and more).
import type { APIEmbed, APIEmbedField } from 'discord-api-types/v10';
import { formatDuration } from '../../core/alerts/alert-message.ts';
import type { OverallStatus } from '../../core/health/types.ts';
import type { FleetShardRow, FleetView, ShardStatus } from '../../fleet/ipc-protocol.ts';
import { EMBED_COLORS, EMBED_LIMITS, neutralizeText, truncateText } from './embed-text.ts';
import { renderStartupEmbed } from './startup-embed.ts';

/** Characters a fleet table may take: the rest of a message's 6000 is left to the shard's own embed. */
const TABLE_BUDGET = 2_400;
const NOTE_MAX = 120;
const FIELD_BUDGET = 900;

const STATUS_LOOK = {
  ready: { icon: '🟢', color: EMBED_COLORS.ok },
  degraded: { icon: '🟡', color: EMBED_COLORS.warning },
  not_ready: { icon: '🔴', color: EMBED_COLORS.critical },
} as const satisfies Record<OverallStatus, { icon: string; color: number }>;

const SHARD_RANK = { down: 0, not_ready: 1, degraded: 2, ready: 3 } as const satisfies Record<
  ShardStatus,
  number
>;

const safe = (text: string, max: number): string =>
  truncateText(neutralizeText(truncateText(text, max)), max) || '—';

const num = (value: number | null, digits = 0): string => (value === null ? '–' : value.toFixed(digits));

const worstFirst = (rows: readonly FleetShardRow[]): FleetShardRow[] =>
  [...rows].sort((a, b) => SHARD_RANK[a.status] - SHARD_RANK[b.status] || a.id - b.id);

/** Rows as a fixed-width table in a code block, cut to `budget` with a count of what was left out. */
export function fitTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  budget: number,
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const out = [line(header)];
  let used = out[0]?.length ?? 0;
  const fence = 8;
  for (let i = 0; i < rows.length; i += 1) {
    const text = line(rows[i] ?? []);
    const rest = rows.length - i - 1;
    const reserve = rest > 0 ? `\n… and ${rest} more`.length : 0;
    if (used + 1 + text.length + reserve + fence > budget) {
      out.push(`… and ${rows.length - i} more`);
      break;
    }
    out.push(text);
    used += 1 + text.length;
  }
  // Backticks cannot come from the data (numbers and fixed words), so the fence holds.
  return `\`\`\`\n${out.join('\n')}\n\`\`\``;
}

function countLine(view: FleetView): string {
  const by = (s: ShardStatus): number => view.shards.filter((r) => r.status === s).length;
  const parts = [
    `${by('ready')} ready`,
    ...(by('degraded') > 0 ? [`${by('degraded')} degraded`] : []),
    ...(by('not_ready') > 0 ? [`${by('not_ready')} not ready`] : []),
    ...(by('down') > 0 ? [`${by('down')} down`] : []),
  ];
  const here =
    view.shard_ids.length === view.total_shards
      ? `${view.total_shards} shards`
      : `${view.shard_ids.length} of ${view.total_shards} shards on this machine`;
  return `${here}: ${parts.join(' · ')}`;
}

/** Shards that need a word: why each is down or troubled, bounded. */
function notesField(rows: readonly FleetShardRow[]): APIEmbedField[] {
  const noted = worstFirst(rows).filter((r) => r.note !== null && r.status !== 'ready');
  if (noted.length === 0) return [];
  const lines: string[] = [];
  let used = 0;
  for (const [i, r] of noted.entries()) {
    const text = `**#${r.id}** ${safe(r.note ?? '', NOTE_MAX)}`;
    const reserve = `\n… and ${noted.length - i - 1} more`.length;
    if (used + text.length + 1 + reserve > FIELD_BUDGET) {
      lines.push(`… and ${noted.length - i} more`);
      break;
    }
    lines.push(text);
    used += text.length + 1;
  }
  return [{ name: 'Needs attention', value: lines.join('\n') }];
}

function managerField(view: FleetView): APIEmbedField {
  const troubled = view.manager.troubled_components;
  const components =
    troubled.length === 0
      ? 'components ready'
      : safe(troubled.map((c) => `${c.name} ${c.state}`).join(', '), 300);
  return {
    name: 'Shard manager',
    value: `pid ${view.manager.pid} · ${num(view.manager.memory_mb)} MB · up ${formatDuration(view.uptime_seconds * 1000)} · ${components}`,
  };
}

function frame(view: FleetView, title: string, description: string, fields: APIEmbedField[]): APIEmbed {
  const look = STATUS_LOOK[view.status] ?? STATUS_LOOK.not_ready;
  return {
    title: truncateText(title, EMBED_LIMITS.title),
    description,
    color: look.color,
    fields: fields.slice(0, EMBED_LIMITS.fields),
    footer: { text: `Fleet view from the shard manager · version ${safe(view.version, 40)}` },
    ...(Number.isFinite(Date.parse(view.at))
      ? { timestamp: new Date(Date.parse(view.at)).toISOString() }
      : {}),
  };
}

export interface FleetHealthEmbedOptions {
  /** The shard answering the command. */
  readonly answeringShard: number;
  /** The shard that serves the guild the command came from; null in a DM. */
  readonly guildShard: number | null;
}

/** `/health` in sharded mode: the fleet's status, one row per shard, and which shard serves this guild. */
export function renderFleetHealthEmbed(view: FleetView, opts: FleetHealthEmbedOptions): APIEmbed {
  const look = STATUS_LOOK[view.status] ?? STATUS_LOOK.not_ready;
  const rows = worstFirst(view.shards).map((r) => [
    `#${r.id}`,
    r.status,
    num(r.guilds),
    r.ping_ms === null ? '–' : `${r.ping_ms}ms`,
    num(r.memory_mb),
    num(r.lag_ms, 1),
    String(r.restarts),
  ]);
  const table = fitTable(
    ['shard', 'status', 'guilds', 'ping', 'MB', 'lag ms', 'restarts'],
    rows,
    TABLE_BUDGET,
  );
  const serving =
    opts.guildShard === null
      ? `Direct messages are served by shard 0; this answer comes from shard ${opts.answeringShard}.`
      : opts.guildShard === opts.answeringShard
        ? `Shard **${opts.guildShard}** serves this server (it is the one answering).`
        : `Shard **${opts.guildShard}** serves this server; this answer comes from shard ${opts.answeringShard}.`;
  return frame(view, `${look.icon} Fleet health — ${view.status}`, `${countLine(view)}\n${table}`, [
    { name: 'This server', value: serving },
    ...notesField(view.shards),
    managerField(view),
  ]);
}

/** `/resources` in sharded mode: memory, CPU and lag per shard (heaviest first) and the fleet's total. */
export function renderFleetResourcesEmbed(view: FleetView): APIEmbed {
  const byMemory = [...view.shards].sort((a, b) => (b.memory_mb ?? -1) - (a.memory_mb ?? -1) || a.id - b.id);
  const rows = byMemory.map((r) => [
    `#${r.id}`,
    r.status,
    num(r.memory_mb),
    r.cpu_percent === null ? '–' : `${r.cpu_percent.toFixed(0)}%`,
    num(r.lag_ms, 1),
  ]);
  const table = fitTable(['shard', 'status', 'MB', 'CPU', 'lag ms'], rows, TABLE_BUDGET);
  const shardsMb = view.shards.reduce((sum, r) => sum + (r.memory_mb ?? 0), 0);
  const worstLag = [...view.shards].sort((a, b) => (b.lag_ms ?? -1) - (a.lag_ms ?? -1))[0];
  return frame(view, `📊 Fleet resources — ${view.shards.length} shards`, `${countLine(view)}\n${table}`, [
    {
      name: 'Memory in all',
      value: `${shardsMb.toFixed(0)} MB in the shards + ${num(view.manager.memory_mb)} MB the manager`,
      inline: true,
    },
    {
      name: 'Worst event-loop lag',
      value:
        worstLag?.lag_ms === null || worstLag === undefined
          ? '–'
          : `${worstLag.lag_ms.toFixed(1)} ms on shard ${worstLag.id}`,
      inline: true,
    },
    managerField(view),
  ]);
}

/** `/tasks` in sharded mode: each shard's tasks, troubled ones named, worst first. */
export function renderFleetTasksEmbed(view: FleetView): APIEmbed {
  const troubledFirst = [...view.shards].sort(
    (a, b) =>
      (b.tasks?.troubled.length ?? 0) - (a.tasks?.troubled.length ?? 0) ||
      SHARD_RANK[a.status] - SHARD_RANK[b.status] ||
      a.id - b.id,
  );
  const rows = troubledFirst.map((r) => [
    `#${r.id}`,
    r.status,
    r.tasks === null ? '–' : String(r.tasks.total),
    r.tasks === null ? '–' : String(r.tasks.troubled.length),
    r.tasks === null ? '–' : String(r.tasks.restarts),
  ]);
  const table = fitTable(['shard', 'status', 'tasks', 'troubled', 'restarts'], rows, TABLE_BUDGET);
  const troubled = view.shards
    .filter((r) => (r.tasks?.troubled.length ?? 0) > 0)
    .map((r) => ({ ...r, note: r.tasks?.troubled.join(', ') ?? null, status: 'not_ready' as const }));
  return frame(view, '🧵 Fleet tasks', `${countLine(view)}\n${table}`, [
    ...notesField(troubled).map((f) => ({ ...f, name: 'Troubled tasks' })),
    managerField(view),
  ]);
}

/** `/startup` in sharded mode: the manager's start, each shard's spawn a step of its waterfall. */
export function renderFleetStartupEmbed(view: FleetView): APIEmbed {
  const embed = renderStartupEmbed(view.startup ?? undefined);
  return {
    ...embed,
    title: truncateText(`Fleet · ${embed.title ?? 'Startup'}`, EMBED_LIMITS.title),
    footer: {
      text: truncateText(
        `Shard manager: shard_N is shard N's spawn. ${embed.footer?.text ?? ''}`,
        EMBED_LIMITS.footer,
      ),
    },
  };
}
