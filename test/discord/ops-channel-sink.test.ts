import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import type { AlertTransition } from '../../src/core/alerts/types.ts';
import type { Metrics } from '../../src/core/metrics/metrics.ts';
import { embedLength } from '../../src/discord/embeds/embed-text.ts';
import {
  createChannelPoster,
  createOpsChannelSink,
  type OpsChannelMessage,
  type OpsChannelSinkOptions,
} from '../../src/discord/ops-channel-sink.ts';
import { CaptureLogger } from '../support/capture-logger.ts';
import { ManualClock } from '../support/manual-clock.ts';

const MINUTE = 60_000;

let seq = 0;
function note(clock: ManualClock, over: Partial<AlertTransition> = {}): AlertTransition {
  seq += 1;
  return {
    kind: 'fired',
    key: `component.c${seq}`,
    title: `Component c${seq} failed`,
    severity: 'critical',
    value: null,
    threshold: null,
    since: new Date(clock.now()).toISOString(),
    at: new Date(clock.now()).toISOString(),
    duration_ms: null,
    silenced: false,
    episode: `e${seq}`,
    acknowledged: null,
    message_id: null,
    inhibited_by: null,
    held_back: [],
    ...over,
  };
}

type PostBehaviour = (call: number) => Promise<void>;

function setup(behaviour: PostBehaviour = async () => {}, over: Partial<OpsChannelSinkOptions> = {}) {
  const clock = new ManualClock();
  const log = new CaptureLogger();
  const posts: { at: number; body: OpsChannelMessage }[] = [];
  const calls: number[] = [];
  const states: string[] = [];
  const metricEvents: string[] = [];
  const metrics = {
    alert: (event: string) => metricEvents.push(event),
  } as unknown as Metrics;
  const sink = createOpsChannelSink({
    post: async (body) => {
      calls.push(clock.now());
      await behaviour(calls.length);
      posts.push({ at: clock.now(), body });
    },
    clock,
    log,
    metrics,
    onChannelState: (state, n) => states.push(`${state}:${n}`),
    digestWindowMs: 1000,
    ...over,
  });
  const count = (event: string): number => metricEvents.filter((e) => e === event).length;
  return { clock, log, sink, posts, calls, states, count };
}

const embedsOf = (posts: { body: OpsChannelMessage }[]) => posts.flatMap((p) => p.body.embeds);

describe('ops channel sink: delivery', () => {
  it('posts one coloured embed per notification, with mentions always off', async () => {
    const { clock, sink, posts, count } = setup();
    sink.notify(note(clock, { title: 'Boom @everyone', severity: 'warning' }));
    await clock.advance(999);
    assert.equal(posts.length, 0, 'waits for the digest window');
    await clock.advance(1);
    assert.equal(posts.length, 1);
    assert.deepEqual(posts[0]?.body.allowed_mentions, { parse: [] });
    const [embed] = posts[0]?.body.embeds ?? [];
    assert.equal(embed?.color, 0xf1c40f);
    assert.ok(!embed?.title?.includes('@everyone'));
    assert.equal(count('delivered'), 1);
  });

  it('does not post silenced notifications', async () => {
    const { clock, sink, posts } = setup();
    sink.notify(note(clock, { silenced: true }));
    await clock.advance(10_000);
    assert.equal(posts.length, 0);
  });

  it('sends alerts raised together as one digest message', async () => {
    const { clock, sink, posts } = setup();
    for (let i = 0; i < 3; i += 1) sink.notify(note(clock));
    await clock.advance(500);
    sink.notify(note(clock, { kind: 'resolved', duration_ms: 1000 }));
    await clock.advance(5000);
    assert.equal(posts.length, 1);
    assert.equal(posts[0]?.body.embeds.length, 4);
    assert.equal(posts[0]?.body.embeds[3]?.color, 0x2ecc71, 'resolved is green');
  });

  it('splits a digest at 10 embeds and 6000 characters', async () => {
    const { clock, sink, posts } = setup();
    const long = 'x'.repeat(5000);
    for (let i = 0; i < 25; i += 1) sink.notify(note(clock, { title: long, value: long, threshold: long }));
    await clock.advance(MINUTE);
    assert.equal(embedsOf(posts).length, 25);
    for (const p of posts) {
      assert.ok(p.body.embeds.length <= 10);
      const total = p.body.embeds.reduce((n, e) => n + embedLength(e), 0);
      assert.ok(total <= 6000, `total ${total}`);
    }
  });
});

describe('ops channel sink: budget and queue', () => {
  it('under a storm of 500 notifications never exceeds the budget, and announces what it dropped', async () => {
    const { clock, sink, posts, count } = setup();
    for (let i = 0; i < 500; i += 1) {
      sink.notify(note(clock));
      await clock.advance(100); // 10 per second for 50 s
    }
    await clock.advance(10 * MINUTE);
    const times = posts.map((p) => p.at);
    for (const t of times) {
      assert.ok(times.filter((u) => u >= t && u < t + 5000).length <= 4, 'at most 4 per 5 s');
      assert.ok(times.filter((u) => u >= t && u < t + MINUTE).length <= 20, 'at most 20 per minute');
    }
    const delivered = count('delivered');
    const dropped = count('dropped');
    assert.equal(delivered + dropped, 500, 'every notification is delivered or counted as dropped');
    assert.ok(dropped > 0);
    const notes = embedsOf(posts)
      .map((e) => /(\d+) notifications? (?:was|were) dropped/.exec(e.description ?? '')?.[1])
      .filter((n) => n !== undefined)
      .map(Number);
    assert.equal(
      notes.reduce((a, b) => a + b, 0),
      dropped,
      'the dropped count is said in the next messages',
    );
    assert.equal(sink.queued, 0);
  });

  it('bounds the queue and says "N notifications were dropped" in the next message', async () => {
    const { clock, sink, posts, count } = setup(async () => {}, { queueMax: 5 });
    for (let i = 0; i < 8; i += 1) sink.notify(note(clock));
    assert.equal(sink.queued, 5);
    assert.equal(count('dropped'), 3);
    await clock.advance(2000);
    assert.equal(posts.length, 1);
    assert.match(posts[0]?.body.embeds[0]?.description ?? '', /3 notifications were dropped/);
    assert.equal(posts[0]?.body.embeds.length, 6);
    sink.notify(note(clock));
    await clock.advance(10_000);
    assert.ok(!JSON.stringify(posts[1]?.body).includes('dropped'), 'announced once');
  });
});

describe('ops channel sink: failures', () => {
  it('waits out a 429 and then delivers once', async () => {
    const { clock, sink, posts, calls, count } = setup(async (call) => {
      if (call === 1)
        throw Object.assign(new Error('rate limited'), { status: 429, rawError: { retry_after: 2.5 } });
    });
    sink.notify(note(clock));
    await clock.advance(1000);
    assert.equal(calls.length, 1);
    await clock.advance(2000);
    assert.equal(calls.length, 1, 'not before retry_after');
    await clock.advance(500);
    assert.equal(calls.length, 2);
    assert.equal(posts.length, 1);
    assert.equal(count('delivered'), 1);
  });

  it('on 403 logs once, marks the channel degraded and does not storm over 10 minutes', async () => {
    let forbidden = true;
    const { clock, sink, calls, log, states, posts } = setup(async () => {
      if (forbidden) throw Object.assign(new Error('Missing Permissions'), { status: 403, code: 50013 });
    });
    for (let i = 0; i < 200; i += 1) {
      sink.notify(note(clock));
      await clock.advance(3000); // a notification every 3 s for 10 minutes
    }
    assert.ok(calls.length <= 3, `post was called ${calls.length} times`);
    assert.equal(log.events('alert_channel_unavailable').length, 1);
    assert.deepEqual(
      states.map((s) => s.split(':')[0]),
      ['degraded'],
    );
    forbidden = false;
    await clock.advance(11 * MINUTE);
    assert.ok(posts.length >= 1, 'resumes after the backoff');
    assert.match(JSON.stringify(posts[0]?.body), /notifications were dropped/);
    assert.equal(states.at(-1)?.split(':')[0], 'ready');
    assert.equal(log.events('alert_channel_recovered').length, 1);
  });

  it('a missing channel (404 / 10003) is treated the same way', async () => {
    const { clock, sink, calls, log } = setup(async () => {
      throw Object.assign(new Error('Unknown Channel'), { status: 404, code: 10003 });
    });
    sink.notify(note(clock));
    await clock.advance(5 * MINUTE);
    sink.notify(note(clock));
    await clock.advance(4 * MINUTE);
    assert.equal(calls.length, 1);
    assert.equal(log.events('alert_channel_unavailable').length, 1);
  });

  it('retries 5xx with growing backoff, and gives up after the bounded attempts with the alert logged', async () => {
    const { clock, sink, calls, log, count } = setup(async () => {
      throw Object.assign(new Error('Internal Server Error'), { status: 500 });
    });
    sink.notify(note(clock));
    await clock.advance(10 * MINUTE);
    assert.equal(calls.length, 5);
    const gaps = calls.slice(1).map((t, i) => t - (calls[i] ?? 0));
    assert.deepEqual(gaps, [1000, 2000, 4000, 8000]);
    assert.equal(log.events('alert_undelivered').length, 1);
    assert.equal(count('dropped'), 1);
  });

  it('recovers from a transient network error', async () => {
    const { clock, sink, posts } = setup(async (call) => {
      if (call === 1) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    });
    sink.notify(note(clock));
    await clock.advance(3000);
    assert.equal(posts.length, 1);
  });
});

describe('ops channel sink: close', () => {
  it('delivers what is queued within the bound', async () => {
    const { clock, sink, posts } = setup();
    for (let i = 0; i < 12; i += 1) sink.notify(note(clock));
    const closing = sink.close(5000);
    await clock.advance(5000);
    await closing;
    assert.equal(embedsOf(posts).length, 12);
  });

  it('logs each undelivered notification when the channel cannot be reached in time', async () => {
    const { clock, sink, log } = setup(async () => {
      throw Object.assign(new Error('Missing Access'), { status: 403, code: 50001 });
    });
    sink.notify(note(clock));
    await clock.advance(2000);
    sink.notify(note(clock));
    sink.notify(note(clock));
    const closing = sink.close(3000);
    await clock.advance(3000);
    await closing;
    const undelivered = log.events('alert_undelivered');
    assert.equal(undelivered.length, 3);
    assert.equal(undelivered[0]?.subsys, 'alerts');
    assert.equal(typeof undelivered[0]?.detail.key, 'string');
  });
});

describe('ops channel sink: importance', () => {
  const titles = (p: { body: OpsChannelMessage }) => p.body.embeds.map((e) => e.title ?? e.description ?? '');

  it('a full queue drops recoveries and notices before a critical alert, and says what it dropped', async () => {
    const { clock, sink, posts, count } = setup(async () => {}, { queueMax: 5 });
    for (let i = 0; i < 5; i += 1) sink.notify(note(clock, { kind: 'resolved', duration_ms: 1000 }));
    sink.notify(note(clock, { title: 'Database down', severity: 'critical' }));
    sink.notify(note(clock, { title: 'Disk filling', severity: 'warning' }));
    assert.equal(sink.queued, 5);
    await clock.advance(2000);
    const [first] = posts;
    assert.ok(first);
    const text = titles(first);
    assert.match(text[0] ?? '', /2 notifications were dropped \(2 info\)/);
    assert.match(text[1] ?? '', /Database down/, 'the critical goes first');
    assert.match(text[2] ?? '', /Disk filling/, 'then the warning');
    assert.equal(text.filter((t) => /Resolved/.test(t) || /^✅/.test(t)).length, 3);
    assert.equal(count('dropped'), 2);
  });

  it('when only criticals wait, a full queue drops the oldest of them and counts it as critical', async () => {
    const { clock, sink, posts } = setup(async () => {}, { queueMax: 3 });
    for (let i = 0; i < 4; i += 1) sink.notify(note(clock, { title: `Critical ${i}` }));
    await clock.advance(2000);
    const text = titles(posts[0] as { body: OpsChannelMessage });
    assert.match(text[0] ?? '', /1 notification was dropped \(1 critical\)/);
    assert.deepEqual(
      text.slice(1).map((t) => /Critical \d/.exec(t)?.[0]),
      ['Critical 1', 'Critical 2', 'Critical 3'],
    );
  });

  it('a critical never waits behind infos: it is in the next message sent, even behind a backlog', async () => {
    const { clock, sink, posts } = setup(async () => {}, { queueMax: 200 });
    // A backlog of 100 recoveries: ten messages' worth, paced by the budget (4 per 5 s).
    for (let i = 0; i < 100; i += 1) sink.notify(note(clock, { kind: 'resolved', duration_ms: 1000 }));
    await clock.advance(1000);
    assert.equal(posts.length, 4, 'the budget is spent');
    sink.notify(note(clock, { title: 'Database down' }));
    await clock.tick(); // the budget's next window
    assert.ok(posts.length > 4);
    assert.match(titles(posts[4] as { body: OpsChannelMessage })[0] ?? '', /Database down/);
  });

  it('never sends a recovery ahead of its own alert', async () => {
    const { clock, sink, posts } = setup();
    sink.notify(note(clock, { key: 'component.db', kind: 'resolved', duration_ms: 5, severity: 'warning' }));
    sink.notify(note(clock, { key: 'component.db', title: 'DB failed again' }));
    sink.notify(note(clock, { key: 'component.cache', title: 'Cache failed' }));
    await clock.advance(2000);
    const text = titles(posts[0] as { body: OpsChannelMessage });
    assert.equal(text.length, 3);
    assert.match(text[0] ?? '', /Cache failed/, 'the critical with nothing before it leads');
    assert.match(text[1] ?? '', /^✅/, 'then the older recovery of the db');
    assert.match(text[2] ?? '', /DB failed again/, 'and only then its new alert');
  });

  it('posts notices, which no silence holds back', async () => {
    const { clock, sink, posts } = setup();
    sink.notify({
      kind: 'notice',
      topic: 'silence_set',
      key: '*',
      title: 'Alerts matching * silenced',
      by: '123456789012345678',
      until: new Date(clock.now() + 86_400_000).toISOString(),
      requested_ms: 30 * 86_400_000,
      still_firing: [],
      at: new Date(clock.now()).toISOString(),
    });
    await clock.advance(1000);
    assert.equal(posts.length, 1);
    assert.equal(posts[0]?.body.embeds[0]?.title, '🔕 Alerts silenced');
    assert.deepEqual(posts[0]?.body.allowed_mentions, { parse: [] });
  });
});

describe('ops channel sink: a hung post', () => {
  it('is given up after its timeout, its request aborted, and retried; the queue moves on', async () => {
    const signals: AbortSignal[] = [];
    const { clock, sink, posts, calls, log } = setup(
      (call) => (call === 1 ? new Promise<void>(() => {}) : Promise.resolve()),
      { postTimeoutMs: 10_000 },
    );
    const spy = createOpsChannelSink({
      post: async (_body, signal) => {
        signals.push(signal);
      },
      clock,
      log,
    });
    spy.notify(note(clock));
    await clock.advance(1000);
    assert.equal(signals[0]?.aborted, false, 'a post that finished in time is not aborted');

    sink.notify(note(clock, { title: 'Stuck then sent' }));
    await clock.advance(1000);
    assert.equal(calls.length, 1);
    await clock.advance(9_999);
    assert.equal(calls.length, 1, 'still waiting inside the timeout');
    await clock.advance(1);
    const retry = log.events('alert_channel_retry');
    assert.equal(retry.length, 1);
    assert.equal(retry[0]?.detail.timed_out, true);
    await clock.advance(1000);
    assert.equal(calls.length, 2);
    assert.equal(posts.length, 1);
    assert.match(JSON.stringify(posts[0]?.body), /Stuck then sent/);
    assert.equal(sink.queued, 0);
  });

  it('aborts the signal it gave the post when the timeout passes', async () => {
    const clock = new ManualClock();
    let seen: AbortSignal | undefined;
    const sink = createOpsChannelSink({
      post: (_body, signal) => {
        seen = signal;
        return new Promise<void>(() => {});
      },
      clock,
      log: new CaptureLogger(),
      postTimeoutMs: 5_000,
    });
    sink.notify(note(clock));
    await clock.advance(1000);
    assert.equal(seen?.aborted, false);
    await clock.advance(5000);
    assert.equal(seen?.aborted, true);
    assert.match(String(seen?.reason), /longer than 5000 ms/);
  });

  it('at shutdown a hung post is given up at the close deadline and its alert logged as undelivered', async () => {
    const { clock, sink, log, calls } = setup(() => new Promise<void>(() => {}));
    sink.notify(note(clock, { title: 'Never acknowledged' }));
    await clock.advance(1000);
    assert.equal(calls.length, 1);
    let done = false;
    const closing = sink.close(3000).then(() => (done = true));
    await clock.advance(2999);
    assert.equal(done, false);
    await clock.advance(1);
    await closing;
    assert.equal(calls.length, 1, 'not posted again once the deadline is reached');
    const undelivered = log.events('alert_undelivered');
    assert.equal(undelivered.length, 1);
    assert.equal(undelivered[0]?.detail.reason, 'shutdown');
  });

  it('a critical raised while a batch of recoveries is being retried goes out first', async () => {
    let failing = true;
    const { clock, sink, posts } = setup(async () => {
      if (failing) throw Object.assign(new Error('Bad Gateway'), { status: 502 });
    });
    for (let i = 0; i < 10; i += 1) sink.notify(note(clock, { kind: 'resolved', duration_ms: 1000 }));
    await clock.advance(1000); // first attempt fails, retry in 1 s
    sink.notify(note(clock, { title: 'Database down' }));
    failing = false;
    await clock.advance(1000);
    assert.equal(posts.length, 2, 'eleven notifications: two messages');
    assert.match(JSON.stringify(posts[0]?.body.embeds[0]), /Database down/, 'the critical leads the first');
  });
});

describe('createChannelPoster', () => {
  const fakeClient = (options: { sendable?: boolean; fail?: () => unknown } = {}) => {
    const sent: { route: string; body: unknown; signal: unknown }[] = [];
    let fetches = 0;
    const client = {
      channels: {
        fetch: async (id: string) => {
          fetches += 1;
          assert.equal(id, '222');
          return options.sendable === false ? null : { isSendable: () => true };
        },
      },
      rest: {
        post: async (route: string, data: { body: unknown; signal: unknown }) => {
          const error = options.fail?.();
          if (error !== undefined) throw error;
          sent.push({ route, body: data.body, signal: data.signal });
        },
      },
    };
    return { client: client as never, sent, fetches: () => fetches };
  };

  it('checks the channel once, posts with mentions off and the abort signal, and lets Discord errors through unchanged', async () => {
    const apiError = Object.assign(new Error('Missing Permissions'), { status: 403, code: 50013 });
    let fail = false;
    const { client, sent, fetches } = fakeClient({ fail: () => (fail ? apiError : undefined) });
    const post = createChannelPoster(client, '222');
    const signal = new AbortController().signal;
    await post({ embeds: [{ title: 'a' }], allowed_mentions: { parse: [] } }, signal);
    await post({ embeds: [{ title: 'b' }], allowed_mentions: { parse: [] } }, signal);
    assert.equal(fetches(), 1);
    assert.deepEqual(sent[0], {
      route: '/channels/222/messages',
      body: { embeds: [{ title: 'a' }], allowed_mentions: { parse: [] } },
      signal,
    });
    fail = true;
    await assert.rejects(
      post({ embeds: [], allowed_mentions: { parse: [] } }, signal),
      (e) => e === apiError,
    );
  });

  it('reports a channel it cannot send to as missing, and fetches again next time', async () => {
    const { client, fetches } = fakeClient({ sendable: false });
    const post = createChannelPoster(client, '222');
    const signal = new AbortController().signal;
    await assert.rejects(post({ embeds: [], allowed_mentions: { parse: [] } }, signal), {
      status: 404,
      code: 10003,
    });
    await assert.rejects(post({ embeds: [], allowed_mentions: { parse: [] } }, signal), { code: 10003 });
    assert.equal(fetches(), 2);
  });

  it('over a real discord.js REST client, a post the sink gives up on is aborted: the request is closed', async () => {
    const { REST } = await import('discord.js');
    let received: () => void = () => {};
    let closed: () => void = () => {};
    const arrived = new Promise<void>((resolve) => (received = resolve));
    const hungUp = new Promise<void>((resolve) => (closed = resolve));
    // A Discord that takes the request and never answers.
    const server = createServer((req) => {
      received();
      req.on('close', () => closed());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const rest = new REST({ api: `http://127.0.0.1:${port}`, version: '10' }).setToken('not-a-real-token');
      const client = { channels: { fetch: async () => ({ isSendable: () => true }) }, rest };
      const clock = new ManualClock();
      const log = new CaptureLogger();
      const sink = createOpsChannelSink({
        post: createChannelPoster(client as never, '222'),
        clock,
        log,
        postTimeoutMs: 10_000,
      });
      sink.notify(note(clock));
      await clock.advance(1000);
      await arrived;
      await clock.advance(10_000);
      await hungUp;
      assert.equal(log.events('alert_channel_retry')[0]?.detail.timed_out, true);
      await sink.close(0);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
