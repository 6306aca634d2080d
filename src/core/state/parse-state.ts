import type { AlertEngineState, AlertEpisode, Silence } from '../alerts/types.ts';
import type { StartupReport } from '../startup/types.ts';
import type { PersistedState } from './state-file.ts';

export type ParsedState =
  | { readonly ok: true; readonly state: PersistedState; readonly dropped: number }
  | { readonly ok: false; readonly problem: string };

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isTime = (v: unknown): v is string => isString(v) && Number.isFinite(Date.parse(v));
const stringOrNull = (v: unknown): v is string | null => v === null || isString(v);
const KEY_MAX = 100;
const TEXT_MAX = 2000;
const isKey = (v: unknown): v is string => isString(v) && v.length > 0 && v.length <= KEY_MAX;
/** A text of bounded length, or null. */
const text = (v: unknown): v is string | null => v === null || (isString(v) && v.length <= TEXT_MAX);

function silence(v: unknown): Silence | undefined {
  if (!isObject(v) || !isKey(v.key) || !isTime(v.until) || !isTime(v.created_at) || !isString(v.created_by)) {
    return undefined;
  }
  return { key: v.key, until: v.until, created_at: v.created_at, created_by: v.created_by.slice(0, 100) };
}

function episode(v: unknown): AlertEpisode | undefined {
  if (!isObject(v)) return undefined;
  const ack = v.acknowledged;
  const acknowledged =
    isObject(ack) && isString(ack.by) && isTime(ack.at) ? { by: ack.by.slice(0, 100), at: ack.at } : null;
  if (
    !isString(v.episode) ||
    v.episode.length > 64 ||
    !isKey(v.key) ||
    !(isString(v.title) && v.title.length <= TEXT_MAX) ||
    (v.severity !== 'warning' && v.severity !== 'critical') ||
    !text(v.value) ||
    !text(v.threshold) ||
    !isTime(v.since) ||
    (v.state !== 'firing' && v.state !== 'resolved') ||
    !(v.resolved_at === null || isTime(v.resolved_at)) ||
    !stringOrNull(v.message_id) ||
    (ack !== null && ack !== undefined && acknowledged === null)
  ) {
    return undefined;
  }
  return {
    episode: v.episode,
    key: v.key,
    title: v.title,
    severity: v.severity,
    value: v.value,
    threshold: v.threshold,
    since: v.since,
    state: v.state,
    resolved_at: v.resolved_at,
    acknowledged,
    // Worked out afresh after the restart.
    silenced: false,
    silenced_until: null,
    inhibited_by: null,
    held_back: [],
    message_id: v.message_id !== null && /^\d{1,25}$/.test(v.message_id) ? v.message_id : null,
  };
}

/** A startup report as written; only its shape is checked, it is shown, never acted on. */
function startup(v: unknown): StartupReport | undefined {
  if (
    !isObject(v) ||
    !isTime(v.started_at) ||
    typeof v.duration_ms !== 'number' ||
    !Array.isArray(v.components)
  ) {
    return undefined;
  }
  if (!['ready', 'degraded', 'failed', 'cancelled'].includes(String(v.outcome))) return undefined;
  return v as unknown as StartupReport;
}

function list<T>(
  v: unknown,
  one: (item: unknown) => T | undefined,
  max: number,
): { items: T[]; dropped: number } {
  if (!Array.isArray(v)) return { items: [], dropped: v === undefined ? 0 : 1 };
  const items: T[] = [];
  let dropped = 0;
  for (const item of v.slice(0, max)) {
    const parsed = one(item);
    if (parsed === undefined) dropped += 1;
    else items.push(parsed);
  }
  return { items, dropped: dropped + Math.max(0, v.length - max) };
}

/**
 * Checks what was read from the state file. The file's shape must be right (an object of
 * version 1); single malformed entries are dropped and counted, not fatal.
 */
export function parsePersistedState(json: unknown): ParsedState {
  if (!isObject(json)) return { ok: false, problem: 'not an object' };
  if (json.version !== 1) return { ok: false, problem: `unknown version ${JSON.stringify(json.version)}` };
  if (!isObject(json.alerts)) return { ok: false, problem: 'no alerts section' };
  const silences = list(json.alerts.silences, silence, 1000);
  const episodes = list(json.alerts.episodes, episode, 1000);
  const startups = list(json.startups, startup, 20);
  const alerts: AlertEngineState = { silences: silences.items, episodes: episodes.items };
  return {
    ok: true,
    state: {
      version: 1,
      saved_at: isTime(json.saved_at) ? json.saved_at : new Date(0).toISOString(),
      alerts,
      startups: startups.items,
    },
    dropped: silences.dropped + episodes.dropped + startups.dropped,
  };
}
