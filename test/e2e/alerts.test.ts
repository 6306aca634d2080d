import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readJsonLines } from '../support/log-schema.ts';
import { startRunningBot } from '../support/running-bot.ts';
import { sleep, until } from '../support/until.ts';

const AMBER = 0xf1c40f;
const GREEN = 0x2ecc71;

/** Fast sampling, one sample to fire or clear, and CPU/lag alerts out of the way unless a test wants them. */
const FAST = {
  RESOURCE_SAMPLE_INTERVAL_MS: '100',
  ALERT_CONSECUTIVE_SAMPLES: '1',
  RESOURCE_CPU_WARNING_PERCENT: '6000',
  RESOURCE_CPU_CRITICAL_PERCENT: '6400',
  RESOURCE_EVENT_LOOP_LAG_WARNING_MS: '100000',
  RESOURCE_EVENT_LOOP_LAG_CRITICAL_MS: '200000',
} as const;

type Embed = {
  title?: string;
  description?: string;
  color?: number;
  fields?: { name: string; value: string }[];
};

const events = (file: string, event: string) => readJsonLines(file).filter((l) => l.event === event);

test('memory above the warning level: one amber alert in the ops channel, not one per sample', async () => {
  const run = await startRunningBot({
    env: { ...FAST, RESOURCE_MEMORY_WARNING_MB: '1', RESOURCE_MEMORY_CRITICAL_MB: '1000000' },
  });
  try {
    const ops = run.emulator.ids.opsChannelId;
    const [first] = await run.emulator.waitForMessages(ops, 1, 8_000);
    // About twenty more samples, all still above the level.
    await sleep(2_000);
    const messages = run.emulator.messages(ops);
    assert.equal(messages.length, 1, `one message, got ${messages.length}`);
    assert.ok(first);
    assert.deepEqual(first.allowed_mentions, { parse: [] });
    const embeds = first.embeds as Embed[];
    assert.equal(embeds.length, 1);
    const embed = embeds[0] as Embed;
    assert.equal(embed.color, AMBER);
    assert.match(embed.title ?? '', /memory/i);
    const fields = Object.fromEntries((embed.fields ?? []).map((f) => [f.name, f.value]));
    assert.match(fields.Value ?? '', /\d/, 'the current value is shown');
    assert.match(fields.Threshold ?? '', /\b1(\.0)?\s?MB\b/i, `threshold shown: ${fields.Threshold}`);

    const fired = events(run.logFile, 'alert_fired');
    assert.equal(fired.length, 1, 'one alert_fired in the JSON log');
    assert.equal(fired[0]?.subsys, 'alerts');
  } finally {
    await run.close();
  }
});

test('an event-loop stall fires once; its recovery edits the same message green and a short reply says so', async () => {
  const run = await startRunningBot({
    env: {
      ...FAST,
      RESOURCE_EVENT_LOOP_LAG_WARNING_MS: '600',
      RESOURCE_EVENT_LOOP_LAG_CRITICAL_MS: '100000',
      // No group window: the alert is posted before its recovery, a sample later, comes.
      ALERT_GROUP_WAIT_MS: '0',
    },
  });
  try {
    const ops = run.emulator.ids.opsChannelId;
    // A real stall of the bot's own event loop.
    const end = Date.now() + 1_200;
    while (Date.now() < end) {}
    await until(() => events(run.logFile, 'alert_resolved').length > 0, 5_000, 'alert_resolved');
    const isLag = (m: { embeds: readonly unknown[] }) =>
      (m.embeds as Embed[]).some((e) => /event loop/i.test(e.title ?? ''));
    await until(
      () => run.emulator.messages(ops).some((m) => isLag(m) && (m.embeds as Embed[])[0]?.color === GREEN),
      5_000,
      'the alert message turned green',
    );
    await until(
      () => run.emulator.messages(ops).some((m) => m.reply_to !== null && /resolved after/.test(m.content)),
      5_000,
      'the recovery reply',
    );
    await sleep(1_000);
    const messages = run.emulator.messages(ops);
    const lag = messages.filter(isLag);
    assert.equal(lag.length, 1, 'one message for the episode');
    const [alert] = lag;
    assert.ok(alert);
    const versions = run.emulator.messageVersions(alert.id).map((v) => (v.embeds as Embed[])[0]?.color);
    assert.equal(versions[0], AMBER, 'posted amber');
    assert.equal(versions.at(-1), GREEN, 'edited green');
    assert.match((alert.embeds as Embed[])[0]?.description ?? '', /Resolved after/);
    assert.deepEqual(alert.components, [], 'its buttons are gone once resolved');
    const replies = messages.filter((m) => m.reply_to === alert.id);
    assert.equal(replies.length, 1, 'recovery announced once');
    assert.match(replies[0]?.content ?? '', /✅ \*\*Event loop lag\*\* resolved after/);
    assert.deepEqual(replies[0]?.allowed_mentions, { parse: [] });
    assert.equal(events(run.logFile, 'alert_resolved').length, 1);
  } finally {
    await run.close();
  }
});

for (const global of [false, true]) {
  test(`a ${global ? 'global' : 'bucket'} 429 on the ops channel is waited out and the alert arrives`, async () => {
    const run = await startRunningBot({ env: FAST });
    try {
      const ops = run.emulator.ids.opsChannelId;
      const route = `POST /channels/${ops}/messages`;
      run.emulator.failNext(route, { status: 429, retryAfterSec: 1, global });
      run.bot.manager.alerts.raise('e2e.rate_limited', { severity: 'critical', title: 'Rate limit drill' });
      const [message] = await run.emulator.waitForMessages(ops, 1, 8_000);
      assert.match(JSON.stringify(message?.embeds), /Rate limit drill/);
      const posts = run.emulator.requestLog().filter((r) => `${r.method} ${r.path}` === route);
      assert.deepEqual(
        posts.map((r) => r.status),
        [429, 200],
      );
      const [limited, delivered] = posts as unknown as [{ at: number }, { at: number }];
      assert.ok(
        delivered.at - limited.at >= 900,
        `waited ${delivered.at - limited.at} ms of a 1 s Retry-After`,
      );
    } finally {
      await run.close();
    }
  });
}
