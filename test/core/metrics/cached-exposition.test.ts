import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCachedExposition } from '../../../src/core/metrics/cached-exposition.ts';
import { ManualClock } from '../../support/manual-clock.ts';

/** A render function that counts its calls and can be held open until released. */
function countingSource(options: { readonly hold?: boolean } = {}) {
  let renders = 0;
  let fail = false;
  const releases: (() => void)[] = [];
  return {
    get renders() {
      return renders;
    },
    failNext() {
      fail = true;
    },
    release() {
      for (const r of releases.splice(0)) r();
    },
    contentType: 'text/plain; version=0.0.4; charset=utf-8',
    async metricsText() {
      renders += 1;
      const n = renders;
      if (options.hold) await new Promise<void>((resolve) => releases.push(resolve));
      if (fail) {
        fail = false;
        throw new Error(`render ${n} failed`);
      }
      return `bot_render ${n}\n`;
    },
  };
}

describe('createCachedExposition', () => {
  it('renders once per second of the clock and serves that text in between', async () => {
    const clock = new ManualClock();
    const source = countingSource();
    const cached = createCachedExposition({ source, clock });
    assert.equal(cached.contentType, source.contentType);
    assert.equal(await cached.metricsText(), 'bot_render 1\n');
    assert.equal(await cached.metricsText(), 'bot_render 1\n');
    await clock.advance(999);
    assert.equal(await cached.metricsText(), 'bot_render 1\n');
    assert.equal(source.renders, 1);
    await clock.advance(1);
    assert.equal(await cached.metricsText(), 'bot_render 2\n');
    assert.equal(source.renders, 2);
  });

  it('lets scrapes that arrive during a render share it', async () => {
    const clock = new ManualClock();
    const source = countingSource({ hold: true });
    const cached = createCachedExposition({ source, clock });
    const first = cached.metricsText();
    await clock.advance(300);
    const second = cached.metricsText();
    await clock.advance(900); // past the age bound, but the first render is still running
    const third = cached.metricsText();
    assert.equal(source.renders, 1);
    source.release();
    assert.deepEqual(await Promise.all([first, second, third]), [
      'bot_render 1\n',
      'bot_render 1\n',
      'bot_render 1\n',
    ]);
    // That render began 1.2 s ago: the next scrape renders afresh.
    const fourth = cached.metricsText();
    source.release();
    assert.equal(await fourth, 'bot_render 2\n');
  });

  it('counts a failed render against the second: the last good text is served, then it retries', async () => {
    const clock = new ManualClock();
    const source = countingSource();
    const cached = createCachedExposition({ source, clock });
    assert.equal(await cached.metricsText(), 'bot_render 1\n');
    await clock.advance(1_000);
    source.failNext();
    await assert.rejects(cached.metricsText(), /render 2 failed/);
    assert.equal(await cached.metricsText(), 'bot_render 1\n', 'no second render within the second');
    assert.equal(source.renders, 2);
    await clock.advance(1_000);
    assert.equal(await cached.metricsText(), 'bot_render 3\n');
  });

  it('repeats a first failure within its second instead of rendering again', async () => {
    const clock = new ManualClock();
    const source = countingSource();
    source.failNext();
    const cached = createCachedExposition({ source, clock });
    await assert.rejects(cached.metricsText(), /render 1 failed/);
    await assert.rejects(cached.metricsText(), /render 1 failed/);
    assert.equal(source.renders, 1);
  });

  it('abandons a render stuck past its bound, and ignores it if it ends later', async () => {
    const clock = new ManualClock();
    const source = countingSource({ hold: true });
    const cached = createCachedExposition({ source, clock, abandonAfterMs: 5_000 });
    const stuck = cached.metricsText();
    await clock.advance(5_000);
    const fresh = cached.metricsText();
    assert.equal(source.renders, 2);
    source.release();
    assert.equal(await stuck, 'bot_render 1\n');
    assert.equal(await fresh, 'bot_render 2\n');
    assert.equal(
      await cached.metricsText(),
      'bot_render 2\n',
      'the late first render did not replace the newer text',
    );
  });

  it('treats a clock that stepped back as expiry, never as a longer cache', async () => {
    const clock = { now: () => 10_000 };
    const source = countingSource();
    const cached = createCachedExposition({ source, clock });
    await cached.metricsText();
    clock.now = () => 5_000;
    assert.equal(await cached.metricsText(), 'bot_render 2\n');
  });

  it('checks its bounds', () => {
    const source = countingSource();
    const clock = new ManualClock();
    assert.throws(() => createCachedExposition({ source, clock, maxAgeMs: -1 }), /maxAgeMs must be/);
    assert.throws(
      () => createCachedExposition({ source, clock, abandonAfterMs: Number.NaN }),
      /abandonAfterMs must be/,
    );
  });
});
