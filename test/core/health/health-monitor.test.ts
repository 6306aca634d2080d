import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createGatewayTracker } from '../../../src/core/health/gateway-tracker.ts';
import { createHealthMonitor } from '../../../src/core/health/health-monitor.ts';
import { createHealthRegistry } from '../../../src/core/health/health-registry.ts';
import { createLivenessWatchdog } from '../../../src/core/health/liveness-watchdog.ts';
import { noopMetrics } from '../../../src/core/metrics/metrics.ts';
import { createTaskSupervisor } from '../../../src/core/tasks/task-supervisor.ts';
import { CaptureLogger } from '../../support/capture-logger.ts';
import { ManualClock } from '../../support/manual-clock.ts';

describe('health monitor: registry + gateway + supervisor + liveness, without discord.js', () => {
  it('composes the HealthSnapshot through a start, a stale task and its recovery', async () => {
    const clock = new ManualClock();
    const log = new CaptureLogger();
    const metrics = noopMetrics;
    const startedAt = clock.now();
    const registry = createHealthRegistry({ clock, log, metrics });
    const gateway = createGatewayTracker({ clock, log, metrics, health: registry });
    const supervisor = createTaskSupervisor({
      clock,
      log,
      metrics,
      health: registry,
      random: () => 0.5,
      abandonAfterMs: 1000,
    });
    const liveness = createLivenessWatchdog({ clock, log });
    const monitor = createHealthMonitor({ clock, registry, gateway, liveness, version: '0.1.0', startedAt });

    registry.register('database', { critical: true });
    let hang = true;
    supervisor.register({
      name: 'memory_save_task',
      loop: true,
      heartbeatMs: 5000,
      graceMs: 0,
      run: async (ctx) => {
        for (;;) {
          if (!hang) ctx.heartbeat();
          await clock.sleep(1000, ctx.signal);
        }
      },
    });

    assert.equal(monitor.snapshot().status, 'not_ready');
    registry.set('database', 'ready');
    gateway.connecting();
    gateway.ready(2);
    gateway.ping(55);
    supervisor.start();
    liveness.start();
    monitor.markStartFinished();
    hang = false;
    await clock.advance(4000);

    let snap = monitor.snapshot();
    assert.equal(snap.status, 'ready');
    assert.equal(snap.live, true);
    assert.equal(snap.ready, true);
    assert.equal(snap.uptime_seconds, 4);
    assert.equal(snap.started_at, new Date(startedAt).toISOString());
    assert.equal(snap.checked_at, new Date(clock.now()).toISOString());
    assert.equal(snap.version, '0.1.0');
    assert.deepEqual(
      snap.components.map((c) => [c.name, c.state, c.critical]),
      [
        ['discord_gateway', 'ready', true],
        ['database', 'ready', true],
        ['task:memory_save_task', 'ready', false],
      ],
    );
    assert.deepEqual(snap.gateway, { ...gateway.snapshot() });
    assert.equal(snap.gateway.ping_ms, 55);

    hang = true;
    await clock.advance(11_500); // stale at the 15 s watchdog tick, restart due at 16 s
    snap = monitor.snapshot();
    assert.equal(snap.status, 'degraded');
    assert.equal(snap.ready, true);
    assert.ok(log.events('task_stale').length >= 1);

    hang = false;
    await clock.advance(5000);
    assert.equal(monitor.snapshot().status, 'ready');

    await supervisor.stopAll(1000);
    liveness.stop();
  });

  it('without a gateway or liveness, the core alone is ready once started', () => {
    const clock = new ManualClock();
    const registry = createHealthRegistry({ clock, log: new CaptureLogger(), metrics: noopMetrics });
    const monitor = createHealthMonitor({ clock, registry, version: 'x' });
    monitor.markStartFinished();
    const snap = monitor.snapshot();
    assert.equal(snap.status, 'ready');
    assert.equal(snap.live, true);
    assert.equal(snap.gateway.status, 'not_started');
  });

  it('dates the overall status from its last change, even when read long after', async () => {
    const clock = new ManualClock();
    const startedAt = clock.now();
    const registry = createHealthRegistry({ clock, log: new CaptureLogger(), metrics: noopMetrics });
    const monitor = createHealthMonitor({ clock, registry, version: 'x', startedAt });
    const at = (ms: number): string => new Date(startedAt + ms).toISOString();
    registry.register('cache', { critical: false, state: 'ready' });
    assert.deepEqual(monitor.summary(), { status: 'not_ready', since: at(0) });

    await clock.advance(5_000);
    monitor.markStartFinished();
    await clock.advance(60_000);
    assert.deepEqual(monitor.summary(), { status: 'ready', since: at(5_000) });

    registry.set('cache', 'degraded', { error: new Error('evicted') });
    await clock.advance(30_000);
    // Nobody read the status while it changed: the change is still dated when it happened.
    const snapshot = monitor.snapshot();
    assert.equal(snapshot.status, 'degraded');
    assert.equal(snapshot.status_since, at(65_000));
    registry.recordError('cache', new Error('again'));
    registry.set('cache', 'degraded');
    assert.deepEqual(monitor.summary(), { status: 'degraded', since: at(65_000) }, 'same status, same date');

    await clock.advance(1_000);
    registry.set('cache', 'ready');
    assert.deepEqual(monitor.summary(), { status: 'ready', since: at(96_000) });
  });
});
