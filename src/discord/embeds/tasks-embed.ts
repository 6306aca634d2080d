import type { APIEmbed, APIEmbedField } from 'discord-api-types/v10';
import { formatDuration } from '../../core/alerts/alert-message.ts';
import { compareNames } from '../../core/compare-names.ts';
import type { TaskSnapshot, TaskState } from '../../core/tasks/types.ts';
import {
  EMBED_COLORS,
  EMBED_LIMITS,
  inlineCode,
  neutralizeText,
  relativeTime,
  safeText,
  truncateText,
} from './embed-text.ts';

const STATE_ICON = {
  idle: '💤',
  running: '✅',
  late: '⏰',
  stale: '🐕',
  failed: '❌',
  restarting: '🔄',
  stopped: '⏹️',
  abandoned: '🪦',
} as const satisfies Record<TaskState, string>;

// Worst first, so the fields that fit show what is wrong.
const STATE_RANK = {
  abandoned: 0,
  failed: 1,
  stale: 2,
  restarting: 3,
  late: 4,
  stopped: 5,
  running: 6,
  idle: 7,
} as const satisfies Record<TaskState, number>;

const UNHEALTHY: ReadonlySet<TaskState> = new Set(['late', 'stale', 'failed', 'restarting', 'abandoned']);
const DOWN: ReadonlySet<TaskState> = new Set(['stale', 'failed', 'restarting', 'abandoned']);

/** Fields for tasks; the 25th is kept for "… and N more". */
const MAX_TASK_FIELDS = EMBED_LIMITS.fields - 1;
/** Characters shared by all task fields, leaving room for title, description and footer. */
const FIELDS_BUDGET = 5000;
const NAME_MAX = 48;

function heartbeatAge(t: TaskSnapshot, nowMs: number): string {
  const at = t.last_heartbeat_at === null ? Number.NaN : Date.parse(t.last_heartbeat_at);
  const age = Number.isFinite(at) && Number.isFinite(nowMs) ? nowMs - at : t.last_heartbeat_age_ms;
  return age === null || !Number.isFinite(age)
    ? 'no heartbeat yet'
    : `heartbeat ${formatDuration(Math.max(0, age))} ago`;
}

function taskValue(t: TaskSnapshot, nowMs: number, max: number): string {
  const lines = [
    `${t.state} · ${inlineCode(t.schedule, 40)}${t.critical ? ' · critical' : ''}`,
    `${heartbeatAge(t, nowMs)} · runs ${t.runs} · failures ${t.failures} · restarts ${t.restarts}${
      t.skipped_runs ? ` · skipped ${t.skipped_runs}` : ''
    }`,
  ];
  if (t.next_run_at !== null && t.kind !== 'loop') lines.push(`next run ${relativeTime(t.next_run_at)}`);
  // The error goes last so that a tight budget cuts it, not the figures.
  if (t.last_error !== null)
    lines.push(`last error ${relativeTime(t.last_error.at)}: ${neutralizeText(t.last_error.message)}`);
  return truncateText(lines.join('\n'), Math.min(max, EMBED_LIMITS.fieldValue));
}

/**
 * What `/tasks` shows: each background task (worst first) with its state, last
 * heartbeat age, runs, failures, restarts, next run and last error. Pure, inside
 * Discord's limits whatever the number of tasks or the length of their errors.
 */
export function renderTasksEmbed(tasks: readonly TaskSnapshot[], nowMs: number): APIEmbed {
  const stamp = Number.isFinite(nowMs) ? { timestamp: new Date(nowMs).toISOString() } : {};
  if (tasks.length === 0) {
    return {
      title: '🐕 Background tasks',
      description: 'No background task is registered.',
      color: EMBED_COLORS.info,
      ...stamp,
    };
  }
  const sorted = [...tasks].sort(
    (a, b) => (STATE_RANK[a.state] ?? 9) - (STATE_RANK[b.state] ?? 9) || compareNames(a.name, b.name),
  );
  const unhealthy = sorted.filter((t) => UNHEALTHY.has(t.state));
  const color = sorted.some((t) => t.critical && DOWN.has(t.state))
    ? EMBED_COLORS.critical
    : unhealthy.length > 0
      ? EMBED_COLORS.warning
      : EMBED_COLORS.ok;
  const shown = sorted.slice(0, sorted.length > EMBED_LIMITS.fields ? MAX_TASK_FIELDS : EMBED_LIMITS.fields);
  const perField = Math.floor(FIELDS_BUDGET / shown.length);
  const fields: APIEmbedField[] = shown.map((t) => {
    const name = truncateText(
      `${STATE_ICON[t.state] ?? '❔'} ${safeText(t.name, NAME_MAX)} (${t.kind})`,
      EMBED_LIMITS.fieldName,
    );
    return { name, value: taskValue(t, nowMs, Math.max(40, perField - name.length)) };
  });
  const hidden = sorted.length - shown.length;
  if (hidden > 0) {
    fields.push({
      name: `… and ${hidden} more`,
      value: truncateText(
        sorted
          .slice(shown.length)
          .map((t) => safeText(t.name, NAME_MAX))
          .join(', '),
        200,
      ),
    });
  }
  const counts = new Map<TaskState, number>();
  for (const t of sorted) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
  const summary = [...counts].map(([state, n]) => `${STATE_ICON[state] ?? '❔'} ${n} ${state}`).join(' · ');
  return {
    title: `🐕 Background tasks — ${tasks.length}`,
    description:
      unhealthy.length === 0
        ? `All tasks healthy.\n${summary}`
        : `${unhealthy.length} need attention.\n${summary}`,
    color,
    fields,
    ...stamp,
  };
}
