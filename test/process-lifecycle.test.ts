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
  installProcessLifecycle({
    log,
    clock,
    process: proc as unknown as ProcessLike,
    shutdown: (reason) => {
      shutdowns.push(reason);
      return new Promise<void>(() => {});
    },
    flushSync: () => {},
    exit: (code) => exits.push(code),
  });
  return { proc, clock, log, exits, shutdowns };
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

  it('the same signal again after the window forces the exit', async () => {
    const { proc, clock, exits } = setUp();
    proc.emit('SIGINT');
    await clock.advance(SIGNAL_ECHO_MS + 1);
    proc.emit('SIGINT');
    assert.deepEqual(exits, [130]);
  });

  it('a different signal during the shutdown forces the exit, however soon', () => {
    const { proc, exits } = setUp();
    proc.emit('SIGTERM');
    proc.emit('SIGINT');
    assert.deepEqual(exits, [130]);
  });
});
