import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { typescriptNodeArgs } from '../../src/discord/index.ts';
import { freePort } from '../support/free-port.ts';
import { type RunningBot, startRunningBot } from '../support/running-bot.ts';
import { until } from '../support/until.ts';

const get = (port: number, path: string, method = 'GET', headers: Record<string, string> = {}) =>
  fetch(`http://127.0.0.1:${port}${path}`, { method, headers }).then(async (r) => ({
    status: r.status,
    type: r.headers.get('content-type') ?? '',
    authenticate: r.headers.get('www-authenticate'),
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

  test('/metrics is Prometheus text with the documented names and counts commands', async () => {
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

  test('a metrics source that fails during a scrape is logged in the JSON log, and the scrape still answers', async () => {
    // A source that throws, bound the way the manager binds the real ones.
    run.bot.manager.metrics.bindSources({
      health: () => run.bot.manager.healthSnapshot(),
      resources: () => undefined,
      tasks: () => {
        throw new Error('task registry unavailable');
      },
      gateway: () => run.bot.manager.gateway.snapshot(),
      startup: () => run.bot.manager.startupReport(),
    });
    // Scrapes until one renders anew (a render is served from cache for up to a second).
    const logged = await until(
      async () => {
        assert.equal((await get(port, '/metrics')).status, 200);
        return readFileSync(run.logFile, 'utf8')
          .split('\n')
          .filter((l) => l.includes('"metrics_source_error"'))
          .map((l) => JSON.parse(l) as { subsys: string; name: string; detail: { source: string } })[0];
      },
      5_000,
      'metrics_source_error in the JSON log',
      200,
    );
    assert.equal(logged.subsys, 'metrics');
    assert.equal(logged.name, 'bot.metrics');
    assert.equal(logged.detail.source, 'tasks');
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

describe('probes with OBS_HTTP_AUTH_TOKEN set', () => {
  const HTTP_TOKEN = 'PLANTED-probe-t0ken-9f8e7d6c5b4a';
  const withToken = { Authorization: `Bearer ${HTTP_TOKEN}` };
  let run: RunningBot;
  let port: number;
  before(async () => {
    port = await freePort();
    run = await startRunningBot({
      env: {
        OBS_ENABLE_PROMETHEUS: 'true',
        PROMETHEUS_HOST: '127.0.0.1',
        PROMETHEUS_PORT: String(port),
        OBS_HTTP_AUTH_TOKEN: HTTP_TOKEN,
      },
    });
  });
  after(() => run.close());

  test('/metrics and /healthz need the token; /livez and /readyz do not', async () => {
    for (const path of ['/metrics', '/healthz']) {
      const bare = await get(port, path);
      assert.equal(bare.status, 401, `${path} without a token`);
      assert.equal(bare.authenticate, 'Bearer');
      assert.equal(
        (await get(port, path, 'GET', { Authorization: 'Bearer not-the-token-at-all' })).status,
        401,
      );
      assert.equal((await get(port, path, 'GET', withToken)).status, 200, `${path} with the token`);
    }
    const scrape = await get(port, '/metrics', 'GET', withToken);
    assert.match(scrape.body, /^bot_resource_memory_bytes \d+$/m);
    assert.equal(JSON.parse((await get(port, '/healthz', 'GET', withToken)).body).status, 'ready');
    assert.equal((await get(port, '/livez')).status, 200);
    const ready = await get(port, '/readyz');
    assert.equal(ready.status, 200);
    assert.equal(ready.body, 'ready\n');
  });

  test('a component error with a path and a stack reaches /healthz without them', async () => {
    run.bot.manager.health.register('plugin_store');
    run.bot.manager.health.recordError(
      'plugin_store',
      new Error(
        "EACCES: permission denied, open '/home/opsbot/app/data/plugins.db'\n" +
          '    at openStore (/home/opsbot/app/src/plugins/store.ts:31:9)\n' +
          '    at async Promise.all (index 0)',
      ),
    );
    const body = (await get(port, '/healthz', 'GET', withToken)).body;
    assert.doesNotMatch(body, /\/home\/opsbot|store\.ts|openStore/);
    const store = (
      JSON.parse(body) as { components: { name: string; last_error: { message: string } | null }[] }
    ).components.find((c) => c.name === 'plugin_store');
    assert.equal(store?.last_error?.message, "EACCES: permission denied, open '<path>'");
  });

  test('the token never reaches the JSON log or the console, even when something logs it', async () => {
    run.bot.log.warning('probe_token_echo', `a careless line carrying ${HTTP_TOKEN}`, {
      header: `Bearer ${HTTP_TOKEN}`,
    });
    await until(
      () => readFileSync(run.logFile, 'utf8').includes('probe_token_echo'),
      5_000,
      'the planted line in the JSON log',
    );
    const text = readFileSync(run.logFile, 'utf8');
    assert.ok(text.includes('http_listening'));
    assert.ok(!text.includes(HTTP_TOKEN), 'the JSON log holds the probe token');
    assert.ok(!run.consoleText().includes(HTTP_TOKEN), 'the console holds the probe token');
    const echoed = text.split('\n').find((l) => l.includes('probe_token_echo')) ?? '';
    assert.match(echoed, /\[REDACTED\]/);
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
