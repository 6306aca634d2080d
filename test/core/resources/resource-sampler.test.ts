import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createResourceSampler, type ResourceReaders } from '../../../src/core/resources/resource-sampler.ts';
import { ManualClock } from '../../support/manual-clock.ts';

const MB = 1024 * 1024;

function fakeReaders(overrides: Partial<ResourceReaders> = {}): Partial<ResourceReaders> {
  let t = 0;
  return {
    memoryUsage: () => ({ rss: 300 * MB, heapUsed: 80 * MB, heapTotal: 120 * MB }),
    cpuPercent: async () => 12.345,
    openFiles: async () => 42,
    threads: async () => 11,
    eventLoopLag: () => ({ mean: 1.234, p99: 20.5, max: 75 }),
    monotonicMs: () => {
      t += 0.5;
      return t;
    },
    ...overrides,
  };
}

describe('resource sampler', () => {
  it('assembles a sample from its readers, stamped with the clock', async () => {
    const clock = new ManualClock();
    const sampler = createResourceSampler({ clock, readers: fakeReaders() });
    const s = await sampler.sample();
    assert.deepEqual(s, {
      at: new Date(clock.now()).toISOString(),
      rss_bytes: 300 * MB,
      heap_used_bytes: 80 * MB,
      heap_total_bytes: 120 * MB,
      cpu_percent: 12.3,
      open_files: 42,
      threads: 11,
      event_loop_lag_ms: { mean: 1.23, p99: 20.5, max: 75 },
    });
    assert.equal(sampler.lastSampleCostMs, 0.5);
    sampler.close();
  });

  it('degrades to null where /proc is missing or the CPU cannot be read, without throwing', async () => {
    const sampler = createResourceSampler({
      clock: new ManualClock(),
      readers: fakeReaders({
        cpuPercent: async () => {
          throw new Error('no such process');
        },
        openFiles: async () => null,
        threads: async () => {
          throw Object.assign(new Error('ENOENT: /proc/self/status'), { code: 'ENOENT' });
        },
      }),
    });
    const s = await sampler.sample();
    assert.equal(s.cpu_percent, null);
    assert.equal(s.open_files, null);
    assert.equal(s.threads, null);
    assert.equal(s.rss_bytes, 300 * MB);
  });

  it('rejects a nonsensical event-loop resolution', () => {
    assert.throws(
      () => createResourceSampler({ clock: new ManualClock(), eventLoopResolutionMs: 0 }),
      /resolution/i,
    );
  });

  it('on this machine, a real sample has sane numbers and costs little', async () => {
    const sampler = createResourceSampler({ clock: new ManualClock() });
    try {
      await new Promise((resolve) => setTimeout(resolve, 60));
      await sampler.sample();
      const s = await sampler.sample();
      const mem = process.memoryUsage();
      assert.ok(s.rss_bytes > 10 * MB && s.rss_bytes < 8 * 1024 * MB, `rss ${s.rss_bytes}`);
      assert.ok(Math.abs(s.rss_bytes - mem.rss) < 200 * MB);
      assert.ok(s.heap_used_bytes > 0 && s.heap_used_bytes <= s.heap_total_bytes);
      assert.ok(
        s.cpu_percent === null || (s.cpu_percent >= 0 && s.cpu_percent < 100 * 64),
        `cpu ${s.cpu_percent}`,
      );
      if (process.platform === 'linux') {
        assert.ok(
          s.open_files !== null && s.open_files >= 3 && s.open_files < 100_000,
          `fds ${s.open_files}`,
        );
        assert.ok(s.threads !== null && s.threads >= 1 && s.threads < 10_000, `threads ${s.threads}`);
      }
      const lag = s.event_loop_lag_ms;
      assert.ok(lag.mean >= 0 && lag.p99 >= 0 && lag.max >= lag.p99 && lag.max < 10_000, JSON.stringify(lag));
      assert.ok(sampler.lastSampleCostMs !== undefined && sampler.lastSampleCostMs < 1000);
    } finally {
      sampler.close();
    }
  });

  it('reads the CPU the process used over the window since the previous sample', async () => {
    const sampler = createResourceSampler({ clock: new ManualClock() });
    try {
      await sampler.sample();
      const started = Date.now();
      while (Date.now() - started < 100) {
        // keep a core busy on purpose
      }
      const busy = await sampler.sample();
      assert.ok(busy.cpu_percent !== null && busy.cpu_percent > 5, `cpu ${busy.cpu_percent}`);
    } finally {
      sampler.close();
    }
  });

  it('sees a blocked event loop in the window and starts a new window after each sample', async () => {
    // A finer probe than the default 100 ms, so a 120 ms stall reads close to its length.
    const sampler = createResourceSampler({ clock: new ManualClock(), eventLoopResolutionMs: 20 });
    try {
      await sampler.sample();
      await new Promise((resolve) => setTimeout(resolve, 30));
      const started = Date.now();
      while (Date.now() - started < 120) {
        // block the loop on purpose
      }
      await new Promise((resolve) => setTimeout(resolve, 30));
      const blocked = await sampler.sample();
      // The probe's tick is due every 20 ms, so a stall reads short by at most that much.
      assert.ok(blocked.event_loop_lag_ms.max >= 120 - 20 - 5, `max ${blocked.event_loop_lag_ms.max}`);
      await new Promise((resolve) => setTimeout(resolve, 60));
      const after = await sampler.sample();
      assert.ok(after.event_loop_lag_ms.max < blocked.event_loop_lag_ms.max, 'window was reset');
    } finally {
      sampler.close();
    }
  });
});
