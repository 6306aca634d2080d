import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAlertEngine } from '../../src/core/alerts/alert-engine.ts';
import { matchAny } from '../../src/core/alerts/inhibition.ts';
import {
  createOpsChannelSink,
  type OpsChannelEdit,
  type OpsChannelMessage,
  type OpsChannelSinkOptions,
} from '../../src/discord/ops-channel-sink.ts';
import { CaptureLogger } from '../support/capture-logger.ts';
import { ManualClock } from '../support/manual-clock.ts';

const MINUTE = 60_000;
const ADMIN = '123456789012345678';
const GREEN = 0x2ecc71;

/** The engine and the sink wired as the bot wires them, over a fake channel that numbers its messages. */
function setup(over: Partial<OpsChannelSinkOptions> = {}) {
  const clock = new ManualClock();
  const log = new CaptureLogger();
  const engine = createAlertEngine({ clock, log, repeatIntervalMs: 15 * MINUTE });
  const posts: { id: string; body: OpsChannelMessage }[] = [];
  const edits: { id: string; body: OpsChannelEdit }[] = [];
  let next = 100;
  let failEdit: unknown;
  const sink = createOpsChannelSink({
    clock,
    log,
    episodes: engine,
    digestWindowMs: 1000,
    post: async (body) => {
      const id = String(next++);
      posts.push({ id, body });
      return id;
    },
    edit: async (id, body) => {
      if (failEdit !== undefined) {
        const error = failEdit;
        failEdit = undefined;
        throw error;
      }
      edits.push({ id, body });
    },
    ...over,
  });
  engine.addSink(sink);
  const alertPosts = () =>
    posts.filter((p) => p.body.reply_to === undefined && (p.body.components?.length ?? 0) > 0);
  return {
    clock,
    log,
    engine,
    sink,
    posts,
    edits,
    alertPosts,
    replies: () => posts.filter((p) => p.body.reply_to !== undefined),
    failNextEdit: (error: unknown) => {
      failEdit = error;
    },
  };
}

describe('ops channel sink: one message per alert episode', () => {
  it('posts a firing alert with its buttons and reports the message to the engine', async () => {
    const { engine, clock, posts } = setup();
    engine.raise('component.db', { severity: 'critical', title: 'DB down' });
    await clock.advance(1000);
    assert.equal(posts.length, 1);
    const [{ id, body }] = posts as [{ id: string; body: OpsChannelMessage }];
    assert.deepEqual(
      body.components?.[0]?.components.map((c) => ('custom_id' in c ? c.custom_id : '')),
      ['ops:alert:ack', 'ops:alert:silence:1h', 'ops:alert:silence:1d'],
    );
    assert.equal(engine.episodesOfMessage(id)[0]?.key, 'component.db');
    assert.deepEqual(body.allowed_mentions, { parse: [] });
  });

  it('a resolve edits the message green without buttons, and a short reply says so; nothing is posted twice', async () => {
    const { engine, clock, posts, edits, replies } = setup();
    engine.raise('component.db', { severity: 'critical', title: 'DB down' });
    await clock.advance(1000);
    await clock.advance(4 * MINUTE);
    engine.clear('component.db');
    await clock.advance(0);
    assert.equal(edits.length, 1, 'edited at once, no group window for an edit');
    assert.equal(edits[0]?.id, posts[0]?.id);
    assert.equal(edits[0]?.body.embeds[0]?.color, GREEN);
    assert.deepEqual(edits[0]?.body.components, []);
    assert.equal(replies().length, 1);
    assert.equal(replies()[0]?.body.content, '✅ **DB down** resolved after 4m 1s.');
    assert.equal(replies()[0]?.body.reply_to, posts[0]?.id);
    assert.deepEqual(replies()[0]?.body.embeds, []);
  });

  it('a reminder replies briefly; an acknowledgement only edits, and stops the reminders', async () => {
    const { engine, clock, edits, replies, posts } = setup();
    engine.raise('component.db', { severity: 'warning', title: 'DB slow', value: '900ms' });
    await clock.advance(1000);
    await clock.advance(15 * MINUTE);
    assert.deepEqual(
      replies().map((r) => r.body.content),
      ['🔁 **DB slow** still firing after 15m: 900ms.'],
    );
    engine.acknowledge(posts[0]?.id ?? '', ADMIN);
    await clock.advance(0);
    const last = edits.at(-1);
    assert.ok(
      last?.body.embeds[0]?.fields?.some((f) => f.name === 'Acknowledged' && f.value.includes(ADMIN)),
    );
    await clock.advance(60 * MINUTE);
    assert.equal(replies().length, 1, 'no reminder after the acknowledgement');
  });

  it('an alert that fires and resolves within the group window is one message, posted resolved', async () => {
    const { engine, clock, posts, edits } = setup();
    engine.raise('component.db', { severity: 'critical', title: 'DB blip' });
    await clock.advance(300);
    engine.clear('component.db');
    await clock.advance(2000);
    assert.equal(posts.length, 1);
    assert.equal(posts[0]?.body.embeds[0]?.color, GREEN);
    assert.deepEqual(posts[0]?.body.components, []);
    assert.equal(edits.length, 0);
  });

  it('three alerts inside the group window: one message with three embeds and one row of buttons', async () => {
    const { engine, clock, posts } = setup();
    engine.raise('a', { severity: 'warning', title: 'A' });
    await clock.advance(400);
    engine.raise('b', { severity: 'critical', title: 'B' });
    await clock.advance(400);
    engine.raise('c', { severity: 'warning', title: 'C' });
    await clock.advance(2000);
    assert.equal(posts.length, 1);
    assert.equal(posts[0]?.body.embeds.length, 3);
    assert.equal(posts[0]?.body.components?.length, 1);
    assert.deepEqual(
      engine.episodesOfMessage(posts[0]?.id ?? '').map((e) => e.key),
      ['b', 'a', 'c'],
      'the critical first',
    );
  });

  it('a held-back alert is never posted, and its end is not news; the one holding it back names it', async () => {
    const { engine, clock, posts, edits } = setup();
    engine.hold('gateway', matchAny(['component.ops_channel']));
    engine.raise('gateway', { severity: 'critical', title: 'Gateway down' });
    await clock.advance(1000);
    engine.raise('component.ops_channel', { severity: 'warning', title: 'Ops channel failing' });
    await clock.advance(0);
    engine.clear('component.ops_channel');
    await clock.advance(2000);
    assert.equal(posts.length, 1);
    const named = edits.find((e) => e.body.embeds[0]?.fields?.some((f) => f.name === 'Holding back'));
    assert.ok(named, 'the gateway message was edited to name what it held back');
    assert.ok(!JSON.stringify(posts).includes('Ops channel failing'));
  });

  it('a silenced reminder is not posted; an edit still is', async () => {
    const { engine, clock, posts, replies, edits } = setup();
    engine.raise('component.db', { severity: 'warning', title: 'DB slow' });
    await clock.advance(1000);
    engine.silence('component.db', 60 * MINUTE, ADMIN);
    await clock.advance(2000);
    assert.equal(edits.length, 1, 'the message says it is silenced');
    await clock.advance(30 * MINUTE);
    assert.equal(replies().length, 0);
    assert.equal(posts.filter((p) => p.body.embeds[0]?.title === '🔕 Alerts silenced').length, 1);
  });

  it('a message deleted in the channel (10008 on the edit) is posted again, with its buttons', async () => {
    const { engine, clock, alertPosts, failNextEdit, log, edits } = setup();
    engine.raise('component.db', { severity: 'warning', title: 'DB slow' });
    await clock.advance(1000);
    failNextEdit(Object.assign(new Error('Unknown Message'), { status: 404, code: 10008 }));
    engine.raise('component.db', { severity: 'critical', title: 'DB down' });
    await clock.advance(2000);
    assert.equal(alertPosts().length, 2);
    assert.equal(log.events('alert_message_missing').length, 1);
    assert.equal(log.events('alert_channel_unavailable').length, 0, 'not taken for a missing channel');
    const second = alertPosts()[1];
    assert.equal(engine.episodesOfMessage(second?.id ?? '')[0]?.severity, 'critical');
    // From then on the new message is the one edited (once the budget of 4 calls per 5 s allows).
    engine.clear('component.db');
    await clock.advance(5000);
    assert.equal(alertPosts().length, 2, 'not posted a third time');
    assert.equal(edits.at(-1)?.id, second?.id);
  });
});
