import type { Timer } from '../core/clock.ts';
import type { ShardReport, ShardStatus } from './ipc-protocol.ts';
import { createRespawnBudget, type RespawnBudget } from './respawn-budget.ts';
import type { ShardProcess } from './shard-launcher.ts';

/** Why a shard went down, for alerts and logs. */
export type DownKind = 'exit' | 'stale' | 'not_ready' | 'refused' | 'config' | 'spawn';

export type ShardPhase = 'waiting' | 'spawning' | 'running' | 'backoff' | 'down' | 'stopped';

/** One shard as the supervisor sees it now. */
export interface ShardSnapshot {
  readonly id: number;
  readonly phase: ShardPhase;
  readonly status: ShardStatus;
  readonly pid: number | null;
  readonly restarts: number;
  readonly gatewayReady: boolean;
  readonly spawnedAt: number | null;
  readonly readySince: number | null;
  readonly report: ShardReport | undefined;
  /** Clock time the last report arrived. */
  readonly reportAt: number | null;
  readonly downReason: string | null;
  readonly downSince: number | null;
  /** Down for good: refused by Discord, refused its configuration, or out of respawns. */
  readonly permanent: boolean;
}

/** Everything the supervisor keeps about one shard; mutable, its own. */
export interface ShardEntry {
  readonly id: number;
  phase: ShardPhase;
  proc: ShardProcess | undefined;
  generation: number;
  pid: number | null;
  spawnedAt: number | null;
  gatewayReady: boolean;
  notReadySince: number | null;
  readySince: number | null;
  report: ShardReport | undefined;
  reportAt: number | null;
  restarts: number;
  failures: number;
  downSince: number | null;
  downReason: string | null;
  permanent: boolean;
  kill: { readonly reason: string; readonly kind: DownKind } | null;
  stopping: string | null;
  refused: { readonly code: number; readonly reason: string } | null;
  timer: Timer | undefined;
  readonly budget: RespawnBudget;
  exitWaiters: (() => void)[];
  readyWaiters: { resolve: () => void; reject: (error: Error) => void }[];
}

/** A shard that has run no process yet. */
export function createShardEntry(id: number, respawnMax: number): ShardEntry {
  return {
    id,
    phase: 'waiting',
    proc: undefined,
    generation: 0,
    pid: null,
    spawnedAt: null,
    gatewayReady: false,
    notReadySince: null,
    readySince: null,
    report: undefined,
    reportAt: null,
    restarts: 0,
    failures: 0,
    downSince: null,
    downReason: null,
    permanent: false,
    kill: null,
    stopping: null,
    refused: null,
    timer: undefined,
    budget: createRespawnBudget(respawnMax),
    exitWaiters: [],
    readyWaiters: [],
  };
}

/**
 * What the fleet views call a shard: `not_ready` before its turn to spawn and while
 * its gateway or its own start is not ready, `down` without a process, else what it
 * reports of itself.
 */
export function shardStatus(e: ShardEntry): ShardStatus {
  if (e.phase === 'waiting') return 'not_ready';
  if (e.proc === undefined) return 'down';
  if (!e.gatewayReady) return 'not_ready';
  const own = e.report?.status ?? 'ready';
  return own === 'ready' ? 'ready' : own === 'degraded' ? 'degraded' : 'not_ready';
}

export function shardSnapshot(e: ShardEntry): ShardSnapshot {
  return {
    id: e.id,
    phase: e.phase,
    status: shardStatus(e),
    pid: e.pid,
    restarts: e.restarts,
    gatewayReady: e.gatewayReady,
    spawnedAt: e.spawnedAt,
    readySince: e.readySince,
    report: e.report,
    reportAt: e.reportAt,
    downReason: e.downReason,
    downSince: e.downSince,
    permanent: e.permanent,
  };
}

/** Why a running shard must be stopped now, if it must. */
export interface StuckVerdict {
  readonly event: 'shard_stale' | 'shard_not_ready_timeout';
  readonly kind: 'stale' | 'not_ready';
  /** SIGKILL for a frozen process (SIGTERM cannot act on it), SIGTERM for one merely not ready. */
  readonly signal: 'SIGKILL' | 'SIGTERM';
  readonly reason: string;
  readonly detail: Readonly<Record<string, number>>;
}

/**
 * A shard is stale when its last sign of life (a report, or becoming ready before any)
 * is older than `staleMs`, and stuck not ready when it has not been ready for `readyTimeoutMs`.
 * Before its first report and its first ready, only the ready timeout applies.
 */
export function stuckVerdict(
  e: ShardEntry,
  now: number,
  limits: { readonly staleMs: number; readonly readyTimeoutMs: number },
): StuckVerdict | undefined {
  const lastSign = e.reportAt ?? e.readySince;
  if (lastSign !== null && now - lastSign > limits.staleMs) {
    return {
      event: 'shard_stale',
      kind: 'stale',
      signal: 'SIGKILL',
      reason: `it sent no report for ${seconds(now - lastSign)} (frozen, or its event loop blocked)`,
      detail: { silent_ms: now - lastSign, stale_ms: limits.staleMs },
    };
  }
  if (e.notReadySince !== null && now - e.notReadySince > limits.readyTimeoutMs) {
    return {
      event: 'shard_not_ready_timeout',
      kind: 'not_ready',
      signal: 'SIGTERM',
      reason: `its gateway was not ready for ${seconds(now - e.notReadySince)}`,
      detail: { not_ready_ms: now - e.notReadySince, ready_timeout_ms: limits.readyTimeoutMs },
    };
  }
  return undefined;
}

export const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;

export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal !== null) return `killed by ${signal}`;
  return `exit code ${code ?? 'unknown'}`;
}
