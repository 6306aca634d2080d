import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeStatus } from '../../../src/core/health/health-status.ts';
import type { ComponentHealth, ComponentState, GatewaySnapshot } from '../../../src/core/health/types.ts';

function component(
  name: string,
  state: ComponentState,
  critical: boolean,
  fallback = false,
): ComponentHealth {
  return {
    name,
    state,
    critical,
    error_count: 0,
    last_error: null,
    errors: [],
    since: '2024-01-15T14:30:00.000Z',
    fallback_active: fallback,
    note: null,
  };
}

const gateway = (status: GatewaySnapshot['status']): GatewaySnapshot => ({
  status,
  ping_ms: 40,
  guilds: 1,
  reconnects: 0,
  since: '2024-01-15T14:30:00.000Z',
});

describe('status rules', () => {
  it('ready when everything is up (skipped counts as fine)', () => {
    const v = computeStatus({
      components: [component('db', 'ready', true), component('tts', 'skipped', false)],
      gateway: gateway('ready'),
      startFinished: true,
    });
    assert.deepEqual(v, { status: 'ready', ready: true, reasons: [] });
  });

  it('not_ready while the start runs', () => {
    assert.equal(computeStatus({ components: [], startFinished: false }).status, 'not_ready');
  });

  for (const state of ['failed', 'stopped', 'starting'] as const) {
    it(`not_ready when a critical component is ${state}; degraded when a non-critical one is`, () => {
      const crit = computeStatus({ components: [component('db', state, true)], startFinished: true });
      assert.equal(crit.status, 'not_ready');
      assert.equal(crit.ready, false);
      assert.deepEqual(crit.reasons, [`db ${state}`]);
      const minor = computeStatus({ components: [component('cache', state, false)], startFinished: true });
      assert.equal(minor.status, 'degraded');
      assert.equal(minor.ready, true);
    });
  }

  it('degraded when a component (even critical) is degraded or runs on a fallback', () => {
    assert.equal(
      computeStatus({ components: [component('db', 'degraded', true)], startFinished: true }).status,
      'degraded',
    );
    const fb = computeStatus({ components: [component('tts', 'ready', false, true)], startFinished: true });
    assert.deepEqual(fb.reasons, ['tts on fallback']);
  });

  it('not_ready when the gateway is not connected after the start, whatever else holds', () => {
    for (const status of ['connecting', 'reconnecting', 'disconnected', 'not_started'] as const) {
      const v = computeStatus({
        components: [component('db', 'ready', true)],
        gateway: gateway(status),
        startFinished: true,
      });
      assert.equal(v.status, 'not_ready', status);
    }
  });

  it('not_ready outranks degraded and lists both reasons', () => {
    const v = computeStatus({
      components: [component('db', 'failed', true), component('cache', 'degraded', false)],
      startFinished: true,
    });
    assert.equal(v.status, 'not_ready');
    assert.deepEqual(v.reasons, ['db failed', 'cache degraded']);
  });
});
