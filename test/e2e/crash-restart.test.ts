import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type EmulatedMessage, type Emulator, startEmulator } from '../support/emulator/index.ts';
import { readJsonLines, readJsonLinesSoFar } from '../support/log-schema.ts';
import { mainRuns } from '../support/main-runs.ts';
import { BOT_TOKEN } from '../support/running-bot.ts';
import { sleep, until } from '../support/until.ts';

type Embed = {
  title?: string;
  description?: string;
  color?: number;
  fields?: { name: string; value: string }[];
};

const embedsOf = (m: EmulatedMessage | undefined): Embed[] => (m?.embeds ?? []) as Embed[];

const { start, killLeftovers } = mainRuns();

/** Holds a port so that the bot's probe server cannot have it: an error the log records. */
async function occupiedPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

describe('a crash announced: SIGKILL, then npm start again', () => {
  let emulator: Emulator;
  before(async () => {
    emulator = await startEmulator();
  });
  after(async () => {
    await killLeftovers();
    await emulator.close();
  });

  it('the ops channel hears, once, that the bot restarted after a crash, with the last error record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crash-'));
    const logFile = join(dir, 'bot.jsonl');
    const { port, server } = await occupiedPort();
    const env = {
      DISCORD_TOKEN: BOT_TOKEN,
      DISCORD_API_URL: emulator.apiUrl,
      DISCORD_GUILD_ID: emulator.ids.guildId,
      OPS_CHANNEL_ID: emulator.ids.opsChannelId,
      LOG_FILE: logFile,
      OBS_STATE_FILE: join(dir, 'state.json'),
      OBS_ENABLE_PROMETHEUS: 'true',
      PROMETHEUS_HOST: '127.0.0.1',
      PROMETHEUS_PORT: String(port),
    };
    const ops = emulator.ids.opsChannelId;
    try {
      // Run 1 logs an error (its probe port is taken), then is killed without a word.
      const first = start(env, dir);
      await until(
        () => readJsonLinesSoFar(logFile).some((l) => l.event === 'http_error'),
        30_000,
        'the error record',
      );
      await until(
        () => readJsonLinesSoFar(logFile).some((l) => l.event === 'startup_complete'),
        30_000,
        'started',
      );
      first.kill('SIGKILL');
      const killed = await first.exit;
      assert.equal(killed.signal, 'SIGKILL');
      assert.ok(!readJsonLines(logFile).some((l) => l.event === 'shutdown_complete'));
    } finally {
      server.close();
    }

    // Run 2: told once, in the ops channel, with the previous run's last error.
    const posted = emulator.messages(ops).length;
    const second = start(env, dir);
    const notice = await until(
      () =>
        emulator
          .messages(ops)
          .slice(posted)
          .flatMap(embedsOf)
          .find((e) => e.title === '💥 Restarted after a crash'),
      30_000,
      'the crash announcement',
    );
    const text = notice.description ?? '';
    assert.match(text, /ended without a clean shutdown/);
    assert.match(text, /Its last error, at <t:\d+:f> \(<t:\d+:R>\): \*\*ERROR\*\* `http_error`/);
    assert.match(text, /is in use/);
    // The WARNING reaches the file with its batch, within LOG_FLUSH_MS of the start.
    const crashed = await until(
      () => {
        const lines = readJsonLinesSoFar(logFile).filter((l) => l.event === 'previous_run_crashed');
        return lines.length > 0 ? lines : undefined;
      },
      5_000,
      'previous_run_crashed on disk',
    );
    assert.equal(crashed.length, 1);
    assert.equal(((crashed[0]?.detail ?? {}) as Record<string, unknown>).last_error_event, 'http_error');
    const runStarted = readJsonLinesSoFar(logFile).filter((l) => l.event === 'run_started');
    assert.deepEqual(
      runStarted.map((l) => (l.detail as Record<string, unknown>).previous_run),
      ['none', 'crashed'],
    );
    await sleep(1_000);
    second.kill('SIGTERM');
    assert.equal((await second.exit).code, 0);

    // Run 3, after a clean stop: nothing to announce.
    const before = emulator.messages(ops).length;
    const identifies = emulator.gatewayStats().identifies;
    const third = start(env, dir);
    await until(() => emulator.gatewayStats().identifies > identifies, 30_000, 'run 3 connected');
    await until(
      () => readJsonLinesSoFar(logFile).filter((l) => l.event === 'startup_complete').length === 3,
      30_000,
      'run 3 started',
    );
    await sleep(1_500);
    assert.ok(
      !emulator
        .messages(ops)
        .slice(before)
        .flatMap(embedsOf)
        .some((e) => e.title === '💥 Restarted after a crash'),
      'a clean stop is not a crash',
    );
    assert.equal(
      readJsonLinesSoFar(logFile)
        .filter((l) => l.event === 'run_started')
        .map((l) => (l.detail as Record<string, unknown>).previous_run)
        .at(-1),
      'clean',
    );
    third.kill('SIGTERM');
    assert.equal((await third.exit).code, 0);
  });
});
