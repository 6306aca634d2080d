import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { createFileSink, type FileSinkReopen } from '../../../src/core/logging/file-sink.ts';
import { createLogging } from '../../../src/core/logging/logging.ts';
import { freshDirs } from '../../support/fresh-dirs.ts';
import { assertLogLine, readJsonLines } from '../../support/log-schema.ts';
import { flushMicrotasks, ManualClock } from '../../support/manual-clock.ts';

const freshDir = freshDirs('follow-path');

function line(n: number, pad = 0): string {
  return `${JSON.stringify({ n, pad: 'x'.repeat(pad) })}\n`;
}

function numbersIn(path: string): number[] {
  const text = readFileSync(path, 'utf8');
  return text === ''
    ? []
    : text
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { n: number }).n);
}

/** A sink on a manual clock that records each reopen it reports. */
function followingSink(path: string, extra: { maxBytes?: number; daily?: boolean; start?: number } = {}) {
  const { start, ...rotationOptions } = extra;
  const clock = new ManualClock(start);
  const reopens: FileSinkReopen[] = [];
  const rotation =
    extra.maxBytes === undefined && extra.daily === undefined ? undefined : { ...rotationOptions, keep: 3 };
  const sink = createFileSink({
    path,
    clock,
    onReopen: (r) => reopens.push(r),
    ...(rotation === undefined ? {} : { rotation }),
  });
  const writeAll = (...numbers: number[]): void => {
    for (const n of numbers) sink.write(line(n), 'info');
    sink.flushSync();
  };
  return { clock, sink, reopens, writeAll };
}

describe('the JSON file follows its path', () => {
  test('moved away and recreated (logrotate create, no signal): within a second new records land at the path, nothing lost', async () => {
    const dir = freshDir();
    const path = join(dir, 'bot.jsonl');
    const rotated = join(dir, 'bot.jsonl.1');
    const { clock, sink, reopens, writeAll } = followingSink(path);
    writeAll(1, 2, 3);
    renameSync(path, rotated);
    writeFileSync(path, '');

    // Until the next look, records still go to the open file, now under its new name.
    writeAll(4);
    await clock.advance(999);
    writeAll(5);
    assert.deepEqual(reopens, []);
    assert.deepEqual(numbersIn(path), []);

    await clock.advance(1);
    assert.deepEqual(reopens, [{ path, reason: 'replaced' }]);
    writeAll(6, 7);
    sink.close();
    assert.deepEqual(numbersIn(rotated), [1, 2, 3, 4, 5], 'the moved file holds everything before');
    assert.deepEqual(numbersIn(path), [6, 7], 'the new file at the path takes the rest');
  });

  test('deleted: the path is recreated within a second', async () => {
    const dir = freshDir();
    const path = join(dir, 'bot.jsonl');
    const { clock, sink, reopens, writeAll } = followingSink(path);
    writeAll(1);
    unlinkSync(path);
    await clock.advance(1000);
    assert.deepEqual(reopens, [{ path, reason: 'missing' }]);
    assert.ok(existsSync(path), 'a new file is there before the next record');
    writeAll(2);
    sink.close();
    assert.deepEqual(numbersIn(path), [2]);
  });

  test('reopen() (SIGHUP) switches at once; records already logged stay with the file they were logged for', () => {
    const dir = freshDir();
    const path = join(dir, 'bot.jsonl');
    const rotated = join(dir, 'bot.jsonl.1');
    const { sink, reopens, writeAll } = followingSink(path);
    writeAll(1, 2);
    renameSync(path, rotated);
    writeFileSync(path, '');
    sink.write(line(3), 'info');
    sink.reopen();
    assert.deepEqual(
      reopens,
      [{ path, reason: 'requested' }],
      'told at once, before anything else is logged',
    );
    writeAll(4);
    sink.close();
    assert.deepEqual(numbersIn(rotated), [1, 2, 3]);
    assert.deepEqual(numbersIn(path), [4]);
    assert.equal(sink.status().state, 'ready');
  });

  test('reopen() on a degraded sink lets the next write try the path at once, without waiting out the backoff', async () => {
    const dir = freshDir();
    const path = join(dir, 'bot.jsonl');
    symlinkSync('/dev/full', path);
    const clock = new ManualClock();
    const sink = createFileSink({ path, clock, retryInitialMs: 60_000 });
    sink.write(line(1), 'info');
    sink.flushSync();
    assert.equal(sink.status().state, 'degraded');
    unlinkSync(path);
    sink.write(line(2), 'info');
    assert.equal(sink.status().dropped, 2, 'inside the backoff records are dropped');
    sink.reopen();
    sink.write(line(3), 'info');
    sink.flushSync();
    await flushMicrotasks();
    assert.equal(sink.status().state, 'ready');
    sink.close();
    assert.deepEqual(numbersIn(path), [3]);
  });

  test('emptied in place (copytruncate): appends go on at its start and size rotation counts from the new size', async () => {
    const dir = freshDir();
    const path = join(dir, 'bot.jsonl');
    const { clock, sink, reopens } = followingSink(path, { maxBytes: 1000 });
    for (const n of [1, 2, 3]) sink.write(line(n, 270), 'info');
    sink.flushSync();
    copyFileSync(path, join(dir, 'copy.jsonl'));
    truncateSync(path, 0);
    await clock.advance(1000);
    for (const n of [4, 5, 6]) sink.write(line(n, 270), 'info');
    sink.close();
    assert.deepEqual(reopens, [], 'the same file: nothing to reopen');
    assert.deepEqual(readdirSync(dir).sort(), ['bot.jsonl', 'copy.jsonl'], 'no early rotation');
    assert.deepEqual(numbersIn(join(dir, 'copy.jsonl')), [1, 2, 3]);
    assert.deepEqual(numbersIn(path), [4, 5, 6], 'no hole of zeros before the new lines');
  });

  test('its own size and daily rotation are never taken for a move', async () => {
    const dir = freshDir();
    const path = join(dir, 'bot.jsonl');
    // Three lines fill a file; midnight UTC passes after line 6.
    const start = Date.UTC(2024, 0, 15, 23, 59, 50);
    const { clock, sink, reopens } = followingSink(path, { maxBytes: 600, daily: true, start });
    for (let n = 0; n < 12; n++) {
      sink.write(line(n, 150), 'info');
      sink.flushSync();
      await clock.advance(n === 6 ? 10_000 : 700);
    }
    sink.close();
    assert.deepEqual(reopens, []);
    const files = ['bot.3.jsonl', 'bot.2.jsonl', 'bot.1.jsonl', 'bot.jsonl'].map((f) => join(dir, f));
    const all = files.flatMap((f) => (existsSync(f) ? numbersIn(f) : []));
    assert.deepEqual(all, [3, 4, 5, 6, 7, 8, 9, 10, 11], 'consecutive records across the kept files');
    assert.deepEqual(numbersIn(join(dir, 'bot.2.jsonl')), [6], 'the day ended after line 6');
  });

  test('one timer, cancelled on close; watchIntervalMs 0 has none; a bad interval is refused', () => {
    const dir = freshDir();
    const clock = new ManualClock();
    const sink = createFileSink({ path: join(dir, 'a.jsonl'), clock });
    assert.equal(clock.pending, 1);
    assert.equal(clock.nextIn(), 1000);
    sink.close();
    assert.equal(clock.pending, 0, 'a closed sink leaves no timer behind');
    createFileSink({ path: join(dir, 'b.jsonl'), clock, watchIntervalMs: 0 }).close();
    assert.equal(clock.pending, 0);
    assert.throws(
      () => createFileSink({ path: join(dir, 'c.jsonl'), clock, watchIntervalMs: -1 }),
      /watchIntervalMs must be an integer >= 0, got -1/,
    );
  });
});

class MemoryStream extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

describe('logging reports a reopened file', () => {
  test('log_file_reopened (subsys logging) opens the new file, on reopen() and when a move is followed', async () => {
    const dir = freshDir();
    const file = join(dir, 'bot.jsonl');
    const clock = new ManualClock();
    const consoleStream = new MemoryStream();
    const health: string[] = [];
    const logging = createLogging({
      file,
      clock,
      console: consoleStream,
      color: false,
      onSinkHealth: (sink, state) => health.push(`${sink}:${state}`),
    });
    logging.logger.info('before_rotation', 'one');
    await logging.flush();
    renameSync(file, join(dir, 'bot.jsonl.1'));
    writeFileSync(file, '');
    logging.reopen();
    await flushMicrotasks();
    logging.logger.info('after_signal', 'two');
    await logging.flush();

    renameSync(file, join(dir, 'bot.jsonl.2'));
    await clock.advance(1000);
    logging.logger.info('after_move', 'three');
    await logging.close();

    const events = (name: string) => readJsonLines(join(dir, name)).map((l) => l.event);
    assert.deepEqual(events('bot.jsonl.1'), ['before_rotation']);
    assert.deepEqual(events('bot.jsonl.2'), ['log_file_reopened', 'after_signal']);
    assert.deepEqual(events('bot.jsonl'), ['log_file_reopened', 'after_move']);
    const [requested] = readJsonLines(join(dir, 'bot.jsonl.2'));
    const [followed] = readJsonLines(file);
    for (const record of [requested, followed]) {
      assertLogLine(record);
      assert.equal(record?.subsys, 'logging');
      assert.equal(record?.level, 'INFO');
    }
    assert.deepEqual(requested?.detail, { path: file, reason: 'requested' });
    assert.equal(requested?.msg, `JSON log file ${file} reopened on request`);
    assert.deepEqual(followed?.detail, { path: file, reason: 'missing' });
    assert.equal(followed?.msg, `JSON log file ${file} was moved away or deleted; reopened at its path`);
    assert.match(consoleStream.text, /reopened on request \| subsys=logging \| path=.* \| reason=requested/);
    assert.deepEqual(health, [], 'a reopen is not a failure');
  });
});
