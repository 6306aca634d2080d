import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createNoDataWatch } from '../../../src/core/alerts/no-data-watch.ts';
import type { TaskSnapshot } from '../../../src/core/tasks/types.ts';
import { ManualClock } from '../../support/manual-clock.ts';

function task(clock: ManualClock, over: Partial<TaskSnapshot> & { beatAt?: number | null }): TaskSnapshot {
  const beatAt = over.beatAt === undefined ? clock.now() : over.beatAt;
  return {
    name: 'sync',
    kind: 'loop',
    schedule: 'loop',
    state: 'running',
    critical: false,
    last_heartbeat_at: beatAt === null ? null : new Date(beatAt).toISOString(),
    last_heartbeat_age_ms: beatAt === null ? null : clock.now() - beatAt,
    runs: 1,
    failures: 0,
    restarts: 0,
    heartbeats: 1,
    next_run_at: null,
    last_error: null,
    stale_after_ms: 30_000,
    ...over,
  };
}

function setup() {
  const clock = new ManualClock();
  const calls: string[] = [];
  let tasks: TaskSnapshot[] = [];
  const watch = createNoDataWatch({
    clock,
    alerts: {
      raise: (key, alert) => calls.push(`raise ${key} ${alert.severity} ${alert.title}`),
      clear: (key) => {
        calls.push(`clear ${key}`);
        return true;
      },
    },
    tasks: () => tasks,
  });
  watch.start();
  return {
    clock,
    calls,
    setTasks: (next: TaskSnapshot[]) => {
      tasks = next;
    },
  };
}

describe('no data is an alert', () => {
  it('a task that stopped beating without an error raises nodata.task.<name>, and clears once it beats again', async () => {
    const { clock, calls, setTasks } = setup();
    const lastBeat = clock.now();
    setTasks([task(clock, { beatAt: lastBeat })]);
    await clock.advance(30_000);
    setTasks([task(clock, { beatAt: lastBeat })]);
    await clock.advance(1_000);
    assert.deepEqual(calls, []);
    setTasks([task(clock, { beatAt: lastBeat })]);
    await clock.advance(1_000);
    assert.deepEqual(calls, [
      "raise nodata.task.sync warning No data from task 'sync': it stopped beating without an error",
    ]);
    setTasks([task(clock, {})]);
    await clock.advance(1_000);
    assert.equal(calls.at(-1), 'clear nodata.task.sync');
  });

  it('the resource sampler says what its silence means; a critical task is critical', async () => {
    const { clock, calls, setTasks } = setup();
    setTasks([
      task(clock, { name: 'resource_sampler', kind: 'interval', beatAt: clock.now() - 60_000 }),
      task(clock, { name: 'billing', critical: true, beatAt: clock.now() - 60_000 }),
    ]);
    await clock.advance(1_000);
    assert.deepEqual(calls, [
      'raise nodata.task.resource_sampler warning No resource data: the resource sampler stopped reporting',
      "raise nodata.task.billing critical No data from task 'billing': it stopped beating without an error",
    ]);
  });

  it('an error explains the silence, and so do a stop and a cron schedule: no no-data alert then', async () => {
    const { clock, calls, setTasks } = setup();
    const old = clock.now() - 600_000;
    setTasks([
      task(clock, { name: 'a', state: 'failed', beatAt: old }),
      task(clock, { name: 'b', state: 'stopped', beatAt: old }),
      task(clock, { name: 'c', kind: 'cron', schedule: '0 * * * *', beatAt: old }),
      task(clock, {
        name: 'd',
        state: 'restarting',
        beatAt: old,
        last_error: { at: new Date(clock.now()).toISOString(), message: 'boom' },
      }),
      task(clock, {
        name: 'e',
        state: 'restarting',
        beatAt: old,
        last_error: { at: new Date(clock.now()).toISOString(), message: 'stale: no heartbeat for 600s' },
      }),
    ]);
    await clock.advance(1_000);
    assert.deepEqual(
      calls.map((c) => c.split(' ')[1]),
      ['nodata.task.e'],
      'only the one that just went quiet',
    );
  });

  it('a task that never beat counts from when it was first seen', async () => {
    const { clock, calls, setTasks } = setup();
    setTasks([task(clock, { beatAt: null })]);
    await clock.advance(30_000);
    assert.deepEqual(calls, []);
    await clock.advance(2_000);
    assert.equal(calls.length, 1);
  });
});
