import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readJsonLines } from '../support/log-schema.ts';
import { type RunningBot, startRunningBot } from '../support/running-bot.ts';
import { until } from '../support/until.ts';

/**
 * The bot is also a member of someone else's server (the emulator's foreign guild),
 * invited there by its owner, who is Administrator there. That must buy nothing.
 */
const ATTEMPTS = [
  { name: 'health' },
  { name: 'resources' },
  { name: 'tasks' },
  { name: 'startup' },
  { name: 'alerts', options: [{ name: 'list', type: 1, options: [] }] },
  {
    name: 'alerts',
    options: [
      {
        name: 'silence',
        type: 1,
        options: [
          { name: 'key', type: 3, value: '*' },
          { name: 'duration', type: 3, value: '30d' },
        ],
      },
    ],
  },
] as const;

describe('an Administrator of another guild the bot is in', () => {
  let run: RunningBot;
  before(async () => {
    run = await startRunningBot();
  });
  after(() => run.close());

  it('is refused every ops command like a plain member, sees none of the data, and is logged as foreign_guild', async () => {
    const { ids } = run.emulator;
    const member = await run.emulator.invokeCommand({ name: 'health', user: 'member' }).settled(5_000);
    for (const attempt of ATTEMPTS) {
      const reply = await run.emulator
        .invokeCommand({ ...attempt, user: 'foreign_admin', guildId: ids.foreignGuildId })
        .settled(5_000);
      assert.equal(reply.ephemeral, true);
      // Word for word what a plain member of the home guild sees.
      assert.deepEqual(reply.embeds, member.embeds, `/${attempt.name}`);
      const seen = JSON.stringify(reply.embeds).replaceAll('\\', '').toLowerCase();
      for (const data of ['discord_gateway', 'uptime', 'silenced', 'memory', 'task_supervisor']) {
        assert.ok(!seen.includes(data), `/${attempt.name} shows no ${data}`);
      }
    }
    const refused = await until(
      () => {
        const lines = readJsonLines(run.logFile).filter(
          (l) =>
            l.event === 'command_refused' &&
            (l.detail as { user_id?: string }).user_id === ids.foreignAdminUserId,
        );
        return lines.length === ATTEMPTS.length ? lines : undefined;
      },
      3_000,
      'a command_refused line per attempt',
    );
    for (const line of refused) assert.equal((line.detail as { reason: string }).reason, 'foreign_guild');
  });

  it('gets no autocomplete choices, while the home admin does', async () => {
    const { ids } = run.emulator;
    const focused = { name: 'component', value: '' };
    const stranger = await run.emulator
      .invokeAutocomplete({ name: 'health', user: 'foreign_admin', guildId: ids.foreignGuildId, focused })
      .response(5_000);
    assert.deepEqual(stranger.choices, []);
    const home = await run.emulator
      .invokeAutocomplete({ name: 'health', user: 'admin', focused })
      .response(5_000);
    assert.ok((home.choices ?? []).length > 0);
  });

  it('could not silence anything: the home admin sees no silence', async () => {
    const list = await run.emulator
      .invokeCommand({ name: 'alerts', user: 'admin', options: [{ name: 'list', type: 1, options: [] }] })
      .settled(5_000);
    const text = JSON.stringify(list.embeds);
    assert.doesNotMatch(text, /30d|until/i, text);
    assert.deepEqual(run.bot.manager.alerts.view().silences, []);
  });
});

describe('a guild listed in OPS_GUILD_IDS', () => {
  let run: RunningBot;
  before(async () => {
    run = await startRunningBot({ envFromIds: (ids) => ({ OPS_GUILD_IDS: ids.foreignGuildId }) });
  });
  after(() => run.close());

  it('lets its Administrator in, with the same data as at home', async () => {
    const { ids } = run.emulator;
    const reply = await run.emulator
      .invokeCommand({ name: 'health', user: 'foreign_admin', guildId: ids.foreignGuildId })
      .settled(5_000);
    assert.match(JSON.stringify(reply.embeds).replaceAll('\\', ''), /discord_gateway/);
  });
});
