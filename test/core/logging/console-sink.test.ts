import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createConsoleSink } from '../../../src/core/logging/console-sink.ts';
import { flushMicrotasks, ManualClock } from '../../support/manual-clock.ts';

/** A console reader that takes each write only when the test lets it. */
function slowReader(): { stream: Writable; taken: string[]; release(): void } {
  const taken: string[] = [];
  const waiting: (() => void)[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      waiting.push(() => {
        taken.push(chunk.toString());
        callback();
      });
    },
  });
  return {
    stream,
    taken,
    release() {
      for (const next of waiting.splice(0)) next();
    },
  };
}

const record = (n: number) =>
  JSON.stringify({ ts: '2024-01-15T14:30:00.000Z', level: 'INFO', msg: `line ${n}`, subsys: 'test' });

describe('console sink flush', () => {
  it('waits for lines the stream still holds under its high-water mark, so an exit right after loses none', async () => {
    const clock = new ManualClock();
    const reader = slowReader();
    const sink = createConsoleSink({ stream: reader.stream, color: false, clock, drainTimeoutMs: 2_000 });
    sink.write(record(1));
    sink.write(record(2));
    assert.ok(reader.stream.writableLength > 0, 'the reader has not taken them yet');
    assert.equal(reader.stream.writableNeedDrain, false, 'a few short lines stay under the high-water mark');
    let flushed = false;
    const flush = sink.flush().then(() => {
      flushed = true;
    });
    await flushMicrotasks();
    assert.equal(flushed, false, 'flush waits while the stream holds lines');
    // The stream hands its writes on one at a time: let the reader take them until flush is done.
    for (let turn = 0; turn < 10 && !flushed; turn += 1) {
      reader.release();
      await flushMicrotasks();
    }
    await flush;
    assert.deepEqual(
      reader.taken
        .join('')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => /line \d/.exec(l)?.[0]),
      ['line 1', 'line 2'],
    );
  });

  it('stops waiting for a reader that never takes them after drainTimeoutMs', async () => {
    const clock = new ManualClock();
    const reader = slowReader();
    const sink = createConsoleSink({ stream: reader.stream, color: false, clock, drainTimeoutMs: 2_000 });
    sink.write(record(1));
    let flushed = false;
    const flush = sink.flush().then(() => {
      flushed = true;
    });
    await clock.advance(1_999);
    assert.equal(flushed, false);
    await clock.advance(1);
    await flush;
    assert.equal(flushed, true);
  });

  it('resolves at once when the stream holds nothing', async () => {
    const reader = slowReader();
    const sink = createConsoleSink({ stream: reader.stream, color: false, clock: new ManualClock() });
    await sink.flush();
    assert.deepEqual(reader.taken, []);
  });
});
