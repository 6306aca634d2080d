import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readJsonLines } from '../support/log-schema.ts';
import { type RunningBot, startRunningBot } from '../support/running-bot.ts';
import { until } from '../support/until.ts';

const DAY_S = 86_400;

type Embed = { title?: string; description?: string; color?: number };

const sub = (name: string, options: Record<string, string> = {}) => [
  { name, type: 1, options: Object.entries(options).map(([n, value]) => ({ name: n, type: 3, value })) },
];

describe('silences leave a trace in the ops channel', () => {
  let run: RunningBot;
  let ops: string;
  let admin: string;
  const embeds = (): Embed[] => run.emulator.messages(ops).flatMap((m) => m.embeds as Embed[]);
  const events = (event: string) => {
    run.bot.logging.flushSync();
    return readJsonLines(run.logFile).filter((l) => l.event === event);
  };

  before(async () => {
    run = await startRunningBot();
    await run.emulator.waitForGateway();
    ops = run.emulator.ids.opsChannelId;
    admin = run.emulator.ids.adminUserId;
  });
  after(() => run.close());

  it('/alerts silence key:* duration:30d: capped at 24 h, said in the reply and posted with who and until when', async () => {
    const asked = Math.floor(Date.now() / 1000);
    const answer = await run.emulator
      .invokeCommand({
        name: 'alerts',
        user: 'admin',
        options: sub('silence', { key: '*', duration: '30d' }),
      })
      .settled(10_000);
    const reply = JSON.stringify(answer.embeds);
    assert.match(reply, /Capped at 1d/, reply);
    assert.match(reply, /you asked for 30d/);

    const notice = await until(
      () => embeds().find((e) => e.title === '🔕 Alerts silenced'),
      8_000,
      'the silence notice in the ops channel',
    );
    const text = notice.description ?? '';
    assert.ok(text.includes(`<@${admin}> silenced \`*\` until <t:`), text);
    const end = Number(/until <t:(\d+):f>/.exec(text)?.[1]);
    assert.ok(Math.abs(end - (asked + DAY_S)) <= 5, `ends a day after it was asked (${end - asked} s)`);
    assert.match(text, /Capped at 1d: 30d was asked/);
    const message = run.emulator.messages(ops).find((m) => (m.embeds as Embed[]).includes(notice as never));
    assert.deepEqual(message?.allowed_mentions, { parse: [] }, 'the mention pings nobody');

    const [logged] = events('alert_silenced');
    const detail = logged?.detail as Record<string, unknown>;
    assert.equal(detail.by, admin);
    assert.equal(detail.key, '*');
    assert.equal(detail.capped, true);
    assert.equal(detail.duration_ms, DAY_S * 1000);
  });

  it('an alert raised under the silence stays out of the channel; lifting it posts who lifted it, then the alert', async () => {
    run.bot.manager.alerts.raise('e2e.hidden', { severity: 'critical', title: 'Hidden drill' });
    const answer = await run.emulator
      .invokeCommand({ name: 'alerts', user: 'admin', options: sub('unsilence', { key: '*' }) })
      .settled(10_000);
    assert.match(JSON.stringify(answer.embeds), /lifted/);

    await until(
      () => embeds().some((e) => /Hidden drill/.test(e.title ?? '')),
      8_000,
      'the hidden alert announced after the silence',
    );
    const all = embeds();
    const lifted = all.findIndex((e) => e.title === '🔔 Silence lifted');
    const drill = all.findIndex((e) => /Hidden drill/.test(e.title ?? ''));
    assert.ok(lifted >= 0, 'the lift is posted');
    assert.ok(lifted < drill, 'the notice comes first, then the alert it hid');
    assert.equal(
      all.filter((e) => /Hidden drill/.test(e.title ?? '')).length,
      1,
      'posted once, after the silence',
    );
    assert.ok(all[lifted]?.description?.includes(`<@${admin}> lifted the silence on \`*\``));
    assert.match(all[lifted]?.description ?? '', /1 alert it covered is still firing.*e2e\.hidden/);

    const [unsilenced] = events('alert_unsilenced');
    assert.equal((unsilenced?.detail as Record<string, unknown> | undefined)?.by, admin);
  });

  it('a silence that runs out is announced, and the alert still firing under it is said to be, in reply to its message', async () => {
    run.bot.manager.alerts.raise('e2e.expiring', { severity: 'warning', title: 'Expiring drill' });
    await until(() => embeds().some((e) => /Expiring drill/.test(e.title ?? '')), 8_000, 'the alert');
    const alert = run.emulator
      .messages(ops)
      .find((m) => (m.embeds as Embed[]).some((e) => /Expiring drill/.test(e.title ?? '')));
    assert.ok(alert);
    // Long enough for the edit to land inside it, behind the channel's budget of 4 messages
    // per 5 s, on a loaded machine too (6 s once ran out before the edit went out).
    run.bot.manager.alerts.silence('e2e.expiring', 12_000, admin);
    await until(
      () => run.emulator.messageVersions(alert.id).some((v) => JSON.stringify(v.embeds).includes('Silenced')),
      12_000,
      'the alert message says it is silenced',
    );
    const ended = await until(
      () => embeds().find((e) => e.title === '🔔 Silence ended' && e.description?.includes('e2e.expiring')),
      25_000,
      'the end of the silence in the ops channel',
    );
    assert.match(ended.description ?? '', /ran out at <t:\d+:f>/);
    const reply = await until(
      () =>
        run.emulator.messages(ops).find((m) => m.reply_to === alert.id && /Expiring drill/.test(m.content)),
      8_000,
      'a reply saying the alert still fires',
    );
    assert.match(reply.content, /still firing/);
    assert.equal(
      embeds().filter((e) => /Expiring drill/.test(e.title ?? '')).length,
      1,
      'one message for the episode, not a second embed',
    );
    await until(
      () => !JSON.stringify(run.emulator.message(alert.id)?.embeds).includes('Silenced'),
      8_000,
      'the message no longer says silenced',
    );
    assert.equal(events('alert_silence_expired').length, 1);
  });
});
