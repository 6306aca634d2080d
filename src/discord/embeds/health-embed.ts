import type { APIEmbed, APIEmbedField } from 'discord-api-types/v10';
import { formatDuration } from '../../core/alerts/alert-message.ts';
import { compareNames } from '../../core/compare-names.ts';
import type {
  ComponentHealth,
  ComponentState,
  GatewaySnapshot,
  GatewayStatus,
  HealthSnapshot,
  OverallStatus,
} from '../../core/health/types.ts';
import { EMBED_COLORS, EMBED_LIMITS, fitLines, relativeTime, safeText, truncateText } from './embed-text.ts';

export interface HealthEmbedOptions {
  /** Show this component and its error history instead of the overview. */
  readonly component?: string;
}

const STATUS_LOOK = {
  ready: { icon: '🟢', color: EMBED_COLORS.ok },
  degraded: { icon: '🟡', color: EMBED_COLORS.warning },
  not_ready: { icon: '🔴', color: EMBED_COLORS.critical },
} as const satisfies Record<OverallStatus, { icon: string; color: number }>;

const STATE_ICON = {
  ready: '✅',
  degraded: '⚠️',
  failed: '❌',
  stopped: '⏹️',
  starting: '⏳',
  skipped: '⏭️',
} as const satisfies Record<ComponentState, string>;

const GATEWAY_ICON = {
  ready: '🟢',
  connecting: '🟡',
  reconnecting: '🟡',
  disconnected: '🔴',
  not_started: '⚪',
} as const satisfies Record<GatewayStatus, string>;

// Worst first, so a long list cut short still shows what is wrong.
const STATE_RANK = {
  failed: 0,
  stopped: 1,
  starting: 2,
  degraded: 3,
  ready: 4,
  skipped: 5,
} as const satisfies Record<ComponentState, number>;

const NAME_MAX = 80;
const LINE_ERROR_MAX = 160;
const HISTORY_ERROR_MAX = 300;
const DESCRIPTION_BUDGET = 3800;

function gatewayLine(g: GatewaySnapshot): string {
  const ping = g.ping_ms === null ? 'no ping yet' : `ping ${g.ping_ms} ms`;
  return `${GATEWAY_ICON[g.status] ?? '❔'} ${g.status} · ${ping} · ${g.guilds} guilds · ${g.reconnects} reconnects · since ${relativeTime(g.since)}`;
}

function componentLine(c: ComponentHealth): string {
  const tags = [c.state, c.critical ? 'critical' : null, c.fallback_active ? 'fallback' : null]
    .filter((t) => t !== null)
    .join(' · ');
  const errors = c.error_count > 0 ? ` · ${c.error_count} error${c.error_count === 1 ? '' : 's'}` : '';
  const last = c.last_error === null ? '' : `\n  ↳ ${safeText(c.last_error.message, LINE_ERROR_MAX)}`;
  return `${STATE_ICON[c.state] ?? '❔'} **${safeText(c.name, NAME_MAX)}** — ${tags}${errors}${last}`;
}

function sortedComponents(components: readonly ComponentHealth[]): ComponentHealth[] {
  return [...components].sort(
    (a, b) =>
      (STATE_RANK[a.state] ?? 9) - (STATE_RANK[b.state] ?? 9) ||
      Number(b.critical) - Number(a.critical) ||
      compareNames(a.name, b.name),
  );
}

function overview(s: HealthSnapshot): APIEmbed {
  const look = STATUS_LOOK[s.status] ?? STATUS_LOOK.not_ready;
  const components = sortedComponents(s.components);
  const down = components.filter((c) => c.state !== 'ready' && c.state !== 'skipped').length;
  const header = `${components.length} components · ${down} not ready`;
  const body =
    components.length === 0
      ? 'No component registered.'
      : fitLines(components.map(componentLine), DESCRIPTION_BUDGET);
  const fields: APIEmbedField[] = [
    { name: 'Uptime', value: formatDuration(s.uptime_seconds * 1000), inline: true },
    { name: 'Version', value: safeText(s.version, 60), inline: true },
    { name: 'Probes', value: `live ${s.live ? '✅' : '❌'} · ready ${s.ready ? '✅' : '❌'}`, inline: true },
    { name: 'Discord gateway', value: gatewayLine(s.gateway) },
  ];
  return {
    title: `${look.icon} Health — ${s.status}`,
    description: `${header}\n\n${body}`,
    color: look.color,
    fields,
    footer: { text: 'Details of one component: /health component:<name>' },
    ...timestamp(s.checked_at),
  };
}

function componentDetail(s: HealthSnapshot, c: ComponentHealth): APIEmbed {
  const color =
    c.state === 'failed' || c.state === 'stopped'
      ? c.critical
        ? EMBED_COLORS.critical
        : EMBED_COLORS.warning
      : c.state === 'ready' || c.state === 'skipped'
        ? c.fallback_active
          ? EMBED_COLORS.warning
          : EMBED_COLORS.ok
        : EMBED_COLORS.warning;
  const facts = [
    `**State** ${STATE_ICON[c.state] ?? '❔'} ${c.state} since ${relativeTime(c.since)}`,
    `**Critical** ${c.critical ? 'yes' : 'no'} · **Fallback** ${c.fallback_active ? 'active' : 'no'}`,
    `**Errors** ${c.error_count} since start`,
    ...(c.note === null ? [] : [`**Note** ${safeText(c.note, 300)}`]),
  ].join('\n');
  const history = [...c.errors]
    .reverse()
    .map((e) => `${relativeTime(e.at)} ${safeText(e.message, HISTORY_ERROR_MAX)}`);
  const historyBlock =
    history.length === 0 ? 'No error recorded.' : fitLines(history, DESCRIPTION_BUDGET - facts.length - 40);
  return {
    title: truncateText(`${STATE_ICON[c.state] ?? '❔'} ${safeText(c.name, NAME_MAX)}`, EMBED_LIMITS.title),
    description: `${facts}\n\n**Recent errors** (newest first)\n${historyBlock}`,
    color,
    footer: { text: `Overall status: ${s.status}` },
    ...timestamp(s.checked_at),
  };
}

function unknownComponent(s: HealthSnapshot, name: string): APIEmbed {
  const known = s.components.map((c) => safeText(c.name, NAME_MAX));
  return {
    title: '❔ Unknown component',
    description: `No component is named **${safeText(name, NAME_MAX)}**.\n\nKnown: ${
      known.length === 0 ? 'none' : truncateText(known.join(', '), 3000)
    }`,
    color: EMBED_COLORS.info,
    ...timestamp(s.checked_at),
  };
}

const timestamp = (iso: string): { timestamp?: string } =>
  Number.isFinite(Date.parse(iso)) ? { timestamp: new Date(Date.parse(iso)).toISOString() } : {};

/**
 * What `/health` shows: the overall status in its colour, uptime, version, the
 * gateway, and each component (worst first) with its last error; or, with
 * `component`, that component and its recent errors. Pure, inside Discord's limits.
 */
export function renderHealthEmbed(snapshot: HealthSnapshot, opts: HealthEmbedOptions = {}): APIEmbed {
  if (opts.component === undefined) return overview(snapshot);
  const c = snapshot.components.find((x) => x.name === opts.component);
  return c === undefined ? unknownComponent(snapshot, opts.component) : componentDetail(snapshot, c);
}
