import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { renderExposition } from '../../../src/core/metrics/exposition-text.ts';
import { createPromMetrics } from '../../../src/core/metrics/prom-metrics.ts';
import { component, fakeSources, health, startupReport, task } from './fake-metrics-sources.ts';

const HOSTILE = 'a "quoted" back\\slash\nnew line';

/** prom-client's text with NaN spelled as the exposition format has it (prom-client writes "Nan"). */
async function promClientText(registry: Registry): Promise<string> {
  return (await registry.metrics()).replace(/ Nan$/gm, ' NaN');
}

describe('renderExposition', () => {
  it('writes exactly the text prom-client writes, for every kind of metric and hostile label values', async () => {
    const registry = new Registry();
    const registers = [registry];
    const counter = new Counter({
      name: 'c_total',
      help: 'A counter\nwith a \\ in its help.',
      labelNames: ['k'],
      registers,
    });
    counter.inc({ k: HOSTILE }, 3);
    counter.inc({ k: 'plain' });
    new Counter({ name: 'untouched_total', help: 'Never incremented.', registers });
    const gauge = new Gauge({ name: 'g', help: 'A gauge.', labelNames: ['a', 'b'], registers });
    gauge.set({ b: 'second', a: 'first' }, -1.5);
    gauge.set({ a: 'x', b: '' }, Number.NaN);
    gauge.set({ a: 'y', b: 'z' }, Number.POSITIVE_INFINITY);
    gauge.set({ a: 'y', b: 'w' }, Number.NEGATIVE_INFINITY);
    new Gauge({ name: 'unlabelled', help: 'One value.', registers }).set(42);
    const histogram = new Histogram({
      name: 'h_seconds',
      help: 'A histogram.',
      labelNames: ['command'],
      buckets: [0.025, 0.5, 1],
      registers,
    });
    histogram.observe({ command: 'health' }, 0.01);
    histogram.observe({ command: HOSTILE }, 3);
    new Histogram({ name: 'plain_seconds', help: 'Unlabelled.', buckets: [1], registers }).observe(0.5);
    const summary = new Summary({
      name: 's',
      help: 'A summary.',
      labelNames: ['q'],
      percentiles: [0.5, 0.9],
      registers,
    });
    summary.observe({ q: 'one' }, 1);
    summary.observe({ q: 'one' }, 2);
    const ours = await renderExposition(registry);
    assert.match(ours, /^g\{a="x",b=""\} NaN$/m, 'NaN as the exposition format spells it');
    assert.equal(ours, await promClientText(registry));
  });

  it('writes what prom-client writes for the bot metrics with many components and tasks', async () => {
    const m = createPromMetrics({ collectDefault: false, version: '1.2.3' });
    const sources = fakeSources();
    sources.state.health = health(
      'degraded',
      Array.from({ length: 60 }, (_, i) =>
        component(`component_${i}`, { state: i % 7 === 0 ? 'degraded' : 'ready' }),
      ),
    );
    sources.state.tasks = Array.from({ length: 60 }, (_, i) => task(`task_${i}`));
    m.bindSources(sources);
    m.startupFinished(startupReport(1200));
    for (let i = 0; i < 60; i += 1) m.taskHeartbeat(`task_${i}`);
    m.interaction('health', 'ok', 0.05);
    m.interaction('tasks', 'error', 1.2);
    m.logRecord('info', 'written');
    m.alert('fired', 'warning');
    const ours = await m.metricsText();
    assert.ok(ours.includes('bot_component_state{component="component_59",state="ready"} 1'));
    // The same registry through prom-client's own writer, with the same sources behind it.
    assert.equal(ours, await m.registry.metrics());
  });

  it('leaves a registry with default labels to prom-client', async () => {
    const registry = new Registry();
    registry.setDefaultLabels({ shard: '0' });
    new Gauge({ name: 'g', help: 'A gauge.', registers: [registry] }).set(1);
    const text = await renderExposition(registry);
    assert.match(text, /^g\{shard="0"\} 1$/m);
    assert.equal(text, await registry.metrics());
  });

  it('writes an empty registry as prom-client does', async () => {
    assert.equal(await renderExposition(new Registry()), await new Registry().metrics());
  });
});
