import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { type ChartModules, loadChartModules } from '../../src/charts/chart-modules.ts';
import { resourceAlertChartRequest, resourcesChartRequest } from '../../src/charts/chart-requests.ts';
import { valueAxisMax } from '../../src/charts/panel-config.ts';
import { renderChart } from '../../src/charts/render-chart.ts';
import { rowNotes, startupConfig, startupRows } from '../../src/charts/startup-config.ts';
import { resourcesView, startupReport } from '../support/chart-data.ts';
import { assertPng } from '../support/png.ts';

const NOW = Date.UTC(2024, 0, 15, 14, 30, 0);

describe('chart rendering (in this thread, as the worker does it)', () => {
  let modules: ChartModules;
  before(async () => {
    modules = await loadChartModules();
  });

  it('loads Chart.js on the canvas with the bundled font', () => {
    assert.equal(modules.font, 'Inter');
    assert.match(modules.versions['chart.js'] ?? '', /^4\./);
  });

  for (const window of ['15m', '1h', 'all'] as const) {
    it(`/resources over ${window}: a PNG under 200 KB at 960 × 882`, () => {
      const request = resourcesChartRequest(resourcesView(NOW), window, NOW);
      assert.ok(request);
      const image = renderChart(modules, request);
      assert.equal(image.kind, 'resources');
      assertPng(image.png, { width: 960, height: 882 });
      assert.ok(image.renderMs > 0);
    });
  }

  it('the window picks the samples: 15 min of 15 s samples, or the whole hour', () => {
    const view = resourcesView(NOW);
    assert.equal(resourcesChartRequest(view, '15m', NOW)?.memoryMb.times.length, 61);
    assert.equal(resourcesChartRequest(view, '1h', NOW)?.memoryMb.times.length, 240);
    assert.equal(resourcesChartRequest(view, 'all', NOW)?.windowLabel, 'all kept (1 h)');
    assert.equal(
      resourcesChartRequest(view, '1h', NOW)?.windowLabel,
      'last hour',
      'a sample short still shows the hour',
    );
    // A bot up for a minute: the 15-minute window starts at its first sample instead of hugging the right edge.
    const young = resourcesView(NOW, 5);
    const request = resourcesChartRequest(young, '15m', NOW);
    assert.equal(request?.windowLabel, 'all kept (1 min)');
    assert.equal(request?.fromMs, Date.parse(young.history[0]?.at ?? ''));
    assert.equal(resourcesChartRequest({ ...view, history: [], latest: undefined }, '1h', NOW), undefined);
    assert.equal(resourcesChartRequest({ ...view, enabled: false }, '1h', NOW), undefined);
  });

  it('one sample, or a CPU never measured, still draws', () => {
    const view = resourcesView(NOW, 1);
    const image = renderChart(modules, resourcesChartRequest(view, '1h', NOW) ?? assert.fail('no request'));
    assertPng(image.png, { width: 960 });
  });

  it('the value axis always shows the warning line, and the critical one once it is near or reached', () => {
    assert.deepEqual(valueAxisMax(300, { warning: 1024, critical: 2048 }).showsCritical, false);
    assert.deepEqual(valueAxisMax(1100, { warning: 1024, critical: 2048 }).showsCritical, true);
    assert.deepEqual(valueAxisMax(20, { warning: 80, critical: 95 }).showsCritical, true);
    assert.ok(valueAxisMax(300, { warning: 1024, critical: 2048 }).max > 1024);
  });

  it('/startup: the waterfall notes attempts, fallbacks, recoveries, failures and skips', () => {
    const report = startupReport(NOW);
    const notes = Object.fromEntries(report.components.map((c) => [c.name, rowNotes(c).join(' · ')]));
    assert.equal(notes.database, '2 attempts');
    assert.equal(notes.cache, '3 attempts · fallback · recovered at 2.9 s');
    assert.equal(notes.metrics_exporter, 'failed · 2 attempts');
    assert.equal(notes.web_dashboard, 'skipped: a dependency is down');
    const config = startupConfig(report);
    assert.deepEqual(
      config.data.labels?.filter((l) => String(l).endsWith(' *')),
      ['config *', 'database *', 'embedding_model *', 'rag_system *'],
      'the critical path is marked',
    );
    const image = renderChart(modules, { kind: 'startup', report });
    assertPng(image.png, { width: 960 });
  });

  it('a start of many components keeps the critical path and the troubled ones, and says how many it left out', () => {
    const report = startupReport(NOW, 80);
    const { rows, hidden } = startupRows(report);
    assert.equal(rows.length, 40);
    assert.equal(hidden, 49);
    for (const name of ['config', 'database', 'cache', 'metrics_exporter', 'web_dashboard']) {
      assert.ok(
        rows.some((r) => r.name === name),
        `${name} kept`,
      );
    }
    const image = renderChart(modules, { kind: 'startup', report });
    assertPng(image.png, { width: 960 });
  });

  it('a resource alert: the metric before it fired, at 840 × 375', () => {
    const view = resourcesView(NOW);
    const firedAt = Date.parse(view.history[210]?.at ?? '');
    const request = resourceAlertChartRequest(view, 'event_loop_lag', firedAt, 'warning');
    assert.ok(request);
    assert.ok(request.series.times.every((t) => t >= firedAt - 15 * 60_000));
    const image = renderChart(modules, request);
    assertPng(image.png, { width: 840, height: 375 });
  });

  it('an unknown kind throws (the worker reports it as a failed render)', () => {
    assert.throws(() => renderChart(modules, { kind: 'pie' } as never), /unknown chart kind pie/);
  });
});
