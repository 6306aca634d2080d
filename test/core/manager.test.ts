import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import {
  createLogging,
  createObservabilityManager,
  getObservabilityManager,
  type LoggingOptions,
  type ObservabilityManagerOptions,
} from '../../src/core/index.ts';
import type { ResourceSampler } from '../../src/core/resources/resource-sampler.ts';
import type { ResourceSample } from '../../src/core/resources/types.ts';
import { CaptureLogger } from '../support/capture-logger.ts';
import { freshDirs } from '../support/fresh-dirs.ts';
import { readJsonLines } from '../support/log-schema.ts';
import { ManualClock } from '../support/manual-clock.ts';

const MB = 1024 * 1024;
const freshDir = freshDirs('manager');

/** A sampler whose RSS the test sets; everything else is calm. */
function fakeSampler(clock: ManualClock) {
  let rss = 100 * MB;
  const sampler: ResourceSampler = {
    async sample(): Promise<ResourceSample> {
      return {
        at: new Date(clock.now()).toISOString(),
        rss_bytes: rss,
        heap_used_bytes: 10 * MB,
        heap_total_bytes: 20 * MB,
        cpu_percent: 1,
        open_files: 10,
        threads: 5,
        event_loop_lag_ms: { mean: 0.1, p99: 0.5, max: 1 },
      };
    },
    lastSampleCostMs: 0.1,
    close() {},
  };
  return { sampler, setRss: (mb: number) => (rss = mb * MB) };
}

function setup() {
  const clock = new ManualClock();
  const log = new CaptureLogger();
  const { sampler, setRss } = fakeSampler(clock);
  // A service without Discord: no gateway in readiness, the core unchanged.
  const manager = createObservabilityManager({
    log,
    clock,
    version: '9.9.9',
    gateway: false,
    resources: {
      enabled: true,
      sampleIntervalMs: 1_000,
      statsLogIntervalMs: 60_000,
      thresholds: {
        memory_mb: { warning: 200, critical: 400 },
        cpu_percent: { warning: 80, critical: 95 },
        event_loop_lag_ms: { warning: 100, critical: 500 },
      },
      sampler,
    },
    alerts: { repeatIntervalMs: 3_600_000, consecutiveSamples: 2, gatewayGraceMs: 0 },
  });
  return { clock, log, manager, setRss };
}

describe('the observability core without discord.js', () => {
  it('starts a bot-defined component with the core and reports the health shape', async () => {
    const { clock, manager } = setup();
    assert.equal(getObservabilityManager(), manager);
    let connected = false;
    const running = manager.start([
      {
        name: 'database',
        dependencies: ['task_supervisor'],
        async start(signal) {
          await clock.sleep(250, signal);
          connected = true;
        },
      },
    ]);
    await clock.advance(1_000);
    const { report, error } = await running;
    assert.equal(error, null);
    assert.equal(connected, true);
    assert.equal(report.outcome, 'ready');
    assert.deepEqual(report.components.map((c) => c.name).sort(), [
      'database',
      'health_checks',
      'resource_monitor',
      'task_supervisor',
    ]);

    const health = await manager.getComprehensiveHealthStatus();
    assert.equal(health.status, 'ready');
    assert.equal(health.version, '9.9.9');
    assert.ok(health.uptime_seconds >= 1);
    const database = health.components.find((c) => c.name === 'database');
    // What every health reader relies on: name, status, critical, error count, last error.
    assert.deepEqual(
      [database?.name, database?.status, database?.critical, database?.error_count, database?.last_error],
      ['database', 'ready', true, 0, null],
    );
    assert.deepEqual(
      manager.ops.tasks().map((t) => t.name),
      ['health_checks', 'resource_sampler'],
    );
  });

  it('turns a failing optional component into degraded health and an alert, and both back on recovery', async () => {
    const { clock, log, manager } = setup();
    let up = false;
    const running = manager.start([
      {
        name: 'cache',
        critical: false,
        retry: { attempts: 1, baseDelayMs: 5_000, jitter: 0 },
        start() {
          if (!up) throw new Error('connection refused');
        },
        fallback() {},
      },
    ]);
    await clock.advance(100);
    const { report } = await running;
    assert.equal(report.outcome, 'degraded');
    assert.equal(manager.healthSnapshot().status, 'degraded');
    assert.deepEqual(
      manager.ops.alerts().firing.map((a) => a.key),
      ['startup'],
      'the component alerts once it is still down at the next observation',
    );
    await clock.advance(30_000);
    const firing = manager.ops.alerts().firing.map((a) => a.key);
    assert.ok(firing.includes('component.cache'), firing.join());
    assert.ok(firing.includes('startup'), firing.join());
    assert.equal(
      manager.healthSnapshot().components.find((c) => c.name === 'cache')?.last_error?.message,
      'connection refused',
    );

    up = true;
    while (manager.healthSnapshot().status !== 'ready') await clock.advance(1_000);
    assert.deepEqual(
      manager.ops.alerts().firing.map((a) => a.key),
      ['component.cache'],
      'the start is whole again; the component must stay up a while before its alert resolves',
    );
    await clock.advance(180_000);
    assert.deepEqual(manager.ops.alerts().firing, []);
    assert.deepEqual(
      log
        .events('alert_resolved')
        .map((r) => r.detail.key)
        .sort(),
      ['component.cache', 'startup'],
    );
  });

  it('samples resources as a supervised task and alerts once on high memory, not once per sample', async () => {
    const { clock, log, manager, setRss } = setup();
    const running = manager.start([]);
    await clock.advance(10);
    await running;
    setRss(300);
    await clock.advance(10_000);
    assert.equal(log.events('alert_fired').filter((r) => r.detail.key === 'resource.memory').length, 1);
    assert.ok((manager.ops.resources().history.length ?? 0) >= 10);
    assert.equal(manager.ops.resources().latest?.rss_bytes, 300 * MB);
    await manager.shutdown(5_000);
    assert.equal(
      manager.healthSnapshot().components.find((c) => c.name === 'task_supervisor')?.state,
      'stopped',
    );
  });

  it('is not ready while a critical component is down', async () => {
    const { clock, manager } = setup();
    const running = manager.start([
      {
        name: 'queue',
        retry: { attempts: 2, baseDelayMs: 100 },
        start: () => Promise.reject(new Error('no queue')),
      },
    ]);
    await clock.advance(5_000);
    const { report, error } = await running;
    assert.equal(report.outcome, 'failed');
    assert.match(error?.message ?? '', /queue.*no queue/);
    assert.equal(manager.healthSnapshot().status, 'not_ready');
  });

  /** The core given nothing but its logging (to a fresh file) and a fake sampler. */
  function coreWithLogging(
    loggingOptions: Partial<LoggingOptions>,
    managerOptions: Partial<ObservabilityManagerOptions> = {},
  ) {
    const clock = new ManualClock();
    const file = join(freshDir(), 'bot.jsonl');
    const consoleStream = new Writable({ write: (_chunk, _encoding, done) => done() });
    const logging = createLogging({ file, console: consoleStream, color: false, clock, ...loggingOptions });
    const { sampler } = fakeSampler(clock);
    const manager = createObservabilityManager({
      log: logging.logger,
      logging,
      clock,
      gateway: false,
      resources: { sampler },
      ...managerOptions,
    });
    return { clock, file, logging, manager };
  }

  it('writes the start’s records as the start ends, not a batch interval later', async () => {
    const { clock, file, logging, manager } = coreWithLogging({ flushMs: 60_000 });
    try {
      const running = manager.start([]);
      await clock.advance(1_000);
      assert.equal((await running).report.outcome, 'ready');
      await new Promise((resolve) => setImmediate(resolve));
      const events = readJsonLines(file).map((line) => line.event);
      assert.ok(events.includes('startup_complete'), `startup_complete among ${events.join(', ')}`);
    } finally {
      await manager.shutdown();
      await logging.close();
    }
  });

  it("given nothing but its logging, runs with the bot's defaults and logs under the logging root", async () => {
    const { clock, file, logging, manager } = coreWithLogging(
      { rootName: 'worker' },
      { http: { host: '127.0.0.1', port: 0 } },
    );
    try {
      const running = manager.start([]);
      await clock.advance(1_000);
      const { report } = await running;
      assert.equal(report.outcome, 'ready');
      assert.deepEqual(
        manager.ops.tasks().map((t) => `${t.name} ${t.schedule}`),
        ['health_checks every 30s', 'resource_sampler every 15s'],
      );
      assert.deepEqual(manager.ops.resources().thresholds, {
        memory_mb: { warning: 1024, critical: 2048 },
        cpu_percent: { warning: 80, critical: 95 },
        event_loop_lag_ms: { warning: 100, critical: 500 },
      });
    } finally {
      // The probe server listens for real: it must close even when an assertion fails.
      await manager.shutdown();
      await logging.close();
    }
    const names = new Set(readJsonLines(file).map((line) => String(line.name)));
    assert.deepEqual(
      [...names].filter((name) => name !== 'worker' && !name.startsWith('worker.')),
      [],
    );
    for (const name of ['worker.startup', 'worker.tasks', 'worker.logging', 'worker.metrics.http']) {
      assert.ok(names.has(name), `${name} among ${[...names].join(', ')}`);
    }
  });
});
