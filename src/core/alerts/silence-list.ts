import type { Silence } from './types.ts';

/** Active silences by key or `prefix.*` pattern; expired ones are pruned as time passes. */
export interface SilenceList {
  add(silence: Silence): void;
  remove(key: string): boolean;
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

export function createSilenceList(onExpired: (silence: Silence) => void = () => {}): SilenceList {
  const silences = new Map<string, Silence>();
  const prune = (nowMs: number): void => {
    for (const [key, s] of silences) {
      if (Date.parse(s.until) <= nowMs) {
        silences.delete(key);
        onExpired(s);
      }
    }
  };
  return {
    add(silence) {
      silences.set(silence.key, silence);
    },
    remove: (key) => silences.delete(key),
    covers(key, nowMs) {
      prune(nowMs);
      for (const s of silences.values()) if (silenceMatches(s.key, key)) return true;
      return false;
    },
    active(nowMs) {
      prune(nowMs);
      return [...silences.values()].sort((a, b) => Date.parse(a.until) - Date.parse(b.until));
    },
  };
}
