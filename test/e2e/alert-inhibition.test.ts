import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResourceSample, ResourceSampler } from '../../src/core/index.ts';
import type { EmulatedMessage } from '../support/emulator/index.ts';
import { readJsonLines } from '../support/log-schema.ts';
import { startRunningBot } from '../support/running-bot.ts';
import { sleep, until } from '../support/until.ts';

type Embed = {
  title?: string;
  description?: string;
  color?: number;
  fields?: { name: string; value: string }[];
};

const GREEN = 0x2ecc71;
const embedsOf = (m: EmulatedMessage | undefined): Embed[] => (m?.embeds ?? []) as Embed[];
const detailOf = (l: Record<string, unknown>) => l.detail as Record<string, unknown>;

/** Waits `ms`, or less when the signal aborts. */
const pause = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

test('a gateway outage sends one alert, naming what it holds back, not a cascade', async () => {
  const run = await startRunningBot({
    emulator: { heartbeatIntervalMs: 1_000 },
    env: {
      ALERT_GATEWAY_GRACE_MS: '1000',
      OBS_HEALTHCHECK_INTERVAL_MS: '1000',
      // What follows from the outage here is the task's silence (its no-data alert); its
      // flapping health is kept out of the way, as are resource alerts.
      ALERT_CONSECUTIVE_SAMPLES: '100',
      // A held-back alert still firing this long (plus two health-check intervals) after
      // the gateway is back is posted; the task beats again well before.
      ALERT_HEALTHY_FOR_MS: '10000',
      ALERT_GROUP_WAIT_MS: '500',
      OBS_TASK_GRACE_MS: '1000',
    },
  });
  try {
    const { manager } = run.bot;
    const ops = run.emulator.ids.opsChannelId;
    // A task that needs the gateway (it says so by its name): it stops beating while the gateway is down.
    manager.tasks.register({
      name: 'discord_relay',
      loop: true,
      heartbeatMs: 300,
      graceMs: 200,
      staleAfterMs: 1_000,
      async run({ signal, heartbeat }) {
        while (!signal.aborted) {
          if (manager.gateway.snapshot().status === 'ready') heartbeat();
          await pause(100, signal);
        }
      },
    });
    await sleep(1_500);
    const before = run.emulator.messages(ops).length;

    // The gateway goes down for about five seconds: a fresh IDENTIFY whose READY comes late.
    run.emulator.delayNextIdentify(5_000);
    run.emulator.invalidateSession();
    const gatewayMessage = await until(
      () =>
        run.emulator
          .messages(ops)
          .slice(before)
          .find((m) => embedsOf(m).some((e) => e.description?.includes('`gateway`'))),
      10_000,
      'the gateway alert',
    );
    // What follows from the outage fires too (the task stops beating: no data from it), but
    // is held back and named in the gateway alert.
    const named = await until(
      () => {
        const field = embedsOf(run.emulator.message(gatewayMessage.id))[0]?.fields?.find(
          (f) => f.name === 'Holding back',
        );
        return field?.value.includes('`nodata.task.discord_relay`') ? field : undefined;
      },
      10_000,
      'the held-back alert named in the gateway alert',
    );
    assert.match(named.value, /logged, not posted/);
    run.bot.logging.flushSync();
    const held = readJsonLines(run.logFile).filter(
      (l) => l.event === 'alert_fired' && detailOf(l).inhibited_by === 'gateway',
    );
    assert.ok(
      held.some((l) => detailOf(l).key === 'nodata.task.discord_relay'),
      'the held-back alert is still in the log, marked with what held it back',
    );

    // Back up: the gateway alert resolves (edited green, a reply), and the held-back alerts
    // clear by themselves within the grace, never posted.
    await until(() => manager.gateway.snapshot().status === 'ready', 15_000, 'the gateway back');
    await until(
      () => embedsOf(run.emulator.message(gatewayMessage.id))[0]?.color === GREEN,
      10_000,
      'the gateway alert resolved',
    );
    await until(
      () => !manager.alerts.isFiring('nodata.task.discord_relay'),
      10_000,
      'the task beating again',
    );
    await sleep(3_000);
    const during = run.emulator.messages(ops).slice(before);
    const alertMessages = during.filter((m) => m.reply_to === null);
    assert.deepEqual(
      alertMessages.map((m) => m.id),
      [gatewayMessage.id],
      `one alert message for the outage, got: ${JSON.stringify(alertMessages.map((m) => embedsOf(m).map((e) => e.title)))}`,
    );
    assert.equal(embedsOf(alertMessages[0])[0]?.title, '✅ Discord gateway down');
    const replies = during.filter((m) => m.reply_to === gatewayMessage.id);
    assert.equal(replies.length, 1);
    assert.match(replies[0]?.content ?? '', /Discord gateway down\*\* resolved after/);
  } finally {
    await run.close();
  }
});

/** A sampler that answers with plain figures until told to stop answering at all. */
function stoppableSampler(): { sampler: ResourceSampler; kill(): void } {
  let dead = false;
  const sample = (): ResourceSample => ({
    at: new Date().toISOString(),
    rss_bytes: 100 * 1024 * 1024,
    heap_used_bytes: 50 * 1024 * 1024,
    heap_total_bytes: 80 * 1024 * 1024,
    cpu_percent: 1,
    event_loop_lag_ms: { mean: 1, p99: 1, max: 1 },
    open_files: 10,
    threads: 5,
  });
  return {
    sampler: {
      sample: () => (dead ? new Promise<ResourceSample>(() => {}) : Promise.resolve(sample())),
      lastSampleCostMs: 0,
      close() {},
    },
    kill() {
      dead = true;
    },
  };
}

test('a dead sampler raises a no-data alert instead of going quiet', async () => {
  const { sampler, kill } = stoppableSampler();
  const run = await startRunningBot({
    resourceSampler: sampler,
    env: {
      RESOURCE_SAMPLE_INTERVAL_MS: '200',
      OBS_TASK_GRACE_MS: '1000',
      OBS_HEALTHCHECK_INTERVAL_MS: '1000',
      ALERT_GROUP_WAIT_MS: '500',
    },
  });
  try {
    const ops = run.emulator.ids.opsChannelId;
    await sleep(1_000);
    assert.ok(!run.bot.manager.alerts.isFiring('nodata.task.resource_sampler'));
    const before = run.emulator.messages(ops).length;
    kill();
    const message = await until(
      () =>
        run.emulator
          .messages(ops)
          .slice(before)
          .find((m) => embedsOf(m).some((e) => /No resource data/.test(e.title ?? ''))),
      10_000,
      'the no-data alert',
    );
    const embed = embedsOf(message).find((e) => /No resource data/.test(e.title ?? ''));
    assert.match(embed?.description ?? '', /`nodata\.task\.resource_sampler`/);
    const fields = Object.fromEntries((embed?.fields ?? []).map((f) => [f.name, f.value]));
    assert.match(fields.Value ?? '', /last sample \d+(\.\d+)?s ago/);
    assert.match(fields.Threshold ?? '', /expected within 1s/);
    run.bot.logging.flushSync();
    const fired = readJsonLines(run.logFile).filter(
      (l) => l.event === 'alert_fired' && detailOf(l).key === 'nodata.task.resource_sampler',
    );
    assert.equal(fired.length, 1);
    // The stale sampler task says the same thing: held back behind the no-data alert, not a second message.
    await sleep(3_000);
    const titles = run.emulator
      .messages(ops)
      .slice(before)
      .filter((m) => m.reply_to === null)
      .flatMap((m) => embedsOf(m).map((e) => e.title));
    assert.deepEqual(titles, [embed?.title], `one alert, got ${JSON.stringify(titles)}`);
  } finally {
    await run.close();
  }
});
