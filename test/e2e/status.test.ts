import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readJsonLines } from '../support/log-schema.ts';
import { type RunningBot, startRunningBot } from '../support/running-bot.ts';
import { until } from '../support/until.ts';

/** What /status may say: one status word with its icon, and since when. Nothing else. */
const STATUS_TITLE = /^(🟢 Operational|🟡 Degraded|🔴 Down)$/;
const SINCE = /^Since <t:(\d+):f> \(<t:\1:R>\)\.$/;

/** Words that would tell a stranger something about the inside of the bot. */
const INSIDE = [
  'discord_gateway',
  'task',
  'memory',
  'uptime',
  'error',
  'cache',
  'orders',
  'ENOTFOUND',
  '10.0.0',
];

describe('/status, for anyone in any guild the bot is in', () => {
  let run: RunningBot;
  before(async () => {
    run = await startRunningBot();
    await run.emulator.waitForGateway();
  });
  after(() => run.close());

  const status = async (user: 'member' | 'admin' | 'foreign_admin', guildId?: string) => {
    const reply = await run.emulator
      .invokeCommand({ name: 'status', user, ...(guildId === undefined ? {} : { guildId }) })
      .settled(10_000);
    assert.deepEqual(reply.rejections, []);
    assert.equal(reply.ephemeral, true);
    assert.equal(reply.embeds.length, 1);
    const embed = reply.embeds[0] as Record<string, unknown>;
    assert.deepEqual(
      Object.keys(embed).sort(),
      ['color', 'description', 'title'],
      'no field, footer or author',
    );
    assert.match(String(embed.title), STATUS_TITLE);
    const since = SINCE.exec(String(embed.description));
    assert.ok(since, `since when: ${String(embed.description)}`);
    const seen = JSON.stringify(reply.embeds) + reply.content;
    for (const word of INSIDE) assert.ok(!seen.includes(word), `/status shows no ${word}: ${seen}`);
    return { title: String(embed.title), since: Number(since[1]) };
  };
  const statusSince = (): number => Math.floor(Date.parse(run.bot.manager.ops.status().since) / 1000);

  it('a plain member sees the overall status and since when, while every ops command refuses them', async () => {
    const seen = await status('member');
    assert.deepEqual(seen, { title: '🟢 Operational', since: statusSince() });
    for (const name of ['health', 'startup', 'tasks', 'resources']) {
      const refused = await run.emulator.invokeCommand({ name, user: 'member' }).settled(10_000);
      assert.match(JSON.stringify(refused.embeds), /Not allowed/, `/${name} refused`);
    }
    run.bot.logging.flushSync();
    const invoked = readJsonLines(run.logFile).filter(
      (l) =>
        l.event === 'command_invoked' &&
        (l.detail as { command: string }).command === 'status' &&
        (l.detail as { user_id: string }).user_id === run.emulator.ids.memberUserId,
    );
    assert.deepEqual(
      invoked.map((l) => (l.detail as { outcome: string }).outcome),
      ['ok'],
      'logged once as command_invoked',
    );
  });

  it("an Administrator of someone else's guild may run it there too (and still no ops command)", async () => {
    const { foreignGuildId } = run.emulator.ids;
    assert.equal((await status('foreign_admin', foreignGuildId)).title, '🟢 Operational');
    const refused = await run.emulator
      .invokeCommand({ name: 'health', user: 'foreign_admin', guildId: foreignGuildId })
      .settled(10_000);
    assert.match(JSON.stringify(refused.embeds), /Not allowed/);
  });

  it('follows the overall status, dated from its last change, and never says why', async () => {
    const { health } = run.bot.manager;
    health.register('cache', { critical: false, state: 'ready' });
    health.set('cache', 'degraded', {
      error: new Error('getaddrinfo ENOTFOUND 10.0.0.7'),
      note: 'cache down',
    });
    const degradedSince = statusSince();
    assert.deepEqual(await status('member'), { title: '🟡 Degraded', since: degradedSince });

    health.register('orders', { critical: true, state: 'ready' });
    health.set('orders', 'failed', { error: new Error('orders database refused the connection') });
    assert.equal((await status('member')).title, '🔴 Down');

    health.set('orders', 'ready');
    health.set('cache', 'ready');
    await until(() => run.bot.manager.healthSnapshot().status === 'ready', 2_000, 'ready again');
    const back = await status('member');
    assert.equal(back.title, '🟢 Operational');
    assert.ok(back.since >= degradedSince);
  });

  it('is refused in a DM, like every command', async () => {
    const reply = await run.emulator
      .invokeCommand({ name: 'status', user: 'member', dm: true })
      .settled(10_000);
    assert.match(JSON.stringify(reply.embeds), /only inside a server/);
  });
});
