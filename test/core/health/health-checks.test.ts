import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHealthChecks } from '../../../src/core/health/health-checks.ts';
import { createHealthRegistry } from '../../../src/core/health/health-registry.ts';
import { noopMetrics } from '../../../src/core/metrics/metrics.ts';
import { CaptureLogger } from '../../support/capture-logger.ts';
import { ManualClock } from '../../support/manual-clock.ts';

function setup() {
  const clock = new ManualClock();
  const log = new CaptureLogger();
  const registry = createHealthRegistry({ clock, log, metrics: noopMetrics });
  const checks = createHealthChecks({ clock, log, registry, timeoutMs: 1000 });
  return { clock, log, registry, checks };
}

describe('health checks', () => {
  it('a throwing check degrades a non-critical component and fails a critical one; passing restores ready', async () => {
    const { registry, checks, log } = setup();
    registry.register('cache');
    registry.register('db', { critical: true });
    registry.set('cache', 'ready');
    registry.set('db', 'ready');
    let healthy = false;
    const probe = () => {
      if (!healthy) throw new Error('connection refused');
    };
    checks.add('cache', probe);
    checks.add('db', probe);
    const results = await checks.runChecks();
    assert.deepEqual(
      results.map((r) => [r.component, r.ok, r.error]),
      [
        ['cache', false, 'connection refused'],
        ['db', false, 'connection refused'],
      ],
    );
    assert.equal(registry.get('cache')?.state, 'degraded');
    assert.equal(registry.get('db')?.state, 'failed');
    assert.equal(registry.get('db')?.last_error?.message, 'connection refused');
    await checks.runChecks();
    assert.equal(registry.get('db')?.error_count, 2);
    assert.deepEqual(
      log.events('health_check_failed').map((r) => r.level),
      ['warning', 'warning', 'debug', 'debug'],
    );
    healthy = true;
    await checks.runChecks();
    assert.equal(registry.get('cache')?.state, 'ready');
    assert.equal(registry.get('db')?.state, 'ready');
    assert.equal(log.events('health_check_recovered').length, 2);
  });

  it('a hanging check times out through the clock, is aborted and marks its declared effect', async () => {
    const { clock, registry, checks, log } = setup();
    registry.register('http');
    registry.set('http', 'ready');
    let aborted = false;
    checks.add(
      'http',
      (signal) =>
        new Promise<void>(() => {
          signal.addEventListener('abort', () => {
            aborted = true;
          });
        }),
      { timeoutMs: 2500, effect: 'failed' },
    );
    const running = checks.runChecks();
    await clock.advance(2499);
    assert.equal(registry.get('http')?.state, 'ready');
    await clock.advance(1);
    const [result] = await running;
    assert.equal(result?.ok, false);
    assert.match(result?.error ?? '', /timed out after 2500 ms/);
    assert.equal(aborted, true);
    assert.equal(registry.get('http')?.state, 'failed');
    assert.equal(log.events('health_check_failed')[0]?.detail.component, 'http');
  });

  it('a passing check does not hide a failure it did not report', async () => {
    const { registry, checks } = setup();
    registry.set('gateway', 'failed', { error: new Error('closed') });
    checks.add('gateway', () => {});
    await checks.runChecks();
    assert.equal(registry.get('gateway')?.state, 'failed');
  });

  it('one failing check never stops the others', async () => {
    const { registry, checks } = setup();
    registry.set('a', 'ready');
    registry.set('b', 'ready');
    checks.add('a', () => Promise.reject(undefined));
    checks.add('b', () => {});
    const results = await checks.runChecks();
    assert.deepEqual(
      results.map((r) => r.ok),
      [false, true],
    );
    assert.equal(registry.get('b')?.state, 'ready');
  });
});
