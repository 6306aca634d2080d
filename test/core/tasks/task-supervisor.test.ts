import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHealthChecks } from '../../../src/core/health/health-checks.ts';
import { createHealthRegistry } from '../../../src/core/health/health-registry.ts';
import type { Metrics } from '../../../src/core/metrics/metrics.ts';
import { noopMetrics } from '../../../src/core/metrics/metrics.ts';
import type { TaskContext } from '../../../src/core/tasks/task-definition.ts';
import { createTaskSupervisor, type TaskSupervisorOptions } from '../../../src/core/tasks/task-supervisor.ts';
import { CaptureLogger } from '../../support/capture-logger.ts';
import { ManualClock } from '../../support/manual-clock.ts';

function countingMetrics(): Metrics & { heartbeats: string[]; restarts: string[] } {
  const heartbeats: string[] = [];
  const restarts: string[] = [];
  return {
    ...noopMetrics,
    heartbeats,
    restarts,
    taskHeartbeat: (t) => heartbeats.push(t),
    taskRestart: (t) => restarts.push(t),
  };
}

function setup(extra: Partial<TaskSupervisorOptions> = {}) {
  const clock = new ManualClock();
  const log = new CaptureLogger();
  const metrics = countingMetrics();
  const health = createHealthRegistry({ clock, log, metrics: noopMetrics });
  const supervisor = createTaskSupervisor({
    clock,
    log,
    metrics,
    health,
    random: () => 0.5,
    watchdogMs: 1000,
    ...extra,
  });
  const task = (name: string) => {
    const found = supervisor.snapshot().find((t) => t.name === name);
    assert.ok(found, `task ${name} exists`);
    return found;
  };
  return { clock, log, metrics, health, supervisor, task };
}

/** A promise the test settles by hand. */
function deferred() {
  let resolve: () => void = () => {};
  let reject: (e: unknown) => void = () => {};
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('interval tasks', () => {
  it('runs every period, counts each successful run as a heartbeat and shows the next run', async () => {
    const { clock, supervisor, task, metrics } = setup();
    let runs = 0;
    supervisor.register({ name: 'sampler', every: 10_000, run: () => void runs++ });
    supervisor.start();
    assert.equal(task('sampler').next_run_at, new Date(clock.now() + 10_000).toISOString());
    await clock.advance(30_000);
    assert.equal(runs, 3);
    const snap = task('sampler');
    assert.equal(snap.state, 'idle');
    assert.equal(snap.runs, 3);
    assert.equal(snap.heartbeats, 3);
    assert.equal(snap.last_heartbeat_age_ms, 0);
    assert.equal(snap.schedule, 'every 10s');
    assert.deepEqual(metrics.heartbeats, ['sampler', 'sampler', 'sampler']);
  });

  it('never overlaps: a run still going when the next is due makes that one skip', async () => {
    const { clock, supervisor, task } = setup();
    const gate = deferred();
    let started = 0;
    supervisor.register({
      name: 'slow',
      every: 1000,
      heartbeatMs: 60_000,
      run: () => {
        started++;
        return gate.promise;
      },
    });
    supervisor.start();
    await clock.advance(3500);
    assert.equal(started, 1);
    assert.equal(task('slow').skipped_runs, 2);
    assert.equal(task('slow').state, 'running');
    gate.resolve();
    await clock.advance(500);
    assert.equal(started, 2);
    assert.equal(task('slow').runs, 2);
  });

  it('a throwing run is failed, logged with its attempt, then rerun after the backoff', async () => {
    const { clock, supervisor, task, log, health, metrics } = setup();
    let calls = 0;
    supervisor.register({
      name: 'flaky',
      every: 60_000,
      runAtStart: true,
      run: () => {
        calls++;
        if (calls === 1) throw new Error('db down');
      },
    });
    supervisor.start();
    await clock.advance(0);
    assert.equal(task('flaky').state, 'failed');
    assert.equal(task('flaky').last_error?.message, 'db down');
    assert.equal(health.get('task:flaky')?.state, 'failed');
    const [err] = log.events('task_error');
    assert.equal(err?.level, 'error');
    assert.equal(err?.subsys, 'background_task');
    assert.deepEqual(err?.detail, { task: 'flaky', error: 'db down', attempt: 1 });
    assert.deepEqual(log.events('task_restart')[0]?.detail, { task: 'flaky', attempt: 1, delay_ms: 1000 });
    assert.equal(task('flaky').next_run_at, new Date(clock.now() + 1000).toISOString());
    await clock.advance(1000);
    assert.equal(calls, 2);
    assert.equal(task('flaky').state, 'idle');
    assert.equal(task('flaky').restarts, 1);
    assert.deepEqual(metrics.restarts, ['flaky']);
    assert.equal(health.get('task:flaky')?.state, 'ready');
  });
});

describe('cron tasks', () => {
  it('fire on the expression through the injected clock, without overlapping', async () => {
    const { clock, supervisor, task } = setup();
    const gate = deferred();
    const firedAt: number[] = [];
    supervisor.register({
      name: 'report',
      cron: '*/5 * * * *',
      heartbeatMs: 3_600_000,
      run: () => {
        firedAt.push(clock.now());
        return gate.promise;
      },
    });
    supervisor.start();
    // ManualClock starts at 14:30:00 UTC; minute fields are the same in every whole-hour zone.
    const start = clock.now();
    assert.equal(task('report').next_run_at, new Date(start + 5 * 60_000).toISOString());
    await clock.advance(16 * 60_000);
    assert.deepEqual(firedAt, [start + 5 * 60_000]);
    assert.equal(task('report').skipped_runs, 2);
    gate.resolve();
    await clock.advance(4 * 60_000);
    assert.deepEqual(firedAt, [start + 5 * 60_000, start + 20 * 60_000]);
    assert.equal(task('report').schedule, '*/5 * * * *');
  });

  it('rejects an invalid expression at registration', () => {
    const { supervisor } = setup();
    assert.throws(
      () => supervisor.register({ name: 'bad', cron: '61 * * * *', run: () => {} }),
      /invalid cron/,
    );
  });
});

describe('loop tasks', () => {
  it('go late, then stale; the hung run is aborted and restarted', async () => {
    const { clock, supervisor, task, log, metrics } = setup();
    let starts = 0;
    const signals: AbortSignal[] = [];
    supervisor.register({
      name: 'memory_save_task',
      loop: true,
      heartbeatMs: 10_000,
      graceMs: 5_000,
      staleAfterMs: 30_000,
      run: (ctx: TaskContext) => {
        starts++;
        signals.push(ctx.signal);
        ctx.heartbeat();
        return new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
      },
    });
    supervisor.start();
    await clock.advance(15_000);
    assert.equal(task('memory_save_task').state, 'running');
    await clock.advance(1000);
    assert.equal(task('memory_save_task').state, 'late');
    await clock.advance(15_000);
    const [stale] = log.events('task_stale');
    assert.equal(stale?.level, 'warning');
    assert.equal(stale?.msg, "🐕 Task 'memory_save_task' stale: last heartbeat 31s ago");
    assert.deepEqual(stale?.detail, { task: 'memory_save_task', last_heartbeat_age_s: 31 });
    assert.equal(signals[0]?.aborted, true);
    assert.equal(task('memory_save_task').state, 'restarting');
    assert.match(task('memory_save_task').last_error?.message ?? '', /stale/);
    await clock.advance(1000);
    assert.equal(starts, 2);
    assert.equal(task('memory_save_task').state, 'running');
    assert.equal(task('memory_save_task').restarts, 1);
    assert.deepEqual(metrics.restarts, ['memory_save_task']);
  });

  it('a task that ignores its abort is abandoned and a fresh run replaces it', async () => {
    const { clock, supervisor, task, log } = setup({ abandonAfterMs: 2000 });
    let starts = 0;
    supervisor.register({
      name: 'stubborn',
      loop: true,
      heartbeatMs: 1000,
      graceMs: 0,
      staleAfterMs: 3000,
      run: () => {
        starts++;
        return new Promise<void>(() => {});
      },
    });
    supervisor.start();
    await clock.advance(4000);
    assert.equal(log.events('task_stale').length, 1);
    assert.equal(task('stubborn').state, 'stale');
    assert.equal(log.events('task_abandoned').length, 0);
    await clock.advance(2000);
    assert.deepEqual(log.events('task_abandoned')[0]?.detail, { task: 'stubborn', waited_ms: 2000 });
    assert.equal(task('stubborn').state, 'abandoned');
    await clock.advance(1000);
    assert.equal(starts, 2);
    assert.equal(task('stubborn').state, 'running');
  });

  it('a stale run that beats again goes back to running', async () => {
    const { clock, supervisor, task, log } = setup();
    let beat: () => void = () => {};
    supervisor.register({
      name: 'worker',
      loop: true,
      heartbeatMs: 1000,
      graceMs: 1000,
      staleAfterMs: 60_000,
      run: (ctx) => {
        beat = ctx.heartbeat;
        return new Promise<void>(() => {});
      },
    });
    supervisor.start();
    await clock.advance(3000);
    assert.equal(task('worker').state, 'late');
    beat();
    assert.equal(task('worker').state, 'running');
    assert.equal(log.events('task_recovered').length, 1);
  });

  it('backs off exponentially with a cap, and starts over after a healthy stretch', async () => {
    const { clock, supervisor, log } = setup({
      backoff: { baseMs: 1000, factor: 2, maxMs: 8000, jitter: 0.2 },
      healthyResetMs: 60_000,
    });
    let failNow = true;
    supervisor.register({
      name: 'crashy',
      loop: true,
      heartbeatMs: 600_000,
      run: async (ctx) => {
        if (failNow) throw new Error('boom');
        await clock.sleep(120_000, ctx.signal);
        throw new Error('late boom');
      },
    });
    supervisor.start();
    await clock.advance(1000 + 2000 + 4000 + 8000 + 8000);
    const delays = () => log.events('task_restart').map((r) => r.detail.delay_ms);
    const attempts = () => log.events('task_error').map((r) => r.detail.attempt);
    assert.deepEqual(delays(), [1000, 2000, 4000, 8000, 8000, 8000]);
    assert.deepEqual(attempts(), [1, 2, 3, 4, 5, 6]);
    failNow = false;
    await clock.advance(8000); // the 7th start runs healthily for two minutes, then crashes
    await clock.advance(120_000);
    assert.deepEqual(attempts().at(-1), 1);
    assert.deepEqual(delays().at(-1), 1000);
  });

  it('applies jitter around the nominal delay', async () => {
    const { clock, supervisor, log } = setup({ random: () => 0, backoff: { baseMs: 1000, jitter: 0.2 } });
    supervisor.register({ name: 'j', loop: true, run: () => Promise.reject(new Error('x')) });
    supervisor.start();
    await clock.advance(0);
    assert.equal(log.events('task_restart')[0]?.detail.delay_ms, 800);
  });

  it('a loop that returns on its own is treated as a failure and restarted', async () => {
    const { clock, supervisor, log } = setup();
    supervisor.register({ name: 'quitter', loop: true, run: () => {} });
    supervisor.start();
    await clock.advance(0);
    assert.match(String(log.events('task_error')[0]?.detail.error), /returned without being stopped/);
  });
});

describe('stopAll and health', () => {
  it('stops cooperative tasks and abandons those that ignore their signal, within the bound', async () => {
    const { clock, supervisor, task, log, health } = setup();
    supervisor.register({
      name: 'polite',
      loop: true,
      run: (ctx) => new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve())),
    });
    supervisor.register({ name: 'deaf', loop: true, run: () => new Promise<void>(() => {}) });
    supervisor.register({ name: 'ticker', every: 1000, run: () => {} });
    supervisor.start();
    await clock.advance(100);
    const stopping = supervisor.stopAll(3000);
    await clock.advance(3000);
    const result = await stopping;
    assert.deepEqual([...result.stopped].sort(), ['polite', 'ticker']);
    assert.deepEqual(result.timedOut, ['deaf']);
    assert.equal(task('polite').state, 'stopped');
    assert.equal(task('deaf').state, 'abandoned');
    assert.equal(task('ticker').next_run_at, null);
    assert.equal(log.events('task_abandoned').length, 1);
    assert.equal(health.get('task:polite')?.state, 'stopped');
    const runsBefore = task('ticker').runs;
    await clock.advance(10_000);
    assert.equal(task('ticker').runs, runsBefore);
    assert.equal(clock.pending, 0);
  });

  it('a stale task makes its component degraded, or failed when the task is critical', async () => {
    const { clock, supervisor, health } = setup({ abandonAfterMs: 1000 });
    const hang = () => new Promise<void>(() => {});
    supervisor.register({ name: 'minor', loop: true, heartbeatMs: 1000, graceMs: 0, run: hang });
    supervisor.register({
      name: 'vital',
      loop: true,
      heartbeatMs: 1000,
      graceMs: 0,
      critical: true,
      run: hang,
    });
    assert.equal(health.get('task:vital')?.critical, true);
    supervisor.start();
    assert.equal(health.get('task:minor')?.state, 'ready');
    await clock.advance(3000);
    assert.equal(health.get('task:minor')?.state, 'degraded');
    assert.equal(health.get('task:vital')?.state, 'failed');
  });

  it('keeps task errors redacted, and stays stopped when start() comes after stopAll()', async () => {
    const { clock, supervisor, task } = setup({ redact: (t) => t.replaceAll('hunter22', '[REDACTED]') });
    supervisor.register({
      name: 'leaky',
      every: 1000,
      run: () => {
        throw new Error('auth hunter22 rejected');
      },
    });
    supervisor.start();
    await clock.advance(1000);
    assert.equal(task('leaky').last_error?.message, 'auth [REDACTED] rejected');
    await supervisor.stopAll(100);
    supervisor.start();
    await clock.advance(60_000);
    assert.equal(task('leaky').runs, 1);
    assert.equal(task('leaky').state, 'stopped');
  });

  it('runs the health checks as a supervised interval task', async () => {
    const { clock, supervisor, health, log } = setup();
    const checks = createHealthChecks({ clock, log, registry: health, timeoutMs: 500 });
    health.set('cache', 'ready');
    let up = false;
    checks.add('cache', () => {
      if (!up) throw new Error('cache unreachable');
    });
    supervisor.register({
      name: 'health_checks',
      every: 5000,
      run: ({ signal }) => checks.runChecks(signal),
    });
    supervisor.start();
    await clock.advance(5000);
    assert.equal(health.get('cache')?.state, 'degraded');
    up = true;
    await clock.advance(5000);
    assert.equal(health.get('cache')?.state, 'ready');
    assert.equal(health.get('task:health_checks')?.state, 'ready');
  });

  it('rejects duplicate names and bad periods at registration', () => {
    const { supervisor } = setup();
    supervisor.register({ name: 'a', every: 1000, run: () => {} });
    assert.throws(() => supervisor.register({ name: 'a', every: 1000, run: () => {} }), /already registered/);
    assert.throws(() => supervisor.register({ name: 'b', every: 0, run: () => {} }), /positive/);
    assert.throws(
      () =>
        supervisor.register({
          name: 'c',
          loop: true,
          heartbeatMs: 1000,
          graceMs: 0,
          staleAfterMs: 500,
          run: () => {},
        }),
      /staleAfterMs/,
    );
  });
});
