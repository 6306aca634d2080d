import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { systemClock } from '../../../src/core/clock.ts';
import { createHttpServer, type HttpServer } from '../../../src/core/http/http-server.ts';
import { createPromMetrics } from '../../../src/core/metrics/prom-metrics.ts';
import { CaptureLogger } from '../../support/capture-logger.ts';
import { startPrometheus, type VectorSample } from '../../support/prometheus-server.ts';
import { fakeSources, startupReport } from './fake-metrics-sources.ts';
import { findBinary, PROMETHEUS_APT_HINT } from './prometheus-binaries.ts';

const prometheus = findBinary('prometheus');
const skip = prometheus === undefined ? `prometheus not found on PATH; ${PROMETHEUS_APT_HINT}` : false;

/** The documented queries, verbatim. */
const GUIDE_QUERIES = {
  averageStartup: 'rate(bot_startup_total_duration_sum[1h]) / rate(bot_startup_total_duration_count[1h])',
  memory: 'bot_resource_memory_bytes',
  errorRate: 'rate(bot_component_errors_total[5m])',
  heartbeats: 'bot_background_task_heartbeats_total',
} as const;
type QueryName = keyof typeof GUIDE_QUERIES;

const DEADLINE_MS = 25_000;
const STARTUP_SECONDS = 3.24;

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('a real Prometheus scraping the bot', { skip, timeout: 60_000 }, () => {
  it('answers the four documented queries with the values the bot reported', async () => {
    const sources = fakeSources();
    const metrics = createPromMetrics();
    metrics.bindSources(sources);
    const server: HttpServer = createHttpServer({
      host: '127.0.0.1',
      port: 0,
      metrics,
      health: sources.health,
      isLive: () => true,
      log: new CaptureLogger(),
      clock: systemClock,
    });
    await server.start();
    cleanups.push(() => server.stop(500));
    const botPort = server.address()?.port;
    assert.ok(botPort !== undefined);

    const prom = await startPrometheus(prometheus ?? 'prometheus', `127.0.0.1:${botPort}`);
    cleanups.push(() => prom.stop());

    // The bot keeps working while Prometheus scrapes: a restart-like startup, an error
    // and a heartbeat every second, so the rate() queries see increases in their window.
    const activity = setInterval(() => {
      metrics.startupFinished(startupReport(STARTUP_SECONDS * 1000));
      metrics.componentError('database');
      metrics.taskHeartbeat('resource_sampler');
    }, 1_000);
    cleanups.push(async () => clearInterval(activity));

    const deadline = Date.now() + DEADLINE_MS;
    let results: Record<QueryName, readonly VectorSample[]> | undefined;
    while (Date.now() < deadline && prom.running()) {
      const entries = await Promise.all(
        (Object.keys(GUIDE_QUERIES) as QueryName[]).map(async (name) => [
          name,
          await prom.query(GUIDE_QUERIES[name]),
        ]),
      );
      const current = Object.fromEntries(entries) as Record<QueryName, readonly VectorSample[]>;
      const startup = current.averageStartup[0];
      if (
        Object.values(current).every((r) => r.length > 0) &&
        startup !== undefined &&
        Number.isFinite(Number(startup.value[1]))
      ) {
        results = current;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    assert.ok(
      results !== undefined,
      `the queries returned no data within ${DEADLINE_MS} ms; prometheus said: ${prom.stderr()}`,
    );

    const value = (sample: VectorSample | undefined): number => Number(sample?.value[1]);
    assert.ok(Math.abs(value(results.averageStartup[0]) - STARTUP_SECONDS) < 1e-6, 'average startup time');
    assert.equal(value(results.memory[0]), sources.state.resources?.rss_bytes);
    assert.equal(results.memory[0]?.metric.job, 'discord-bot');
    const database = results.errorRate.find((s) => s.metric.component === 'database');
    assert.ok(value(database) > 0, 'database errors are rising');
    const cache = results.errorRate.find((s) => s.metric.component === 'cache');
    assert.equal(value(cache), 0, 'a component without errors is present at rate 0');
    const sampler = results.heartbeats.find((s) => s.metric.task === 'resource_sampler');
    assert.ok(value(sampler) >= 1, 'heartbeats are counted');
  });

  it('scrapes a server that wants a bearer token, sending it from a credentials file', async () => {
    const token = 'prometheus-e2e-token-5f4e3d2c1b0a';
    const sources = fakeSources();
    const metrics = createPromMetrics({ collectDefault: false });
    metrics.bindSources(sources);
    const log = new CaptureLogger();
    const server: HttpServer = createHttpServer({
      host: '127.0.0.1',
      port: 0,
      metrics,
      health: sources.health,
      isLive: () => true,
      log,
      clock: systemClock,
      authToken: token,
    });
    await server.start();
    cleanups.push(() => server.stop(500));
    const botPort = server.address()?.port;
    assert.ok(botPort !== undefined);
    const bare = await fetch(`http://127.0.0.1:${botPort}/metrics`);
    assert.equal(bare.status, 401);

    const prom = await startPrometheus(prometheus ?? 'prometheus', `127.0.0.1:${botPort}`, {
      bearerToken: token,
    });
    cleanups.push(() => prom.stop());
    const deadline = Date.now() + DEADLINE_MS;
    let memory: readonly VectorSample[] = [];
    while (Date.now() < deadline && prom.running() && memory.length === 0) {
      memory = await prom.query('bot_resource_memory_bytes');
      if (memory.length === 0) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    assert.equal(
      Number(memory[0]?.value[1]),
      sources.state.resources?.rss_bytes,
      `no scrape got through; prometheus said: ${prom.stderr()}`,
    );
    const up = await prom.query('up{job="discord-bot"}');
    assert.equal(up[0]?.value[1], '1');
  });
});
