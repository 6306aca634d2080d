import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { typescriptNodeArgs } from '../../src/typescript-runtime.mjs';
import { freePort } from '../support/free-port.ts';
import { type RunningBot, startRunningBot } from '../support/running-bot.ts';
import { until } from '../support/until.ts';

const get = (port: number, path: string, method = 'GET') =>
  fetch(`http://127.0.0.1:${port}${path}`, { method }).then(async (r) => ({
    status: r.status,
    type: r.headers.get('content-type') ?? '',
    body: await r.text(),
  }));

/** Every non-comment line of the Prometheus text format: `name{labels} value`. */
const SAMPLE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? -?([0-9.e+-]+|NaN|\+Inf|-Inf)( \d+)?$/;

describe('probes with metrics on', () => {
  let run: RunningBot;
  let port: number;
  before(async () => {
    port = await freePort();
    run = await startRunningBot({
      env: { OBS_ENABLE_PROMETHEUS: 'true', PROMETHEUS_HOST: '127.0.0.1', PROMETHEUS_PORT: String(port) },
    });
  });
  after(() => run.close());

  test('/metrics is Prometheus text with the guide names and counts commands', async () => {
    await run.emulator.invokeCommand({ name: 'health', user: 'admin' }).settled(5_000);
    const res = await get(port, '/metrics');
    assert.equal(res.status, 200);
    assert.match(res.type, /^text\/plain/);
    for (const line of res.body.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      assert.match(line, SAMPLE, `a valid sample line: ${line}`);
    }
    for (const name of [
      'bot_startup_total_duration_count',
      'bot_startup_total_duration_sum',
      'bot_resource_memory_bytes',
      'bot_component_errors_total',
      'bot_background_task_heartbeats_total',
    ]) {
      assert.match(res.body, new RegExp(`^${name}(\\{| )`, 'm'), `${name} is exposed`);
    }
    assert.match(
      res.body,
      /^bot_interactions_total\{[^}]*command="health"[^}]*\} [1-9]/m,
      'the /health command counted',
    );
  });

  test('/livez, /healthz; /readyz follows the gateway', async () => {
    assert.equal((await get(port, '/livez')).status, 200);
    const health = await get(port, '/healthz');
    assert.equal(health.status, 200);
    const snapshot = JSON.parse(health.body) as {
      status: string;
      components: unknown[];
      uptime_seconds: number;
    };
    assert.equal(snapshot.status, 'ready');
    assert.ok(Array.isArray(snapshot.components) && snapshot.components.length > 0);
    assert.equal(typeof snapshot.uptime_seconds, 'number');
    assert.equal((await get(port, '/readyz')).status, 200);

    // A close code that does not allow resuming: the gateway is down until a fresh session.
    run.emulator.invalidateNextResume();
    run.emulator.dropGateway(4000);
    await until(
      async () => (await get(port, '/readyz')).status === 503,
      5_000,
      '/readyz 503 while disconnected',
    );
    await until(
      async () => (await get(port, '/readyz')).status === 200,
      10_000,
      '/readyz 200 after the resume',
    );
  });

  test('any other path is 404 without echoing it; POST is 405', async () => {
    const odd = await get(port, '/admin/<script>secret-path');
    assert.equal(odd.status, 404);
    assert.doesNotMatch(odd.body, /secret-path|script/);
    assert.equal((await get(port, '/')).status, 404);
    assert.equal((await get(port, '/metrics', 'POST')).status, 405);
    assert.equal((await get(port, '/healthz', 'DELETE')).status, 405);
  });
});

test('metrics off: no port is open and prom-client is never loaded', async () => {
  const port = await freePort();
  const fixture = fileURLToPath(new URL('../fixtures/e2e-http/bot-modules.ts', import.meta.url));
  const child = promisify(execFile)(process.execPath, [...typescriptNodeArgs, fixture], {
    env: { PATH: process.env.PATH ?? '', OBS_ENABLE_PROMETHEUS: 'false', PROMETHEUS_PORT: String(port) },
    timeout: 30_000,
  });
  const { stdout } = await child;
  assert.deepEqual((JSON.parse(stdout) as { loaded: string[] }).loaded, []);

  // And the real bot, in this process, with the port named but metrics off.
  const run = await startRunningBot({
    env: { OBS_ENABLE_PROMETHEUS: 'false', PROMETHEUS_PORT: String(port) },
  });
  try {
    const refused = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.on('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    assert.equal(refused, 'ECONNREFUSED');
  } finally {
    await run.close();
  }
});
