import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EmulatedMessage } from '../support/emulator/index.ts';
import { readJsonLines } from '../support/log-schema.ts';
import { type RunningBot, startRunningBot } from '../support/running-bot.ts';
import { sleep, until } from '../support/until.ts';

type Embed = {
  title?: string;
  description?: string;
  color?: number;
  fields?: { name: string; value: string }[];
};
type Button = { type: number; custom_id: string; label: string; disabled?: boolean };

const GREEN = 0x2ecc71;
/** The shortest repeat interval the configuration takes. */
const REPEAT_MS = 10_000;

const embedsOf = (m: EmulatedMessage | undefined): Embed[] => (m?.embeds ?? []) as Embed[];
const buttonsOf = (m: EmulatedMessage | undefined): Button[] =>
  (m?.components ?? []).flatMap((row) => (row as { components: Button[] }).components);

describe('acting on an alert where it appears: the buttons of an alert message', () => {
  let run: RunningBot;
  let ops: string;
  const events = (event: string) => {
    run.bot.logging.flushSync();
    return readJsonLines(run.logFile)
      .filter((l) => l.event === event)
      .map((l) => ({ ...l, detail: l.detail as Record<string, unknown> }));
  };
  /** The message of the ops channel that shows alert `title`, as it is now. */
  const alertMessage = (title: string) =>
    until(
      () => run.emulator.messages(ops).find((m) => embedsOf(m).some((e) => e.title?.includes(title))),
      10_000,
      `the message of ${title}`,
    );
  const repliesTo = (id: string) => run.emulator.messages(ops).filter((m) => m.reply_to === id);
  const press = (user: 'admin' | 'member', messageId: string, customId: string) =>
    run.emulator.invokeComponent({ user, messageId, customId }).settled(10_000);

  before(async () => {
    run = await startRunningBot({
      env: { ALERT_REPEAT_INTERVAL_MS: String(REPEAT_MS), ALERT_GROUP_WAIT_MS: '500' },
    });
    await run.emulator.waitForGateway();
    ops = run.emulator.ids.opsChannelId;
  });
  after(() => run.close());

  it('a firing alert is posted once, with Acknowledge, Silence 1h and Silence 1d', async () => {
    run.bot.manager.alerts.raise('e2e.acked', { severity: 'critical', title: 'Acked drill' });
    const message = await alertMessage('Acked drill');
    assert.deepEqual(
      buttonsOf(message).map((b) => [b.custom_id, b.label]),
      [
        ['ops:alert:ack', 'Acknowledge'],
        ['ops:alert:silence:1h', 'Silence 1h'],
        ['ops:alert:silence:1d', 'Silence 1d'],
      ],
    );
    assert.deepEqual(message.allowed_mentions, { parse: [] });
  });

  it("a plain member's press is refused, ephemerally, logged, and changes nothing", async () => {
    const message = await alertMessage('Acked drill');
    const before = run.emulator.messageVersions(message.id).length;
    const answer = await press('member', message.id, 'ops:alert:ack');
    assert.equal(answer.ephemeral, true);
    assert.match(JSON.stringify(answer.embeds), /Not allowed/);
    assert.ok(answer.ackMs !== null && answer.ackMs < 3_000);
    const [refused] = events('component_refused');
    assert.equal(refused?.detail.user_id, run.emulator.ids.memberUserId);
    assert.equal(refused?.detail.reason, 'not_admin');
    assert.equal(refused?.detail.component, 'alert_ack');
    await sleep(300);
    assert.equal(run.emulator.messageVersions(message.id).length, before, 'the message is untouched');
    assert.equal(events('alert_acknowledged').length, 0);
  });

  it('an admin presses Acknowledge: told so alone, and the message says who and when for everyone', async () => {
    const message = await alertMessage('Acked drill');
    const answer = await press('admin', message.id, 'ops:alert:ack');
    assert.equal(answer.ephemeral, true);
    assert.match(JSON.stringify(answer.embeds), /You acknowledged `e2e\.acked`/);
    assert.ok(answer.ackMs !== null && answer.ackMs < 3_000, `acknowledged in ${answer.ackMs} ms`);
    const edited = await until(
      () => {
        const now = run.emulator.message(message.id);
        return embedsOf(now)[0]?.fields?.some((f) => f.name === 'Acknowledged') ? now : undefined;
      },
      8_000,
      'the acknowledgement on the message',
    );
    const field = embedsOf(edited)[0]?.fields?.find((f) => f.name === 'Acknowledged');
    assert.match(field?.value ?? '', new RegExp(`by <@${run.emulator.ids.adminUserId}> at <t:\\d+:f>`));
    const ack = buttonsOf(edited).find((b) => b.custom_id === 'ops:alert:ack');
    assert.equal(ack?.label, 'Acknowledged');
    assert.equal(ack?.disabled, true);
    const [logged] = events('alert_acknowledged');
    assert.equal(logged?.detail.by, run.emulator.ids.adminUserId);
    assert.equal(logged?.detail.key, 'e2e.acked');
    // Pressed again: nothing new.
    const again = await press('admin', message.id, 'ops:alert:ack');
    assert.match(JSON.stringify(again.embeds), /already acknowledged/);
  });

  it('Silence 1h: the same as /alerts silence, posted to the channel with who did it', async () => {
    run.bot.manager.alerts.raise('e2e.silenced', { severity: 'warning', title: 'Silenced drill' });
    const message = await alertMessage('Silenced drill');
    const answer = await press('admin', message.id, 'ops:alert:silence:1h');
    assert.equal(answer.ephemeral, true);
    assert.match(JSON.stringify(answer.embeds), /`e2e\.silenced` silenced for 1h/);
    const notice = await until(
      () =>
        run.emulator
          .messages(ops)
          .flatMap(embedsOf)
          .find((e) => e.title === '🔕 Alerts silenced' && e.description?.includes('e2e.silenced')),
      8_000,
      'the silence notice',
    );
    assert.ok(notice.description?.includes(`<@${run.emulator.ids.adminUserId}> silenced \`e2e.silenced\``));
    await until(
      () => embedsOf(run.emulator.message(message.id))[0]?.fields?.some((f) => f.name === 'Silenced'),
      8_000,
      'the message says it is silenced',
    );
    const view = run.bot.manager.alerts.view();
    const silence = view.silences.find((s) => s.key === 'e2e.silenced');
    assert.ok(silence);
    const runsFor = Date.parse(silence.until) - Date.parse(silence.created_at);
    assert.equal(runsFor, 3_600_000);
    assert.equal(silence.created_by, run.emulator.ids.adminUserId);
  });

  it('the reminders stop for the acknowledged and the silenced alert, and go on for one left alone', async () => {
    run.bot.manager.alerts.raise('e2e.ignored', { severity: 'warning', title: 'Ignored drill' });
    const ignored = await alertMessage('Ignored drill');
    const acked = await alertMessage('Acked drill');
    const silenced = await alertMessage('Silenced drill');
    // Past one repeat interval of every one of them.
    await until(
      () => repliesTo(ignored.id).some((m) => /still firing/.test(m.content)),
      REPEAT_MS + 8_000,
      'the reminder of the alert nobody handled',
    );
    await sleep(2_000);
    assert.equal(repliesTo(acked.id).length, 0, 'no reminder for the acknowledged alert');
    assert.equal(repliesTo(silenced.id).length, 0, 'no reminder for the silenced alert');
    const reminder = repliesTo(ignored.id)[0];
    assert.match(reminder?.content ?? '', /🔁 \*\*Ignored drill\*\* still firing after \d+s/);
    assert.equal(reminder?.embeds.length, 0, 'a short reply, not the whole embed again');
    const logged = events('alert_reminder').map((l) => l.detail.key);
    assert.ok(logged.includes('e2e.ignored'));
    assert.ok(!logged.includes('e2e.acked'), 'an acknowledged alert is not reminded of, even in the log');
  });

  it('a resolve edits the original message (green, how long, buttons gone) and a short reply says so', async () => {
    const message = await alertMessage('Acked drill');
    run.bot.manager.alerts.clear('e2e.acked');
    const resolved = await until(
      () => {
        const now = run.emulator.message(message.id);
        return embedsOf(now)[0]?.color === GREEN ? now : undefined;
      },
      8_000,
      'the message turned green',
    );
    const embed = embedsOf(resolved)[0];
    assert.match(embed?.description ?? '', /Resolved after \d+s · `e2e\.acked`/);
    assert.ok(embed?.fields?.some((f) => f.name === 'Lasted'));
    assert.ok(
      embed?.fields?.some((f) => f.name === 'Acknowledged'),
      'who handled it stays on the record',
    );
    assert.deepEqual(resolved.components, []);
    const reply = await until(
      () => repliesTo(message.id).find((m) => /resolved after/.test(m.content)),
      8_000,
      'the recovery reply',
    );
    assert.match(reply.content, /✅ \*\*Acked drill\*\* resolved after \d+s\./);
    const titled = run.emulator
      .messages(ops)
      .filter((m) => embedsOf(m).some((e) => e.title?.includes('Acked drill')));
    assert.equal(titled.length, 1, 'one message for the whole episode');
  });

  it('a press on an alert that has since resolved says so', async () => {
    const message = await alertMessage('Acked drill');
    const answer = await press('admin', message.id, 'ops:alert:silence:1d');
    assert.equal(answer.ephemeral, true);
    assert.match(JSON.stringify(answer.embeds), /`e2e\.acked` resolved since this was posted/);
    assert.ok(!run.bot.manager.alerts.view().silences.some((s) => s.key === 'e2e.acked'));
  });
});

describe('grouping: alerts that fire within the group window go out as one message', () => {
  let run: RunningBot;
  before(async () => {
    run = await startRunningBot({ env: { ALERT_GROUP_WAIT_MS: '1500' } });
    await run.emulator.waitForGateway();
  });
  after(() => run.close());

  it('three alerts within the window: one message listing them, one row of buttons; a later one: its own', async () => {
    const ops = run.emulator.ids.opsChannelId;
    const before = run.emulator.messages(ops).length;
    const alerts = run.bot.manager.alerts;
    alerts.raise('e2e.group.a', { severity: 'warning', title: 'Group drill A' });
    await sleep(400);
    alerts.raise('e2e.group.b', { severity: 'critical', title: 'Group drill B' });
    await sleep(400);
    alerts.raise('e2e.group.c', { severity: 'warning', title: 'Group drill C' });
    const [message] = (await run.emulator.waitForMessages(ops, before + 1, 8_000)).slice(before);
    await sleep(1_000);
    assert.equal(run.emulator.messages(ops).length, before + 1, 'one message');
    const titles = embedsOf(message).map((e) => e.title ?? '');
    assert.deepEqual(
      titles.map((t) => /Group drill (\w)/.exec(t)?.[1]).sort(),
      ['A', 'B', 'C'],
      titles.join(' | '),
    );
    assert.equal(message?.components.length, 1, 'one row of buttons for the message');

    alerts.raise('e2e.group.d', { severity: 'warning', title: 'Group drill D' });
    const later = (await run.emulator.waitForMessages(ops, before + 2, 8_000)).at(-1);
    assert.deepEqual(
      embedsOf(later).map((e) => e.title),
      ['⚠️ Group drill D'],
    );

    // A press on the group message acknowledges the three at once; one of them resolving edits only its embed.
    const answer = await run.emulator
      .invokeComponent({ user: 'admin', messageId: message?.id ?? '', customId: 'ops:alert:ack' })
      .settled(10_000);
    assert.match(JSON.stringify(answer.embeds), /You acknowledged/);
    assert.deepEqual(
      [...(run.bot.manager.alerts.episodesOfMessage(message?.id ?? '') ?? [])]
        .map((e) => [e.key, e.acknowledged?.by])
        .sort(),
      [
        ['e2e.group.a', run.emulator.ids.adminUserId],
        ['e2e.group.b', run.emulator.ids.adminUserId],
        ['e2e.group.c', run.emulator.ids.adminUserId],
      ],
    );
    alerts.clear('e2e.group.b');
    const edited = await until(
      () => {
        const now = run.emulator.message(message?.id ?? '');
        return embedsOf(now).some((e) => e.color === GREEN) ? now : undefined;
      },
      8_000,
      'the resolved embed in the group message',
    );
    const colours = embedsOf(edited).map((e) => [
      /Group drill (\w)/.exec(e.title ?? '')?.[1],
      e.color === GREEN,
    ]);
    assert.deepEqual(
      colours.find(([letter]) => letter === 'B'),
      ['B', true],
    );
    assert.equal(colours.filter(([, green]) => green).length, 1, 'only B is resolved');
    assert.equal(edited.components.length, 1, 'the buttons stay while the others fire');
  });
});
