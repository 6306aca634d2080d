import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { createPromMetrics, type PromMetrics } from '../../src/core/metrics/prom-metrics.ts';
import { createFleetMetrics } from '../../src/fleet/fleet-metrics.ts';
import type { MetricsJson, ShardReport } from '../../src/fleet/ipc-protocol.ts';
import type { ShardSnapshot } from '../../src/fleet/shard-supervisor.ts';
import { fakeSources, seriesValue, startupReport } from '../core/metrics/fake-metrics-sources.ts';
import { findBinary } from '../core/metrics/prometheus-binaries.ts';

/** A shard's registry as its report carries it: real prom-client JSON, with some traffic. */
async function shardMetrics(rssMb: number): Promise<MetricsJson> {
  const metrics = createPromMetrics({ collectDefault: true, version: '1.2.3' });
  const sources = fakeSources();
  sources.state.resources = { ...(sources.state.resources ?? assert.fail()), rss_bytes: rssMb * 1024 * 1024 };
  metrics.bindSources(sources);
  metrics.startupFinished(startupReport(1500));
  metrics.interaction('health', 'ok', 0.05);
  metrics.componentError('discord_gateway');
  return metrics.registry.getMetricsAsJSON();
}

function snapshot(id: number, metrics: MetricsJson | null, up = true): ShardSnapshot {
  const report = {
    shard: id,
    gateway: {
      status: 'ready',
      ping_ms: 40 + id,
      guilds: 100 + id,
      reconnects: 0,
      last_heartbeat_ack_at: null,
    },
    metrics,
  } as unknown as ShardReport;
  return {
    id,
    phase: up ? 'running' : 'backoff',
    status: up ? 'ready' : 'down',
    pid: up ? 2000 + id : null,
    restarts: id % 3,
    gatewayReady: up,
    spawnedAt: 0,
    readySince: up ? 0 : null,
    report,
    reportAt: 0,
    downReason: up ? null : 'it exited (killed by SIGKILL)',
    downSince: up ? null : 0,
    permanent: false,
  };
}

async function fleetText(shards: readonly ShardSnapshot[]): Promise<{ text: string; own: PromMetrics }> {
  const own = createPromMetrics({ collectDefault: true, version: '1.2.3' });
  own.bindSources(fakeSources());
  const exposition = createFleetMetrics({ registry: own.registry, shards: () => shards, now: () => 1_000 });
  return { text: await exposition.metricsText(), own };
}

describe('fleet metrics', () => {
  it('merges 16 shards into one family per name, each series with its shard, the manager’s own without', async () => {
    const json = await Promise.all(Array.from({ length: 16 }, (_, i) => shardMetrics(100 + i)));
    const shards = json.map((m, i) => snapshot(i, m, i !== 5));
    const { text } = await fleetText(shards);
    const types = text.split('\n').filter((l) => l.startsWith('# TYPE '));
    assert.equal(new Set(types).size, types.length, 'no family twice');
    assert.ok(seriesValue(text, 'bot_resource_memory_bytes') !== undefined, 'the manager’s own, unlabelled');
    assert.equal(seriesValue(text, 'bot_resource_memory_bytes{shard="3"}'), 103 * 1024 * 1024);
    assert.equal(
      seriesValue(text, 'bot_resource_memory_bytes{shard="5"}'),
      undefined,
      'a down shard’s series go',
    );
    assert.equal(seriesValue(text, 'bot_shard_up{shard="5"}'), 0);
    assert.equal(seriesValue(text, 'bot_shard_up{shard="4"}'), 1);
    assert.equal(seriesValue(text, 'bot_shard_guilds{shard="7"}'), 107);
    assert.equal(seriesValue(text, 'bot_shard_ping_seconds{shard="2"}'), 0.042);
    assert.equal(seriesValue(text, 'bot_shard_restarts_total{shard="4"}'), 1);
    assert.equal(seriesValue(text, 'bot_component_errors_total{component="discord_gateway",shard="9"}'), 1);
    // Histograms keep their buckets apart per shard, and the fixed names stay queryable.
    assert.equal(seriesValue(text, 'bot_startup_total_duration_count{shard="0"}'), 1);
    assert.match(text, /^bot_startup_total_duration_bucket\{le="2",shard="15"\} 1$/m);
    // prom-client's `first`/`omit` aggregators would keep one shard's or none: every shard's is there.
    for (const id of [0, 15])
      assert.match(text, new RegExp(`^process_start_time_seconds\\{shard="${id}"\\} \\d+`, 'm'));
    assert.match(
      text,
      /^nodejs_version_info\{version="v[\d.]+",major="\d+",minor="\d+",patch="\d+",shard="1"\} 1$/m,
    );
    assert.doesNotMatch(text, /^bot_gateway_ready \d/m, 'the manager has no gateway of its own');
    assert.match(text, /^bot_gateway_ready\{shard="0"\} \d/m);

    const promtool = findBinary('promtool');
    if (promtool !== undefined) {
      const checked = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
      const problems = `${checked.stdout}${checked.stderr}`
        .trim()
        .split('\n')
        .filter((l) => l !== '' && !/^nodejs_active_\w+_total non-counter metrics/.test(l));
      assert.deepEqual(problems, []);
    }
  });

  it('reads a value that crossed the IPC channel as null (JSON has no NaN) as NaN', async () => {
    const shard = JSON.parse(
      JSON.stringify([
        { name: 'bot_odd', help: 'x', type: 'gauge', values: [{ value: Number.NaN, labels: {} }] },
      ]),
    ) as MetricsJson;
    const { text } = await fleetText([snapshot(0, shard)]);
    assert.match(text, /^bot_odd\{shard="0"\} NaN$/m);
  });

  it('counts a shard’s respawns as a counter that only goes up', async () => {
    let restarts = 0;
    const own = createPromMetrics({ collectDefault: false });
    const exposition = createFleetMetrics({
      registry: own.registry,
      shards: () => [{ ...snapshot(0, null), restarts }],
      now: () => 0,
    });
    assert.equal(seriesValue(await exposition.metricsText(), 'bot_shard_restarts_total{shard="0"}'), 0);
    restarts = 3;
    assert.equal(seriesValue(await exposition.metricsText(), 'bot_shard_restarts_total{shard="0"}'), 3);
  });
});
