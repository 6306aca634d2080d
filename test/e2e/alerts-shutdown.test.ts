import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startEmulator } from '../support/emulator/index.ts';
import { readJsonLines } from '../support/log-schema.ts';
import { BOT_TOKEN, runMain } from '../support/running-bot.ts';
import { until } from '../support/until.ts';

test('SIGTERM with an alert stuck behind a long rate limit: exit 0 in bound, the alert logged, shutdown_complete last', async () => {
  const emulator = await startEmulator();
  try {
    const ops = emulator.ids.opsChannelId;
    const route = `POST /channels/${ops}/messages`;
    // Every post is told to wait a minute: the memory alert stays queued.
    emulator.failNext(route, { status: 429, retryAfterSec: 60 }, 10);
    const logFile = join(mkdtempSync(join(tmpdir(), 'bot-')), 'bot.jsonl');
    let child: { kill(signal: NodeJS.Signals): void } | undefined;
    let signalledAt = 0;
    const exited = runMain(
      {
        DISCORD_TOKEN: BOT_TOKEN,
        DISCORD_API_URL: emulator.apiUrl,
        DISCORD_GUILD_ID: emulator.ids.guildId,
        OPS_CHANNEL_ID: ops,
        LOG_FILE: logFile,
        RESOURCE_SAMPLE_INTERVAL_MS: '100',
        ALERT_CONSECUTIVE_SAMPLES: '1',
        RESOURCE_MEMORY_WARNING_MB: '1',
        RESOURCE_MEMORY_CRITICAL_MB: '1000000',
        OBS_SHUTDOWN_TIMEOUT_MS: '3000',
      },
      { timeoutMs: 20_000, onStdout: (_text, c) => (child ??= c) },
    );
    await until(
      () => emulator.requestLog().some((r) => `${r.method} ${r.path}` === route && r.status === 429),
      10_000,
      'the rate-limited post',
    );
    signalledAt = Date.now();
    child?.kill('SIGTERM');
    const result = await exited;
    const took = Date.now() - signalledAt;
    assert.equal(result.code, 0, result.stderr);
    assert.ok(took < 6_000, `exited ${took} ms after SIGTERM (budget 3 s)`);

    const lines = readJsonLines(logFile);
    assert.equal(lines.at(-1)?.event, 'shutdown_complete');
    const fired = lines
      .filter((l) => l.event === 'alert_fired')
      .map((l) => (l.detail as { key: string }).key);
    assert.ok(fired.includes('resource.memory'));
    const delivered = emulator.messages(ops).length > 0;
    const undelivered = lines.filter(
      (l) => l.event === 'alert_undelivered' && (l.detail as { key: string }).key === 'resource.memory',
    );
    assert.ok(
      delivered || undelivered.length === 1,
      'the queued alert is delivered or logged as undelivered',
    );
    assert.equal(delivered, false, 'a one-minute Retry-After cannot be met within the shutdown budget');
  } finally {
    await emulator.close();
  }
});
