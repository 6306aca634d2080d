import { type Backoff, createBackoff } from '../core/backoff.ts';
import { type Clock, settleWithin, systemClock } from '../core/clock.ts';
import type { Logger } from '../core/logging/logger.ts';
import { isShardMessage, type ManagerMessage, type ShardReport } from './ipc-protocol.ts';
import type { ShardLauncher, ShardProcess } from './shard-launcher.ts';
import {
  createShardEntry,
  type DownKind,
  describeExit,
  type ShardEntry,
  type ShardSnapshot,
  seconds,
  shardSnapshot,
  stuckVerdict,
} from './shard-state.ts';

export type { DownKind, ShardPhase, ShardSnapshot } from './shard-state.ts';

/** What the supervisor tells the rest of the manager. */
export interface SupervisorEvents {
  /** A shard went down; `respawnInMs` null when it stays down. Called again while it stays down. */
  down(
    id: number,
    reason: string,
    info: { readonly kind: DownKind; readonly respawnInMs: number | null },
  ): void;
  /** A shard that was down is ready again. */
  recovered(id: number, downForMs: number): void;
  /** It used its respawns of the hour and stays down. */
  limitReached(id: number, used: number): void;
  report(id: number, report: ShardReport): void;
  /** Its state changed (status, pid, phase): views and health follow. */
  changed(id: number): void;
  /** It asks for the fleet view (a command). */
  fleetRequest(id: number, requestId: number): void;
}

export interface ShardSupervisorOptions {
  readonly shardIds: readonly number[];
  readonly launcher: ShardLauncher;
  readonly events: SupervisorEvents;
  readonly log: Logger;
  /** `SHARD_STALE_MS`. */
  readonly staleMs: number;
  /** `SHARD_READY_TIMEOUT_MS`. */
  readonly readyTimeoutMs: number;
  /** `SHARD_RESPAWN_MAX`, per shard per hour. */
  readonly respawnMax: number;
  /** @default systemClock */
  readonly clock?: Clock;
  /** Delay before respawn n of a failure streak. @default 1 s doubling to 60 s, ±20 % */
  readonly backoff?: Backoff;
  /** After a SIGTERM that is not acted on, SIGKILL follows this late. @default 5000 */
  readonly killGraceMs?: number;
  /**
   * A shard that stops by itself on a signal may be part of a signal to the whole
   * process group, which reaches the manager a moment later: its exit is judged only
   * after this long. @default 1000
   */
  readonly signalEchoMs?: number;
  /** A shard ready this long has its failure streak (and backoff) forgotten. @default 300000 */
  readonly stableMs?: number;
}

const DEFAULTS = {
  killGraceMs: 5_000,
  signalEchoMs: 1_000,
  stableMs: 300_000,
} as const satisfies Partial<ShardSupervisorOptions>;

/** Exit code of a configuration error (see src/config.ts): respawning cannot fix it. */
const EXIT_CONFIG = 78;

export interface ShardSupervisor {
  /** Spawns shard `id`; resolves once it is ready (respawns included), rejects when `signal` aborts or it is down for good. */
  start(id: number, signal?: AbortSignal): Promise<void>;
  snapshot(id: number): ShardSnapshot;
  snapshots(): readonly ShardSnapshot[];
  /** Sends one of our messages to a running shard; false when it has no process. */
  send(id: number, message: ManagerMessage): boolean;
  /** Sends `signal` to every running shard (SIGHUP: reopen their log files). */
  signalAll(signal: NodeJS.Signals): void;
  /** From now on every exit is part of stopping the fleet: no respawn, no alert. */
  beginStop(): void;
  /**
   * Relays `signal` to each shard that is not already stopping and waits for them all,
   * SIGKILLing what is left after `timeoutMs`. Resolves with the shards that had to be killed.
   */
  stopAll(signal: NodeJS.Signals, timeoutMs: number): Promise<readonly number[]>;
}

/**
 * Owns the shard processes: spawns them, respawns one that exits, goes stale (no
 * report for `staleMs`, e.g. SIGSTOPped: SIGKILL) or stays not ready past
 * `readyTimeoutMs` (SIGTERM, then SIGKILL), with backoff and at most `respawnMax`
 * respawns an hour; past that, or when Discord refused the shard, it stays down.
 * One shard's trouble never touches another.
 */
export function createShardSupervisor(options: ShardSupervisorOptions): ShardSupervisor {
  const clock = options.clock ?? systemClock;
  const { events, launcher, staleMs, readyTimeoutMs } = options;
  const log = options.log.child({ name: 'bot.fleet', subsys: 'fleet' });
  const backoff = options.backoff ?? createBackoff({ baseMs: 1_000, maxMs: 60_000 });
  const killGraceMs = options.killGraceMs ?? DEFAULTS.killGraceMs;
  const signalEchoMs = options.signalEchoMs ?? DEFAULTS.signalEchoMs;
  const stableMs = options.stableMs ?? DEFAULTS.stableMs;
  let stopping = false;

  const entries = new Map<number, ShardEntry>();
  for (const id of options.shardIds) entries.set(id, createShardEntry(id, options.respawnMax));
  const entry = (id: number): ShardEntry => {
    const found = entries.get(id);
    if (found === undefined) throw new RangeError(`shard ${id} is not one this manager runs`);
    return found;
  };
  const safely = (what: string, fn: () => void): void => {
    try {
      fn();
    } catch (error) {
      log.error('fleet_listener_failed', `A fleet listener failed on ${what}`, { hook: what, error });
    }
  };
  const changed = (e: ShardEntry): void => safely('changed', () => events.changed(e.id));

  const settleReadyWaiters = (e: ShardEntry, error?: Error): void => {
    for (const waiter of e.readyWaiters.splice(0)) {
      if (error === undefined) waiter.resolve();
      else waiter.reject(error);
    }
  };

  const onReady = (e: ShardEntry): void => {
    const now = clock.now();
    e.gatewayReady = true;
    e.notReadySince = null;
    e.readySince ??= now;
    if (e.phase === 'spawning') {
      e.phase = 'running';
      log.info('shard_ready', `Shard ${e.id} is ready`, {
        shard: e.id,
        pid: e.pid,
        duration_ms: now - (e.spawnedAt ?? now),
        restarts: e.restarts,
      });
    }
    settleReadyWaiters(e);
    if (e.downSince !== null) {
      const downFor = now - e.downSince;
      e.downSince = null;
      e.downReason = null;
      log.info('shard_recovered', `Shard ${e.id} recovered after ${seconds(downFor)}`, {
        shard: e.id,
        down_ms: downFor,
      });
      safely('recovered', () => events.recovered(e.id, downFor));
    }
    changed(e);
  };

  const onNotReady = (e: ShardEntry): void => {
    if (!e.gatewayReady && e.notReadySince !== null) return;
    e.gatewayReady = false;
    e.notReadySince ??= clock.now();
    changed(e);
  };

  const killProcess = (
    e: ShardEntry,
    signal: NodeJS.Signals,
    why: { reason: string; kind: DownKind },
  ): void => {
    const proc = e.proc;
    if (proc === undefined || e.kill !== null) return;
    e.kill = why;
    proc.kill(signal);
    if (signal === 'SIGKILL') return;
    e.timer?.cancel();
    e.timer = clock.setTimeout(
      () => {
        e.timer = undefined;
        if (e.proc !== proc) return;
        log.warning('shard_kill_escalated', `Shard ${e.id} did not stop on ${signal}: SIGKILL`, {
          shard: e.id,
          pid: e.pid,
          after_ms: killGraceMs,
        });
        proc.kill('SIGKILL');
      },
      killGraceMs,
      { unref: true },
    );
  };

  const onMessage = (e: ShardEntry, message: unknown): void => {
    if (!isShardMessage(message)) return;
    switch (message.t) {
      case 'opsbot:report': {
        const report = message.report;
        if (report.shard !== e.id) {
          log.warning('shard_report_mismatch', `Shard ${e.id} sent a report for shard ${report.shard}`, {
            shard: e.id,
            reported: report.shard,
          });
          return;
        }
        e.report = report;
        e.reportAt = clock.now();
        const ready = report.gateway.status === 'ready';
        if (ready && !e.gatewayReady) onReady(e);
        else if (!ready && e.gatewayReady) onNotReady(e);
        safely('report', () => events.report(e.id, report));
        return;
      }
      case 'opsbot:refused':
        e.refused = { code: message.code, reason: message.reason };
        log.error(
          'shard_gateway_refused',
          `Discord closed shard ${e.id} with ${message.code}: ${message.reason}; it is not respawned`,
          { shard: e.id, code: message.code, reason: message.reason },
        );
        killProcess(e, 'SIGTERM', {
          reason: `Discord refused it (${message.code}: ${message.reason})`,
          kind: 'refused',
        });
        return;
      case 'opsbot:stopping':
        e.stopping = message.reason;
        log.info('shard_stopping', `Shard ${e.id} is stopping (${message.reason})`, {
          shard: e.id,
          reason: message.reason,
        });
        return;
      case 'opsbot:fleet_request':
        safely('fleet request', () => events.fleetRequest(e.id, message.id));
        return;
    }
  };

  const goDown = (e: ShardEntry, reason: string, kind: DownKind, permanent: boolean): void => {
    const now = clock.now();
    if (e.readySince !== null && now - e.readySince >= stableMs) e.failures = 0;
    e.failures += 1;
    e.readySince = null;
    e.notReadySince = null;
    e.gatewayReady = false;
    e.downSince ??= now;
    e.downReason = reason;
    settleReadyWaiters(e);
    if (!permanent && !e.budget.allows(now)) {
      const used = e.budget.used(now);
      e.phase = 'down';
      e.permanent = true;
      e.downReason = `${reason}; respawn limit reached (${used} in the last hour)`;
      log.critical(
        'shard_respawn_limit',
        `Shard ${e.id} is down (${reason}) and has used its ${used} respawns of the hour (SHARD_RESPAWN_MAX): it stays down`,
        { shard: e.id, reason, respawns_last_hour: used, max: options.respawnMax },
      );
      safely('down', () => events.down(e.id, e.downReason ?? reason, { kind, respawnInMs: null }));
      safely('limit', () => events.limitReached(e.id, used));
      settleReadyWaiters(e, new Error(`shard ${e.id} stays down: respawn limit reached`));
      changed(e);
      return;
    }
    if (permanent) {
      e.phase = 'down';
      e.permanent = true;
      log.error('shard_down', `Shard ${e.id} is down for good: ${reason}`, { shard: e.id, reason, kind });
      safely('down', () => events.down(e.id, reason, { kind, respawnInMs: null }));
      settleReadyWaiters(e, new Error(`shard ${e.id} stays down: ${reason}`));
      changed(e);
      return;
    }
    const delay = backoff.delay(e.failures);
    e.phase = 'backoff';
    log.error('shard_down', `Shard ${e.id} is down: ${reason}; respawning in ${seconds(delay)}`, {
      shard: e.id,
      reason,
      kind,
      respawn_in_ms: delay,
      respawns_last_hour: e.budget.used(now),
      max: options.respawnMax,
    });
    safely('down', () => events.down(e.id, reason, { kind, respawnInMs: delay }));
    changed(e);
    e.timer = clock.setTimeout(
      () => {
        e.timer = undefined;
        if (stopping) return;
        e.budget.record(clock.now());
        e.restarts += 1;
        void launch(e);
      },
      delay,
      { unref: true },
    );
  };

  const onExit = (e: ShardEntry, code: number | null, signal: NodeJS.Signals | null): void => {
    e.proc = undefined;
    e.pid = null;
    e.gatewayReady = false;
    e.timer?.cancel();
    e.timer = undefined;
    for (const resolve of e.exitWaiters.splice(0)) resolve();
    const how = describeExit(code, signal);
    if (stopping) {
      e.phase = 'stopped';
      log.info('shard_stopped', `Shard ${e.id} stopped (${how})`, { shard: e.id, code, signal });
      settleReadyWaiters(e, new Error('the fleet is stopping'));
      changed(e);
      return;
    }
    log.warning('shard_exited', `Shard ${e.id} exited (${how})`, { shard: e.id, code, signal });
    if (e.refused !== null) {
      goDown(e, `Discord refused it (${e.refused.code}: ${e.refused.reason})`, 'refused', true);
    } else if (code === EXIT_CONFIG) {
      goDown(e, 'its configuration was refused (exit 78): see its log', 'config', true);
    } else if (e.kill !== null) {
      goDown(e, e.kill.reason, e.kill.kind, false);
    } else if (e.stopping !== null) {
      // A signal to the whole process group reaches the shards and the manager at once;
      // wait a moment for the manager's copy before calling this a shard going down.
      const reason = `it stopped on ${e.stopping}`;
      e.phase = 'backoff';
      e.timer = clock.setTimeout(
        () => {
          e.timer = undefined;
          if (stopping) {
            e.phase = 'stopped';
            changed(e);
          } else goDown(e, reason, 'exit', false);
        },
        signalEchoMs,
        { unref: true },
      );
    } else {
      goDown(e, `it exited (${how})`, 'exit', false);
    }
  };

  const launch = async (e: ShardEntry): Promise<void> => {
    e.generation += 1;
    const generation = e.generation;
    const now = clock.now();
    e.phase = 'spawning';
    e.spawnedAt = now;
    e.notReadySince = now;
    e.readySince = null;
    e.gatewayReady = false;
    e.report = undefined;
    e.reportAt = null;
    e.kill = null;
    e.stopping = null;
    e.refused = null;
    const current = (): boolean => generation === e.generation;
    let proc: ShardProcess;
    try {
      proc = await launcher.launch(e.id, {
        message: (m) => current() && onMessage(e, m),
        ready: () => current() && onReady(e),
        notReady: () => current() && onNotReady(e),
        exit: (code, signal) => current() && onExit(e, code, signal),
      });
    } catch (error) {
      log.error('shard_spawn_failed', `Shard ${e.id} could not be started`, { shard: e.id, error });
      if (!stopping) goDown(e, 'its process could not be started', 'spawn', false);
      return;
    }
    if (!current()) return;
    e.proc = proc;
    e.pid = proc.pid ?? null;
    log.info('shard_spawned', `Shard ${e.id} spawned (pid ${e.pid ?? '?'})`, {
      shard: e.id,
      pid: e.pid,
      restarts: e.restarts,
    });
    if (stopping) proc.kill('SIGTERM');
    changed(e);
  };

  const check = (): void => {
    if (stopping) return;
    const now = clock.now();
    for (const e of entries.values()) {
      if (e.proc === undefined || e.kill !== null) continue;
      const stuck = stuckVerdict(e, now, { staleMs, readyTimeoutMs });
      if (stuck === undefined) continue;
      log.error(stuck.event, `Shard ${e.id}: ${stuck.reason}; ${stuck.signal}`, {
        shard: e.id,
        pid: e.pid,
        ...stuck.detail,
      });
      killProcess(e, stuck.signal, { reason: stuck.reason, kind: stuck.kind });
    }
  };
  const checkEveryMs = Math.max(50, Math.min(5_000, Math.floor(Math.min(staleMs, readyTimeoutMs) / 6)));
  const checker = clock.setInterval(check, checkEveryMs, { unref: true });

  const beginStop = (): void => {
    stopping = true;
    checker.cancel();
    for (const e of entries.values()) {
      if (e.proc === undefined) {
        e.timer?.cancel();
        e.timer = undefined;
        if (e.phase !== 'down') e.phase = 'stopped';
      }
    }
  };

  return {
    start(id, signal) {
      const e = entry(id);
      if (signal?.aborted) return Promise.reject(signal.reason);
      return new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          e.readyWaiters = e.readyWaiters.filter((w) => w.resolve !== done);
          reject(signal?.reason);
        };
        const done = (): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        e.readyWaiters.push({
          resolve: done,
          reject: (error) => {
            signal?.removeEventListener('abort', onAbort);
            reject(error);
          },
        });
        signal?.addEventListener('abort', onAbort, { once: true });
        if (e.phase === 'waiting') void launch(e);
        else if (e.gatewayReady) settleReadyWaiters(e);
      });
    },
    snapshot: (id) => shardSnapshot(entry(id)),
    snapshots: () => [...entries.values()].map(shardSnapshot),
    send(id, message) {
      const proc = entries.get(id)?.proc;
      if (proc === undefined) return false;
      proc.send(message).catch((error: unknown) => {
        log.debug('shard_send_failed', `A message to shard ${id} was not delivered`, { shard: id, error });
      });
      return true;
    },
    signalAll(signal) {
      for (const e of entries.values()) e.proc?.kill(signal);
    },
    beginStop,
    async stopAll(signal, timeoutMs) {
      beginStop();
      const live = [...entries.values()].filter((e) => e.proc !== undefined);
      const exited = (e: ShardEntry): Promise<void> =>
        e.proc === undefined ? Promise.resolve() : new Promise((resolve) => e.exitWaiters.push(resolve));
      for (const e of live) {
        // One that announced it is stopping already has the signal: a second copy now
        // could be taken for a second Ctrl-C and cut its shutdown short.
        if (e.stopping === null) e.proc?.kill(signal);
      }
      await settleWithin(clock, Promise.all(live.map(exited)), timeoutMs);
      const left = live.filter((e) => e.proc !== undefined);
      for (const e of left) {
        log.warning('shard_kill_escalated', `Shard ${e.id} did not stop within ${timeoutMs} ms: SIGKILL`, {
          shard: e.id,
          pid: e.pid,
        });
        e.proc?.kill('SIGKILL');
      }
      await settleWithin(clock, Promise.all(left.map(exited)), 2_000);
      return left.map((e) => e.id);
    },
  };
}
