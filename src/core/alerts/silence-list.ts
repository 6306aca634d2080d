import type { Silence } from './types.ts';

/** Silences by key or `prefix.*` pattern. Ending them on time is the owner's job; one past its end never covers. */
export interface SilenceList {
  /** Adds a silence, replacing any on the same key or pattern. */
  add(silence: Silence): void;
  /** Removes the silence on exactly `key`, returning it; undefined when there was none. */
  remove(key: string): Silence | undefined;
  /** Whether `key` is covered by a silence still running at `nowMs`. */
  covers(key: string, nowMs: number): boolean;
  /** Silences still running at `nowMs`, soonest to end first. */
  active(nowMs: number): Silence[];
}

/** `*` covers every key, `prefix.*` every key under `prefix.`, anything else only itself. */
export function silenceMatches(pattern: string, key: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return key.startsWith(pattern.slice(0, -1));
  return pattern === key;
}

/**
 * Whether a pattern silences everything, or a whole family of alerts: `*`, or one
 * top-level group such as `component.*`, `task.*` or `resource.*`. Such a silence
 * hides too much to be left running for long.
 */
export function isCatchAllPattern(pattern: string): boolean {
  return pattern === '*' || /^[^.*]+\.\*$/.test(pattern);
}

const running = (s: Silence, nowMs: number): boolean => Date.parse(s.until) > nowMs;

export function createSilenceList(): SilenceList {
  const silences = new Map<string, Silence>();
  return {
    add(silence) {
      silences.set(silence.key, silence);
    },
    remove(key) {
      const found = silences.get(key);
      silences.delete(key);
      return found;
    },
    covers(key, nowMs) {
      for (const s of silences.values()) if (running(s, nowMs) && silenceMatches(s.key, key)) return true;
      return false;
    },
    active(nowMs) {
      return [...silences.values()]
        .filter((s) => running(s, nowMs))
        .sort((a, b) => Date.parse(a.until) - Date.parse(b.until));
    },
  };
}
