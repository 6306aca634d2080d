import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMetrics } from '../../../src/core/metrics/create-metrics.ts';
import { noopMetrics } from '../../../src/core/metrics/metrics.ts';
import { hasExposition } from '../../../src/core/metrics/metrics-exposition.ts';
import { createPromMetrics } from '../../../src/core/metrics/prom-metrics.ts';
import { CaptureLogger } from '../../support/capture-logger.ts';
import {
  component,
  fakeSources,
  health,
  sample,
  seriesValue,
  startupReport,
  task,
} from './fake-metrics-sources.ts';

describe('createPromMetrics', () => {
  it("keeps prom-client's eight event-loop gauges, each once, read from one window of the bot's probe per scrape", async () => {
    let reads = 0;
    const stats = {
      count: 3,
      min: 0.5,
      max: 400,
      mean: 140,
      stddev: 180,
      p50: 20,
      p90: 400,
      p99: 400,
      latest: 20,
    };
    const m = createPromMetrics({
      collectDefault: true,
      eventLoopWindow: {
        read: () => {
          reads += 1;
          return stats;
        },
        close: () => undefined,
      },
    });
    const text = await m.metricsText();
    const expected: Record<string, number> = {
      nodejs_eventloop_lag_seconds: 0.02,
      nodejs_eventloop_lag_min_seconds: 0.0005,
      nodejs_eventloop_lag_max_seconds: 0.4,
      nodejs_eventloop_lag_mean_seconds: 0.14,
      nodejs_eventloop_lag_stddev_seconds: 0.18,
      nodejs_eventloop_lag_p50_seconds: 0.02,
      nodejs_eventloop_lag_p90_seconds: 0.4,
      nodejs_eventloop_lag_p99_seconds: 0.4,
    };
    for (const [name, value] of Object.entries(expected)) {
      assert.equal(text.split(`# TYPE ${name} gauge`).length - 1, 1, `${name} declared once`);
      assert.equal(seriesValue(text, name), value, name);
    }
    assert.equal(reads, 1, 'one read of the window serves all eight gauges');
    // The other default metrics are still there.
    assert.match(text, /^process_cpu_seconds_total /m);
    assert.match(text, /^nodejs_heap_size_used_bytes /m);
  });

  it('exposes the four fixed series under their exact names', async () => {
    const m = createPromMetrics({ collectDefault: false });
    m.bindSources(fakeSources());
    m.startupFinished(startupReport(3240));
    m.startupFinished(startupReport(1760));
    m.componentError('database');
    m.componentError('database');
    m.taskHeartbeat('resource_sampler');
    const text = await m.metricsText();
    assert.equal(seriesValue(text, 'bot_startup_total_duration_sum'), 5);
    assert.equal(seriesValue(text, 'bot_startup_total_duration_count'), 2);
    assert.equal(seriesValue(text, 'bot_startup_total_duration_bucket{le="+Inf"}'), 2);
    assert.match(text, /# TYPE bot_startup_total_duration histogram/);
    assert.equal(seriesValue(text, 'bot_resource_memory_bytes'), 150 * 1024 * 1024);
    assert.equal(seriesValue(text, 'bot_component_errors_total{component="database"}'), 2);
    assert.equal(seriesValue(text, 'bot_background_task_heartbeats_total{task="resource_sampler"}'), 1);
  });

  it('reads the sources at scrape time, so a later scrape shows the new state', async () => {
    const sources = fakeSources();
    const m = createPromMetrics({ collectDefault: false });
    m.bindSources(sources);
    const before = await m.metricsText();
    assert.equal(seriesValue(before, 'bot_health_status{status="ready"}'), 1);
    assert.equal(seriesValue(before, 'bot_gateway_ready'), 1);

    sources.state.health = health('not_ready', [component('database', { state: 'failed', critical: true })]);
    sources.state.gateway = { ...sources.state.gateway, status: 'reconnecting', ping_ms: null };
    sources.state.resources = sample({ rss_bytes: 3 * 1024 ** 3, cpu_percent: 97, open_files: null });
    sources.state.tasks = [task('memory_save_task', { state: 'stale', last_heartbeat_age_ms: 300_000 })];
    const after = await m.metricsText();
    assert.equal(seriesValue(after, 'bot_health_status{status="ready"}'), 0);
    assert.equal(seriesValue(after, 'bot_health_status{status="not_ready"}'), 1);
    assert.equal(seriesValue(after, 'bot_component_state{component="database",state="failed"}'), 1);
    assert.equal(seriesValue(after, 'bot_component_state{component="database",state="ready"}'), 0);
    assert.equal(seriesValue(after, 'bot_component_state{component="cache",state="ready"}'), undefined);
    assert.equal(seriesValue(after, 'bot_gateway_ready'), 0);
    assert.equal(seriesValue(after, 'bot_gateway_ping_seconds'), undefined);
    assert.equal(seriesValue(after, 'bot_resource_memory_bytes'), 3 * 1024 ** 3);
    assert.equal(seriesValue(after, 'bot_resource_cpu_ratio'), 0.97);
    assert.equal(seriesValue(after, 'bot_resource_open_files'), undefined);
    assert.equal(seriesValue(after, 'bot_background_task_state{task="memory_save_task",state="stale"}'), 1);
    assert.equal(
      seriesValue(after, 'bot_background_task_heartbeat_age_seconds{task="memory_save_task"}'),
      300,
    );
    assert.equal(
      seriesValue(after, 'bot_background_task_state{task="resource_sampler",state="idle"}'),
      undefined,
    );
  });

  it('converts to base units: seconds and ratios', async () => {
    const m = createPromMetrics({ collectDefault: false });
    m.bindSources(fakeSources());
    const text = await m.metricsText();
    assert.equal(seriesValue(text, 'bot_resource_event_loop_lag_mean_seconds'), 0.002);
    assert.equal(seriesValue(text, 'bot_resource_event_loop_lag_p99_seconds'), 0.012);
    assert.equal(seriesValue(text, 'bot_resource_event_loop_lag_max_seconds'), 0.04);
    assert.equal(seriesValue(text, 'bot_gateway_ping_seconds'), 0.042);
    assert.equal(seriesValue(text, 'bot_resource_cpu_ratio'), 0.125);
    assert.equal(seriesValue(text, 'bot_component_startup_duration_seconds{component="cache"}'), 0.2);
    assert.equal(seriesValue(text, 'bot_startup_last_duration_seconds'), 3.24);
    assert.equal(seriesValue(text, 'bot_info{version="1.2.3"}'), 1);
  });

  it('shows no value, rather than a false 0, before a source has data', async () => {
    const m = createPromMetrics({ collectDefault: false, version: '9.9.9' });
    const unbound = await m.metricsText();
    assert.equal(seriesValue(unbound, 'bot_up'), 1);
    assert.equal(seriesValue(unbound, 'bot_info{version="9.9.9"}'), 1);
    assert.equal(seriesValue(unbound, 'bot_resource_memory_bytes'), undefined);
    assert.equal(seriesValue(unbound, 'bot_gateway_ready'), undefined);

    const sources = fakeSources();
    sources.state.resources = undefined;
    m.bindSources(sources);
    const bound = await m.metricsText();
    assert.equal(seriesValue(bound, 'bot_resource_memory_bytes'), undefined);
    assert.equal(seriesValue(bound, 'bot_resource_cpu_ratio'), undefined);
  });

  it('starts every known component and task at 0 so the first error shows in rate()', async () => {
    const m = createPromMetrics({ collectDefault: false });
    m.bindSources(fakeSources());
    const text = await m.metricsText();
    assert.equal(seriesValue(text, 'bot_component_errors_total{component="cache"}'), 0);
    assert.equal(seriesValue(text, 'bot_background_task_heartbeats_total{task="memory_save_task"}'), 0);
  });

  it('counts interactions, acknowledgement latency, alerts, reconnects, restarts and log records', async () => {
    const m = createPromMetrics({ collectDefault: false });
    m.interaction('health', 'ok', 0.12);
    m.interaction('health', 'ok', 0.3);
    m.interaction('health', 'denied', undefined);
    m.alert('fired', 'critical');
    m.alert('dropped', 'warning');
    m.alert('resolved', 'critical');
    m.alert('delivered', 'critical');
    m.gatewayReconnect();
    m.taskRestart('memory_save_task');
    m.logRecord('warning', 'written');
    m.logRecord('debug', 'dropped');
    const text = await m.metricsText();
    assert.equal(seriesValue(text, 'bot_interactions_total{command="health",outcome="ok"}'), 2);
    assert.equal(seriesValue(text, 'bot_interactions_total{command="health",outcome="denied"}'), 1);
    assert.equal(seriesValue(text, 'bot_interaction_ack_duration_seconds_count{command="health"}'), 2);
    assert.equal(
      seriesValue(text, 'bot_interaction_ack_duration_seconds_bucket{le="0.25",command="health"}'),
      1,
    );
    assert.equal(seriesValue(text, 'bot_alerts_fired_total{severity="critical"}'), 1);
    assert.equal(seriesValue(text, 'bot_alerts_dropped_total{severity="warning"}'), 1);
    assert.equal(seriesValue(text, 'bot_alerts_resolved_total{severity="critical"}'), 1);
    assert.equal(seriesValue(text, 'bot_alerts_delivered_total{severity="critical"}'), 1);
    assert.equal(seriesValue(text, 'bot_gateway_reconnects_total'), 1);
    assert.equal(seriesValue(text, 'bot_background_task_restarts_total{task="memory_save_task"}'), 1);
    assert.equal(seriesValue(text, 'bot_log_records_written_total{level="warning"}'), 1);
    assert.equal(seriesValue(text, 'bot_log_records_dropped_total{level="debug"}'), 1);
  });

  it('counts each log record once, whether a scrape comes between records or not', async () => {
    const m = createPromMetrics({ collectDefault: false });
    m.logRecord('info', 'written');
    m.logRecord('info', 'written');
    const first = await m.metricsText();
    assert.equal(seriesValue(first, 'bot_log_records_written_total{level="info"}'), 2);
    m.logRecord('info', 'written');
    m.logRecord('error', 'written');
    const second = await m.metricsText();
    assert.equal(seriesValue(second, 'bot_log_records_written_total{level="info"}'), 3);
    assert.equal(seriesValue(second, 'bot_log_records_written_total{level="error"}'), 1);
    const third = await m.metricsText();
    assert.equal(seriesValue(third, 'bot_log_records_written_total{level="info"}'), 3);
    const json = await m.registry.getMetricsAsJSON();
    const written = json.find((f) => f.name === 'bot_log_records_written_total');
    assert.deepEqual(
      written?.values.map((v) => [v.labels.level, v.value]),
      [
        ['info', 3],
        ['error', 1],
      ],
    );
  });

  it('can be created many times in one process, each on its own registry with the default metrics', async () => {
    const a = createPromMetrics();
    const b = createPromMetrics();
    a.componentError('database');
    const [textA, textB] = await Promise.all([a.metricsText(), b.metricsText()]);
    assert.notEqual(a.registry, b.registry);
    assert.equal(seriesValue(textA, 'bot_component_errors_total{component="database"}'), 1);
    assert.equal(seriesValue(textB, 'bot_component_errors_total{component="database"}'), undefined);
    for (const text of [textA, textB]) {
      assert.match(text, /^process_cpu_user_seconds_total /m);
      assert.match(text, /^nodejs_heap_size_used_bytes /m);
    }
    const { register } = await import('prom-client');
    assert.equal(register.getSingleMetric('bot_up'), undefined, 'the global registry stays untouched');
  });

  it('keeps scraping when a source throws, and logs it', async () => {
    const log = new CaptureLogger();
    const m = createPromMetrics({ collectDefault: false, log });
    const sources = fakeSources();
    m.bindSources({
      ...sources,
      health: () => {
        throw new Error('registry exploded');
      },
    });
    const text = await m.metricsText();
    assert.equal(seriesValue(text, 'bot_up'), 1);
    assert.equal(seriesValue(text, 'bot_resource_memory_bytes'), 150 * 1024 * 1024);
    assert.equal(seriesValue(text, 'bot_health_status{status="ready"}'), undefined);
    const errors = log.events('metrics_source_error');
    assert.equal(errors.length, 1, 'a failing source is read and reported once per scrape');
    assert.equal(errors[0]?.detail.source, 'health');
  });

  it('folds label values past the budget into "other" so the registry cannot grow without end', async () => {
    const m = createPromMetrics({ collectDefault: false, maxLabelValues: 3 });
    for (let i = 0; i < 10; i += 1) m.interaction(`cmd${i}`, 'ok', 0.1);
    m.interaction('cmd0', 'ok', 0.1);
    const text = await m.metricsText();
    assert.equal(seriesValue(text, 'bot_interactions_total{command="cmd0",outcome="ok"}'), 2);
    assert.equal(seriesValue(text, 'bot_interactions_total{command="other",outcome="ok"}'), 7);
    assert.equal(seriesValue(text, 'bot_interactions_total{command="cmd3",outcome="ok"}'), undefined);
  });

  it("a command's figures reach every reader of the registry: a scrape, a shard's JSON report, and the next ones", async () => {
    const m = createPromMetrics({ collectDefault: false });
    const count = async (): Promise<number | undefined> => {
      const json = (await m.registry.getMetricsAsJSON()) as unknown as {
        name: string;
        values: { value: number; labels: Record<string, string> }[];
      }[];
      return json
        .find((metric) => metric.name === 'bot_interactions_total')
        ?.values.find((v) => v.labels.command === 'tasks' && v.labels.outcome === 'ok')?.value;
    };
    m.interaction('tasks', 'ok', 0.05);
    assert.equal(await count(), 1, 'the JSON a shard reports to its manager');
    m.interaction('tasks', 'ok', 0.07);
    assert.equal(
      seriesValue(await m.metricsText(), 'bot_interactions_total{command="tasks",outcome="ok"}'),
      2,
    );
    assert.equal(await count(), 2, 'counted once, whichever reader came first');
    for (let i = 0; i < 300; i += 1) m.interaction('tasks', 'ok', 0.01);
    const text = await m.metricsText();
    assert.equal(seriesValue(text, 'bot_interactions_total{command="tasks",outcome="ok"}'), 302);
    assert.equal(seriesValue(text, 'bot_interaction_ack_duration_seconds_count{command="tasks"}'), 302);
  });

  it('escapes hostile label values instead of breaking the exposition', async () => {
    const m = createPromMetrics({ collectDefault: false });
    m.componentError('evil"}\nbot_up 0\n#');
    const text = await m.metricsText();
    assert.equal(text.split('\n').filter((l) => l.startsWith('bot_up ')).length, 1);
    assert.equal(seriesValue(text, 'bot_up'), 1);
  });

  it('ignores a negative or non-finite acknowledgement time rather than corrupting the histogram', async () => {
    const m = createPromMetrics({ collectDefault: false });
    m.interaction('health', 'ok', Number.NaN);
    m.interaction('health', 'ok', -1);
    const text = await m.metricsText();
    assert.equal(seriesValue(text, 'bot_interactions_total{command="health",outcome="ok"}'), 2);
    assert.equal(
      seriesValue(text, 'bot_interaction_ack_duration_seconds_count{command="health"}'),
      undefined,
    );
  });

  it('rejects an invalid prefix at construction', () => {
    assert.throws(() => createPromMetrics({ prefix: 'bad-prefix ' }), /prefix "bad-prefix " is not a valid/);
    assert.throws(
      () => createPromMetrics({ maxLabelValues: 0 }),
      /maxLabelValues must be a positive integer/,
    );
  });

  it('serves the Prometheus text content type', () => {
    assert.match(createPromMetrics({ collectDefault: false }).contentType, /^text\/plain; version=0\.0\.4/);
  });
});

describe('createMetrics', () => {
  it('returns the no-op metrics when disabled', async () => {
    const m = await createMetrics({ enabled: false });
    assert.equal(m, noopMetrics);
    assert.equal(hasExposition(m), false);
  });

  it('returns a scrapable prom-client implementation when enabled', async () => {
    const m = await createMetrics({ enabled: true, collectDefault: false });
    assert.equal(m.enabled, true);
    assert.equal(hasExposition(m), true);
    m.taskHeartbeat('t');
    assert.equal(seriesValue(await m.metricsText(), 'bot_background_task_heartbeats_total{task="t"}'), 1);
  });
});
