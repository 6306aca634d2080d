import assert from 'node:assert/strict';
import { readdirSync, readFileSync, renameSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createFileSink, type FileSinkTransition } from '../../../src/core/logging/file-sink.ts';
import type { LogLevel } from '../../../src/core/logging/logger.ts';
import { freshDirs } from '../../support/fresh-dirs.ts';
import { flushMicrotasks, ManualClock } from '../../support/manual-clock.ts';

const freshDir = freshDirs('file-sink');

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

function recorder() {
  const outcomes: { level: LogLevel; outcome: 'written' | 'dropped' }[] = [];
  const transitions: FileSinkTransition[] = [];
  return {
    outcomes,
    transitions,
    onRecord: (level: LogLevel, outcome: 'written' | 'dropped') => outcomes.push({ level, outcome }),
    onTransition: (t: FileSinkTransition) => transitions.push(t),
    count: (outcome: 'written' | 'dropped') => outcomes.filter((o) => o.outcome === outcome).length,
  };
}

describe('file sink', () => {
  test('creates its folder and appends whole lines on the next turn, or at once on flushSync', async () => {
    const path = join(freshDir(), 'nested', 'deeper', 'bot.jsonl');
    const rec = recorder();
    const sink = createFileSink({ path, clock: new ManualClock(), onRecord: rec.onRecord });
    sink.write(line(1), 'info');
    sink.write(line(2), 'error');
    assert.equal(readFileSync(path, 'utf8'), '', 'the log call itself does no I/O');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(numbersIn(path), [1, 2]);
    sink.write(line(3), 'warning');
    sink.flushSync();
    assert.deepEqual(numbersIn(path), [1, 2, 3]);
    assert.deepEqual(
      rec.outcomes.map((o) => `${o.level}:${o.outcome}`),
      ['info:written', 'error:written', 'warning:written'],
    );
    sink.close();
  });

  test('appends to an existing file instead of truncating it', () => {
    const path = join(freshDir(), 'bot.jsonl');
    writeFileSync(path, line(0));
    const sink = createFileSink({ path, clock: new ManualClock() });
    sink.write(line(1), 'info');
    sink.close();
    assert.deepEqual(numbersIn(path), [0, 1]);
  });

  test('size rotation: bot.jsonl → bot.1.jsonl → bot.2.jsonl, at most `keep` rotated files, none over maxBytes', () => {
    const dir = freshDir();
    const path = join(dir, 'bot.jsonl');
    const sink = createFileSink({ path, clock: new ManualClock(), rotation: { maxBytes: 1000, keep: 2 } });
    for (let n = 0; n < 40; n++) {
      sink.write(line(n, 180), 'info');
      if (n % 3 === 0) sink.flushSync();
    }
    sink.close();
    assert.deepEqual(readdirSync(dir).sort(), ['bot.1.jsonl', 'bot.2.jsonl', 'bot.jsonl']);
    for (const file of readdirSync(dir)) {
      assert.ok(readFileSync(join(dir, file)).length <= 1000, `${file} stays within maxBytes`);
    }
    const older = numbersIn(join(dir, 'bot.2.jsonl'));
    const previous = numbersIn(join(dir, 'bot.1.jsonl'));
    const current = numbersIn(path);
    const all = [...older, ...previous, ...current];
    assert.equal(current.at(-1), 39, 'the newest record is in the live file');
    assert.deepEqual(
      all,
      Array.from({ length: all.length }, (_, i) => 40 - all.length + i),
      'rotated files hold consecutive records, oldest in the highest number',
    );
    assert.ok(all.length < 40, 'records older than the kept files were deleted');
  });

  test('leftover rotated files beyond `keep` (from a run that kept more) are pruned at rotation', () => {
    const dir = freshDir();
    const path = join(dir, 'bot.jsonl');
    for (const n of [1, 2, 3, 4, 5]) writeFileSync(join(dir, `bot.${n}.jsonl`), line(-n));
    writeFileSync(join(dir, 'other.1.jsonl'), line(0));
    const sink = createFileSink({ path, clock: new ManualClock(), rotation: { maxBytes: 300, keep: 2 } });
    for (let n = 0; n < 4; n++) {
      sink.write(line(n, 100), 'info');
      sink.flushSync();
    }
    sink.close();
    assert.deepEqual(readdirSync(dir).sort(), ['bot.1.jsonl', 'bot.2.jsonl', 'bot.jsonl', 'other.1.jsonl']);
  });

  test('daily rotation happens at the first write of a new UTC day of the injected clock', async () => {
    const dir = freshDir();
    const path = join(dir, 'bot.jsonl');
    const clock = new ManualClock(Date.UTC(2024, 0, 15, 23, 59, 0));
    const sink = createFileSink({ path, clock, rotation: { daily: true, keep: 1 } });
    sink.write(line(1), 'info');
    sink.flushSync();
    await clock.advance(30_000);
    sink.write(line(2), 'info');
    sink.flushSync();
    assert.deepEqual(readdirSync(dir), ['bot.jsonl'], 'same day: no rotation');
    await clock.advance(60_000);
    sink.write(line(3), 'info');
    sink.flushSync();
    assert.deepEqual(numbersIn(join(dir, 'bot.1.jsonl')), [1, 2]);
    assert.deepEqual(numbersIn(path), [3]);
    await clock.advance(86_400_000);
    sink.write(line(4), 'info');
    sink.close();
    assert.deepEqual(readdirSync(dir).sort(), ['bot.1.jsonl', 'bot.jsonl'], 'keep: 1 deletes the oldest day');
    assert.deepEqual(numbersIn(join(dir, 'bot.1.jsonl')), [3]);
    assert.deepEqual(numbersIn(path), [4]);
  });

  test('ENOSPC from the kernel (/dev/full): degrades, counts drops, backs off, and recovers when space returns', async () => {
    const dir = freshDir();
    const path = join(dir, 'bot.jsonl');
    // The log path points at /dev/full, where every write fails with a real ENOSPC;
    // removing the link later is the disk getting space back.
    symlinkSync('/dev/full', path);
    const clock = new ManualClock();
    const rec = recorder();
    const sink = createFileSink({
      path,
      clock,
      onRecord: rec.onRecord,
      onTransition: rec.onTransition,
      retryInitialMs: 1000,
    });
    assert.equal(sink.status().state, 'ready', 'opening /dev/full works; only writes fail');

    sink.write(line(1), 'info');
    sink.write(line(2), 'error');
    assert.doesNotThrow(() => sink.flushSync());
    await flushMicrotasks();
    const degraded = sink.status();
    assert.equal(degraded.state, 'degraded');
    assert.equal(degraded.code, 'ENOSPC');
    assert.equal(degraded.error, 'ENOSPC: no space left on device');
    assert.equal(rec.transitions.length, 1);
    assert.equal(rec.transitions[0]?.state, 'degraded');
    assert.equal(rec.transitions[0]?.path, path);
    assert.deepEqual(
      rec.outcomes.map((o) => `${o.level}:${o.outcome}`),
      ['info:dropped', 'error:dropped'],
    );

    // Within the backoff records are dropped without touching the disk.
    sink.write(line(3), 'warning');
    assert.equal(rec.count('dropped'), 3);
    assert.equal(sink.status().dropped, 3);

    // After the backoff the file is reopened; still full, so the backoff doubles.
    await clock.advance(1000);
    sink.write(line(4), 'info');
    sink.flushSync();
    assert.equal(sink.status().state, 'degraded');
    assert.equal(rec.count('dropped'), 4);
    await clock.advance(1000);
    sink.write(line(5), 'info');
    assert.equal(rec.count('dropped'), 5, 'second retry waits twice as long');

    unlinkSync(path);
    await clock.advance(1000);
    sink.write(line(6), 'info');
    sink.flushSync();
    await flushMicrotasks();
    assert.equal(sink.status().state, 'ready');
    assert.deepEqual(numbersIn(path), [6]);
    assert.equal(rec.transitions.length, 2);
    const recovered = rec.transitions[1];
    assert.equal(recovered?.state, 'ready');
    assert.equal(recovered?.dropped, 5);
    assert.equal(recovered?.downMs, 3000);
    assert.equal(rec.count('written'), 1);
    assert.equal(sink.status().droppedTotal, 5);
    sink.close();
  });

  test('check() notices the live file was deleted or moved away and reopens the path', () => {
    const dir = freshDir();
    const path = join(dir, 'bot.jsonl');
    const sink = createFileSink({ path, clock: new ManualClock() });
    sink.write(line(1), 'info');
    sink.flushSync();
    renameSync(path, join(dir, 'moved.jsonl'));
    assert.deepEqual(sink.check(), { ok: true });
    sink.write(line(2), 'info');
    sink.close();
    assert.deepEqual(numbersIn(path), [2]);
    assert.deepEqual(numbersIn(join(dir, 'moved.jsonl')), [1]);
  });

  test('a disk that fails again soon after recovering keeps the longer backoff (no flapping records)', async () => {
    const dir = freshDir();
    const path = join(dir, 'bot.jsonl');
    symlinkSync('/dev/full', path);
    const clock = new ManualClock();
    const rec = recorder();
    const sink = createFileSink({ path, clock, onTransition: rec.onTransition, retryInitialMs: 1000 });
    sink.write(line(1), 'info');
    sink.flushSync();
    unlinkSync(path);
    await clock.advance(1000);
    sink.write(line(2), 'info');
    sink.flushSync();
    assert.equal(sink.status().state, 'ready');
    // Fails again a moment later: the rename makes the next reopen hit /dev/full.
    renameSync(path, join(dir, 'old.jsonl'));
    symlinkSync('/dev/full', path);
    assert.equal(sink.check().ok, true);
    sink.write(line(3), 'info');
    sink.flushSync();
    assert.equal(sink.status().state, 'degraded');
    await clock.advance(1000);
    sink.write(line(4), 'info');
    assert.equal(sink.status().dropped, 2, 'still inside a doubled backoff after 1 s');
    await clock.advance(1000);
    unlinkSync(path);
    sink.write(line(5), 'info');
    sink.close();
    await flushMicrotasks();
    assert.deepEqual(
      rec.transitions.map((t) => t.state),
      ['degraded', 'ready', 'degraded', 'ready'],
    );
    assert.deepEqual(numbersIn(path), [5]);
  });

  test('a path under a regular file (ENOTDIR) degrades at once and check() names path and errno', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'blocker'), 'not a folder');
    const path = join(dir, 'blocker', 'bot.jsonl');
    const rec = recorder();
    const sink = createFileSink({ path, clock: new ManualClock(), onTransition: rec.onTransition });
    await flushMicrotasks();
    assert.equal(sink.status().state, 'degraded');
    assert.equal(rec.transitions[0]?.code, 'ENOTDIR');
    assert.deepEqual(sink.check(), {
      ok: false,
      problem: `${path}: ENOTDIR: not a directory, the JSON sink is off, console logging continues`,
    });
    sink.write(line(1), 'info');
    assert.doesNotThrow(() => sink.close());
  });

  test('a path the kernel refuses even to root (sysfs) reports EACCES (or EROFS/EPERM)', () => {
    const sink = createFileSink({ path: '/sys/opsbot-test.jsonl', clock: new ManualClock() });
    const check = sink.check();
    assert.equal(check.ok, false);
    assert.match(
      check.problem ?? '',
      /^\/sys\/opsbot-test\.jsonl: (EACCES: permission denied|EROFS: read-only file system|EPERM: operation not permitted), the JSON sink is off, console logging continues$/,
    );
    sink.close();
  });

  test('rejects nonsense rotation settings at construction', () => {
    const path = join(freshDir(), 'bot.jsonl');
    assert.throws(() => createFileSink({ path, clock: new ManualClock(), rotation: { keep: -1 } }), /keep/);
    assert.throws(
      () => createFileSink({ path, clock: new ManualClock(), rotation: { keep: 1, maxBytes: 0 } }),
      /maxBytes/,
    );
  });
});
