import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SIGNAL_ECHO_MS, typescriptRuntime } from '../../src/discord/index.ts';
import { type Emulator, startEmulator } from '../support/emulator/index.ts';
import { assertLogLine, readJsonLines } from '../support/log-schema.ts';
import { BOT_TOKEN, runMain } from '../support/running-bot.ts';

/** The variables `npm start` gets: the emulator as Discord, a temp JSON log. */
function env(emulator: Emulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DISCORD_TOKEN: BOT_TOKEN,
    DISCORD_API_URL: emulator.apiUrl,
    DISCORD_GUILD_ID: emulator.ids.guildId,
    OPS_CHANNEL_ID: emulator.ids.opsChannelId,
    LOG_FILE: join(mkdtempSync(join(tmpdir(), 'lifecycle-')), 'bot.jsonl'),
    ...extra,
  };
}

const STARTED = 'Bot startup completed';

/** Sends `signal` once, as soon as the bot's console says it has started; `sentAt` is 0 until then. */
function signalOnceStarted(signal: NodeJS.Signals = 'SIGTERM') {
  const state = {
    sentAt: 0,
    onStdout(soFar: string, child: { kill(signal: NodeJS.Signals): void }): void {
      if (state.sentAt === 0 && soFar.includes(STARTED)) {
        state.sentAt = Date.now();
        child.kill(signal);
      }
    },
  };
  return state;
}

describe('npm start stops cleanly on a signal', () => {
  let emulator: Emulator;
  before(async () => {
    emulator = await startEmulator();
  });
  after(() => emulator.close());

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} after the start exits 0 within 10 s, shutdown_complete last in the JSON log`, async () => {
      const vars = env(emulator);
      const signaller = signalOnceStarted(signal);
      const run = await runMain(vars, { timeoutMs: 25_000, onStdout: signaller.onStdout });
      const took = Date.now() - signaller.sentAt;
      assert.ok(signaller.sentAt > 0, `the bot said it started:\n${run.stdout}\n${run.stderr}`);
      assert.equal(run.code, 0, run.stderr);
      assert.ok(took < 10_000, `exited ${took} ms after ${signal}`);
      const lines = readJsonLines(vars.LOG_FILE as string);
      for (const line of lines) assertLogLine(line);
      assert.equal(lines.at(-1)?.event, 'shutdown_complete');
      assert.equal((lines.at(-1)?.detail as Record<string, unknown> | undefined)?.reason, signal);
      assert.ok(lines.some((l) => l.event === 'shutdown_requested'));
      assert.ok(!run.stdout.includes(BOT_TOKEN) && !run.stderr.includes(BOT_TOKEN));
    });
  }

  it('plain `node src/main.ts`, no loader, runs the bot on a Node that strips types', {
    skip: typescriptRuntime === 'native' ? false : `Node ${process.version} needs src/ts-loader.mjs`,
  }, async () => {
    const vars = env(emulator, { LOG_LEVEL: 'debug' });
    const signaller = signalOnceStarted();
    const run = await runMain(vars, { nodeArgs: [], timeoutMs: 25_000, onStdout: signaller.onStdout });
    assert.ok(signaller.sentAt > 0, `the bot said it started:\n${run.stdout}\n${run.stderr}`);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '', 'no warning from Node either');
    const lines = readJsonLines(vars.LOG_FILE as string);
    const runtime = lines.find((l) => l.event === 'typescript_runtime');
    assert.deepEqual(runtime?.detail, { node: process.version, typescript: 'native' });
    assert.equal(lines.at(-1)?.event, 'shutdown_complete');
  });

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`a second ${signal} during the shutdown, past the relay window, exits at once (${code}) without waiting`, async () => {
      // An alert held back by a long rate limit makes the shutdown wait (delivering
      // queued alerts), so the second signal lands while it is still going.
      emulator.failNext(
        (r) => r.method === 'POST' && r.path.endsWith('/messages'),
        { status: 429, retryAfterSec: 60 },
        50,
      );
      const vars = env(emulator, {
        RESOURCE_SAMPLE_INTERVAL_MS: '100',
        RESOURCE_MEMORY_WARNING_MB: '1',
        RESOURCE_MEMORY_CRITICAL_MB: '100000',
        ALERT_CONSECUTIVE_SAMPLES: '1',
      });
      let first = 0;
      let second = 0;
      const run = await runMain(vars, {
        timeoutMs: 25_000,
        onStdout(soFar, child) {
          if (first === 0 && soFar.includes(STARTED) && soFar.includes('Discord rate limit on')) {
            first = Date.now();
            child.kill(signal);
          } else if (first !== 0 && second === 0 && soFar.includes('shutting down')) {
            // Past the window in which a repeat counts as a relayed copy of the first.
            second = -1;
            setTimeout(() => {
              second = Date.now();
              child.kill(signal);
            }, SIGNAL_ECHO_MS + 200);
          }
        },
      });
      emulator.clearFaults();
      assert.ok(second > 0, `both signals were sent:\n${run.stdout}`);
      assert.equal(run.code, code, run.stderr);
      assert.ok(Date.now() - second < 2_000, 'exited at once');
      const lines = readJsonLines(vars.LOG_FILE as string);
      assert.ok(
        lines.some((l) => l.event === 'shutdown_forced'),
        'the forced exit is logged',
      );
      assert.ok(!lines.some((l) => l.event === 'shutdown_complete'), 'it did not wait for the shutdown');
    });
  }

  it('a component whose stop hangs forever still lets SIGTERM end the process within OBS_SHUTDOWN_TIMEOUT_MS', async () => {
    const vars = env(emulator, { OBS_SHUTDOWN_TIMEOUT_MS: '2000' });
    const signaller = signalOnceStarted();
    const run = await runMain(vars, {
      entry: new URL('../fixtures/shutdown/stuck-stop.ts', import.meta.url),
      timeoutMs: 25_000,
      onStdout: signaller.onStdout,
    });
    assert.ok(signaller.sentAt > 0, `the bot said it started:\n${run.stdout}\n${run.stderr}`);
    assert.equal(run.code, 0, run.stderr);
    const lines = readJsonLines(vars.LOG_FILE as string);
    const stuck = lines.find((l) => l.event === 'component_stop_timeout');
    assert.equal((stuck?.detail as { component?: string } | undefined)?.component, 'stuck_database');
    const last = lines.at(-1);
    assert.equal(last?.event, 'shutdown_complete');
    // The bot's own measure of its shutdown, from the signal to the last record.
    const requested = Date.parse(String(lines.find((l) => l.event === 'shutdown_requested')?.ts));
    const took = Date.parse(String(last?.ts)) - requested;
    assert.ok(took <= 2_000, `shutdown took ${took} ms against a 2000 ms budget`);
    // Every other component still got its stop, the Discord client included.
    assert.ok(
      lines.some(
        (l) =>
          l.event === 'component_stopped' &&
          (l.detail as { component?: string }).component === 'discord_gateway',
      ),
    );
  });
});
