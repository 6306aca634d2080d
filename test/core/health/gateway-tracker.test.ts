import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createGatewayTracker } from '../../../src/core/health/gateway-tracker.ts';
import { createHealthMonitor } from '../../../src/core/health/health-monitor.ts';
import { createHealthRegistry } from '../../../src/core/health/health-registry.ts';
import { noopMetrics } from '../../../src/core/metrics/metrics.ts';
import { CaptureLogger } from '../../support/capture-logger.ts';
import { ManualClock } from '../../support/manual-clock.ts';

function setup() {
  const clock = new ManualClock();
  const log = new CaptureLogger();
  let reconnects = 0;
  const metrics = { ...noopMetrics, gatewayReconnect: () => void reconnects++ };
  const registry = createHealthRegistry({ clock, log, metrics });
  const gateway = createGatewayTracker({ clock, log, metrics, health: registry });
  const monitor = createHealthMonitor({ clock, registry, gateway, version: '1.2.3' });
  return { clock, log, registry, gateway, monitor, reconnects: () => reconnects };
}

describe('gateway tracker', () => {
  it('starts not_started, then connecting, then ready with its guilds and ping', async () => {
    const { clock, gateway } = setup();
    assert.equal(gateway.snapshot().status, 'not_started');
    assert.equal(gateway.snapshot().ping_ms, null);
    gateway.connecting();
    await clock.advance(1200);
    gateway.ready(3);
    gateway.ping(41.6);
    assert.deepEqual(gateway.snapshot(), {
      status: 'ready',
      ping_ms: 42,
      guilds: 3,
      reconnects: 0,
      since: new Date(clock.now()).toISOString(),
    });
    assert.equal(gateway.isConnected(), true);
  });

  it('a drop makes the bot not_ready at once; the resume brings it back and counts a reconnect', () => {
    const { gateway, monitor, log, reconnects, registry } = setup();
    registry.set('database', 'ready');
    gateway.connecting();
    gateway.ready(1);
    monitor.markStartFinished();
    assert.equal(monitor.snapshot().status, 'ready');

    gateway.disconnected(1006);
    assert.equal(monitor.snapshot().status, 'not_ready');
    assert.equal(monitor.isReady(), false);
    assert.equal(registry.get('discord_gateway')?.state, 'failed');
    gateway.reconnecting();
    assert.equal(monitor.snapshot().status, 'not_ready');
    gateway.resumed();
    const snap = monitor.snapshot();
    assert.equal(snap.status, 'ready');
    assert.equal(snap.gateway.reconnects, 1);
    assert.equal(reconnects(), 1);

    const events = log.records.filter((r) => r.subsys === 'discord').map((r) => r.event);
    assert.deepEqual(events, [
      'gateway_connecting',
      'gateway_ready',
      'gateway_disconnected',
      'gateway_reconnecting',
      'gateway_resumed',
    ]);
    assert.deepEqual(log.events('gateway_disconnected')[0]?.detail, { code: 1006 });
    assert.equal(log.events('gateway_disconnected')[0]?.level, 'warning');
  });

  it('a fresh identify after a drop also counts as a reconnect; repeated events are not double-counted', () => {
    const { gateway, reconnects } = setup();
    gateway.ready(1);
    gateway.ready(2);
    gateway.disconnected(null);
    gateway.disconnected(null);
    gateway.ready(2);
    gateway.resumed();
    assert.equal(reconnects(), 1);
    assert.equal(gateway.snapshot().guilds, 2);
  });

  it('ignores nonsense pings', () => {
    const { gateway } = setup();
    gateway.ping(20);
    gateway.ping(Number.NaN);
    gateway.ping(-1);
    assert.equal(gateway.snapshot().ping_ms, 20);
  });
});
