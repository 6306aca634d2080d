import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { MetricsExposition } from '../../src/core/index.ts';
import { type Bot, loadConfig, startBot } from '../../src/discord/index.ts';
import { type Emulator, startEmulator } from '../support/emulator/index.ts';
import { readJsonLines } from '../support/log-schema.ts';
import { BOT_TOKEN, startRunningBot } from '../support/running-bot.ts';
import { until } from '../support/until.ts';

const get = (port: number, path: string) => fetch(`http://127.0.0.1:${port}${path}`).then((r) => r.status);

test('the metrics port taken: the bot runs degraded with a clear error, and takes the port once freed', async () => {
  const holder: Server = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const port = (holder.address() as { port: number }).port;
  const run = await startRunningBot({
    env: { OBS_ENABLE_PROMETHEUS: 'true', PROMETHEUS_HOST: '127.0.0.1', PROMETHEUS_PORT: String(port) },
  });
  try {
    const snapshot = run.bot.manager.healthSnapshot();
    assert.equal(snapshot.status, 'degraded');
    const http = snapshot.components.find((c) => c.name === 'http_server');
    assert.equal(http?.state, 'degraded');
    assert.match(http?.last_error?.message ?? '', /in use/i);
    assert.match(run.consoleText(), new RegExp(`${port}.*in use|in use.*${port}`, 'i'));
    const reply = await run.emulator.invokeCommand({ name: 'health', user: 'admin' }).settled(5_000);
    assert.ok(reply.embeds.length > 0, 'commands still work');

    await new Promise<void>((resolve) => holder.close(() => resolve()));
    await until(
      () =>
        run.bot.manager.healthSnapshot().components.find((c) => c.name === 'http_server')?.state === 'ready',
      12_000,
      'the background retry to bind the port',
    );
    assert.equal(await get(port, '/livez'), 200);
  } finally {
    holder.close();
    await run.close();
  }
});

describe('command handlers that throw, dawdle, or answer too late', () => {
  let emulator: Emulator;
  let bot: Bot;
  let logFile: string;
  before(async () => {
    emulator = await startEmulator();
    logFile = join(mkdtempSync(join(tmpdir(), 'bot-')), 'bot.jsonl');
    const config = loadConfig({
      DISCORD_TOKEN: BOT_TOKEN,
      DISCORD_API_URL: emulator.apiUrl,
      DISCORD_GUILD_ID: emulator.ids.guildId,
      LOG_FILE: logFile,
      OBS_STATE_FILE: join(logFile, '..', 'state.json'),
      OBS_ENABLE_PROMETHEUS: 'true',
      PROMETHEUS_HTTP_SERVER: 'false',
    });
    assert.ok(config.ok);
    bot = await startBot(config.config, {
      console: new PassThrough().resume(),
      commandsDir: fileURLToPath(new URL('../fixtures/e2e-faults-commands/', import.meta.url)),
    });
    assert.equal((await bot.started).report.outcome, 'ready');
  });
  after(async () => {
    await bot.shutdown('test_finished');
    await emulator.close();
  });

  test('a handler that throws: an ephemeral error without the error text, and the bot lives on', async () => {
    const reply = await emulator.invokeCommand({ name: 'explode', user: 'admin' }).settled(5_000);
    assert.ok(reply.ephemeral);
    assert.ok(reply.embeds.length > 0);
    assert.doesNotMatch(JSON.stringify(reply.embeds) + reply.content, /hunter2|database/);
    const again = await emulator.invokeCommand({ name: 'explode', user: 'admin' }).settled(5_000);
    assert.ok(again.embeds.length > 0, 'still answering');
    assert.equal(readJsonLines(logFile).filter((l) => l.event === 'command_failed').length, 2);
  });

  test('a handler slower than 3 s: deferred in time, and the user still gets the answer', async () => {
    const reply = await emulator.invokeCommand({ name: 'sluggish', user: 'admin' }).settled(8_000);
    assert.ok(reply.deferred);
    assert.ok(reply.ackMs !== null && reply.ackMs < 3_000, `acknowledged after ${reply.ackMs} ms`);
    assert.deepEqual(reply.rejections, []);
    assert.match(JSON.stringify(reply.embeds), /Sluggish done/);
    assert.ok(reply.ephemeral);
  });

  test("an acknowledgement past Discord's deadline: 10062 logged and counted as an error", async () => {
    emulator.setAckDeadlineMs(1);
    try {
      const handle = emulator.invokeCommand({ name: 'explode', user: 'admin' });
      await until(() => handle.snapshot().rejections.includes(10062), 5_000, 'the 10062 answer');
      const failed = await until(
        () =>
          readJsonLines(logFile).find(
            (l) => l.event === 'command_reply_failed' && (l.detail as { code: unknown }).code === 10062,
          ),
        5_000,
        'command_reply_failed with 10062',
      );
      assert.equal((failed.detail as { command: string }).command, 'explode');
      const text = await (bot.manager.metrics as unknown as MetricsExposition).metricsText();
      assert.match(text, /^bot_interactions_total\{[^}]*command="explode"[^}]*outcome="error"[^}]*\} [1-9]/m);
    } finally {
      emulator.setAckDeadlineMs(3_000);
    }
  });
});
