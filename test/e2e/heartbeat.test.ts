import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { test } from 'node:test';
import { startRunningBot } from '../support/running-bot.ts';
import { sleep, until } from '../support/until.ts';

interface Hit {
  readonly path: string;
  readonly method: string;
  readonly at: number;
}

/** A dead man's switch service on 127.0.0.1 that records every request, and answers as told. */
async function pingServer(
  answer: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end('OK'),
): Promise<{ url: string; hits: Hit[]; server: Server }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    hits.push({ path: req.url ?? '', method: req.method ?? '', at: Date.now() });
    answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, hits, server };
}

const UUID = '5f2a9c1e-7d4b-4e8a-9b3c-0a1b2c3d4e5f';

test('HEARTBEAT_URL: /start, then periodic pings, then /fail at once when the bot turns not_ready, in that order', async () => {
  const { url, hits, server } = await pingServer();
  const run = await startRunningBot({
    awaitStart: false,
    emulator: { heartbeatIntervalMs: 1_000 },
    env: { HEARTBEAT_URL: `${url}/ping/${UUID}`, HEARTBEAT_INTERVAL_MS: '1000' },
  });
  try {
    const base = `/ping/${UUID}`;
    await run.bot.started;
    await until(() => hits.filter((h) => h.path === base).length >= 3, 10_000, 'three pings');
    assert.equal(hits[0]?.path, `${base}/start`, 'the start comes first');
    assert.ok(hits.every((h) => h.method === 'GET'));
    const pings = hits.filter((h) => h.path === base).map((h) => h.at);
    const gaps = pings.slice(1).map((t, i) => t - (pings[i] ?? 0));
    // The first ping goes out as the start ends; then one per interval, give or take its 10 % jitter
    // (and a busy machine's delays).
    for (const gap of gaps.slice(1))
      assert.ok(gap >= 700 && gap <= 2_000, `a ping every ~1 s, got ${gap} ms`);

    // The gateway drops and stays down for a while: not_ready, and /fail at once.
    const before = hits.length;
    const downAt = Date.now();
    run.emulator.delayNextIdentify(4_000);
    run.emulator.invalidateSession();
    const fail = await until(() => hits.slice(before).find((h) => h.path === `${base}/fail`), 5_000, '/fail');
    assert.ok(fail.at - downAt < 1_000, `/fail ${fail.at - downAt} ms after the drop`);
    assert.equal((await run.bot.manager.getComprehensiveHealthStatus()).status, 'not_ready');
    await sleep(1_500);
    const whileDown = hits.slice(hits.indexOf(fail) + 1);
    assert.ok(
      whileDown.every((h) => h.path !== base),
      `no ping while not_ready: ${whileDown.map((h) => h.path).join(' ')}`,
    );

    // Back: a ping at once, then the pings go on.
    await until(
      () => hits.slice(hits.indexOf(fail)).some((h) => h.path === base),
      10_000,
      'a ping after the recovery',
    );
    const order = hits.map((h) => h.path.slice(base.length) || '/');
    const firstFail = order.indexOf('/fail');
    assert.deepEqual(order.slice(0, 1), ['/start']);
    assert.ok(
      order.slice(1, firstFail).every((p) => p === '/'),
      order.join(' '),
    );
    assert.ok(firstFail > 2, 'pings came before the failure');
    assert.equal(order.at(-1), '/');

    // The URL is a secret: it never reaches the log.
    run.bot.logging.flushSync();
    assert.ok(!readFileSync(run.logFile, 'utf8').includes(UUID));
    assert.ok(!run.consoleText().includes(UUID));
  } finally {
    await run.close();
    server.close();
  }
});

test('a heartbeat endpoint that hangs: the bot stays ready, one request at a time, each given up, the component degraded', async () => {
  const open: ServerResponse[] = [];
  // Takes the requests and never answers them.
  const { url, hits, server } = await pingServer((_req, res) => {
    open.push(res);
  });
  const run = await startRunningBot({
    env: { HEARTBEAT_URL: `${url}/ping/${UUID}`, HEARTBEAT_INTERVAL_MS: '1000' },
  });
  try {
    await sleep(5_500);
    const status = await run.bot.manager.getComprehensiveHealthStatus();
    assert.notEqual(status.status, 'not_ready', 'a hung endpoint never makes the bot not ready');
    const component = status.components.find((c) => c.name === 'heartbeat');
    assert.equal(component?.state, 'degraded');
    assert.match(component?.note ?? '', /heartbeat endpoint failing: no answer within 1000 ms/);
    // One request per second at most, whatever the endpoint does: no pile-up, no retry storm.
    assert.ok(hits.length >= 4 && hits.length <= 7, `${hits.length} requests in 5.5 s`);
    const answered = await run.emulator.invokeCommand({ name: 'health', user: 'admin' }).settled(5_000);
    assert.ok(answered.ackMs !== null && answered.ackMs < 3_000, 'the bot answers as usual');
  } finally {
    for (const res of open) res.destroy();
    await run.close();
    server.closeAllConnections();
    server.close();
  }
});
