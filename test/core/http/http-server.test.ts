import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { systemClock } from '../../../src/core/clock.ts';
import type { HealthSnapshot } from '../../../src/core/health/types.ts';
import {
  createHttpServer,
  type HttpServer,
  type HttpServerOptions,
} from '../../../src/core/http/http-server.ts';
import { createPromMetrics } from '../../../src/core/metrics/prom-metrics.ts';
import { CaptureLogger } from '../../support/capture-logger.ts';
import { ManualClock } from '../../support/manual-clock.ts';
import { sleep, until } from '../../support/until.ts';
import { component, fakeSources, health } from '../metrics/fake-metrics-sources.ts';

interface Response {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

function call(
  port: number,
  path: string,
  method = 'GET',
  headers: Readonly<Record<string, string>> = {},
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method, headers, agent: false, timeout: 5_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

const servers: HttpServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.stop(100)));
});

async function startServer(
  overrides: Partial<HttpServerOptions> = {},
): Promise<{ server: HttpServer; port: number }> {
  const server = createHttpServer({
    host: '127.0.0.1',
    port: 0,
    health: () => health('ready'),
    isLive: () => true,
    log: new CaptureLogger(),
    clock: systemClock,
    ...overrides,
  });
  servers.push(server);
  await server.start();
  const port = server.address()?.port;
  assert.ok(port !== undefined && port > 0);
  return { server, port };
}

describe('createHttpServer', () => {
  it('serves /metrics in the Prometheus text format', async () => {
    const metrics = createPromMetrics({ collectDefault: false });
    metrics.bindSources(fakeSources());
    metrics.componentError('database');
    const { port } = await startServer({ metrics });
    const res = await call(port, '/metrics');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.match(res.body, /^bot_component_errors_total\{component="database"\} 1$/m);
    assert.match(res.body, /^bot_resource_memory_bytes \d+$/m);
  });

  it('answers 404 on /metrics when metrics are off', async () => {
    const { port } = await startServer();
    assert.equal((await call(port, '/metrics')).status, 404);
  });

  it('answers /livez from isLive()', async () => {
    let live = true;
    const { port } = await startServer({ isLive: () => live });
    assert.equal((await call(port, '/livez')).status, 200);
    live = false;
    const res = await call(port, '/livez');
    assert.equal(res.status, 503);
    assert.equal(res.body, 'not live\n');
  });

  it('answers /readyz 200 when ready or degraded and 503 when not ready', async () => {
    let snapshot: HealthSnapshot = health('ready');
    const { port } = await startServer({ health: () => snapshot });
    assert.equal((await call(port, '/readyz')).status, 200);
    snapshot = health('degraded');
    const degraded = await call(port, '/readyz');
    assert.equal(degraded.status, 200);
    assert.equal(degraded.body, 'degraded\n');
    snapshot = health('not_ready');
    assert.equal((await call(port, '/readyz')).status, 503);
  });

  it('answers /healthz with the JSON snapshot, 503 when not ready', async () => {
    let snapshot: HealthSnapshot = health('degraded');
    const { port } = await startServer({ health: () => snapshot });
    const ok = await call(port, '/healthz');
    assert.equal(ok.status, 200);
    assert.match(String(ok.headers['content-type']), /^application\/json/);
    assert.deepEqual(JSON.parse(ok.body), snapshot);
    snapshot = health('not_ready');
    const down = await call(port, '/healthz');
    assert.equal(down.status, 503);
    assert.equal(JSON.parse(down.body).status, 'not_ready');
  });

  it('answers probes 503 when the health source throws, and logs http_error', async () => {
    const log = new CaptureLogger();
    const { port } = await startServer({
      log,
      health: () => {
        throw new Error('boom');
      },
    });
    assert.equal((await call(port, '/readyz')).status, 503);
    assert.equal((await call(port, '/healthz')).status, 503);
    const errors = log.events('http_error');
    assert.equal(errors.length, 2);
    assert.equal(errors[0]?.subsys, 'metrics');
    assert.equal(errors[0]?.detail.path, '/readyz');
  });

  it('answers HEAD with the status and headers but no body', async () => {
    const { port } = await startServer({ isLive: () => false });
    const res = await call(port, '/livez', 'HEAD');
    assert.equal(res.status, 503);
    assert.equal(res.body, '');
    assert.equal(res.headers['content-length'], String(Buffer.byteLength('not live\n')));
  });

  it('answers other paths 404 without reflecting them, and other methods 405', async () => {
    const { port } = await startServer();
    for (const path of [
      '/',
      '/metrics/',
      '/..%2f..%2fetc/passwd',
      '/<script>alert(1)</script>',
      '/healthz/x',
    ]) {
      const res = await call(port, path);
      assert.equal(res.status, 404, path);
      assert.equal(res.body, 'not found\n');
    }
    const post = await call(port, '/healthz', 'POST');
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
    assert.equal(
      (await call(port, '/livez?verbose=1')).status,
      200,
      'a query string does not change the route',
    );
  });

  it('logs http_listening with the bound host and port', async () => {
    const log = new CaptureLogger();
    const { port } = await startServer({ log });
    const [record] = log.events('http_listening');
    assert.equal(record?.subsys, 'metrics');
    assert.deepEqual(record?.detail, { host: '127.0.0.1', port, token_required: false });
  });

  it('rejects start() with a clear error when the port is taken, and can retry once it is free', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    assert.ok(address !== null && typeof address === 'object');
    const log = new CaptureLogger();
    const server = createHttpServer({
      host: '127.0.0.1',
      port: address.port,
      health: () => health('ready'),
      isLive: () => true,
      log,
      clock: systemClock,
    });
    servers.push(server);
    await assert.rejects(server.start(), (error: Error & { code?: string }) => {
      assert.equal(error.message, `port ${address.port} on 127.0.0.1 is in use`);
      assert.equal(error.code, 'EADDRINUSE');
      return true;
    });
    assert.equal(server.address(), undefined);
    assert.equal(log.events('http_error')[0]?.detail.code, 'EADDRINUSE');
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
    await server.start();
    assert.equal(server.address()?.port, address.port);
  });

  it('stops gracefully: idle sockets close at once, a stuck request is cut at the bound', async () => {
    const clock = new ManualClock();
    let scraped = (): void => {};
    const scrapeStarted = new Promise<void>((resolve) => {
      scraped = resolve;
    });
    const stuck = {
      contentType: 'text/plain',
      metricsText: () => {
        scraped();
        return new Promise<string>(() => {});
      },
    };
    const { server, port } = await startServer({ clock, metrics: stuck });
    assert.equal((await call(port, '/livez')).status, 200);
    const hanging = call(port, '/metrics');
    const hangingOutcome = hanging.then(
      () => 'answered',
      () => 'cut',
    );
    await scrapeStarted;
    assert.equal((await call(port, '/livez')).status, 200, 'probes answer while a scrape is in flight');
    let stopped = false;
    const stopping = server.stop(1_000).then(() => {
      stopped = true;
    });
    await clock.advance(999);
    assert.equal(stopped, false, 'stop waits for the request in flight until the bound');
    await clock.advance(1);
    await stopping;
    assert.equal(await hangingOutcome, 'cut');
    assert.equal(server.address(), undefined);
    await assert.rejects(call(port, '/livez'), /ECONNREFUSED/);
  });

  it('checks its options at construction', () => {
    const base = {
      host: '127.0.0.1',
      health: () => health('ready'),
      isLive: () => true,
      log: new CaptureLogger(),
      clock: systemClock,
    };
    assert.throws(
      () => createHttpServer({ ...base, port: 70_000 }),
      /port must be an integer from 0 to 65535/,
    );
    assert.throws(() => createHttpServer({ ...base, port: 1, host: '' }), /host must not be empty/);
    assert.throws(
      () => createHttpServer({ ...base, port: 1, stopTimeoutMs: 0 }),
      /stopTimeoutMs must be a positive/,
    );
    assert.throws(
      () => createHttpServer({ ...base, port: 1, headersTimeoutMs: 2_000, requestTimeoutMs: 1_000 }),
      /headersTimeoutMs \(2000\) must not exceed requestTimeoutMs \(1000\)/,
    );
    assert.throws(
      () => createHttpServer({ ...base, port: 1, maxConnections: 0 }),
      /maxConnections must be a positive integer/,
    );
    assert.throws(() => createHttpServer({ ...base, port: 1, authToken: '' }), /authToken must not be empty/);
  });
});

const TOKEN = 'probe-token-0123456789abcdef';
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** A metrics exposition that counts how often it renders. */
function countingMetrics() {
  let renders = 0;
  return {
    get renders() {
      return renders;
    },
    contentType: 'text/plain; version=0.0.4; charset=utf-8',
    async metricsText() {
      renders += 1;
      return `bot_test_renders ${renders}\n`;
    },
  };
}

describe('createHttpServer with a token', () => {
  it('answers /metrics and /healthz 401 with WWW-Authenticate: Bearer, without or with a wrong token', async () => {
    const metrics = countingMetrics();
    const log = new CaptureLogger();
    const { port } = await startServer({ authToken: TOKEN, metrics, log });
    for (const path of ['/metrics', '/healthz']) {
      for (const headers of [
        {},
        bearer('wrong-token-0123456789abcdef'),
        bearer(`${TOKEN}x`),
        bearer(TOKEN.slice(0, -1)),
        { Authorization: `Basic ${Buffer.from(`prometheus:${TOKEN}`).toString('base64')}` },
        { Authorization: TOKEN },
      ]) {
        const res = await call(port, path, 'GET', headers);
        assert.equal(res.status, 401, `${path} ${JSON.stringify(headers)}`);
        assert.equal(res.headers['www-authenticate'], 'Bearer');
        assert.equal(res.body, 'unauthorized\n');
        assert.doesNotMatch(res.body, /ready|components|bot_/);
      }
      const head = await call(port, path, 'HEAD');
      assert.equal(head.status, 401, `HEAD ${path}`);
    }
    assert.equal(metrics.renders, 0, 'a refused scrape never renders');
    const refused = log.events('http_unauthorized');
    assert.ok(refused.length >= 4);
    assert.deepEqual(refused[0]?.detail, { path: '/metrics', reason: 'missing' });
    assert.deepEqual(refused[1]?.detail, { path: '/metrics', reason: 'invalid' });
    assert.ok(!JSON.stringify(log.records).includes(TOKEN), 'the token is never logged');
  });

  it('answers 200 with the token, and says at start that it needs one', async () => {
    const metrics = countingMetrics();
    const log = new CaptureLogger();
    const { port } = await startServer({ authToken: TOKEN, metrics, log });
    const [listening] = log.events('http_listening');
    assert.equal(listening?.detail.token_required, true);
    assert.match(listening?.msg ?? '', /\/metrics and \/healthz need the token/);
    const scrape = await call(port, '/metrics', 'GET', bearer(TOKEN));
    assert.equal(scrape.status, 200);
    assert.equal(scrape.body, 'bot_test_renders 1\n');
    const healthz = await call(port, '/healthz', 'GET', { Authorization: `bearer ${TOKEN}` });
    assert.equal(healthz.status, 200);
    assert.equal(JSON.parse(healthz.body).status, 'ready');
  });

  it('leaves /livez and /readyz open, and 404 and 405 as they were', async () => {
    const { port } = await startServer({ authToken: TOKEN });
    assert.equal((await call(port, '/livez')).status, 200);
    const ready = await call(port, '/readyz');
    assert.equal(ready.status, 200);
    assert.equal(ready.body, 'ready\n');
    assert.equal((await call(port, '/nope')).status, 404);
    assert.equal((await call(port, '/metrics', 'POST')).status, 405);
    assert.equal(
      (await call(port, '/metrics', 'GET', bearer(TOKEN))).status,
      404,
      'metrics off: 404 once let in',
    );
  });
});

describe('createHttpServer /healthz error texts', () => {
  it('never serves a file path or a stack frame from a component error', async () => {
    const at = '2026-01-15T14:30:45.123Z';
    const leaky =
      "ENOENT: no such file or directory, open '/home/alice/opsbot/data/cache.db' " +
      'at openCache (/home/alice/opsbot/src/cache.ts:42:7) at async start (file:///home/alice/opsbot/src/main.ts:9:3)';
    const snapshot = health('degraded', [
      component('cache', {
        state: 'degraded',
        error_count: 1,
        last_error: { at, message: leaky },
        errors: [{ at, message: leaky }],
        note: 'falling back after C:\\opsbot\\cache.db failed',
      }),
    ]);
    const { port } = await startServer({ health: () => snapshot });
    const res = await call(port, '/healthz');
    assert.equal(res.status, 200);
    assert.doesNotMatch(res.body, /alice|opsbot|cache\.ts|main\.ts|:42:7|openCache|C:\\/);
    const served = JSON.parse(res.body) as HealthSnapshot;
    assert.equal(
      served.components[0]?.last_error?.message,
      "ENOENT: no such file or directory, open '<path>'",
    );
    assert.equal(
      served.components[0]?.errors[0]?.message,
      "ENOENT: no such file or directory, open '<path>'",
    );
    assert.equal(served.components[0]?.note, 'falling back after <path> failed');
    assert.equal(served.components[0]?.error_count, 1);
  });
});

describe('createHttpServer /metrics render cache', () => {
  it('renders once within a second of the clock, however many scrapes, and again a second later', async () => {
    const clock = new ManualClock();
    const metrics = countingMetrics();
    const { port } = await startServer({ clock, metrics });
    const burst = await Promise.all(Array.from({ length: 20 }, () => call(port, '/metrics')));
    for (const res of burst) {
      assert.equal(res.status, 200);
      assert.equal(res.body, 'bot_test_renders 1\n');
    }
    await clock.advance(999);
    assert.equal((await call(port, '/metrics')).body, 'bot_test_renders 1\n');
    assert.equal((await call(port, '/metrics', 'HEAD')).status, 200);
    assert.equal(metrics.renders, 1);
    await clock.advance(1);
    assert.equal((await call(port, '/metrics')).body, 'bot_test_renders 2\n');
    assert.equal(metrics.renders, 2);
  });

  it('takes its age bound from the options', async () => {
    const clock = new ManualClock();
    const metrics = countingMetrics();
    const { port } = await startServer({ clock, metrics, metricsMaxAgeMs: 5_000 });
    await call(port, '/metrics');
    await clock.advance(4_999);
    await call(port, '/metrics');
    assert.equal(metrics.renders, 1);
    await clock.advance(1);
    await call(port, '/metrics');
    assert.equal(metrics.renders, 2);
  });
});

/** A raw TCP client, to play a slow or idle HTTP client. */
function rawClient(port: number): Promise<{
  readonly socket: Socket;
  received(): string;
  readonly closed: Promise<void>;
  isClosed(): boolean;
}> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let closed = false;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('error', () => {}); // a reset by the server shows as 'close'
    const closedPromise = new Promise<void>((r) =>
      socket.once('close', () => {
        closed = true;
        r();
      }),
    );
    socket.once('connect', () =>
      resolve({ socket, received: () => text, closed: closedPromise, isClosed: () => closed }),
    );
    socket.once('error', reject);
  });
}

describe('createHttpServer connection bounds', () => {
  it('cuts a client that sends its headers slowly with 408 once headersTimeoutMs passes', async () => {
    const log = new CaptureLogger();
    const { port } = await startServer({ log, headersTimeoutMs: 200, requestTimeoutMs: 200 });
    const client = await rawClient(port);
    const request = `GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'x'.repeat(500)}`;
    let sent = 0;
    // One byte every 20 ms: never idle, never done (all of it would take 10 s).
    while (!client.isClosed() && sent < request.length) {
      client.socket.write(request.charAt(sent));
      sent += 1;
      await sleep(20);
    }
    await client.closed;
    assert.ok(sent < request.length, 'the server closed the connection while the headers were still coming');
    assert.match(client.received(), /^HTTP\/1\.1 408 Request Timeout\r\n/);
    assert.equal(log.events('http_client_error')[0]?.detail.code, 'ERR_HTTP_REQUEST_TIMEOUT');
    assert.equal((await call(port, '/livez')).status, 200, 'the server still answers others');
  });

  it('closes a connection that sends nothing once idleTimeoutMs passes', async () => {
    const { port } = await startServer({
      idleTimeoutMs: 100,
      headersTimeoutMs: 60_000,
      requestTimeoutMs: 60_000,
    });
    const client = await rawClient(port);
    await client.closed;
    assert.equal(client.received(), '');
  });

  it('closes a kept-alive connection once keepAliveTimeoutMs passes without a next request', async () => {
    const { port } = await startServer({ keepAliveTimeoutMs: 100, idleTimeoutMs: 60_000 });
    const client = await rawClient(port);
    client.socket.write('GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    await until(() => client.received().includes('ok\n'), 5_000, 'the /livez answer');
    assert.match(client.received(), /^HTTP\/1\.1 200 OK\r\n/);
    await client.closed;
  });

  it('holds at most maxConnections open: one more is closed at once, and logged once', async () => {
    const log = new CaptureLogger();
    const { port } = await startServer({ log, maxConnections: 2 });
    const held = [await rawClient(port), await rawClient(port)];
    const extra = await rawClient(port);
    extra.socket.write('GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await extra.closed;
    assert.equal(extra.received(), '', 'the connection over the cap got no answer');
    await assert.rejects(call(port, '/livez'), /ECONNRESET|socket hang up/);
    const warnings = log.events('http_connection_limit');
    assert.equal(warnings.length, 1, 'one warning for the burst, not one per connection');
    assert.equal(warnings[0]?.level, 'warning');
    assert.deepEqual(warnings[0]?.detail, { max_connections: 2, closed: 1 });

    for (const client of held) client.socket.destroy();
    await until(
      async () => (await call(port, '/livez').catch(() => undefined))?.status === 200,
      5_000,
      'a request once the held connections are gone',
    );
  });
});
