import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { InteractionResult } from '../support/emulator/index.ts';
import type { InvokeCommandInput } from '../support/emulator/interaction-payloads.ts';
import { assertLogLine, readJsonLines } from '../support/log-schema.ts';
import { BOT_TOKEN, type RunningBot, startRunningBot } from '../support/running-bot.ts';
import { until } from '../support/until.ts';

const FIXTURE_COMMANDS = new URL('../fixtures/e2e-commands/', import.meta.url).pathname;
const HAS_JQ = spawnSync('jq', ['--version']).status === 0;

const sub = (name: string, options: Record<string, string> = {}) => [
  { name, type: 1, options: Object.entries(options).map(([n, value]) => ({ name: n, type: 3, value })) },
];

/**
 * One real run that exercises everything an operator would log: every ops command
 * as an admin, a refused member, commands and a task failing with the token inside
 * their errors, and an alert reaching the ops channel. Then the bot shuts down, and
 * the tests read what it left behind.
 */
describe('a real run’s JSON log and outputs', () => {
  let running: RunningBot;
  let lines: Record<string, unknown>[];
  const answers: InteractionResult[] = [];

  before(async () => {
    running = await startRunningBot({
      commandsDir: FIXTURE_COMMANDS,
      env: {
        RESOURCE_SAMPLE_INTERVAL_MS: '100',
        ALERT_CONSECUTIVE_SAMPLES: '1',
        // Any process is above 1 MB, so the memory alert fires at the first sample.
        RESOURCE_MEMORY_WARNING_MB: '1',
        RESOURCE_MEMORY_CRITICAL_MB: '1000000',
        RESOURCE_STATS_LOG_INTERVAL_MS: '1000',
      },
    });
    const { emulator, bot } = running;
    await emulator.waitForGateway();
    bot.manager.tasks.register({
      name: 'leaky_task',
      every: 100,
      run() {
        throw new Error(`db down: postgres://bot:${BOT_TOKEN}@db/x`);
      },
    });

    const calls: Omit<InvokeCommandInput, 'user'>[] = [
      { name: 'health' },
      { name: 'health', options: { component: 'task:leaky_task' } },
      { name: 'startup' },
      { name: 'tasks' },
      { name: 'resources' },
      { name: 'alerts', options: sub('list') },
      { name: 'alerts', options: sub('silence', { key: 'resource.cpu', duration: '30m' }) },
      { name: 'alerts', options: sub('unsilence', { key: 'resource.cpu' }) },
      { name: 'leak', options: { how: 'message' } },
      { name: 'leak', options: { how: 'url' } },
      { name: 'leak', options: { how: 'nested' } },
    ];
    await until(
      () => bot.manager.ops.tasks().find((t) => t.name === 'leaky_task' && t.failures > 0),
      5_000,
      'the leaky task to fail',
    );
    for (const call of calls)
      answers.push(await emulator.invokeCommand({ ...call, user: 'admin' }).settled(10_000));
    answers.push(await emulator.invokeCommand({ name: 'health', user: 'member' }).settled(10_000));
    await emulator.waitForMessages(emulator.ids.opsChannelId, 1, 10_000);
    await until(
      () => {
        bot.logging.flushSync();
        return readJsonLines(running.logFile).some((l) => l.event === 'resource_stats');
      },
      5_000,
      'resource_stats',
    );
    await running.close();
    lines = readJsonLines(running.logFile);
  });
  after(() => running.close());

  it('every line parses and matches the schema', () => {
    assert.ok(lines.length > 20, `${lines.length} lines`);
    for (const line of lines) assertLogLine(line);
    assert.equal(lines.at(-1)?.event, 'shutdown_complete');
  });

  it('the operator events carry their documented details', () => {
    const events = (name: string) => lines.filter((l) => l.event === name);
    const components = events('startup_component');
    assert.ok(components.length >= 5);
    for (const { detail } of components) {
      const d = detail as Record<string, unknown>;
      assert.equal(typeof d.component, 'string');
      assert.equal(typeof d.duration_ms, 'number');
      assert.equal(typeof d.status, 'string');
      assert.equal(typeof d.attempts, 'number');
    }
    const [complete] = events('startup_complete');
    assert.ok(complete);
    assert.equal(typeof (complete.detail as Record<string, unknown>).duration_seconds, 'number');
    assert.ok(
      ['parallel', 'sequential'].includes((complete.detail as Record<string, unknown>).mode as string),
    );
    const invoked = events('command_invoked');
    assert.ok(invoked.length >= 11, `${invoked.length} command_invoked`);
    for (const line of invoked) {
      assert.equal(line.subsys, 'commands');
      const d = line.detail as Record<string, unknown>;
      assert.equal(typeof d.command, 'string');
      assert.match(String(d.user_id), /^\d{17,20}$/);
      assert.equal(typeof d.outcome, 'string');
      assert.equal(typeof d.duration_ms, 'number');
    }
    assert.ok(
      invoked.some((l) => (l.detail as Record<string, unknown>).outcome !== 'ok'),
      'failures show',
    );
    assert.ok(events('command_refused').length >= 1);
    for (const line of events('alert_fired')) assert.equal(line.subsys, 'alerts');
    assert.ok(events('alert_fired').length >= 1);
    for (const line of events('task_error')) {
      assert.equal(line.subsys, 'background_task');
      assert.equal((line.detail as Record<string, unknown>).task, 'leaky_task');
    }
    const stats = events('resource_stats');
    assert.ok(stats.length >= 1);
    for (const line of stats) {
      assert.equal(line.subsys, 'resources');
      const d = line.detail as Record<string, unknown>;
      for (const key of ['memory_mb', 'cpu_percent', 'event_loop_lag_ms', 'open_files', 'threads']) {
        assert.ok(key in d, `resource_stats has ${key}`);
      }
    }
  });

  it('the README’s four jq queries run unchanged on it', (t) => {
    if (!HAS_JQ) {
      t.skip('jq is not installed here (CI installs it)');
      return;
    }
    const jq = (filter: string): string =>
      execFileSync('jq', [filter, running.logFile], { encoding: 'utf8' });
    // No component took 5 s here, so the query answers nothing, but it must run.
    assert.equal(jq('select(.event == "startup_component" and .detail.duration_ms > 5000)'), '');
    const memory = jq('select(.event == "resource_stats") | .detail.memory_mb').trim().split('\n');
    assert.ok(memory.length >= 1 && memory.every((v) => Number(v) > 0), `memory_mb: ${memory.join(',')}`);
    const errors = jq('select(.level == "ERROR") | {time: .ts, error: .event, details: .detail}');
    assert.match(errors, /"error": "(command_failed|task_error)"/);
    const taskErrors = jq('select(.subsys == "background_task" and .event == "task_error")');
    assert.match(taskErrors, /"task": "leaky_task"/);
  });

  it('the token is in no log line, console line, reply, ops message or request', () => {
    const text = JSON.stringify(lines);
    assert.ok(text.includes('leaky_task') && text.includes('db down'), 'the planted failures were logged');
    assert.ok(
      text.includes('login failed for token [REDACTED]'),
      'the planted token went through the logger',
    );
    assert.ok(!text.includes(BOT_TOKEN), 'JSON log');
    assert.ok(!running.consoleText().includes(BOT_TOKEN), 'console');
    assert.ok(running.consoleText().includes('db down'));
    // The admin sees the task's error (redacted) in /health component:task:leaky_task.
    assert.match(JSON.stringify(answers[1]?.embeds), /db down/);
    for (const answer of answers) {
      assert.ok(!JSON.stringify(answer).includes(BOT_TOKEN), `reply ${JSON.stringify(answer).slice(0, 300)}`);
    }
    const ops = running.emulator.messages(running.emulator.ids.opsChannelId);
    assert.ok(!JSON.stringify(ops).includes(BOT_TOKEN), 'ops channel');
    assert.ok(!JSON.stringify(running.emulator.requestLog()).includes(BOT_TOKEN), 'request paths');
  });
});
