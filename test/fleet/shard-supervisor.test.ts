import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBackoff } from '../../src/core/backoff.ts';
import type { ManagerMessage, ShardReport } from '../../src/fleet/ipc-protocol.ts';
import type { ShardLauncher, ShardProcessEvents } from '../../src/fleet/shard-launcher.ts';
import { createShardSupervisor, type ShardSupervisorOptions } from '../../src/fleet/shard-supervisor.ts';
import { CaptureLogger } from '../support/capture-logger.ts';
import { flushMicrotasks, ManualClock } from '../support/manual-clock.ts';

interface FakeProcess {
  readonly id: number;
  readonly pid: number;
  readonly events: ShardProcessEvents;
  readonly signals: NodeJS.Signals[];
  readonly sent: ManagerMessage[];
}

/** Shard processes that do what the test says: become ready, report, exit. */
function fakeLauncher(): ShardLauncher & {
  readonly processes: FakeProcess[];
  latest(id: number): FakeProcess;
} {
  const processes: FakeProcess[] = [];
  let pid = 1000;
  return {
    processes,
    latest(id) {
      const found = processes.filter((p) => p.id === id).at(-1);
      return found ?? assert.fail(`shard ${id} was never launched`);
    },
    async launch(id, events) {
      const proc: FakeProcess = { id, pid: pid++, events, signals: [], sent: [] };
      processes.push(proc);
      return {
        pid: proc.pid,
        kill: (signal) => {
          proc.signals.push(signal);
          return true;
        },
        send: async (message) => {
          proc.sent.push(message);
        },
      };
    },
  };
}

function report(shard: number, status: 'ready' | 'connecting' = 'ready'): ShardReport {
  return {
    shard,
    pid: 1,
    seq: 1,
    at: new Date(0).toISOString(),
    status: status === 'ready' ? 'ready' : 'not_ready',
    uptime_seconds: 1,
    gateway: { status, ping_ms: 20, guilds: 3, reconnects: 0, last_heartbeat_ack_at: null },
    resources: null,
    troubled_components: [],
    tasks: [],
    startup: null,
    alerts: [],
    metrics: null,
  };
}

function setup(overrides: Partial<ShardSupervisorOptions> = {}) {
  const clock = new ManualClock();
  const launcher = fakeLauncher();
  const log = new CaptureLogger();
  const events: string[] = [];
  const supervisor = createShardSupervisor({
    shardIds: [0, 1, 2],
    launcher,
    log,
    clock,
    staleMs: 3_000,
    readyTimeoutMs: 10_000,
    respawnMax: 5,
    backoff: createBackoff({ baseMs: 1_000, maxMs: 60_000, jitter: 0 }),
    killGraceMs: 2_000,
    events: {
      down: (id, reason, info) =>
        events.push(`down ${id} ${info.kind} ${info.respawnInMs ?? 'stays'}: ${reason}`),
      recovered: (id) => events.push(`recovered ${id}`),
      limitReached: (id, used) => events.push(`limit ${id} ${used}`),
      report: () => {},
      changed: () => {},
      fleetRequest: (id, requestId) => events.push(`request ${id} ${requestId}`),
    },
    ...overrides,
  });
  /** Spawns every shard and makes each ready (one report each). */
  const startAll = async (): Promise<void> => {
    const started = [0, 1, 2].map((id) => supervisor.start(id));
    await flushMicrotasks();
    for (const id of [0, 1, 2]) {
      launcher.latest(id).events.ready();
      launcher.latest(id).events.message({ t: 'opsbot:report', report: report(id) });
    }
    await Promise.all(started);
  };
  /** Every live shard reports now, as healthy shards do every few seconds. */
  const reportAll = (except: readonly number[] = []): void => {
    for (const id of [0, 1, 2]) {
      if (except.includes(id)) continue;
      launcher.latest(id).events.message({ t: 'opsbot:report', report: report(id) });
    }
  };
  return { clock, launcher, log, events, supervisor, startAll, reportAll };
}

describe('shard supervisor', () => {
  it('respawns a shard that exits after a backoff, announces its recovery once, and leaves the others alone', async () => {
    const { clock, launcher, events, supervisor, startAll } = setup();
    await startAll();
    assert.deepEqual(
      supervisor.snapshots().map((s) => s.status),
      ['ready', 'ready', 'ready'],
    );
    launcher.latest(1).events.exit(null, 'SIGKILL');
    assert.deepEqual(events, ['down 1 exit 1000: it exited (killed by SIGKILL)']);
    assert.equal(supervisor.snapshot(1).status, 'down');
    assert.equal(supervisor.snapshot(1).pid, null);
    await clock.advance(999);
    assert.equal(launcher.processes.length, 3, 'not before the backoff');
    await clock.advance(1);
    assert.equal(launcher.processes.length, 4);
    assert.equal(supervisor.snapshot(1).status, 'not_ready');
    launcher.latest(1).events.ready();
    assert.deepEqual(events.slice(1), ['recovered 1']);
    assert.equal(supervisor.snapshot(1).restarts, 1);
    for (const id of [0, 2]) assert.deepEqual(launcher.latest(id).signals, [], `shard ${id} was not touched`);
  });

  it('SIGKILLs a shard whose reports stop (a SIGSTOPped process) and respawns it', async () => {
    const { clock, launcher, events, supervisor, startAll, reportAll } = setup();
    await startAll();
    for (let i = 0; i < 6; i += 1) {
      await clock.advance(1_000);
      reportAll([2]);
    }
    assert.deepEqual(launcher.latest(2).signals, ['SIGKILL'], 'shard 2 went silent');
    assert.deepEqual(launcher.latest(0).signals, []);
    launcher.latest(2).events.exit(null, 'SIGKILL');
    assert.match(events[0] ?? '', /^down 2 stale 1000: it sent no report for 3\.\d s \(frozen/);
    await clock.advance(1_000);
    assert.equal(supervisor.snapshot(2).phase, 'spawning');
  });

  it('stops a shard not ready past its timeout (SIGTERM, then SIGKILL when it does not act on it)', async () => {
    const { clock, launcher, events, supervisor } = setup();
    void supervisor.start(0).catch(() => {});
    await flushMicrotasks();
    await clock.advance(10_001);
    await clock.advance(2_000);
    assert.deepEqual(launcher.latest(0).signals, ['SIGTERM']);
    await clock.advance(2_000);
    assert.deepEqual(launcher.latest(0).signals, ['SIGTERM', 'SIGKILL']);
    launcher.latest(0).events.exit(null, 'SIGKILL');
    assert.match(events[0] ?? '', /^down 0 not_ready 1000: its gateway was not ready for 1\d\.\d s/);
  });

  it('stays down past SHARD_RESPAWN_MAX respawns in the hour, and says so once', async () => {
    const { clock, launcher, events, supervisor } = setup({ respawnMax: 2 });
    void supervisor.start(0).catch(() => {});
    await flushMicrotasks();
    for (let i = 0; i < 3; i += 1) {
      launcher.latest(0).events.ready();
      launcher.latest(0).events.exit(1, null);
      // The backoff doubles: 1 s, then 2 s.
      await clock.advance(2_000);
    }
    assert.equal(launcher.processes.length, 3, 'two respawns, no third');
    assert.deepEqual(events.slice(-2), [
      'down 0 exit stays: it exited (exit code 1); respawn limit reached (2 in the last hour)',
      'limit 0 2',
    ]);
    assert.equal(supervisor.snapshot(0).permanent, true);
    await clock.advance(3_600_000);
    assert.equal(launcher.processes.length, 3, 'it stays down');
  });

  it('keeps a shard Discord refused down without respawning it', async () => {
    const { clock, launcher, events, startAll } = setup();
    await startAll();
    launcher.latest(1).events.message({
      t: 'opsbot:refused',
      code: 4011,
      reason: 'sharding required (raise DISCORD_SHARDS)',
    });
    assert.deepEqual(launcher.latest(1).signals, ['SIGTERM']);
    launcher.latest(1).events.exit(1, null);
    assert.deepEqual(events, [
      'down 1 refused stays: Discord refused it (4011: sharding required (raise DISCORD_SHARDS))',
    ]);
    await clock.advance(600_000);
    assert.equal(launcher.processes.length, 3);
  });

  it('takes a shard stopping on a signal the manager also gets for part of the fleet stopping, not a crash', async () => {
    const { clock, launcher, events, supervisor, startAll } = setup();
    await startAll();
    // The group's SIGTERM reaches the shards a moment before the manager acts on its own.
    for (const id of [0, 1, 2])
      launcher.latest(id).events.message({ t: 'opsbot:stopping', reason: 'SIGTERM' });
    launcher.latest(0).events.exit(0, null);
    await clock.advance(300);
    const stopped = supervisor.stopAll('SIGTERM', 5_000);
    for (const id of [1, 2]) launcher.latest(id).events.exit(0, null);
    assert.deepEqual(await stopped, []);
    await clock.advance(10_000);
    assert.deepEqual(events, [], 'no shard went down');
    for (const id of [0, 1, 2])
      assert.deepEqual(launcher.latest(id).signals, [], 'already stopping: not signalled again');
    assert.equal(launcher.processes.length, 3, 'nothing respawned');
  });

  it('treats a shard that stopped on its own signal as down when the manager got none', async () => {
    const { clock, launcher, events, startAll } = setup();
    await startAll();
    launcher.latest(2).events.message({ t: 'opsbot:stopping', reason: 'SIGTERM' });
    launcher.latest(2).events.exit(0, null);
    assert.deepEqual(events, []);
    await clock.advance(1_000);
    assert.deepEqual(events, ['down 2 exit 1000: it stopped on SIGTERM']);
  });

  it('relays the stop signal and SIGKILLs a shard still there after the bound', async () => {
    const { clock, launcher, supervisor, startAll } = setup();
    await startAll();
    const stopped = supervisor.stopAll('SIGINT', 5_000);
    await flushMicrotasks();
    for (const id of [0, 1, 2]) assert.deepEqual(launcher.latest(id).signals, ['SIGINT']);
    launcher.latest(0).events.exit(0, null);
    launcher.latest(1).events.exit(0, null);
    await clock.advance(5_000);
    assert.deepEqual(launcher.latest(2).signals, ['SIGINT', 'SIGKILL']);
    launcher.latest(2).events.exit(null, 'SIGKILL');
    assert.deepEqual(await stopped, [2]);
    assert.deepEqual(
      supervisor.snapshots().map((s) => s.phase),
      ['stopped', 'stopped', 'stopped'],
    );
  });

  it('passes a shard’s fleet request on, and ignores messages that are not ours', async () => {
    const { launcher, events, startAll } = setup();
    await startAll();
    launcher.latest(1).events.message({ _eval: 'this.guilds.cache.size' });
    launcher.latest(1).events.message({ t: 'opsbot:report', report: { shard: 'x' } });
    launcher.latest(1).events.message({ t: 'opsbot:fleet_request', id: 7 });
    assert.deepEqual(events, ['request 1 7']);
  });
});
