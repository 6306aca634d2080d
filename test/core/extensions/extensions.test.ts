import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import checkTempDir from '../../../checks/temp-dir.ts';
import logDisk, { checkFreeSpace } from '../../../components/log-disk.ts';
import {
  type ComponentDefinition,
  checkComponent,
  checkHealthCheck,
  checkTask,
  type Definable,
  type ExtensionContext,
  type HealthCheckDefinition,
  noopMetrics,
  type TaskFileDefinition,
  toStartupComponent,
  toTaskDefinition,
} from '../../../src/core/index.ts';
import { createTaskSupervisor } from '../../../src/core/tasks/task-supervisor.ts';
import logFolderSize from '../../../tasks/log-folder-size.ts';
import { CaptureLogger } from '../../support/capture-logger.ts';
import { freshDirs } from '../../support/fresh-dirs.ts';
import { ManualClock } from '../../support/manual-clock.ts';

const dirs = freshDirs('extensions');

/** What the loader does with a default export: call a factory with the context. */
function build<T>(definable: Definable<T>, ctx: ExtensionContext): T {
  return typeof definable === 'function' ? (definable as (c: ExtensionContext) => T)(ctx) : definable;
}

describe('the shape checks of component, task and check files', () => {
  it('accept what defineComponent, defineTask and defineHealthCheck describe', () => {
    assert.doesNotThrow(() =>
      checkComponent({
        name: 'db',
        dependencies: ['logging'],
        critical: true,
        timeoutMs: 1000,
        retry: { attempts: 3, baseDelayMs: 100 },
        start() {},
        healthCheck() {},
      }),
    );
    assert.doesNotThrow(() => checkTask({ name: 'nightly', cron: '0 3 * * *', timeoutMs: 60_000, run() {} }));
    assert.doesNotThrow(() => checkHealthCheck({ name: 'api', check() {} }));
  });

  const refusals: readonly (readonly [string, () => unknown, RegExp])[] = [
    ['a component with no start', () => checkComponent({ name: 'db' }), /`start` is missing$/],
    [
      'a component name with spaces',
      () => checkComponent({ name: 'my db', start() {} }),
      /`name` must be 1 to 64 letters, digits/,
    ],
    [
      'dependencies given as one string',
      () => checkComponent({ name: 'db', dependencies: 'logging', start() {} }),
      /`dependencies` must be a list of names, got "logging"$/,
    ],
    [
      'a misspelt dependencies key',
      () => checkComponent({ name: 'db', dependency: ['logging'], start() {} }),
      /unknown key `dependency` \(did you mean `dependencies`\?\)$/,
    ],
    [
      'a retry that is not an object',
      () => checkComponent({ name: 'db', retry: 3, start() {} }),
      /`retry` is 3, not an object$/,
    ],
    ['a task with neither schedule', () => checkTask({ name: 't', run() {} }), /needs `every`.*or `cron`/],
    [
      'runAtStart on a cron task',
      () => checkTask({ name: 't', cron: '* * * * *', runAtStart: true, run() {} }),
      /`runAtStart` is for interval tasks/,
    ],
    [
      'a task whose grace is not shorter than its stale age',
      () => checkTask({ name: 't', every: 1000, heartbeatMs: 1000, staleAfterMs: 1500, run() {} }),
      /staleAfterMs \(1500\) must exceed heartbeatMs \+ graceMs/,
    ],
    [
      'a loop task (not a file kind)',
      () => checkTask({ name: 't', loop: true, run() {} }),
      /unknown key `loop`/,
    ],
    [
      'a check with a zero timeout',
      () => checkHealthCheck({ name: 'api', timeoutMs: 0, check() {} }),
      /`timeoutMs` must be a positive number of milliseconds, got 0$/,
    ],
  ];
  for (const [label, attempt, expected] of refusals) {
    it(`refuse ${label}, naming the field`, () => assert.throws(attempt, expected));
  }
});

describe('a component file as the orchestrator runs it', () => {
  it('adds its health check once its start succeeded, not before and not after a failed start', async () => {
    const added: string[] = [];
    const checks = { add: (name: string) => void added.push(name) };
    let fail = true;
    const definition: ComponentDefinition = {
      name: 'db',
      start() {
        if (fail) throw new Error('refused');
      },
      healthCheck() {},
      healthCheckTimeoutMs: 500,
    };
    const component = toStartupComponent(definition, checks);
    assert.equal('healthCheck' in component, false, 'the orchestrator sees a plain start component');
    await assert.rejects(Promise.resolve(component.start(new AbortController().signal)), /refused/);
    assert.deepEqual(added, []);
    fail = false;
    await component.start(new AbortController().signal);
    assert.deepEqual(added, ['db']);
  });
});

describe('a task file with a timeout', () => {
  it('fails a run that outlives it, and the supervisor restarts it with backoff', async () => {
    const clock = new ManualClock();
    const log = new CaptureLogger();
    const supervisor = createTaskSupervisor({ clock, log, metrics: noopMetrics, random: () => 0.5 });
    let runs = 0;
    const task: TaskFileDefinition = {
      name: 'slow_export',
      every: 60_000,
      runAtStart: true,
      heartbeatMs: 30_000,
      timeoutMs: 5_000,
      run: ({ signal }) => {
        runs += 1;
        return clock.sleep(10_000, signal);
      },
    };
    supervisor.register(toTaskDefinition(task, clock));
    supervisor.start();
    await clock.advance(4_999);
    assert.equal(supervisor.snapshot()[0]?.state, 'running');
    await clock.advance(1);
    const [snapshot] = supervisor.snapshot();
    assert.equal(snapshot?.failures, 1);
    assert.match(snapshot?.last_error?.message ?? '', /timeout after 5\.0s/);
    assert.equal(log.events('task_restart').length, 1);
    await supervisor.stopAll(1_000);
    assert.equal(runs, 1);
  });
});

describe('the shipped examples', () => {
  const ctx = (logFile: string): ExtensionContext => ({
    log: new CaptureLogger(),
    clock: new ManualClock(),
    logFile,
  });

  it('log_disk passes on a disk with room, and names what is left under its threshold', async () => {
    const folder = dirs();
    const component = build(logDisk, ctx(join(folder, 'bot.jsonl')));
    assert.equal(component.name, 'log_disk');
    assert.equal(component.critical, false);
    await component.start(new AbortController().signal);
    await component.healthCheck?.(new AbortController().signal);
    // No disk is more than 100 % free.
    await assert.rejects(
      checkFreeSpace(folder, 1.01),
      /^Error: the log's disk has [\d.]+% free \([\d.]+ GiB\), under 101%$/,
    );
  });

  it('log_folder_size logs the files of the log folder and their size, and deletes nothing', async () => {
    const folder = dirs();
    writeFileSync(join(folder, 'bot.jsonl'), 'x'.repeat(1000));
    writeFileSync(join(folder, 'bot.jsonl.1'), 'y'.repeat(24));
    mkdirSync(join(folder, 'archive'));
    const context = ctx(join(folder, 'bot.jsonl'));
    const task = build(logFolderSize, context);
    assert.ok('cron' in task, 'a cron task');
    checkTask(task);
    let beats = 0;
    const heartbeat = (): void => {
      beats += 1;
    };
    await task.run({ signal: new AbortController().signal, heartbeat });
    const [line] = (context.log as CaptureLogger).events('log_folder_size');
    assert.deepEqual(line?.detail, { files: 2, bytes: 1024 });
    assert.equal(beats, 2);
  });

  it('temp_dir passes where the temp folder takes a file, and gives up when aborted', async () => {
    const check = build(checkTempDir, ctx('bot.jsonl')) as HealthCheckDefinition;
    await check.check(new AbortController().signal);
    await assert.rejects(Promise.resolve(check.check(AbortSignal.abort())), /abort/i);
  });
});
