import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createServer } from 'node:net';
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
import { fakeSources, health } from '../metrics/fake-metrics-sources.ts';

interface Response {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

function call(port: number, path: string, method = 'GET'): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent: false, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
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
    assert.deepEqual(record?.detail, { host: '127.0.0.1', port });
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
  });
});
