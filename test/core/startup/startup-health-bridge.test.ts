import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHealthRegistry } from '../../../src/core/health/health-registry.ts';
import { silentLogger } from '../../../src/core/logging/logger.ts';
import { noopMetrics } from '../../../src/core/metrics/metrics.ts';
import { connectStartupToHealth } from '../../../src/core/startup/startup-health-bridge.ts';
import { createStartupOrchestrator } from '../../../src/core/startup/startup-orchestrator.ts';
import { ManualClock } from '../../support/manual-clock.ts';
import { createJournal, fake } from './fake-components.ts';

describe('connectStartupToHealth', () => {
  it('registers the components and follows degradation, skipping and recovery', async () => {
    const clock = new ManualClock();
    const journal = createJournal();
    const registry = createHealthRegistry({ clock, log: silentLogger, metrics: noopMetrics });
    const make = (name: string, ms: number, options = {}) =>
      fake(clock, journal, clock.now(), name, ms, options);
    const orchestrator = createStartupOrchestrator({
      components: [
        make('config', 10),
        make('tts', 10, {
          critical: false,
          failures: 1,
          retry: { attempts: 1, baseDelayMs: 1_000, jitter: 0 },
          fallback: () => {},
        }),
        make('voice', 10, { dependencies: ['tts'], critical: false }),
      ],
      clock,
      random: () => 0.5,
    });
    connectStartupToHealth(orchestrator, registry);
    assert.deepEqual(
      registry.list().map((c) => [c.name, c.critical, c.state]),
      [
        ['config', true, 'starting'],
        ['tts', false, 'starting'],
        ['voice', false, 'starting'],
      ],
    );
    const running = orchestrator.run();
    await clock.advance(100);
    await running;
    assert.equal(registry.get('config')?.state, 'ready');
    const tts = registry.get('tts');
    assert.equal(tts?.state, 'degraded');
    assert.equal(tts?.fallback_active, true);
    assert.equal(tts?.error_count, 1);
    assert.match(tts?.last_error?.message ?? '', /tts boom 1/);
    assert.equal(registry.get('voice')?.state, 'skipped');

    await clock.advance(1_100);
    assert.equal(registry.get('tts')?.state, 'ready');
    assert.equal(registry.get('tts')?.fallback_active, false);
    assert.equal(registry.get('voice')?.state, 'ready');
  });
});
