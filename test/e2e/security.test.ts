import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { InvokeCommandInput } from '../support/emulator/interaction-payloads.ts';
import { freePort } from '../support/free-port.ts';
import { assertLogLine, readJsonLines } from '../support/log-schema.ts';
import { BOT_TOKEN, type RunningBot, startRunningBot } from '../support/running-bot.ts';
import { until } from '../support/until.ts';

const USERNAME = 'Zephyrine_Username_7731';
const OPTION_TEXT = 'planted-option-text-4410';
const COMMANDS = ['health', 'resources', 'tasks', 'startup'] as const;

describe('who may see the ops data', () => {
  let run: RunningBot;
  let port: number;
  before(async () => {
    port = await freePort();
    run = await startRunningBot({
      env: { OBS_ENABLE_PROMETHEUS: 'true', PROMETHEUS_HOST: '127.0.0.1', PROMETHEUS_PORT: String(port) },
    });
  });
  after(() => run.close());

  const outsider = (n: number) => ({ id: `90000000000000000${n}`, username: USERNAME });

  test('members, a demoted admin, another guild and a DM get an ephemeral refusal, logged with the reason', async () => {
    const { ids } = run.emulator;
    const cases: { who: string; input: Omit<InvokeCommandInput, 'name'>; reason: string; user: string }[] = [
      { who: 'plain member', input: { user: 'member' }, reason: 'not_admin', user: ids.memberUserId },
      {
        who: 'admin role removed',
        input: { user: { ...outsider(1), roles: [ids.adminRoleId] }, permissions: '0' },
        reason: 'not_admin',
        user: outsider(1).id,
      },
      {
        who: 'another guild',
        input: { user: outsider(2), guildId: '123456789012345678' },
        reason: 'foreign_guild',
        user: outsider(2).id,
      },
      { who: 'DM', input: { user: outsider(3), dm: true }, reason: 'dm', user: outsider(3).id },
    ];
    const admin = await run.emulator.invokeCommand({ name: 'health', user: 'admin' }).settled(5_000);
    const dataTitle = JSON.stringify(admin.embeds);
    for (const c of cases) {
      for (const name of COMMANDS) {
        const reply = await run.emulator.invokeCommand({ name, ...c.input }).settled(5_000);
        assert.ok(reply.ephemeral, `${c.who} /${name}: ephemeral`);
        const shown = JSON.stringify(reply.embeds) + reply.content;
        assert.match(shown, /Not allowed/, `${c.who} /${name}: a refusal (${shown})`);
        assert.notEqual(shown, dataTitle);
        for (const leak of ['uptime', 'discord_gateway', 'MB', 'task_supervisor', 'resource_monitor']) {
          assert.ok(!shown.includes(leak), `${c.who} /${name} sees no ${leak}: ${shown}`);
        }
      }
      const refused = await until(
        () => {
          const lines = readJsonLines(run.logFile).filter(
            (l) => l.event === 'command_refused' && (l.detail as { user_id: string }).user_id === c.user,
          );
          return lines.length >= COMMANDS.length ? lines : undefined;
        },
        3_000,
        `command_refused for ${c.who}`,
      );
      assert.equal(refused.length, COMMANDS.length);
      for (const line of refused) assert.equal((line.detail as { reason: string }).reason, c.reason, c.who);
    }
  });

  test('unexpected options are answered cleanly and the bot carries on', async () => {
    for (const name of COMMANDS) {
      for (const options of [
        { bogus: OPTION_TEXT, count: -1, flag: true },
        [{ name: 'weird', type: 99, value: { nested: OPTION_TEXT } }],
      ] as const) {
        const reply = await run.emulator
          .invokeCommand({
            name,
            user: { id: '900000000000000009', username: USERNAME, roles: [run.emulator.ids.adminRoleId] },
            options,
          })
          .settled(5_000);
        assert.ok(reply.ephemeral, `/${name} answered ephemerally`);
        assert.ok(reply.embeds.length > 0 || reply.content !== '', `/${name} answered`);
      }
    }
    const after = await run.emulator.invokeCommand({ name: 'health', user: 'admin' }).settled(5_000);
    assert.ok(after.embeds.length > 0);
  });

  test('no log line carries a username, option text or the token; every line keeps the schema', async () => {
    const text = readFileSync(run.logFile, 'utf8');
    assert.ok(text.length > 0);
    for (const secret of [USERNAME, OPTION_TEXT, BOT_TOKEN]) {
      assert.ok(!text.includes(secret), `the log holds ${secret}`);
      assert.ok(!run.consoleText().includes(secret), `the console holds ${secret}`);
    }
    for (const line of readJsonLines(run.logFile)) assertLogLine(line);
  });

  test('the HTTP server answers only its four paths', async () => {
    for (const path of ['/metrics', '/livez', '/readyz', '/healthz']) {
      assert.equal((await fetch(`http://127.0.0.1:${port}${path}`)).status, 200, path);
    }
    for (const path of ['/', '/metrics/', '/healthzz', '/debug/pprof', '/.env', '/%2e%2e/etc/passwd']) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      const body = await res.text();
      assert.equal(res.status, 404, path);
      assert.doesNotMatch(body, /pprof|passwd|env/);
    }
  });
});

describe('a token written with its "Bot " prefix', () => {
  let run: RunningBot;
  before(async () => {
    run = await startRunningBot({ env: { DISCORD_TOKEN: `Bot ${BOT_TOKEN}` } });
  });
  after(() => run.close());

  test('logs in with the prefix stripped, and neither form ever reaches a log', async () => {
    assert.ok(run.emulator.gatewayStats().connected >= 1);
    // Something careless logs the header the way it is sent.
    run.bot.log.warning('careless_header', `Authorization: Bot ${BOT_TOKEN}`, { header: `Bot ${BOT_TOKEN}` });
    run.bot.logging.flushSync();
    const text = readFileSync(run.logFile, 'utf8');
    assert.match(text, /careless_header/);
    assert.ok(!text.includes(BOT_TOKEN), 'the bare token is redacted');
    assert.ok(!run.consoleText().includes(BOT_TOKEN));
    const auth = run.emulator.requestLog().find((r) => r.path === '/gateway/bot');
    assert.equal(auth?.authorized, true, 'Discord saw a valid "Bot <token>" header, not "Bot Bot <token>"');
  });
});
