import type { AlertSeverity } from './types.ts';

/**
 * Alerts that follow from the Discord gateway being down, held back while it is:
 * the ops channel and the command machinery, any alert of the `commands.` family, and
 * tasks named `discord_…` (a task that needs the gateway says so by its name).
 */
export const GATEWAY_DEPENDENTS: readonly string[] = [
  'component.ops_channel',
  'component.command_router',
  'component.commands',
  'commands.*',
  'task.discord_*',
  'nodata.task.discord_*',
];

/**
 * Whether `pattern` covers `key`: an exact key, `prefix.*` for a whole family, or a
 * trailing `*` after any prefix (`task.discord_*`).
 */
export function keyMatches(pattern: string, key: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return key.startsWith(pattern.slice(0, -1));
  return pattern === key;
}

/** A matcher over a list of patterns. */
export function matchAny(patterns: readonly string[]): (key: string) => boolean {
  return (key) => patterns.some((p) => keyMatches(p, key));
}

const NO_DATA_PREFIX = 'nodata.';

/**
 * What an alert is about: its key without the `nodata.` prefix, so that a task's
 * failure (`task.sync`) and its silence (`nodata.task.sync`) are about one thing.
 */
export function alertSubject(key: string): string {
  return key.startsWith(NO_DATA_PREFIX) ? key.slice(NO_DATA_PREFIX.length) : key;
}

/** One firing alert as inhibition sees it. */
export interface InhibitionCandidate {
  readonly key: string;
  readonly severity: AlertSeverity;
  readonly sinceMs: number;
}

/** A hold in force: while it lasts, alerts whose key matches are held back by `source`. */
export interface Hold {
  readonly source: string;
  readonly matches: (key: string) => boolean;
}

const rank = (s: AlertSeverity): number => (s === 'critical' ? 1 : 0);

/** Worst first, then oldest, then by key: the order in which alerts of one subject take precedence. */
function precedes(a: InhibitionCandidate, b: InhibitionCandidate): boolean {
  if (rank(a.severity) !== rank(b.severity)) return rank(a.severity) > rank(b.severity);
  if (a.sinceMs !== b.sinceMs) return a.sinceMs < b.sinceMs;
  return a.key < b.key;
}

/**
 * Decides, for every firing alert, what holds it back (or null):
 * - a hold in force whose pattern matches it (the gateway down holds back what follows from it);
 * - otherwise another alert about the same subject that takes precedence and is not held
 *   back itself: a critical one holds back a warning, and of two alike the older one wins,
 *   so one thing going wrong shows as one alert that names the others.
 */
export function computeInhibitions(
  firing: readonly InhibitionCandidate[],
  holds: readonly Hold[],
): Map<string, string | null> {
  const result = new Map<string, string | null>();
  const ordered = [...firing].sort((a, b) => (precedes(a, b) ? -1 : precedes(b, a) ? 1 : 0));
  /** The alert shown for each subject so far, in precedence order. */
  const shown = new Map<string, string>();
  for (const alert of ordered) {
    const hold = holds.find((h) => h.source !== alert.key && h.matches(alert.key));
    if (hold !== undefined) {
      result.set(alert.key, hold.source);
      continue;
    }
    const subject = alertSubject(alert.key);
    const first = shown.get(subject);
    if (first !== undefined) {
      result.set(alert.key, first);
      continue;
    }
    shown.set(subject, alert.key);
    result.set(alert.key, null);
  }
  return result;
}
