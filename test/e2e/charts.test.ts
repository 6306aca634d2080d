import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ChartModuleNames, DEFAULT_CHART_MODULES } from '../../src/discord/index.ts';
import { assertEmbedLimits } from '../support/embed-limits.ts';
import type { Json } from '../support/emulator/index.ts';
import { readJsonLines } from '../support/log-schema.ts';
import { assertPng } from '../support/png.ts';
import { type RunningBot, startRunningBot } from '../support/running-bot.ts';
import { until } from '../support/until.ts';

const imageOf = (embed: Json | undefined): unknown => (embed?.image as { url?: unknown } | undefined)?.url;

/** The sparkline fields stay for screen readers and clients that load no images. */
function assertTextViews(embeds: readonly Json[], expect: RegExp): void {
  assertEmbedLimits(embeds);
  assert.match(JSON.stringify(embeds), expect);
}

async function sampled(running: RunningBot): Promise<void> {
  await running.emulator.waitForGateway();
  await until(
    () => running.bot.manager.ops.resources().history.length >= 3,
    10_000,
    'three resource samples',
  );
}

describe('charts: /resources, /startup and resource alerts carry a PNG the embed shows', () => {
  let running: RunningBot;
  before(async () => {
    running = await startRunningBot({
      env: {
        RESOURCE_SAMPLE_INTERVAL_MS: '200',
        // A lag alert the test can cause on purpose by blocking the loop.
        RESOURCE_EVENT_LOOP_LAG_WARNING_MS: '60',
        RESOURCE_EVENT_LOOP_LAG_CRITICAL_MS: '5000',
        // The first render is cold, and four test files at once on 2 cores once took it past
        // the 2 s default; this suite is about what a chart shows. The budget has its own tests
        // (test/charts/chart-renderer.test.ts).
        OBS_CHART_TIMEOUT_MS: '10000',
      },
    });
    await sampled(running);
    await until(() => running.bot.charts?.available, 30_000, 'the chart worker');
  });
  after(() => running.close());

  for (const window of [undefined, '15m', 'all'] as const) {
    it(`/resources${window === undefined ? '' : ` window:${window}`}: one PNG attached and shown, text fields kept`, async () => {
      const answer = await running.emulator
        .invokeCommand({
          name: 'resources',
          user: 'admin',
          ...(window === undefined ? {} : { options: { window } }),
        })
        .settled(10_000);
      assert.ok(answer.ackMs !== null && answer.ackMs < 3_000);
      assert.deepEqual(answer.rejections, []);
      assert.equal(answer.ephemeral, true);
      assert.equal(answer.attachments.length, 1);
      const [file] = answer.attachments;
      assert.equal(file?.filename, 'resources.png');
      assert.equal(file?.content_type, 'image/png');
      assert.match(file?.description ?? '', /memory, CPU and event-loop lag/);
      assertPng(file?.data ?? new Uint8Array(), { width: 960, height: 882 });
      assert.equal(imageOf(answer.embeds[0]), 'attachment://resources.png');
      assertTextViews(answer.embeds, /Memory \(RSS\)[\s\S]*```/);
    });
  }

  it('/startup: the waterfall as a PNG beside the text waterfall', async () => {
    const answer = await running.emulator.invokeCommand({ name: 'startup', user: 'admin' }).settled(10_000);
    assert.equal(answer.attachments.length, 1);
    const [file] = answer.attachments;
    assert.equal(file?.filename, 'startup.png');
    const size = assertPng(file?.data ?? new Uint8Array());
    assert.equal(size.width, 960);
    assert.equal(imageOf(answer.embeds[0]), 'attachment://startup.png');
    assertTextViews(answer.embeds, /discord_gateway[\s\S]*```/);
  });

  it('a resource alert reaches the ops channel with a chart of its metric', async () => {
    const ops = running.emulator.ids.opsChannelId;
    const charted = () =>
      running.emulator.messages(ops).flatMap((m) =>
        m.embeds.flatMap((e) => {
          const url = imageOf(e);
          const text = JSON.stringify(e);
          return typeof url === 'string' &&
            // The alert's own message, firing or already edited to its resolved state.
            text.includes('resource.event_loop_lag')
            ? [{ message: m, name: url.replace('attachment://', '') }]
            : [];
        }),
      );
    // Sample windows with the loop blocked past the 60 ms warning make the lag alert fire
    // (on a loaded machine it may have fired already; its message carries the chart as well).
    // The probe ticks every 100 ms and reads a stall short by up to that much, so each block
    // lasts 250 ms and reads at least 150 ms. The alert wants two samples in a row over the
    // level, and the overdue sample runs as a block ends, so the blocks are 20 ms apart.
    for (let round = 0; round < 3 && charted().length === 0; round++) {
      for (let i = 0; i < 4; i++) {
        const end = performance.now() + 250;
        while (performance.now() < end) {
          // busy on purpose
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await until(() => charted().length > 0, 4_000, 'a charted lag alert').catch(() => undefined);
    }
    const [found] = charted();
    assert.ok(found, 'the lag alert was posted with an image');
    assert.match(found.name, /alert-event_loop_lag\.png$/);
    const file = found.message.attachments.find((a) => a.filename === found.name);
    assert.ok(file, `the message carries ${found.name}`);
    assert.equal(file.content_type, 'image/png');
    assertPng(file.data, { width: 840, height: 375 });
  });

  it('renders in the worker: each chart is logged with its time and size, none failed', () => {
    running.bot.logging.flushSync();
    const lines = readJsonLines(running.logFile);
    const ready = lines.filter((l) => l.event === 'charts_ready');
    assert.equal(ready.length, 1);
    assert.equal(ready[0]?.subsys, 'charts');
    const rendered = lines.filter((l) => l.event === 'chart_rendered');
    const kinds = new Set(rendered.map((l) => (l.detail as { kind: string }).kind));
    assert.deepEqual([...kinds].sort(), ['resource_alert', 'resources', 'startup']);
    for (const l of rendered) assert.ok((l.detail as { bytes: number }).bytes < 200 * 1024);
    assert.deepEqual(
      lines.filter((l) => /^chart_render_(failed|timeout|skipped)$/.test(String(l.event))),
      [],
    );
  });
});

/** Runs the bot with the given chart packages and checks the commands still answer with text. */
async function withCharts(
  modules: ChartModuleNames,
  check: (running: RunningBot) => Promise<void>,
): Promise<void> {
  const running = await startRunningBot({
    env: { RESOURCE_SAMPLE_INTERVAL_MS: '200' },
    chartModules: modules,
  });
  try {
    await sampled(running);
    await check(running);
  } finally {
    await running.close();
  }
}

describe('charts are an addition, never a dependency of a reply', () => {
  it('with the canvas package missing, the start says so once and the commands answer with text', async () => {
    await withCharts(
      { ...DEFAULT_CHART_MODULES, canvas: '@napi-rs/canvas-not-installed' },
      async (running) => {
        await until(() => running.bot.charts?.state === 'unavailable', 30_000, 'charts found unavailable');
        for (const [name, expect] of [
          ['resources', /Memory \(RSS\)/],
          ['startup', /discord_gateway/],
          ['resources', /Memory \(RSS\)/],
        ] as const) {
          const answer = await running.emulator.invokeCommand({ name, user: 'admin' }).settled(10_000);
          assert.equal(answer.deferred, false, 'nothing to wait for: answered at once');
          assert.deepEqual(answer.attachments, []);
          assert.equal(imageOf(answer.embeds[0]), undefined);
          assertTextViews(answer.embeds, expect);
        }
        running.bot.logging.flushSync();
        const lines = readJsonLines(running.logFile);
        const off = lines.filter((l) => l.event === 'charts_unavailable');
        assert.equal(off.length, 1, 'said once');
        assert.equal(off[0]?.level, 'WARNING');
        assert.match(String(off[0]?.msg), /canvas-not-installed/);
        assert.ok(
          lines.some((l) => l.event === 'startup_complete'),
          'the start went on',
        );
      },
    );
  });

  it('a render that throws leaves the command answering with its text, outcome ok', async () => {
    const broken = new URL('../fixtures/charts/broken-canvas.ts', import.meta.url).href;
    await withCharts({ ...DEFAULT_CHART_MODULES, canvas: broken }, async (running) => {
      await until(() => running.bot.charts?.available, 30_000, 'the chart worker');
      const answer = await running.emulator
        .invokeCommand({ name: 'resources', user: 'admin' })
        .settled(10_000);
      assert.deepEqual(answer.attachments, []);
      assert.equal(imageOf(answer.embeds[0]), undefined);
      assertTextViews(answer.embeds, /Memory \(RSS\)/);
      // The record follows the edit's answer, so it may land just after the emulator saw the edit.
      const lines = await until(
        () => {
          running.bot.logging.flushSync();
          const all = readJsonLines(running.logFile);
          const done = all.some(
            (l) =>
              l.event === 'command_invoked' && (l.detail as { command?: string }).command === 'resources',
          );
          return done ? all : undefined;
        },
        5_000,
        'the command_invoked record',
      );
      // (A lag alert on a loaded machine may have tried a chart too: only this command's counts.)
      const failed = lines.filter(
        (l) => l.event === 'chart_render_failed' && (l.detail as { kind?: string }).kind === 'resources',
      );
      assert.equal(failed.length, 1);
      assert.match(String(failed[0]?.msg), /broken canvas/);
      const invoked = lines.find(
        (l) => l.event === 'command_invoked' && (l.detail as { command?: string }).command === 'resources',
      );
      assert.equal((invoked?.detail as { outcome?: string } | undefined)?.outcome, 'ok');
    });
  });
});
