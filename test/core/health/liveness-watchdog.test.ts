import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Clock } from '../../../src/core/clock.ts';
import { createLivenessWatchdog } from '../../../src/core/health/liveness-watchdog.ts';
import { CaptureLogger } from '../../support/capture-logger.ts';
import { ManualClock } from '../../support/manual-clock.ts';

/** A blocked loop, simulated: wall time jumps while no timer gets the chance to fire. */
function blockableClock(): { clock: Clock; manual: ManualClock; block(ms: number): void } {
  const manual = new ManualClock();
  let offset = 0;
  const clock: Clock = {
    now: () => manual.now() + offset,
    setTimeout: (fn, ms, o) => manual.setTimeout(fn, ms, o),
    setInterval: (fn, ms, o) => manual.setInterval(fn, ms, o),
    sleep: (ms, signal) => manual.sleep(ms, signal),
  };
  return {
    clock,
    manual,
    block: (ms) => {
      offset += ms;
    },
  };
}

describe('liveness watchdog', () => {
  it('stays live while its ticks arrive on time', async () => {
    const { clock, manual } = blockableClock();
    const log = new CaptureLogger();
    const watchdog = createLivenessWatchdog({ clock, log, tickMs: 500, blockedAfterMs: 2000 });
    assert.equal(watchdog.isLive(), true);
    watchdog.start();
    await manual.advance(60_000);
    assert.equal(watchdog.isLive(), true);
    assert.equal(watchdog.snapshot().blocked_episodes, 0);
    assert.equal(log.events('event_loop_blocked').length, 0);
  });

  it('is not live during a block, then records the episode with its length', async () => {
    const { clock, manual, block } = blockableClock();
    const log = new CaptureLogger();
    const watchdog = createLivenessWatchdog({ clock, log, tickMs: 500, blockedAfterMs: 2000 });
    watchdog.start();
    await manual.advance(1000);
    block(1400);
    assert.equal(watchdog.isLive(), true, 'a short stall is not a block');
    block(3600);
    assert.equal(watchdog.isLive(), false);
    await manual.advance(500);
    assert.equal(watchdog.isLive(), true);
    const snap = watchdog.snapshot();
    assert.equal(snap.blocked_episodes, 1);
    assert.equal(snap.longest_block_ms, 5000);
    assert.equal(snap.recent_blocks[0]?.duration_ms, 5000);
    const [record] = log.events('event_loop_blocked');
    assert.equal(record?.level, 'warning');
    assert.equal(record?.subsys, 'health');
    assert.deepEqual(record?.detail, { blocked_ms: 5000 });
  });

  it('stops ticking when stopped and validates its options', async () => {
    const manual = new ManualClock();
    const watchdog = createLivenessWatchdog({ clock: manual, log: new CaptureLogger() });
    watchdog.start();
    watchdog.stop();
    assert.equal(manual.pending, 0);
    assert.throws(
      () =>
        createLivenessWatchdog({
          clock: manual,
          log: new CaptureLogger(),
          tickMs: 1000,
          blockedAfterMs: 500,
        }),
      /blockedAfterMs/,
    );
  });
});
