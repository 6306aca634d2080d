import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createPromMetrics } from '../../../src/core/metrics/prom-metrics.ts';
import { component, fakeSources, health, startupReport, task } from './fake-metrics-sources.ts';
import { findBinary, PROMETHEUS_APT_HINT } from './prometheus-binaries.ts';

const promtool = findBinary('promtool');
const skip = promtool === undefined ? `promtool not found on PATH; ${PROMETHEUS_APT_HINT}` : false;
const opsFile = (path: string): string => fileURLToPath(new URL(`../../../ops/${path}`, import.meta.url));

function runPromtool(args: readonly string[], input?: string): { status: number | null; output: string } {
  const result = spawnSync(promtool ?? 'promtool', args, { input, encoding: 'utf8', timeout: 20_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

async function busyMetricsText(collectDefault: boolean): Promise<string> {
  const m = createPromMetrics({ collectDefault });
  const sources = fakeSources();
  sources.state.health = health(
    'degraded',
    Array.from({ length: 5 }, (_, i) =>
      component(`component_${i}`, { state: i === 0 ? 'degraded' : 'ready' }),
    ),
  );
  sources.state.tasks = Array.from({ length: 5 }, (_, i) => task(`task_${i}`));
  m.bindSources(sources);
  m.startupFinished(startupReport(2500));
  m.componentError('component_0');
  m.taskHeartbeat('task_1');
  m.taskRestart('task_2');
  m.interaction('health', 'ok', 0.2);
  for (const event of ['fired', 'delivered', 'dropped', 'resolved'] as const) m.alert(event, 'warning');
  m.gatewayReconnect();
  m.logRecord('info', 'written');
  m.logRecord('debug', 'dropped');
  return m.metricsText();
}

describe('promtool', { skip }, () => {
  it('finds no problem in the bot metrics', async () => {
    const { status, output } = runPromtool(['check', 'metrics'], await busyMetricsText(false));
    assert.equal(output.trim(), '');
    assert.equal(status, 0);
  });

  it('finds only the known prom-client default-metric lint in the full exposition', async () => {
    const { status, output } = runPromtool(['check', 'metrics'], await busyMetricsText(true));
    const problems = output.trim().split('\n').filter(Boolean);
    // prom-client names three gauges nodejs_active_*_total; that is the library's naming, not ours.
    const unexplained = problems.filter((line) => !/^nodejs_active_\w+_total non-counter metrics/.test(line));
    assert.deepEqual(unexplained, []);
    assert.ok(status === 0 || (status === 3 && problems.length > 0), `promtool exit ${status}: ${output}`);
  });

  it('accepts the alerting rules', () => {
    const { status, output } = runPromtool(['check', 'rules', opsFile('prometheus/rules.yml')]);
    assert.equal(status, 0, output);
    assert.match(output, /SUCCESS: \d+ rules found/);
  });

  it('fires the rules at the thresholds the bot alerts on (promtool rule unit tests)', () => {
    const { status, output } = runPromtool(['test', 'rules', opsFile('prometheus/rules.test.yml')]);
    assert.equal(status, 0, output);
  });

  it('accepts the example scrape configuration', () => {
    const { status, output } = runPromtool(['check', 'config', opsFile('prometheus/prometheus.yml')]);
    assert.equal(status, 0, output);
  });
});
