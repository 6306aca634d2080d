import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BEAT_MS, createBeat, processBeat } from '../../src/core/beat.ts';
import { systemClock } from '../../src/core/clock.ts';

/** A beat on a fake monotonic clock; its one timer fires when the test lets the time pass. */
function fakeBeat(start = 10_000) {
  let t = start;
  let timer: { fn: () => void; at: number } | undefined;
  let wakeUps = 0;
  const errors: unknown[] = [];
  const beat = createBeat({
    now: () => t,
    arm: (fn, ms) => {
      const armed = { fn, at: t + ms };
      timer = armed;
      return () => {
        if (timer === armed) timer = undefined;
      };
    },
    onError: (error) => errors.push(error),
  });
  return {
    beat,
    errors,
    now: () => t,
    /** Time passes to `until`; the timer fires whenever it is due on the way, `lateMs` after its time. */
    passTo(until: number, lateMs = 0): void {
      while (timer !== undefined && timer.at + lateMs <= until) {
        const { fn, at } = timer;
        timer = undefined;
        t = at + lateMs;
        wakeUps += 1;
        fn();
      }
      t = until;
    },
    armed: () => timer !== undefined,
    wakeUps: () => wakeUps,
  };
}

describe('beat', () => {
  it('runs intervals of different periods from one timer, waking the process only when one is due', () => {
    const f = fakeBeat();
    const runs = { probe: 0, half: 0, second: 0 };
    f.beat.add(() => (runs.probe += 1), 100);
    f.beat.add(() => (runs.half += 1), 500);
    f.beat.add(() => (runs.second += 1), 1_000);
    f.passTo(13_000);
    assert.deepEqual(runs, { probe: 30, half: 6, second: 3 });
    assert.equal(f.wakeUps(), 30);
  });

  it('runs intervals whose periods divide one another in the same wake-ups', () => {
    const f = fakeBeat();
    const at: Record<string, number[]> = { liveness: [], watchdog: [], file: [] };
    f.beat.add(() => at.liveness?.push(f.now()), 500);
    f.passTo(10_230);
    f.beat.add(() => at.watchdog?.push(f.now()), 1_000);
    f.passTo(10_610);
    f.beat.add(() => at.file?.push(f.now()), 1_000);
    f.passTo(20_000);
    // Without the 100 ms probe: two wake-ups a second, not four (each timer at its own moments).
    assert.equal(f.wakeUps(), 20);
    assert.deepEqual(at.file, at.watchdog?.slice(1));
    for (const t of at.watchdog ?? [])
      assert.ok(at.liveness?.includes(t), `watchdog at ${t} rode a liveness wake-up`);
  });

  it('hands each run the time it was due, so lateness is read against the schedule', () => {
    const f = fakeBeat();
    const late: number[] = [];
    f.beat.add((dueAt) => late.push(f.now() - dueAt), 100);
    f.passTo(10_500, 3);
    assert.deepEqual(late, [3, 3, 3, 3]);
  });

  it('does not drift when its timer fires late every time', () => {
    const f = fakeBeat();
    const at: number[] = [];
    f.beat.add(() => at.push(f.now()), 1_000);
    f.passTo(20_500, 7);
    assert.deepEqual(at, [11_007, 12_007, 13_007, 14_007, 15_007, 16_007, 17_007, 18_007, 19_007, 20_007]);
  });

  it('first runs between half a period and one and a half periods from the start, never more than half a beat early', () => {
    const f = fakeBeat(10_030);
    const first: Record<number, number> = {};
    for (const ms of [100, 300, 1_000, 5_000]) {
      f.beat.add(() => {
        first[ms] ??= f.now() - 10_030;
      }, ms);
    }
    f.passTo(20_000);
    assert.deepEqual(first, { 100: 70, 300: 170, 1000: 970, 5000: 4_970 });
    for (const [ms, after] of Object.entries(first)) {
      assert.ok(
        after >= Number(ms) / 2 - BEAT_MS / 2 && after <= 1.5 * Number(ms),
        `${ms}: first after ${after}`,
      );
    }
  });

  it('after a stall longer than its period, runs once and keeps its schedule from there', () => {
    const f = fakeBeat();
    const at: number[] = [];
    f.beat.add(() => at.push(f.now()), 500);
    // Due at 10 500; the loop is held until 13 100.
    f.passTo(13_100, 2_600);
    f.passTo(14_000);
    assert.deepEqual(at, [13_100, 13_500, 14_000]);
  });

  it('runs the others when one throws, and hands the error on', () => {
    const f = fakeBeat();
    let after = 0;
    f.beat.add(() => {
      throw new Error('watcher failed');
    }, 100);
    f.beat.add(() => (after += 1), 100);
    f.passTo(10_200);
    assert.equal(after, 2);
    assert.deepEqual(
      f.errors.map((e) => (e as Error).message),
      ['watcher failed', 'watcher failed'],
    );
  });

  it('disarms its timer with the last interval and arms it again with the next', () => {
    const f = fakeBeat();
    const stopA = f.beat.add(() => {}, 100);
    const stopB = f.beat.add(() => {}, 1_000);
    stopA();
    assert.equal(f.armed(), true);
    stopB();
    stopB();
    assert.equal(f.armed(), false);
    assert.equal(f.beat.size, 0);
    let ran = 0;
    f.beat.add(() => (ran += 1), 200);
    f.passTo(10_400);
    assert.equal(ran, 2);
  });

  it('does not run an interval that an earlier one stopped in the same wake-up', () => {
    const f = fakeBeat();
    let ran = false;
    let stopSecond = (): void => {};
    f.beat.add(() => stopSecond(), 100);
    stopSecond = f.beat.add(() => {
      ran = true;
    }, 100);
    f.passTo(10_300);
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
