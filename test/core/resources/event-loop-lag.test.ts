import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEventLoopLagProbe } from '../../../src/core/resources/event-loop-lag.ts';

/** A probe on a fake monotonic clock whose ticks the test runs by hand. */
function fakeProbe(intervalMs = 100) {
  let t = 1_000;
  let tick: (() => void) | undefined;
  let stopped = false;
  const probe = createEventLoopLagProbe({
    intervalMs,
    now: () => t,
    every: (fn, ms) => {
      assert.equal(ms, intervalMs);
      tick = fn;
      return () => {
        stopped = true;
      };
    },
  });
  return {
    probe,
    /** Time passes by `ms`, then the tick runs (late by `ms - interval` when that is positive). */
    tickAfter(ms: number): void {
      t += ms;
      tick?.();
    },
    pass(ms: number): void {
      t += ms;
    },
    stopped: () => stopped,
  };
}

describe('event-loop lag probe', () => {
  it('reads zero while every tick runs on time', () => {
    const f = fakeProbe();
    for (let i = 0; i < 10; i += 1) f.tickAfter(100);
    assert.deepEqual(f.probe.read(), { mean: 0, p99: 0, max: 0 });
  });

  it('reads a late tick as the loop being held up that long, and starts a new window after each read', () => {
    const f = fakeProbe();
    f.tickAfter(100);
    f.tickAfter(100 + 300);
    f.tickAfter(100);
    const held = f.probe.read();
    assert.ok(Math.abs(held.max - 300) < 1, `max ${held.max}`);
    assert.ok(held.mean > 50 && held.mean < 150, `mean ${held.mean}`);
    f.tickAfter(100);
    assert.equal(f.probe.read().max, 0);
  });

  it('counts a stall whose tick has not run yet in the window being read, and not again in the next', () => {
    const f = fakeProbe();
    f.tickAfter(100);
    // The loop was held 400 ms past the due tick; the read comes before that tick gets to run.
    f.pass(100 + 400);
    assert.ok(Math.abs(f.probe.read().max - 400) < 1);
    f.tickAfter(0.5);
    f.tickAfter(100);
    assert.ok(f.probe.read().max < 1);
  });

  it('gives each reader its own window on the one timer: a stall one reader counted early, the other still gets whole', () => {
    const f = fakeProbe();
    const scrape = f.probe.window();
    f.tickAfter(100);
    f.pass(100 + 400);
    // The sampler reads during the stall and counts it; the scrape reads after its tick ran.
    assert.ok(Math.abs(f.probe.read().max - 400) < 1);
    f.tickAfter(0.5);
    f.tickAfter(100 + 20);
    const seen = scrape.read();
    assert.equal(seen.count, 3);
    assert.ok(Math.abs(seen.max - 400.5) < 1, `max ${seen.max}`);
    assert.ok(Math.abs(seen.min) < 1e-9 && Math.abs(seen.latest - 20) < 1e-9);
    assert.ok(Math.abs(seen.p50 - 20) < 1e-9 && Math.abs(seen.p99 - 400.5) < 1e-9);
    // mean of 0, 400.5 and 20; stddev of the same three.
    const mean = 420.5 / 3;
    assert.ok(Math.abs(seen.mean - mean) < 1e-9);
    const sd = Math.sqrt((mean ** 2 + (400.5 - mean) ** 2 + (20 - mean) ** 2) / 3);
    assert.ok(Math.abs(seen.stddev - sd) < 1e-6, `stddev ${seen.stddev} vs ${sd}`);
    // The sampler's next window holds only what followed its read: 0.5 ms is the tick after it.
    assert.ok(f.probe.read().max < 21);
    scrape.close();
    f.tickAfter(100);
    assert.equal(scrape.read().count, 0, 'a closed window counts nothing');
  });

  it('refuses an interval under 1 ms and stops its timer on close', () => {
    assert.throws(() => createEventLoopLagProbe({ intervalMs: 0 }), /at least 1 ms/);
    const f = fakeProbe();
    f.probe.close();
    assert.ok(f.stopped());
  });

  it('reads lateness against the due time its timer hands it, so a tick late every time reads late', () => {
    let t = 1_000;
    let tick: ((dueAt?: number) => void) | undefined;
    const probe = createEventLoopLagProbe({
      now: () => t,
      every: (fn) => {
        tick = fn;
        return () => {};
      },
    });
    for (let due = 1_100; due <= 1_500; due += 100) {
      t = due + 4;
      tick?.(due);
    }
    // Timed from the previous tick instead, every tick would read 0.
    assert.deepEqual(probe.read(), { mean: 4, p99: 4, max: 4 });
  });

  it('on this machine, sees a real blocked loop within one interval of its length', async () => {
    const probe = createEventLoopLagProbe();
    try {
      await new Promise((resolve) => setTimeout(resolve, 70));
      probe.read();
      const started = Date.now();
      while (Date.now() - started < 150) {
        // block the loop on purpose
      }
      await new Promise((resolve) => setTimeout(resolve, 70));
      const lag = probe.read();
      // The default tick is due every 100 ms: the stall reads short by at most that much.
      assert.ok(lag.max >= 150 - 100 - 5 && lag.max < 10_000, `max ${lag.max}`);
    } finally {
      probe.close();
    }
  });
});
