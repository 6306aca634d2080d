import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OverallStatus } from '../../../src/core/health/types.ts';
import {
  createHeartbeat,
  type HeartbeatOptions,
  heartbeatUrl,
} from '../../../src/core/heartbeat/heartbeat.ts';
import { CaptureLogger } from '../../support/capture-logger.ts';
import { flushMicrotasks, ManualClock } from '../../support/manual-clock.ts';

const URL_ = 'https://hc.example/ping/5f2a9c1e';

/** A fake endpoint: each request waits for the test to answer it (or answers at once when `auto`). */
function setup(over: Partial<HeartbeatOptions> = {}, auto = true) {
  const clock = new ManualClock();
  const log = new CaptureLogger();
  let status: OverallStatus = 'not_ready';
  const requests: { url: string; at: number; signal: AbortSignal; answer(code: number): void }[] = [];
  const health: string[] = [];
  const heartbeat = createHeartbeat({
    url: URL_,
    intervalMs: 60_000,
    clock,
    log,
    status: () => status,
    random: () => 0.5,
    onHealth: (to) => health.push(to),
    fetch: (url, { signal }) =>
      new Promise((resolve, reject) => {
        const request = { url, at: clock.now(), signal, answer: (code: number) => resolve({ status: code }) };
        requests.push(request);
        signal.addEventListener('abort', () => reject(signal.reason));
        if (auto) request.answer(200);
      }),
    ...over,
  });
  const paths = () => requests.map((r) => r.url.slice(URL_.length) || '/');
  return {
    clock,
    log,
    heartbeat,
    requests,
    paths,
    health,
    setStatus: (s: OverallStatus) => {
      status = s;
    },
  };
}

describe('the heartbeat (dead man’s switch)', () => {
  it('builds /start and /fail after the path, keeping a query string where it belongs', () => {
    assert.equal(heartbeatUrl('https://hc.example/ping/abc', 'start'), 'https://hc.example/ping/abc/start');
    assert.equal(heartbeatUrl('https://hc.example/ping/abc/', 'fail'), 'https://hc.example/ping/abc/fail');
    assert.equal(
      heartbeatUrl('https://kuma.example/api/push/k?status=up', 'fail'),
      'https://kuma.example/api/push/k/fail?status=up',
    );
    assert.equal(heartbeatUrl('https://hc.example/ping/abc', 'ping'), 'https://hc.example/ping/abc');
  });

  it('/start when the start begins, a ping when it ends ready, then one every interval', async () => {
    const { heartbeat, clock, paths, setStatus, requests } = setup();
    heartbeat.begin();
    await flushMicrotasks();
    assert.deepEqual(paths(), ['/start']);
    setStatus('ready');
    heartbeat.startFinished('ready');
    await clock.advance(3 * 60_000);
    assert.deepEqual(paths(), ['/start', '/', '/', '/', '/']);
    const gaps = requests.slice(2).map((r, i) => r.at - (requests[i + 1]?.at ?? 0));
    assert.deepEqual(gaps, [60_000, 60_000, 60_000]);
  });

  it('the interval is jittered by up to 10 %, so a fleet does not ping in step', async () => {
    for (const [random, gap] of [
      [0, 54_000],
      [0.999_999, 66_000],
    ] as const) {
      const { heartbeat, clock, requests, setStatus } = setup({ random: () => random });
      setStatus('degraded');
      heartbeat.startFinished('degraded');
      await clock.advance(70_000);
      assert.equal(Math.round(((requests[1]?.at ?? 0) - (requests[0]?.at ?? 0)) / 1000) * 1000, gap);
    }
  });

  it('/fail at once when the bot turns not_ready, no pings while it is, a ping at once when it is back', async () => {
    const { heartbeat, clock, paths, setStatus } = setup();
    setStatus('ready');
    heartbeat.startFinished('ready');
    await clock.advance(60_000);
    setStatus('not_ready');
    heartbeat.statusChanged();
    await flushMicrotasks();
    assert.deepEqual(paths(), ['/', '/', '/fail']);
    heartbeat.statusChanged();
    await clock.advance(5 * 60_000);
    assert.deepEqual(paths(), ['/', '/', '/fail'], 'nothing more while not ready');
    setStatus('degraded');
    heartbeat.statusChanged();
    await flushMicrotasks();
    assert.deepEqual(paths(), ['/', '/', '/fail', '/']);
  });

  it('a failed start sends /fail; a cancelled one nothing', async () => {
    const failed = setup();
    failed.heartbeat.begin();
    failed.heartbeat.startFinished('failed');
    await failed.clock.advance(120_000);
    assert.deepEqual(failed.paths(), ['/start', '/fail']);
    const cancelled = setup();
    cancelled.heartbeat.startFinished('cancelled');
    await cancelled.clock.advance(120_000);
    assert.deepEqual(cancelled.paths(), []);
  });

  it('one request at a time: what comes meanwhile waits, the newest word wins', async () => {
    const { heartbeat, clock, paths, setStatus, requests } = setup({}, false);
    setStatus('ready');
    heartbeat.begin();
    heartbeat.startFinished('ready');
    setStatus('not_ready');
    heartbeat.statusChanged();
    await flushMicrotasks();
    assert.deepEqual(paths(), ['/start'], 'the ping and the fail wait for /start');
    requests[0]?.answer(200);
    await clock.advance(0);
    assert.deepEqual(paths(), ['/start', '/fail'], 'only the newest of the two');
  });

  it('a hung request is given up at its timeout; failures are logged once, degrade after three, and recover', async () => {
    const { heartbeat, clock, requests, setStatus, log, health } = setup({ timeoutMs: 10_000 }, false);
    setStatus('ready');
    heartbeat.startFinished('ready');
    for (let i = 0; i < 3; i += 1) {
      await clock.advance(10_000);
      assert.equal(requests[i]?.signal.aborted, true, `request ${i} aborted at its timeout`);
      await clock.advance(50_000);
    }
    assert.equal(requests.length, 4, 'one per interval, never more');
    assert.equal(log.events('heartbeat_failed').filter((r) => r.level === 'warning').length, 1);
    assert.match(log.events('heartbeat_failed')[0]?.msg ?? '', /no answer within 10000 ms/);
    assert.deepEqual(health, ['degraded']);
    requests[3]?.answer(200);
    await clock.advance(0);
    assert.deepEqual(health, ['degraded', 'ready']);
    assert.equal(log.events('heartbeat_recovered').length, 1);
    const text = JSON.stringify(log.records);
    assert.ok(!text.includes('5f2a9c1e'), 'the URL, a secret, is never logged');
    assert.ok(text.includes('hc.example'), 'only its host');
  });

  it('an HTTP error counts as a failure', async () => {
    const { heartbeat, clock, requests, log } = setup({}, false);
    heartbeat.begin();
    requests[0]?.answer(404);
    await clock.advance(0);
    assert.equal(log.events('heartbeat_failed')[0]?.detail.status, 404);
  });

  it('stop ends the pings', async () => {
    const { heartbeat, clock, paths, setStatus } = setup();
    setStatus('ready');
    heartbeat.startFinished('ready');
    heartbeat.stop();
    await clock.advance(10 * 60_000);
    assert.deepEqual(paths(), ['/']);
  });
});
