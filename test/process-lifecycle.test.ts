import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { installProcessLifecycle, type ProcessLike, SIGNAL_ECHO_MS } from '../src/process-lifecycle.ts';
import { CaptureLogger } from './support/capture-logger.ts';
import { ManualClock } from './support/manual-clock.ts';

/** The lifecycle on a fake process whose shutdown never ends by itself, so a second signal lands during it. */
function setUp() {
  const proc = new EventEmitter();
  const clock = new ManualClock();
  const log = new CaptureLogger();
  const exits: number[] = [];
  const shutdowns: string[] = [];
  const flushes: number[] = [];
  installProcessLifecycle({
    log: () => log,
    shutdownTimeoutMs: 5_000,
    clock,
    process: proc as unknown as ProcessLike,
    shutdown: (reason) => {
      shutdowns.push(reason);
      return new Promise<void>(() => {});
    },
    flushSync: () => flushes.push(clock.now()),
    exit: (code) => exits.push(code),
  });
  return { proc, clock, log, exits, shutdowns, flushes };
}

describe('signals reaching the bot twice', () => {
  it('a copy of the first signal relayed right after it (npm start, group signal) changes nothing', async () => {
    const { proc, clock, log, exits, shutdowns } = setUp();
    proc.emit('SIGTERM');
    await clock.advance(15);
    proc.emit('SIGTERM');
    assert.deepEqual(shutdowns, ['SIGTERM']);
    assert.deepEqual(exits, [], 'the graceful shutdown goes on');
    const repeated = log.events('shutdown_signal_repeated');
    assert.equal(repeated.length, 1);
    assert.equal(repeated[0]?.level, 'debug');
    assert.deepEqual(repeated[0]?.detail, { signal: 'SIGTERM', after_ms: 15 });
    assert.equal(log.events('shutdown_forced').length, 0);
  });

  it('a signal after the relayed copy is a real second request: exit 130 at once', async () => {
    const { proc, clock, log, exits } = setUp();
    proc.emit('SIGINT');
    proc.emit('SIGINT');
    await clock.advance(200);
    proc.emit('SIGINT');
    assert.deepEqual(exits, [130]);
    assert.equal(log.events('shutdown_forced').length, 1);
  });

  it('the same signal again after the window forces the exit, with 128 + the signal number', async () => {
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      const { proc, clock, exits } = setUp();
      proc.emit(signal);
      await clock.advance(SIGNAL_ECHO_MS + 1);
      proc.emit(signal);
      assert.deepEqual(exits, [code], signal);
    }
  });

  it('a shutdown that overruns its bound by a second is ended by the backstop, flushed first', async () => {
    const { proc, clock, log, exits, flushes } = setUp();
    proc.emit('SIGTERM');
    await clock.advance(5_999);
    assert.deepEqual(exits, [], 'the shutdown still has its time');
    await clock.advance(1);
    assert.deepEqual(exits, [1]);
    assert.deepEqual(flushes, [clock.now()]);
    const overrun = log.events('shutdown_overrun');
    assert.equal(overrun.length, 1);
    assert.equal(overrun[0]?.level, 'critical');
  });

  it('a different signal during the shutdown forces the exit, however soon', () => {
    const { proc, exits } = setUp();
    proc.emit('SIGTERM');
    proc.emit('SIGINT');
    assert.deepEqual(exits, [130]);
  });
});
