import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BEAT_MS, createBeat, processBeat } from '../../src/core/beat.ts';
import { systemClock } from '../../src/core/clock.ts';

/** A beat on a fake monotonic clock whose one timer the test runs by hand. */
function fakeBeat() {
  let t = 10_000;
  let tick: (() => void) | undefined;
  let timers = 0;
  const errors: unknown[] = [];
  const beat = createBeat({
    now: () => t,
    repeat: (fn, ms) => {
      assert.equal(ms, BEAT_MS);
      timers += 1;
      tick = fn;
      return () => {
        tick = undefined;
      };
    },
    onError: (error) => errors.push(error),
  });
  return {
    beat,
    errors,
    /** Time passes by `ms`, then the beat's timer fires (if it is running). */
    tickAfter(ms: number): void {
      t += ms;
      tick?.();
    },
    running: () => tick !== undefined,
    timersStarted: () => timers,
  };
}

describe('beat', () => {
  it('runs intervals of different periods from one timer, each at its own period', () => {
    const f = fakeBeat();
    const runs = { probe: 0, half: 0, second: 0 };
    f.beat.add(() => (runs.probe += 1), 100);
    f.beat.add(() => (runs.half += 1), 500);
    f.beat.add(() => (runs.second += 1), 1_000);
    for (let i = 0; i < 30; i += 1) f.tickAfter(100);
    assert.equal(f.timersStarted(), 1);
    assert.deepEqual(runs, { probe: 30, half: 6, second: 3 });
  });

  it('does not drift when the timer runs late every tick', () => {
    const f = fakeBeat();
    const at: number[] = [];
    let elapsed = 0;
    f.beat.add(() => at.push(elapsed), 1_000);
    // 100 ticks 103 ms apart: 10.3 s. Each run stays within half a beat of its due time (1, 2 … 10 s),
    // where an interval timed from its previous run would be 300 ms late by the tenth.
    for (let i = 0; i < 100; i += 1) {
      elapsed += 103;
      f.tickAfter(103);
    }
    assert.equal(at.length, 10);
    for (const [i, t] of at.entries()) {
      assert.ok(Math.abs(t - (i + 1) * 1_000) <= BEAT_MS / 2, `run ${i + 1} at ${t} ms`);
    }
  });

  it('runs an interval at the tick nearest its due time, never more than half a beat early', () => {
    const f = fakeBeat();
    const at: number[] = [];
    let elapsed = 0;
    f.tickAfter(30);
    elapsed = 0;
    f.beat.add(() => at.push(elapsed), 300);
    // Ticks 100 ms apart, starting 70 ms after the interval began: due at 300, the tick at 270 is the nearest.
    for (let i = 0; i < 7; i += 1) {
      elapsed += i === 0 ? 70 : 100;
      f.tickAfter(i === 0 ? 70 : 100);
    }
    assert.deepEqual(at, [270, 570]);
  });

  it('after a stall longer than its period, runs once and keeps its period from there', () => {
    const f = fakeBeat();
    let runs = 0;
    f.beat.add(() => (runs += 1), 500);
    f.tickAfter(2_600);
    assert.equal(runs, 1);
    for (let i = 0; i < 4; i += 1) f.tickAfter(100);
    assert.equal(runs, 1);
    f.tickAfter(100);
    assert.equal(runs, 2);
  });

  it('runs the others when one throws, and hands the error on', () => {
    const f = fakeBeat();
    let after = 0;
    f.beat.add(() => {
      throw new Error('watcher failed');
    }, 100);
    f.beat.add(() => (after += 1), 100);
    f.tickAfter(100);
    f.tickAfter(100);
    assert.equal(after, 2);
    assert.deepEqual(
      f.errors.map((e) => (e as Error).message),
      ['watcher failed', 'watcher failed'],
    );
  });

  it('stops its timer with the last interval and starts it again with the next', () => {
    const f = fakeBeat();
    const stopA = f.beat.add(() => {}, 100);
    const stopB = f.beat.add(() => {}, 1_000);
    stopA();
    assert.equal(f.running(), true);
    stopB();
    stopB();
    assert.equal(f.running(), false);
    assert.equal(f.beat.size, 0);
    f.beat.add(() => {}, 200);
    assert.equal(f.running(), true);
    assert.equal(f.timersStarted(), 2);
  });

  it('does not run an interval that an earlier one stopped in the same tick', () => {
    const f = fakeBeat();
    let ran = false;
    let stopSecond = (): void => {};
    f.beat.add(() => stopSecond(), 100);
    stopSecond = f.beat.add(() => {
      ran = true;
    }, 100);
    f.tickAfter(100);
    assert.equal(ran, false);
  });

  it('refuses a period that is not a whole number of beats', () => {
    const f = fakeBeat();
    assert.throws(() => f.beat.add(() => {}, 150), /whole number of 100 ms beats, got 150/);
    assert.throws(() => f.beat.add(() => {}, 0), /got 0/);
  });

  it('carries the system clock’s background intervals of whole beats, and no other timer', () => {
    const before = processBeat.size;
    const background = systemClock.setInterval(() => {}, 1_000, { unref: true });
    const odd = systemClock.setInterval(() => {}, 250, { unref: true });
    const held = systemClock.setInterval(() => {}, 1_000);
    assert.equal(processBeat.size, before + 1);
    background.cancel();
    odd.cancel();
    held.cancel();
    assert.equal(processBeat.size, before);
  });
});
