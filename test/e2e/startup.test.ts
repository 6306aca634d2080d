import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startEmulator } from '../support/emulator/index.ts';
import { readJsonLines } from '../support/log-schema.ts';
import { BOT_TOKEN, runMain, startRunningBot } from '../support/running-bot.ts';

/** The bot's own start components, which /startup must list. */
const BOT_COMPONENTS = ['command_router', 'discord_gateway', 'ops_channel', 'task_supervisor'];

function startupComplete(logFile: string): Record<string, unknown> {
  const line = readJsonLines(logFile).find((l) => l.event === 'startup_complete');
  assert.ok(line, 'startup_complete is logged');
  return line.detail as Record<string, unknown>;
}

describe('the start, end to end', () => {
  for (const [parallel, mode] of [
    [undefined, 'sequential'],
    ['true', 'parallel'],
  ] as const) {
    it(`OBS_PARALLEL_STARTUP=${parallel ?? '(unset)'} logs mode "${mode}"; /startup lists the real components`, async () => {
      const running = await startRunningBot({ env: parallel ? { OBS_PARALLEL_STARTUP: parallel } : {} });
      try {
        const { report } = await running.bot.started;
        assert.equal(report.outcome, 'ready');
        running.bot.logging.flushSync();
        const detail = startupComplete(running.logFile);
        assert.equal(detail.mode, mode);
        assert.equal(typeof detail.duration_seconds, 'number');

        const answer = await running.emulator
          .invokeCommand({ name: 'startup', user: 'admin' })
          .settled(10_000);
        const text = JSON.stringify(answer.embeds);
        const block = /```[\s\S]*?```/.exec(text.replaceAll('\\n', '\n'))?.[0];
        assert.ok(block, `a code block in ${text.slice(0, 500)}`);
        for (const name of BOT_COMPONENTS)
          assert.ok(block.includes(name), `${name} in the /startup code block`);
        assert.match(text, new RegExp(mode, 'i'), 'the reply names the start mode');
      } finally {
        await running.close();
      }
    });
  }

  it('a rejected token exits non-zero after one /gateway/bot request, naming discord_gateway and the 401', async () => {
    const emulator = await startEmulator();
    try {
      emulator.rejectToken();
      const logFile = join(mkdtempSync(join(tmpdir(), 'startup-')), 'bot.jsonl');
      const run = await runMain(
        {
          DISCORD_TOKEN: BOT_TOKEN,
          DISCORD_API_URL: emulator.apiUrl,
          DISCORD_GUILD_ID: emulator.ids.guildId,
          OPS_CHANNEL_ID: emulator.ids.opsChannelId,
          LOG_FILE: logFile,
        },
        { timeoutMs: 20_000 },
      );
      assert.notEqual(run.code, 0);
      const output = run.stdout + run.stderr;
      const line = output.split('\n').find((l) => l.includes('discord_gateway') && /401/.test(l));
      assert.ok(line, `a line names discord_gateway and the 401 cause:\n${output}`);
      const gatewayCalls = emulator.requestLog().filter((r) => r.path === '/gateway/bot');
      assert.equal(gatewayCalls.length, 1, 'no retry loop on a permanent failure');
      assert.ok(!output.includes(BOT_TOKEN), 'the token is not in the output');
      const json = readJsonLines(logFile);
      assert.equal(json.at(-1)?.event, 'shutdown_complete');
      assert.ok(!JSON.stringify(json).includes(BOT_TOKEN));
    } finally {
      await emulator.close();
    }
  });
});
