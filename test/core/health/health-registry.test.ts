import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHealthRegistry } from '../../../src/core/health/health-registry.ts';
import { noopMetrics } from '../../../src/core/metrics/metrics.ts';
import { CaptureLogger } from '../../support/capture-logger.ts';
import { ManualClock } from '../../support/manual-clock.ts';

function setup(errorHistory = 20) {
  const clock = new ManualClock();
  const log = new CaptureLogger();
  const counted: string[] = [];
  const metrics = { ...noopMetrics, componentError: (c: string) => void counted.push(c) };
  const registry = createHealthRegistry({ clock, log, metrics, errorHistory });
  return { clock, log, registry, counted };
}

describe('health registry', () => {
  it('walks a component through every state, logging each change once', async () => {
    const { clock, log, registry } = setup();
    registry.register('database', { critical: true });
    const start = clock.now();
    assert.equal(registry.get('database')?.state, 'starting');
    const states = ['ready', 'degraded', 'failed', 'stopped', 'skipped', 'starting', 'ready'] as const;
    for (const s of states) {
      await clock.advance(1000);
      registry.set('database', s);
      registry.set('database', s);
    }
    const changes = log.events('component_state');
    assert.equal(changes.length, states.length);
    assert.deepEqual(changes[0]?.detail, {
      component: 'database',
      from: 'starting',
      to: 'ready',
      error: null,
    });
    assert.equal(changes[0]?.subsys, 'health');
    assert.equal(changes[1]?.level, 'warning');
    assert.equal(changes[2]?.level, 'error');
    assert.equal(registry.get('database')?.since, new Date(start + 7000).toISOString());
  });

  it('records errors: counted, single-line, bounded, newest last, history capped', async () => {
    const { clock, registry, counted } = setup(3);
    registry.register('cache');
    for (let i = 1; i <= 5; i++) {
      await clock.advance(1000);
      registry.recordError('cache', new Error(`miss ${i}\nsecond line`));
    }
    const cache = registry.get('cache');
    assert.equal(cache?.error_count, 5);
    assert.deepEqual(
      cache?.errors.map((e) => e.message),
      ['miss 3 second line', 'miss 4 second line', 'miss 5 second line'],
    );
    assert.equal(cache?.last_error?.at, new Date(clock.now()).toISOString());
    assert.equal(cache?.state, 'starting');
    assert.deepEqual(counted, ['cache', 'cache', 'cache', 'cache', 'cache']);
    registry.recordError('cache', 'x'.repeat(10_000));
    const long = registry.get('cache')?.last_error?.message ?? '';
    assert.ok(long.length <= 500 && long.endsWith('…'));
  });

  it('set with an error records it and puts it in the log; note and fallback stick until changed', () => {
    const { log, registry } = setup();
    registry.register('tts');
    registry.set('tts', 'degraded', {
      error: new Error('engine missing'),
      note: 'running on fallback',
      fallback: true,
    });
    assert.equal(log.events('component_state')[0]?.detail.error, 'engine missing');
    registry.set('tts', 'ready');
    const tts = registry.get('tts');
    assert.equal(tts?.fallback_active, true);
    assert.equal(tts?.note, 'running on fallback');
    assert.equal(tts?.error_count, 1);
    registry.set('tts', 'ready', { fallback: false, note: null });
    assert.equal(registry.get('tts')?.fallback_active, false);
    assert.equal(registry.get('tts')?.note, null);
  });

  it('redacts secrets before keeping an error, so no part of one survives the cut', () => {
    const clock = new ManualClock();
    const registry = createHealthRegistry({
      clock,
      log: new CaptureLogger(),
      metrics: noopMetrics,
      errorMessageMax: 40,
      redact: (text) => text.replaceAll('s3cr3t-token-value', '[REDACTED]'),
    });
    registry.recordError('discord', new Error('login failed for s3cr3t-token-value'));
    registry.recordError('discord', new Error(`${'y'.repeat(30)} s3cr3t-token-value`));
    const messages = registry.get('discord')?.errors.map((e) => e.message) ?? [];
    assert.equal(messages[0], 'login failed for [REDACTED]');
    assert.ok(messages.every((m) => !m.includes('s3cr3t')));
  });

  it('notifies listeners of changes and survives a throwing one', () => {
    const { log, registry } = setup();
    const seen: string[] = [];
    registry.onChange(() => {
      throw new Error('listener bug');
    });
    const off = registry.onChange((c) => seen.push(`${c.name}:${c.from}->${c.to}`));
    registry.set('http', 'ready');
    off();
    registry.set('http', 'failed');
    assert.deepEqual(seen, ['http:starting->ready']);
    assert.equal(log.events('health_listener_error').length, 2);
  });

  it('registration is idempotent, keeps order and validates input', () => {
    assert.throws(() => createHealthRegistry({ ...setupDeps(), errorHistory: 0 }), /errorHistory/);
    const { registry } = setup();
    registry.register('a');
    registry.register('b', { critical: true, state: 'skipped' });
    registry.set('a', 'ready');
    registry.register('a', { critical: true });
    assert.deepEqual(
      registry.list().map((c) => [c.name, c.state, c.critical]),
      [
        ['a', 'ready', true],
        ['b', 'skipped', true],
      ],
    );
    assert.throws(() => registry.register(' '), /empty/);
  });
});

function setupDeps() {
  return { clock: new ManualClock(), log: new CaptureLogger(), metrics: noopMetrics };
}
