import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import type { LogLevel } from '../../../src/core/logging/logger.ts';
import { createLogging, type LoggingOptions } from '../../../src/core/logging/logging.ts';
import { type Metrics, noopMetrics } from '../../../src/core/metrics/metrics.ts';
import { freshDirs } from '../../support/fresh-dirs.ts';
import { assertLogLine, readJsonLines } from '../../support/log-schema.ts';
import { ManualClock } from '../../support/manual-clock.ts';

const freshDir = freshDirs('logging');

const TOKEN = 'MTA5ODc2NTQzMjEwOTg3NjU0.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789';
const ESC = '\u001b';
const ANSI = new RegExp(`${ESC}\\[[0-9;]*m`);

class MemoryStream extends Writable {
  text = '';
  writes = 0;
  override _write(
    chunk: Buffer | string,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    this.text += chunk.toString();
    this.writes += 1;
    callback();
  }
  lines(): string[] {
    return this.text.split('\n').filter((l) => l !== '');
  }
}

function countingMetrics() {
  const records: { level: LogLevel; outcome: 'written' | 'dropped' }[] = [];
  const metrics: Metrics = {
    ...noopMetrics,
    logRecord: (level, outcome) => records.push({ level, outcome }),
  };
  return {
    metrics,
    records,
    count: (outcome: string) => records.filter((r) => r.outcome === outcome).length,
  };
}

function setup(overrides: Partial<LoggingOptions> = {}) {
  const dir = freshDir();
  const file = join(dir, 'logs', 'bot.jsonl');
  const consoleStream = new MemoryStream();
  const clock = new ManualClock();
  const health: string[] = [];
  const counted = countingMetrics();
  const logging = createLogging({
    level: 'debug',
    file,
    console: consoleStream,
    color: false,
    clock,
    metrics: counted.metrics,
    onSinkHealth: (sink, state, error) =>
      health.push(`${sink}:${state}${error === undefined ? '' : `:${error}`}`),
    ...overrides,
  });
  return { dir, file, consoleStream, clock, health, counted, logging };
}

describe('dual-sink logging', () => {
  test('every JSON line has the documented schema, keys in the documented order, time from the injected clock', async () => {
    const { file, logging, clock } = setup();
    const startup = logging.logger.child({ name: 'bot.startup', subsys: 'startup' });
    startup.info('startup_complete', 'Bot startup completed successfully', {
      duration_seconds: 3.24,
      mode: 'parallel',
    });
    await clock.advance(1234);
    logging.logger.warning('resource_warning', 'Memory usage high', { memory_mb: 1200 });
    logging.logger.child({ subsys: 'health' }).debug('health_check', 'probe', {});
    logging.logger.error('task_error', 'failed', { error: new Error('boom') });
    logging.logger.critical('resource_critical', 'lag', { event_loop_lag_ms: 750 });
    await logging.close();
    const lines = readJsonLines(file);
    assert.equal(lines.length, 5);
    for (const line of lines) {
      assertLogLine(line);
      assert.deepEqual(Object.keys(line), ['ts', 'level', 'name', 'subsys', 'event', 'detail', 'msg']);
    }
    assert.deepEqual(lines[0], {
      ts: '2024-01-15T14:30:00.000Z',
      level: 'INFO',
      name: 'bot.startup',
      subsys: 'startup',
      event: 'startup_complete',
      detail: { duration_seconds: 3.24, mode: 'parallel' },
      msg: 'Bot startup completed successfully',
    });
    assert.equal(lines[1]?.ts, '2024-01-15T14:30:01.234Z');
    assert.deepEqual(
      lines.map((l) => `${l.level} ${l.name} ${l.subsys}`),
      [
        'INFO bot.startup startup',
        'WARNING bot core',
        'DEBUG bot health',
        'ERROR bot core',
        'CRITICAL bot core',
      ],
    );
    const error = (lines[3]?.detail as { error: Record<string, unknown> } | undefined)?.error ?? {};
    assert.equal(error.message, 'boom');
    assert.match(String(error.stack), /^Error: boom\n/);
  });

  test('a bare child name is placed under the root name', async () => {
    const { file, logging } = setup();
    logging.logger.child({ name: 'discord', subsys: 'discord' }).info('gateway_ready', 'ready');
    await logging.close();
    assert.equal(readJsonLines(file)[0]?.name, 'bot.discord');
  });

  test('child names are relative to a configured root name, dotted ones included', async () => {
    const { file, logging } = setup({ rootName: 'shard_3' });
    logging.logger.child({ name: 'startup' }).info('a', 'a');
    logging.logger.child({ name: 'metrics.http' }).info('b', 'b');
    logging.logger.child({ name: 'shard_3.tasks' }).info('c', 'c');
    logging.logger.info('d', 'd');
    await logging.close();
    assert.deepEqual(
      readJsonLines(file).map((line) => line.name),
      ['shard_3.startup', 'shard_3.metrics.http', 'shard_3.tasks', 'shard_3'],
    );
  });

  test('the documented jq queries work unchanged on a produced file', {
    skip: existsSync('/usr/bin/jq') ? false : 'jq is not installed',
  }, async () => {
    const { file, logging } = setup();
    const startup = logging.logger.child({ name: 'bot.startup', subsys: 'startup' });
    startup.info('startup_component', 'slow', {
      component: 'rag',
      duration_ms: 6000,
      status: 'ready',
      attempts: 2,
    });
    startup.info('startup_component', 'fast', {
      component: 'db',
      duration_ms: 120,
      status: 'ready',
      attempts: 1,
    });
    const resources = logging.logger.child({ name: 'bot.resources', subsys: 'resources' });
    resources.info('resource_stats', 'stats', { memory_mb: 512.5, cpu_percent: 3 });
    resources.info('resource_stats', 'stats', { memory_mb: 530, cpu_percent: 4 });
    const tasks = logging.logger.child({ name: 'bot.tasks', subsys: 'background_task' });
    tasks.error('task_error', 'Task memory_save_task failed', {
      task: 'memory_save_task',
      error: new Error('x'),
    });
    tasks.info('task_restart', 'restart', { task: 'memory_save_task' });
    await logging.close();
    const jq = (query: string) =>
      execFileSync('jq', ['-c', query, file], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as unknown);

    const slow = jq('select(.event == "startup_component" and .detail.duration_ms > 5000)') as {
      detail: { component: string };
    }[];
    assert.deepEqual(
      slow.map((r) => r.detail.component),
      ['rag'],
    );
    assert.deepEqual(jq('select(.event == "resource_stats") | .detail.memory_mb'), [512.5, 530]);
    const errors = jq('select(.level == "ERROR") | {time: .ts, error: .event, details: .detail}') as {
      time: string;
      error: string;
      details: { task: string };
    }[];
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.error, 'task_error');
    assert.equal(errors[0]?.time, '2024-01-15T14:30:00.000Z');
    assert.equal(errors[0]?.details.task, 'memory_save_task');
    const taskErrors = jq('select(.subsys == "background_task" and .event == "task_error")') as {
      detail: { task: string };
    }[];
    assert.deepEqual(
      taskErrors.map((r) => r.detail.task),
      ['memory_save_task'],
    );
  });

  test('console lines match the documented shape with colours off, and carry ANSI colours when on', async () => {
    const plain = setup();
    plain.logging.logger
      .child({ name: 'bot.startup', subsys: 'startup' })
      .info('startup_complete', 'Bot startup completed successfully', { duration_seconds: 3.24 });
    plain.logging.logger.warning('resource_warning', 'Memory usage high', { memory_mb: 1200 });
    await plain.logging.close();
    const [first, second] = plain.consoleStream.lines();
    assert.match(
      first ?? '',
      /^✅ \[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}\] Bot startup completed successfully \| subsys=startup \| duration=3\.24s$/,
    );
    assert.match(second ?? '', /^⚠ \[[^\]]+\] Memory usage high \| subsys=core \| memory=1200MB$/);
    assert.doesNotMatch(plain.consoleStream.text, ANSI);

    const coloured = setup({ color: true });
    coloured.logging.logger.error('task_error', 'failed', { task: 't' });
    await coloured.logging.close();
    assert.ok(coloured.consoleStream.text.startsWith(`${ESC}[31m✖${ESC}[0m `), 'ERROR is red');

    const byDefault = setup({ color: undefined as never });
    const noColour = createLogging({
      file: join(byDefault.dir, 'x.jsonl'),
      console: byDefault.consoleStream,
    });
    noColour.logger.info('x_happened', 'not a terminal');
    await noColour.close();
    assert.doesNotMatch(
      byDefault.consoleStream.text,
      ANSI,
      'a stream that is not a TTY gets no colour by default',
    );
  });

  test('a token planted in a message, an error, a URL, a nested object and an array reaches neither sink', async () => {
    const { file, logging, consoleStream } = setup({ secrets: [TOKEN] });
    const later = 'late-registered-secret-value';
    logging.addSecret(later);
    const error = new Error(`401 Unauthorized for Bot ${TOKEN}`);
    logging.logger.error('gateway_auth_failed', `login with ${TOKEN} failed`, {
      error,
      url: `https://discord.com/api/v10/gateway/bot?token=${TOKEN}`,
      request: { headers: { note: `Bot ${TOKEN}` }, body: { nested: { deeper: [later] } } },
      list: [TOKEN, { inner: TOKEN }],
      authorization: 'Bot something-else',
    });
    logging.logger.info('retry', 'retrying', { cause: new Error('x', { cause: new Error(later) }) });
    await logging.close();
    const fileText = readFileSync(file, 'utf8');
    for (const [sink, text] of [
      ['file', fileText],
      ['console', consoleStream.text],
    ] as const) {
      assert.ok(!text.includes(TOKEN), `${sink} leaks the token`);
      assert.ok(!text.includes(TOKEN.slice(-20)), `${sink} leaks part of the token`);
      assert.ok(!text.includes(later), `${sink} leaks a secret added later`);
      assert.ok(!text.includes('something-else'), `${sink} leaks an authorization header`);
      assert.ok(text.includes('[REDACTED]'), `${sink} shows where something was redacted`);
    }
    for (const line of readJsonLines(file)) assertLogLine(line);
    assert.match(fileText, /"stack":"Error: 401 Unauthorized for Bot \[REDACTED\]\\n/);
  });

  test('the enforcer passes on a good setup and logs logging_enforced', async () => {
    const { logging, consoleStream, file } = setup();
    const report = logging.enforce();
    assert.deepEqual(report, { ok: true, console: { ok: true }, file: { ok: true } });
    await logging.close();
    const enforced = readJsonLines(file).find((l) => l.event === 'logging_enforced');
    assert.equal(enforced?.subsys, 'logging');
    assert.match(consoleStream.text, /Logging ready/);
  });

  test('without rotation options the file rotates as the bot does by default: 50 MB, daily, 7 kept', async () => {
    const { logging, file } = setup();
    logging.enforce();
    await logging.close();
    const enforced = readJsonLines(file).find((l) => l.event === 'logging_enforced');
    const detail = enforced?.detail as Record<string, unknown> | undefined;
    assert.deepEqual(
      [detail?.rotation_max_bytes, detail?.rotation_daily, detail?.rotation_keep],
      [50 * 1024 * 1024, true, 7],
    );
  });

  test('an unwritable log file: the enforcer names path and errno, the console keeps working', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'logs'), 'a file where the folder should be');
    const file = join(dir, 'logs', 'bot.jsonl');
    const { logging, consoleStream, health, counted } = setup({ file });
    const report = logging.enforce();
    assert.equal(report.ok, false);
    assert.deepEqual(report.console, { ok: true });
    assert.deepEqual(report.file, {
      ok: false,
      problem: `${file}: ENOTDIR: not a directory, the JSON sink is off, console logging continues`,
    });
    logging.logger.info('still_alive', 'console still works');
    await logging.flush();
    const text = consoleStream.text;
    assert.match(
      text,
      /⚠ \[[^\]]+\] .*ENOTDIR: not a directory, the JSON sink is off, console logging continues \| subsys=logging/,
    );
    assert.match(text, /still_alive|console still works/);
    assert.match(
      text,
      new RegExp(`JSON log sink ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} failed \\(ENOTDIR`),
    );
    assert.deepEqual(health, ['file:degraded:ENOTDIR: not a directory']);
    assert.ok(counted.count('dropped') >= 2, 'records the file could not take are counted as dropped');
    assert.equal(logging.fileSinkState().state, 'degraded');
    await logging.close();
  });

  test('a full disk (ENOSPC from /dev/full): degraded, drops counted, console warned, then recovery', async () => {
    const dir = freshDir();
    const file = join(dir, 'bot.jsonl');
    // The log path leads to /dev/full: opening works, every write fails with a real ENOSPC
    // from the kernel. Removing the link later is the disk getting space back.
    symlinkSync('/dev/full', file);
    const { logging, consoleStream, health, counted, clock } = setup({ file, retryInitialMs: 1000 });
    assert.equal(logging.enforce().file.ok, true, 'a full disk still opens; only writes reveal it');
    logging.logger.info('lost_one', 'this record hits the full disk');
    logging.logger.error('lost_two', 'so does this one');
    await logging.flush();
    assert.equal(logging.fileSinkState().state, 'degraded');
    assert.equal(logging.fileSinkState().code, 'ENOSPC');
    assert.deepEqual(health, ['file:degraded:ENOSPC: no space left on device']);
    await logging.flush();
    assert.match(
      consoleStream.text,
      new RegExp(
        `✖ \\[[^\\]]+\\] JSON log sink ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} failed \\(ENOSPC: no space left on device\\).* \\| subsys=logging \\| sink=file \\| path=.* \\| code=ENOSPC`,
      ),
    );
    assert.match(
      consoleStream.text,
      /this record hits the full disk/,
      'the console still shows every record',
    );
    assert.match(consoleStream.text, /so does this one/);
    assert.ok(counted.records.some((r) => r.level === 'error' && r.outcome === 'dropped'));
    assert.ok(counted.records.some((r) => r.level === 'info' && r.outcome === 'dropped'));
    assert.equal(counted.count('written'), 0);

    logging.logger.info('lost_three', 'still inside the backoff');
    await logging.flush();
    const droppedWhileFull = counted.count('dropped');
    assert.ok(droppedWhileFull >= 4, `dropped ${droppedWhileFull}`);

    // Space comes back; the next record after the backoff reopens the file.
    unlinkSync(file);
    await clock.advance(1000);
    logging.logger.info('after_recovery', 'back on disk');
    await logging.flush();
    await logging.flush();
    assert.equal(logging.fileSinkState().state, 'ready');
    assert.deepEqual(health, ['file:degraded:ENOSPC: no space left on device', 'file:ready']);
    await logging.close();
    const lines = readJsonLines(file);
    for (const line of lines) assertLogLine(line);
    assert.deepEqual(
      lines.map((l) => l.event),
      ['after_recovery', 'log_sink_recovered'],
    );
    const recovered = lines[1]?.detail as { dropped: number; path: string; down_ms: number };
    assert.equal(recovered.path, file);
    assert.equal(recovered.dropped, droppedWhileFull);
    assert.equal(recovered.down_ms, 1000);
    assert.match(
      consoleStream.text,
      /✅ \[[^\]]+\] JSON log sink .* recovered after 1\.0s; \d+ records were lost/,
    );
  });

  test('LOG_LEVEL warning hides debug and info in both sinks; setLevel changes it at run time', async () => {
    const { file, logging, consoleStream } = setup({ level: 'warning' });
    logging.logger.debug('d_event', 'hidden debug');
    logging.logger.info('i_event', 'hidden info');
    logging.logger.warning('w_event', 'shown warning');
    logging.logger.critical('c_event', 'shown critical');
    const earlier = logging.logger.child({ name: 'bot.tasks', subsys: 'background_task' });
    logging.setLevel('debug');
    earlier.debug('d2_event', 'debug now shown, also in a child made before the change');
    await logging.close();
    assert.deepEqual(
      readJsonLines(file).map((l) => l.event),
      ['w_event', 'c_event', 'd2_event'],
    );
    assert.ok(!consoleStream.text.includes('hidden'));
    assert.equal(consoleStream.lines().length, 3);
    assert.throws(() => logging.setLevel('verbose' as LogLevel), /level/);
  });

  test('a console stream that fails is reported and the JSON sink carries on', async () => {
    const { file, logging, health } = setup({
      console: new Writable({
        write(_chunk, _encoding, callback) {
          callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
        },
      }),
    });
    logging.logger.info('first_event', 'goes to a broken pipe');
    await logging.flush();
    await new Promise((resolve) => setImmediate(resolve));
    logging.logger.info('second_event', 'still in the file');
    await logging.close();
    assert.deepEqual(health, ['console:degraded:write EPIPE']);
    const events = readJsonLines(file).map((l) => l.event);
    assert.ok(events.includes('first_event') && events.includes('second_event'));
    assert.ok(events.includes('log_sink_degraded'));
  });

  test('a throwing getter costs only its value; a record that cannot be read at all never throws to the caller', async () => {
    const { logging, counted, file } = setup({ secrets: [TOKEN] });
    const hostile = { fine: 1 };
    Object.defineProperty(hostile, 'boom', {
      enumerable: true,
      get() {
        throw new Error(`getter exploded near ${TOKEN}`);
      },
    });
    assert.doesNotThrow(() => logging.logger.info('hostile_detail', 'x', hostile));
    const unreadable = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no keys for you');
        },
      },
    );
    assert.doesNotThrow(() => logging.logger.info('unreadable_detail', 'y', unreadable));
    const noPrototype = new Proxy(
      {},
      {
        getPrototypeOf() {
          throw new Error('no prototype either');
        },
      },
    );
    assert.doesNotThrow(() => logging.logger.info('unreadable_detail', 'z', noPrototype));
    await logging.close();
    const lines = readJsonLines(file);
    assert.deepEqual(lines[0]?.detail, { fine: 1, boom: '[Unreadable: getter exploded near [REDACTED]]' });
    assert.ok(!lines.some((l) => l.event === 'unreadable_detail'));
    assert.deepEqual(
      counted.records.map((r) => `${r.level}:${r.outcome}`),
      // The unreadable records are lost as their batch is built; the other is counted when the file takes it.
      ['info:dropped', 'info:dropped', 'info:written'],
    );
  });

  test('records below ERROR wait for their batch, in order, each with its own time; an ERROR takes them out at once', async () => {
    const { file, consoleStream, clock, logging } = setup({ flushMs: 1000 });
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    const detail: Record<string, unknown> = { n: 1 };
    logging.logger.info('first', 'one');
    detail.n = 2;
    await clock.advance(400);
    logging.logger.warning('second', 'two', detail);
    detail.n = 3;
    await clock.advance(599);
    await settle();
    assert.equal(readFileSync(file, 'utf8'), '', 'nothing written before the batch is due');
    assert.equal(consoleStream.text, '');
    await clock.advance(1);
    await settle();
    const batch = readJsonLines(file);
    assert.deepEqual(
      batch.map((l) => [l.event, l.ts, (l.detail as { n?: number }).n]),
      [
        ['first', new Date(clock.now() - 1000).toISOString(), undefined],
        ['second', new Date(clock.now() - 600).toISOString(), 2],
      ],
    );
    assert.equal(consoleStream.lines().length, 2);
    assert.equal(consoleStream.writes, 1, 'a batch reaches the console in one write');

    logging.logger.info('third', 'three');
    logging.logger.debug('fourth', 'four');
    logging.logger.error('fifth', 'five');
    await settle();
    assert.deepEqual(
      readJsonLines(file).map((l) => l.event),
      ['first', 'second', 'third', 'fourth', 'fifth'],
      'the ERROR is written at once, after everything made before it',
    );
    assert.match(consoleStream.lines().at(-1) ?? '', /five/);
    await logging.close();
  });

  test('a burst is written without waiting, 32 records at a time; flushSync writes the rest; 0 writes each at once', async () => {
    const { file, logging } = setup({ flushMs: 60_000 });
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    for (let n = 0; n < 515; n += 1) logging.logger.info('burst', `record ${n}`, { n });
    await settle();
    assert.equal(readJsonLines(file).length, 512);
    logging.flushSync();
    assert.deepEqual(
      readJsonLines(file).map((l) => (l.detail as { n: number }).n),
      Array.from({ length: 515 }, (_, n) => n),
    );
    await logging.close();

    const at = setup({ flushMs: 0 });
    at.logging.logger.info('alone', 'written in its own turn');
    await settle();
    assert.deepEqual(
      readJsonLines(at.file).map((l) => l.event),
      ['alone'],
    );
    await at.logging.close();
    assert.throws(
      () => setup({ flushMs: -1 }),
      /flushMs must be a whole number of milliseconds from 0 to 60000/,
    );
  });

  test('metrics count each record written to the JSON file by level', async () => {
    const { logging, counted } = setup();
    logging.logger.info('a_event', 'a');
    logging.logger.error('b_event', 'b');
    await logging.close();
    assert.deepEqual(
      counted.records.map((r) => `${r.level}:${r.outcome}`),
      ['info:written', 'error:written'],
    );
  });

  test('rejects a level that is not one of the five', () => {
    assert.throws(() => setup({ level: 'verbose' as LogLevel }), /level must be one of/);
  });
});
