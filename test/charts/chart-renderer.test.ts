import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DEFAULT_CHART_MODULES } from '../../src/charts/chart-modules.ts';
import { type ChartRendererOptions, createChartRenderer } from '../../src/charts/chart-renderer.ts';
import { resourcesChartRequest } from '../../src/charts/chart-requests.ts';
import { TS_LOADER } from '../../src/typescript-runtime.ts';
import { CaptureLogger } from '../support/capture-logger.ts';
import { resourcesView, startupReport } from '../support/chart-data.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { assertPng } from '../support/png.ts';
import { until } from '../support/until.ts';

const NOW = Date.UTC(2024, 0, 15, 14, 30, 0);
const fixture = (name: string): string => new URL(`../fixtures/charts/${name}`, import.meta.url).href;

/** A process's state letter and parent pid from Linux's /proc; undefined once it is gone. */
function procStat(pid: number | string): { state: string; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state = '', ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state, ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}

const alive = (pid: number): boolean => (procStat(pid)?.state ?? 'Z') !== 'Z';

/** Every child of `parent`, zombies included: a process killed but not yet reaped is still one. */
function childPids(parent: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => procStat(pid)?.ppid === parent);
}

/** The live render processes whose parent is `parent`. */
function renderPids(parent: number): number[] {
  return childPids(parent)
    .filter((pid) => alive(pid))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('chart-worker.');
      } catch {
        return false; // gone between the listing and the read
      }
    });
}

/** This process's live render processes. */
const renderProcesses = (): number => renderPids(process.pid).length;

/**
 * A renderer on a manual clock unless a test brings its own: a render's budget then runs out
 * only when a test advances it, never because a loaded machine drew a cold first chart slowly.
 */
function renderer(options: Partial<ChartRendererOptions> = {}) {
  const log = new CaptureLogger();
  return { log, charts: createChartRenderer({ log, clock: new ManualClock(NOW), ...options }) };
}

describe('chart renderer (a child process)', () => {
  it('loads once, says so, and renders every kind off the main thread', async () => {
    const { log, charts } = renderer();
    try {
      assert.equal(charts.available, false);
      assert.equal(await charts.start(), true);
      assert.equal(charts.available, true);
      assert.equal(await charts.start(), true, 'starting again is a no-op');
      const view = resourcesView(NOW);
      const resources = await charts.render(resourcesChartRequest(view, '1h', NOW) ?? assert.fail());
      assertPng(resources?.png ?? new Uint8Array(), { width: 960, height: 882 });
      const startup = await charts.render({ kind: 'startup', report: startupReport(NOW) });
      assertPng(startup?.png ?? new Uint8Array(), { width: 960 });
      const ready = log.events('charts_ready');
      assert.equal(ready.length, 1);
      assert.equal(ready[0]?.subsys, 'charts');
      assert.equal(ready[0]?.detail.font, 'Inter');
      assert.equal(log.events('chart_rendered').length, 2);
    } finally {
      await charts.close();
    }
    assert.equal(charts.available, false);
    assert.equal(await charts.render({ kind: 'startup', report: startupReport(NOW) }), undefined);
  });

  for (const [what, modules] of [
    ['the canvas package', { ...DEFAULT_CHART_MODULES, canvas: '@napi-rs/canvas-not-installed' }],
    ['Chart.js', { ...DEFAULT_CHART_MODULES, chart: 'chart.js-not-installed' }],
  ] as const) {
    it(`without ${what}: unavailable, said once, and every render answers undefined at once`, async () => {
      const { log, charts } = renderer({ modules });
      try {
        assert.equal(await charts.start(), false);
        assert.equal(charts.state, 'unavailable');
        for (let i = 0; i < 3; i++) {
          assert.equal(await charts.render({ kind: 'startup', report: startupReport(NOW) }), undefined);
        }
        const off = log.events('charts_unavailable');
        assert.equal(off.length, 1);
        assert.equal(off[0]?.level, 'warning');
        assert.match(off[0]?.msg ?? '', /Charts are off: .*not-installed.*text only/);
        assert.deepEqual(
          log.records.filter((r) => r.event !== 'charts_unavailable').map((r) => r.event),
          [],
        );
      } finally {
        await charts.close();
      }
    });
  }

  it('a render that throws in the worker answers undefined and is logged; the next one is tried again', async () => {
    const { log, charts } = renderer({
      modules: { ...DEFAULT_CHART_MODULES, canvas: fixture('broken-canvas.ts') },
    });
    try {
      assert.equal(await charts.start(), true);
      assert.equal(await charts.render({ kind: 'startup', report: startupReport(NOW) }), undefined);
      assert.equal(await charts.render({ kind: 'startup', report: startupReport(NOW) }), undefined);
      const failed = log.events('chart_render_failed');
      assert.equal(failed.length, 2);
      assert.equal(failed[0]?.detail.kind, 'startup');
      assert.match(String(failed[0]?.detail.reason), /broken canvas/);
    } finally {
      await charts.close();
    }
  });

  it("the render process sees none of the bot's secrets", async () => {
    const saved = {
      DISCORD_TOKEN: process.env.DISCORD_TOKEN,
      OBS_HTTP_AUTH_TOKEN: process.env.OBS_HTTP_AUTH_TOKEN,
    };
    process.env.DISCORD_TOKEN = 'MTIz.secret.token';
    process.env.OBS_HTTP_AUTH_TOKEN = 'scrape-secret';
    const { log, charts } = renderer({
      modules: { ...DEFAULT_CHART_MODULES, canvas: fixture('env-canvas.ts') },
    });
    try {
      assert.equal(await charts.start(), true);
      assert.equal(await charts.render({ kind: 'startup', report: startupReport(NOW) }), undefined);
      assert.equal(log.events('chart_render_failed')[0]?.detail.reason, 'secrets seen: none');
    } finally {
      await charts.close();
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('a render past its budget answers undefined and is logged; the worker finishes it, and is replaced only once stuck', async () => {
    const clock = new ManualClock(NOW);
    const { log, charts } = renderer({
      clock,
      timeoutMs: 2_000,
      stuckMs: 10_000,
      maxQueued: 1,
      modules: { ...DEFAULT_CHART_MODULES, canvas: fixture('hanging-canvas.ts') },
    });
    try {
      assert.equal(await charts.start(), true);
      const first = charts.render({ kind: 'startup', report: startupReport(NOW) });
      // The queue holds one: a second render while the first hangs is refused at once.
      assert.equal(await charts.render({ kind: 'startup', report: startupReport(NOW) }), undefined);
      assert.equal(log.events('chart_render_skipped').length, 1);
      // The start only checked the worker: this render starts it again, and is sent once it is ready.
      await until(() => log.events('chart_worker_ready').length === 1, 20_000, 'the worker ready again');
      await clock.advance(2_000);
      assert.equal(await first, undefined);
      const late = log.events('chart_render_timeout');
      assert.equal(late.length, 1);
      assert.equal(late[0]?.detail.budget_ms, 2_000);
      // The worker is still drawing the first chart, so it still counts against the queue.
      assert.equal(await charts.render({ kind: 'startup', report: startupReport(NOW) }), undefined);
      assert.equal(log.events('chart_render_skipped').length, 2);
      assert.equal(log.events('chart_worker_stuck').length, 0, 'not replaced at the budget');
      await clock.advance(8_000);
      const stuck = log.events('chart_worker_stuck');
      assert.equal(stuck.length, 1, 'replaced once stuck');
      assert.equal(stuck[0]?.detail.stuck_ms, 10_000);
      assert.equal(charts.available, true, 'still on: the next render gets a fresh worker');
      const again = charts.render({ kind: 'startup', report: startupReport(NOW) });
      await until(() => log.events('chart_worker_ready').length === 2, 20_000, 'a fresh worker');
      await clock.advance(2_000);
      assert.equal(await again, undefined);
      assert.equal(log.events('chart_render_timeout').length, 2);
    } finally {
      await charts.close();
    }
  });

  it('the start only checks the worker loads, then stops it; a worker idle past idleMs stops too, and the next chart starts a new one', async () => {
    const clock = new ManualClock(NOW);
    const { log, charts } = renderer({ clock, idleMs: 60_000 });
    try {
      assert.equal(await charts.start(), true);
      assert.equal(log.events('chart_worker_idle').length, 1, 'stopped right after the start found it works');
      // Stopped means gone: the process and the canvas's native memory with it.
      await until(() => renderProcesses() === 0, 10_000, 'the render process gone');
      assert.equal(charts.available, true);
      assert.ok(await charts.render({ kind: 'startup', report: startupReport(NOW) }));
      await clock.advance(59_000);
      assert.equal(log.events('chart_worker_idle').length, 1);
      await clock.advance(1_000);
      assert.equal(log.events('chart_worker_idle').length, 2);
      await until(() => renderProcesses() === 0, 10_000, 'the idle render process gone');
      assert.equal(charts.available, true, 'still on');
      const again = await charts.render({ kind: 'startup', report: startupReport(NOW) });
      assertPng(again?.png ?? new Uint8Array(), { width: 960 });
      assert.equal(log.events('charts_ready').length, 1, 'the restart is not announced again');
    } finally {
      await charts.close();
    }
  });

  it('the render process exits when the bot is SIGKILLed', async () => {
    const bot = spawn(process.execPath, [...process.execArgv, fileURLToPath(fixture('hold-renderer.ts'))], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      let out = '';
      bot.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      await until(() => out.includes('\n'), 30_000, 'the fixture drew its chart');
      assert.equal(out.trim(), 'ready');
      const [render] = renderPids(bot.pid ?? -1);
      assert.ok(render !== undefined, 'a render process runs under the bot');
      bot.kill('SIGKILL');
      await until(() => !alive(render), 10_000, 'the render process gone with the bot');
    } finally {
      bot.kill('SIGKILL');
    }
  });

  it('a render process grown past recycleRssBytes is replaced after its render; the next chart gets a fresh one', async () => {
    const { log, charts } = renderer({ recycleRssBytes: 1 });
    try {
      assert.equal(await charts.start(), true);
      for (let i = 0; i < 2; i++) {
        const image = await charts.render({ kind: 'startup', report: startupReport(NOW) });
        assertPng(image?.png ?? new Uint8Array(), { width: 960 });
        await until(() => renderProcesses() === 0, 10_000, 'the grown render process gone');
      }
      const recycled = log.events('chart_worker_recycled');
      assert.equal(recycled.length, 2);
      assert.ok(
        Number(recycled[0]?.detail.rss_bytes) > 50 * 1024 ** 2,
        'the canvas is in its resident memory',
      );
      assert.equal(recycled[0]?.detail.limit_bytes, 1);
      assert.equal(log.events('chart_worker_ready').length, 2, 'each render started a fresh process');
    } finally {
      await charts.close();
    }
  });

  it('close() waits for a render process it has just let go: none is left once it resolves', async () => {
    const before = childPids(process.pid);
    const { charts } = renderer({ recycleRssBytes: 1 });
    assert.equal(await charts.start(), true);
    const image = await charts.render({ kind: 'startup', report: startupReport(NOW) });
    assertPng(image?.png ?? new Uint8Array(), { width: 960 });
    // The render answered and the grown process was let go in the same turn: close() comes before it has exited.
    await charts.close();
    assert.deepEqual(
      childPids(process.pid).filter((pid) => !before.includes(pid)),
      [],
      'no render process, not even an unreaped one, outlives close()',
    );
  });

  it('close() answers renders still waiting with undefined', async () => {
    const { charts } = renderer({
      modules: { ...DEFAULT_CHART_MODULES, canvas: fixture('hanging-canvas.ts') },
    });
    assert.equal(await charts.start(), true);
    const waiting = charts.render({ kind: 'startup', report: startupReport(NOW) });
    await charts.close();
    assert.equal(await waiting, undefined);
    assert.equal(charts.state, 'closed');
  });

  it('the worker loads whether the loader comes on the command line (npm start) or in NODE_OPTIONS', async () => {
    const run = promisify(execFile);
    const script = fileURLToPath(fixture('render-once.ts'));
    for (const [args, nodeOptions] of [
      [['--import', TS_LOADER, script], ''],
      [[script], `--import="${TS_LOADER}"`],
    ] as const) {
      const { stdout } = await run(process.execPath, args, {
        timeout: 60_000,
        env: { ...process.env, NODE_OPTIONS: nodeOptions },
      });
      const result = JSON.parse(stdout.trim()) as { ready: boolean; width: number; bytes: number };
      assert.equal(result.ready, true, `ready with ${nodeOptions || args.slice(0, -1).join(' ')}`);
      assert.equal(result.width, 960);
      assert.ok(result.bytes > 1000);
    }
  });
});
