import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type EmulatedMessage, type Emulator, startEmulator } from '../support/emulator/index.ts';
import { readJsonLines } from '../support/log-schema.ts';
import { mainRuns } from '../support/main-runs.ts';
import { BOT_TOKEN } from '../support/running-bot.ts';
import { sleep, until } from '../support/until.ts';

type Embed = {
  title?: string;
  description?: string;
  color?: number;
  fields?: { name: string; value: string }[];
};

const GREEN = 0x2ecc71;
const embedsOf = (m: EmulatedMessage | undefined): Embed[] => (m?.embeds ?? []) as Embed[];

const { start, killLeftovers } = mainRuns();

describe('state across restarts: SIGTERM, then npm start again', () => {
  let emulator: Emulator;
  let dir: string;
  let env: Record<string, string>;
  const events = (event: string) =>
    readJsonLines(join(dir, 'bot.jsonl'))
      .filter((l) => l.event === event)
      .map((l) => l.detail as Record<string, unknown>);

  before(async () => {
    emulator = await startEmulator();
    dir = mkdtempSync(join(tmpdir(), 'restarts-'));
    env = {
      DISCORD_TOKEN: BOT_TOKEN,
      DISCORD_API_URL: emulator.apiUrl,
      DISCORD_GUILD_ID: emulator.ids.guildId,
      OPS_CHANNEL_ID: emulator.ids.opsChannelId,
      LOG_FILE: join(dir, 'bot.jsonl'),
      OBS_STATE_FILE: join(dir, 'state', 'state.json'),
      // Memory above the warning from the first sample; nothing else alerts.
      RESOURCE_SAMPLE_INTERVAL_MS: '200',
      RESOURCE_MEMORY_WARNING_MB: '1',
      RESOURCE_MEMORY_CRITICAL_MB: '1000000',
      RESOURCE_CPU_WARNING_PERCENT: '6000',
      RESOURCE_CPU_CRITICAL_PERCENT: '6400',
      RESOURCE_EVENT_LOOP_LAG_WARNING_MS: '100000',
      RESOURCE_EVENT_LOOP_LAG_CRITICAL_MS: '200000',
      ALERT_CONSECUTIVE_SAMPLES: '1',
      ALERT_GATEWAY_GRACE_MS: '0',
      ALERT_GROUP_WAIT_MS: '300',
      OBS_HEALTHCHECK_INTERVAL_MS: '1000',
    };
  });
  after(async () => {
    await killLeftovers();
    await emulator.close();
  });

  const ops = () => emulator.ids.opsChannelId;
  const memoryMessage = () =>
    emulator.messages(ops()).find((m) => embedsOf(m).some((e) => e.title?.includes('Memory usage high')));
  const connected = (identifies: number) =>
    until(() => emulator.gatewayStats().identifies > identifies, 30_000, 'the bot connected');

  it('a silence set before a SIGTERM is still in force after npm start again, and the alert goes on in its message', async () => {
    // Run 1: the memory alert is posted; an admin silences it; SIGTERM.
    const first = start(env, dir);
    const alert = await until(memoryMessage, 30_000, 'the memory alert in the ops channel');
    const answer = await emulator
      .invokeCommand({
        name: 'alerts',
        user: 'admin',
        options: [
          {
            name: 'silence',
            type: 1,
            options: [
              { name: 'key', type: 3, value: 'resource.memory' },
              { name: 'duration', type: 3, value: '2h' },
            ],
          },
        ],
      })
      .settled(10_000);
    assert.match(JSON.stringify(answer.embeds), /silenced until/);
    await until(
      () => embedsOf(emulator.messages(ops()).at(-1)).some((e) => e.title === '🔕 Alerts silenced'),
      10_000,
      'the silence notice',
    );
    first.kill('SIGTERM');
    const firstExit = await first.exit;
    assert.equal(firstExit.code, 0, firstExit.stderr);
    const saved = JSON.parse(readFileSync(env.OBS_STATE_FILE as string, 'utf8')) as {
      alerts: { silences: { key: string }[]; episodes: { key: string; message_id: string }[] };
    };
    assert.deepEqual(
      saved.alerts.silences.map((s) => s.key),
      ['resource.memory'],
    );
    assert.deepEqual(
      saved.alerts.episodes.map((e) => [e.key, e.message_id]),
      [['resource.memory', alert.id]],
      'the firing alert is kept with the message that shows it',
    );
    assert.ok(!existsSync(`${env.OBS_STATE_FILE}.${process.pid}.tmp`));

    // Run 2, same settings: the silence holds, the alert continues in its message, nothing new is posted.
    const posted = emulator.messages(ops()).length;
    const identifies = emulator.gatewayStats().identifies;
    const second = start(env, dir);
    await connected(identifies);
    await until(
      () => events('alert_fired').some((d) => d.key === 'resource.memory' && d.restored === true),
      20_000,
      'the memory alert firing again after the restart',
    );
    const list = await emulator
      .invokeCommand({ name: 'alerts', user: 'admin', options: [{ name: 'list', type: 1, options: [] }] })
      .settled(10_000);
    const listed = JSON.stringify(list.embeds);
    assert.match(listed, /Silences \(1\)/);
    assert.match(listed, /`resource\.memory` until <t:\d+:R> by <@\d+>/);
    const refired = events('alert_fired')
      .filter((d) => d.key === 'resource.memory')
      .at(-1);
    assert.equal(refired?.silenced, true, 'the alert fires under the silence');
    await sleep(1_500);
    assert.equal(
      emulator.messages(ops()).filter((m, i) => i >= posted && m.reply_to === null).length,
      0,
      'nothing new in the ops channel',
    );
    second.kill('SIGTERM');
    assert.equal((await second.exit).code, 0);

    // Run 3, where memory never crosses its threshold: the alert that fired before the
    // restart is resolved in its own message once it has not come back; quietly, since
    // the silence (still in force) keeps replies out of the channel.
    const thirdIdentifies = emulator.gatewayStats().identifies;
    const third = start(
      { ...env, RESOURCE_MEMORY_WARNING_MB: '500000', RESOURCE_MEMORY_CRITICAL_MB: '1000000' },
      dir,
    );
    await connected(thirdIdentifies);
    await until(
      () => embedsOf(emulator.message(alert.id))[0]?.color === GREEN,
      30_000,
      'the old alert resolved',
    );
    assert.deepEqual(emulator.message(alert.id)?.components, []);
    assert.match(embedsOf(emulator.message(alert.id))[0]?.description ?? '', /Resolved after/);
    await sleep(1_000);
    assert.equal(emulator.messages(ops()).filter((m) => m.reply_to === alert.id).length, 0);
    assert.ok(
      events('alert_resolved').some(
        (d) => d.key === 'resource.memory' && d.reason === 'not_seen_since_restart',
      ),
    );
    third.kill('SIGTERM');
    assert.equal((await third.exit).code, 0);
  });
});
