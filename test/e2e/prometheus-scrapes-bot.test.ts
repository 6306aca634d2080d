import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { findBinary, PROMETHEUS_APT_HINT } from '../core/metrics/prometheus-binaries.ts';
import { freePort } from '../support/free-port.ts';
import { type PrometheusServer, startPrometheus, type VectorSample } from '../support/prometheus-server.ts';
import { type RunningBot, startRunningBot } from '../support/running-bot.ts';
import { until } from '../support/until.ts';

const prometheus = findBinary('prometheus');
const skip = prometheus === undefined ? `prometheus not found on PATH; ${PROMETHEUS_APT_HINT}` : false;

const value = (sample: VectorSample | undefined): number => Number(sample?.value[1]);

describe('a real Prometheus scraping the running bot', { skip, timeout: 60_000 }, () => {
  let run: RunningBot;
  let prom: PrometheusServer;
  before(async () => {
    const port = await freePort();
    run = await startRunningBot({
      env: {
        OBS_ENABLE_PROMETHEUS: 'true',
        PROMETHEUS_HOST: '127.0.0.1',
        PROMETHEUS_PORT: String(port),
        RESOURCE_SAMPLE_INTERVAL_MS: '250',
      },
    });
    prom = await startPrometheus(prometheus ?? 'prometheus', `127.0.0.1:${port}`);
  });
  after(async () => {
    await prom?.stop();
    await run?.close();
  });

  it("answers the documented queries from the bot's own metrics", async () => {
    // A command while Prometheus scrapes, so interactions are counted too.
    await run.emulator.invokeCommand({ name: 'health', user: 'admin' }).settled();
    const memory = await until(
      async () => (await prom.query('bot_resource_memory_bytes'))[0],
      25_000,
      'bot_resource_memory_bytes from Prometheus',
    );
    assert.equal(memory.metric.job, 'discord-bot');
    assert.ok(value(memory) > 10 * 1024 * 1024, `RSS ${value(memory)} bytes`);

    const heartbeats = await until(
      async () => (await prom.query('bot_background_task_heartbeats_total{task="resource_sampler"}'))[0],
      10_000,
      'resource_sampler heartbeats',
    );
    assert.ok(value(heartbeats) >= 1);

    // Every component is a series from the start, so a first error shows as a rate, not a new series.
    const errors = await until(
      async () => {
        const result = await prom.query('rate(bot_component_errors_total[5m])');
        return result.some((s) => s.metric.component === 'discord_gateway') ? result : undefined;
      },
      10_000,
      'the component error rates',
    );
    assert.equal(value(errors.find((s) => s.metric.component === 'discord_gateway')), 0);

    // One start so far: its histogram has one observation, the bot's own start time.
    const count = await until(
      async () => (await prom.query('bot_startup_total_duration_count'))[0],
      10_000,
      'the startup histogram',
    );
    assert.equal(value(count), 1);
    const sum = value((await prom.query('bot_startup_total_duration_sum'))[0]);
    const reported = run.bot.manager.startupReport()?.duration_ms ?? Number.NaN;
    assert.ok(Math.abs(sum - reported / 1000) < 0.01, `sum ${sum} s vs report ${reported} ms`);
    // The documented average is a ratio of rates: with a single start in the window there is
    // no increase yet, so Prometheus answers 0/0 (NaN) — a series, awaiting a restart.
    const average = await prom.query(
      'rate(bot_startup_total_duration_sum[1h]) / rate(bot_startup_total_duration_count[1h])',
    );
    assert.equal(average.length, 1);

    const interactions = await until(
      async () => (await prom.query('bot_interactions_total{command="health",outcome="ok"}'))[0],
      10_000,
      'the health interaction',
    );
    assert.ok(value(interactions) >= 1);
  });
});
