import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Emulator, type InteractionHandle, startEmulator } from '../support/emulator/index.ts';
import { assertLogLine, readJsonLines } from '../support/log-schema.ts';
import { BOT_TOKEN, runMain } from '../support/running-bot.ts';

function env(emulator: Emulator): Record<string, string> & { LOG_FILE: string } {
  return {
    DISCORD_TOKEN: BOT_TOKEN,
    DISCORD_API_URL: emulator.apiUrl,
    DISCORD_GUILD_ID: emulator.ids.guildId,
    LOG_FILE: join(mkdtempSync(join(tmpdir(), 'shutdown-')), 'bot.jsonl'),
  };
}

describe('SIGTERM at awkward moments', () => {
  let emulator: Emulator;
  before(async () => {
    emulator = await startEmulator();
  });
  after(() => emulator.close());

  it('during the start: the start is cancelled, exit 0 at once, shutdown_complete last', async () => {
    // Discord answers the gateway lookup with a 10 s rate limit: the start is still
    // waiting on it when the signal comes.
    emulator.failNext('GET /gateway/bot', { status: 429, retryAfterSec: 10 });
    const vars = env(emulator);
    let sentAt = 0;
    const run = await runMain(vars, {
      timeoutMs: 20_000,
      onStdout(soFar, child) {
        if (sentAt === 0 && soFar.includes('Connecting to the Discord gateway')) {
          sentAt = Date.now();
          child.kill('SIGTERM');
        }
      },
    });
    assert.ok(sentAt > 0, run.stdout);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(Date.now() - sentAt < 5_000, `took ${Date.now() - sentAt} ms`);
    const lines = readJsonLines(vars.LOG_FILE);
    for (const line of lines) assertLogLine(line);
    const complete = lines.find((l) => l.event === 'startup_complete');
    assert.equal((complete?.detail as { outcome?: string } | undefined)?.outcome, 'cancelled');
    assert.equal(lines.at(-1)?.event, 'shutdown_complete');
    emulator.clearFaults();
  });

  it('during a burst of commands: every command the bot took is answered, exit 0, shutdown_complete last', async () => {
    const vars = env(emulator);
    const handles: InteractionHandle[] = [];
    let burst: Promise<void> | undefined;
    let signalled = false;
    const run = await runMain(vars, {
      timeoutMs: 25_000,
      onStdout(soFar, child) {
        if (burst === undefined && soFar.includes('Bot startup completed')) {
          burst = (async () => {
            for (let i = 0; i < 40; i++) {
              handles.push(emulator.invokeCommand({ name: i % 2 === 0 ? 'health' : 'tasks', user: 'admin' }));
              if (i === 20) {
                signalled = true;
                child.kill('SIGTERM');
              }
              await new Promise((resolve) => setImmediate(resolve));
            }
          })();
        }
      },
    });
    await burst;
    assert.ok(signalled);
    assert.equal(run.code, 0, run.stderr);
    const lines = readJsonLines(vars.LOG_FILE);
    for (const line of lines) assertLogLine(line);
    assert.equal(lines.at(-1)?.event, 'shutdown_complete');
    // What the bot received it answered (with the data, or "shutting down"), in time.
    const taken = handles.map((h) => h.snapshot()).filter((s) => s.callbacks.length > 0);
    assert.ok(taken.length >= 10, `only ${taken.length} interactions reached the bot`);
    for (const answer of taken) {
      assert.deepEqual(answer.rejections, [], 'no acknowledgement was late or doubled');
      assert.equal(answer.ephemeral, true);
    }
    const invoked = lines.filter((l) => l.event === 'command_invoked');
    assert.equal(invoked.length, taken.length, 'each answered command is in the log');
  });
});
