import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readJsonLines } from '../support/log-schema.ts';
import { type RunningBot, startRunningBot } from '../support/running-bot.ts';
import { until } from '../support/until.ts';

describe('background tasks on the running bot', () => {
  let running: RunningBot;
  before(async () => {
    running = await startRunningBot();
    await running.emulator.waitForGateway();
  });
  after(() => running.close());

  const taskLines = (task: string) => {
    running.bot.logging.flushSync();
    return readJsonLines(running.logFile).filter(
      (l) => l.subsys === 'background_task' && (l.detail as { task?: string }).task === task,
    );
  };
  const task = (name: string) => running.bot.manager.tasks.snapshot().find((t) => t.name === name);
  const tasksReply = async () =>
    JSON.stringify(
      (await running.emulator.invokeCommand({ name: 'tasks', user: 'admin' }).settled(10_000)).embeds,
    );

  it('a loop task that stops beating goes stale, degrades the bot, and is restarted', async () => {
    assert.equal(running.bot.manager.healthSnapshot().status, 'ready');
    running.bot.manager.tasks.register({
      name: 'hung_loop',
      loop: true,
      heartbeatMs: 200,
      graceMs: 100,
      staleAfterMs: 400,
      // Hangs without a heartbeat, but lets the supervisor abort it.
      run: ({ signal }) => new Promise((resolve) => signal.addEventListener('abort', resolve)),
    });

    // 'stale' turns into 'restarting' as soon as the run is aborted; both are the outage.
    await until(
      () =>
        ['stale', 'restarting'].includes(task('hung_loop')?.state ?? '') &&
        running.bot.manager.healthSnapshot().status === 'degraded',
      5_000,
      'hung_loop stale and the bot degraded',
      5,
    );
    const component = running.bot.manager
      .healthSnapshot()
      .components.find((c) => c.name === 'task:hung_loop');
    assert.ok(component && component.state !== 'ready', `task:hung_loop is ${component?.state}`);
    // The restart waits about a second (backoff), so /tasks answers inside the outage.
    const during = await tasksReply();
    assert.doesNotMatch(during, /All tasks healthy/);
    assert.match(during, /hung\\*_loop[^"]*"[^}]*(stale|restarting)/);

    await until(() => (task('hung_loop')?.restarts ?? 0) >= 1, 5_000, 'a restart');
    const events = taskLines('hung_loop').map((l) => l.event);
    const stale = events.indexOf('task_stale');
    assert.ok(stale >= 0, `task_stale logged: ${events.join(',')}`);
    assert.ok(events.indexOf('task_restart', stale) > stale, 'then task_restart');

    const reply = await tasksReply();
    assert.match(reply, /hung\\*_loop[^}]*restarts [1-9][^}]*stale: no heartbeat/);
  });

  it('an interval task that throws logs task_error and is restarted with a growing backoff', async () => {
    running.bot.manager.tasks.register({
      name: 'throwing_task',
      every: 100,
      run() {
        throw new Error('upstream unavailable');
      },
    });
    const restarts = await until(
      () => {
        const lines = taskLines('throwing_task').filter((l) => l.event === 'task_restart');
        return lines.length >= 2 ? lines : undefined;
      },
      8_000,
      'two restarts',
    );
    const errors = taskLines('throwing_task').filter((l) => l.event === 'task_error');
    assert.ok(errors.length >= 2, `${errors.length} task_error`);
    assert.equal(errors[0]?.level, 'ERROR');
    assert.match(
      String((errors[0]?.detail as { error?: string } | undefined)?.error),
      /upstream unavailable/,
    );
    const [first = 0, second = 0] = restarts.map((l) => (l.detail as { delay_ms: number }).delay_ms);
    assert.ok(second > first, `the backoff grows: ${first} ms, then ${second} ms`);
    // The second error came no sooner than the first restart's delay: it really waited.
    const gap = Date.parse(String(errors[1]?.ts)) - Date.parse(String(errors[0]?.ts));
    assert.ok(gap >= first - 50, `second failure ${gap} ms after the first (delay ${first} ms)`);
    assert.ok((task('throwing_task')?.failures ?? 0) >= 2);
    assert.match(await tasksReply(), /throwing\\*_task/);
  });
});
