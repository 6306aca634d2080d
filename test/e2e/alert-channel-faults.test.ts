import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readJsonLines } from '../support/log-schema.ts';
import { startRunningBot } from '../support/running-bot.ts';
import { sleep, until } from '../support/until.ts';

const FAST = { RESOURCE_SAMPLE_INTERVAL_MS: '1000', ALERT_CONSECUTIVE_SAMPLES: '1' } as const;
const events = (file: string, event: string) => readJsonLines(file).filter((l) => l.event === event);

describe('an ops channel that is forbidden or gone', { concurrency: true }, () => {
  for (const fault of [
    { status: 403, code: 50013 },
    { status: 403, code: 50001 },
    { status: 404, code: 10003 },
  ]) {
    test(`${fault.status}/${fault.code}: logged once, ops_channel degraded, no retry storm, the bot still answers`, async () => {
      const run = await startRunningBot({ env: FAST });
      try {
        const ops = run.emulator.ids.opsChannelId;
        const route = `POST /channels/${ops}/messages`;
        run.emulator.failNext(route, fault, 1_000);
        // Several alerts over a few seconds, as a real incident would raise them.
        for (let i = 0; i < 4; i++) {
          run.bot.manager.alerts.raise(`e2e.alert_${i}`, { severity: 'critical', title: `Drill ${i}` });
          await sleep(700);
        }
        await until(() => events(run.logFile, 'alert_channel_unavailable').length > 0, 5_000, 'unavailable');
        await sleep(500);
        const posts = run.emulator.requestLog().filter((r) => `${r.method} ${r.path}` === route);
        assert.equal(posts.length, 1, `one attempt, then a long pause (got ${posts.length})`);
        assert.equal(events(run.logFile, 'alert_channel_unavailable').length, 1);
        const fired = events(run.logFile, 'alert_fired').map((l) => (l.detail as { key: string }).key);
        for (let i = 0; i < 4; i++) assert.ok(fired.includes(`e2e.alert_${i}`), `alert ${i} is in the log`);
        const component = run.bot.manager.healthSnapshot().components.find((c) => c.name === 'ops_channel');
        assert.equal(component?.state, 'degraded');
        assert.match(component?.note ?? '', new RegExp(String(fault.code)));

        const reply = await run.emulator.invokeCommand({ name: 'health', user: 'admin' }).settled(5_000);
        assert.ok(reply.ephemeral);
        assert.ok(reply.embeds.length > 0, '/health still answers');
      } finally {
        await run.close();
      }
    });
  }
});

test('5xx on alerts and on replies are retried within bounds and nothing crashes', async () => {
  const run = await startRunningBot({ env: FAST });
  try {
    const ops = run.emulator.ids.opsChannelId;
    const route = `POST /channels/${ops}/messages`;
    run.emulator.failNext(route, { status: 502 }, 2);
    run.emulator.failNext(
      (r) => r.method === 'POST' && /^\/interactions\/.*\/callback$/.test(r.path),
      { status: 500 },
      1,
    );
    run.bot.manager.alerts.raise('e2e.flaky', { severity: 'warning', title: 'Flaky upstream' });
    const reply = await run.emulator.invokeCommand({ name: 'health', user: 'admin' }).settled(8_000);
    assert.ok(reply.embeds.length > 0, 'the reply arrives after a 500');
    const [message] = await run.emulator.waitForMessages(ops, 1, 10_000);
    assert.match(JSON.stringify(message?.embeds), /Flaky upstream/);
    const posts = run.emulator.requestLog().filter((r) => `${r.method} ${r.path}` === route);
    assert.deepEqual(
      posts.map((r) => r.status),
      [502, 502, 200],
    );
    assert.ok(run.bot.manager.healthSnapshot().status !== 'not_ready');
  } finally {
    await run.close();
  }
});
