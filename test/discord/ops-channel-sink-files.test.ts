import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AlertNotification } from '../../src/core/alerts/types.ts';
import type { OpsChannelFile } from '../../src/discord/alert-attachments.ts';
import { createOpsChannelSink, type OpsChannelMessage } from '../../src/discord/ops-channel-sink.ts';
import { CaptureLogger } from '../support/capture-logger.ts';
import { ManualClock } from '../support/manual-clock.ts';

function notification(clock: ManualClock, key: string): AlertNotification {
  const now = new Date(clock.now()).toISOString();
  return {
    kind: 'fired',
    key,
    title: `${key} high`,
    severity: 'warning',
    value: '1',
    threshold: '1',
    since: now,
    at: now,
    duration_ms: null,
    silenced: false,
    episode: `${key}#1`,
    acknowledged: null,
    message_id: null,
    inhibited_by: null,
    held_back: [],
  };
}

const file = (name: string): OpsChannelFile => ({ name, data: new Uint8Array([1, 2, 3]), description: name });

function setup(attachmentFor: (n: AlertNotification) => Promise<OpsChannelFile | undefined> | undefined) {
  const clock = new ManualClock();
  const posts: OpsChannelMessage[] = [];
  const sink = createOpsChannelSink({
    post: async (body) => {
      posts.push(body);
    },
    clock,
    log: new CaptureLogger(),
    digestWindowMs: 1000,
    attachmentFor,
  });
  return { clock, posts, sink };
}

describe('ops channel sink: alert charts', () => {
  it('each notification shows its own file, named uniquely in the message; the others stay text', async () => {
    const { clock, posts, sink } = setup((n) =>
      n.key.startsWith('resource.') ? Promise.resolve(file(`${n.key}.png`)) : undefined,
    );
    sink.notify(notification(clock, 'resource.memory'));
    sink.notify(notification(clock, 'component.db'));
    sink.notify(notification(clock, 'resource.cpu'));
    await clock.advance(1000);
    assert.equal(posts.length, 1);
    const [body] = posts;
    assert.deepEqual(
      body?.files?.map((f) => f.name),
      ['1-resource.memory.png', '3-resource.cpu.png'],
    );
    assert.deepEqual(
      body?.embeds.map((e) => e.image?.url ?? null),
      ['attachment://1-resource.memory.png', null, 'attachment://3-resource.cpu.png'],
    );
  });

  it('a chart that fails or is late costs only the image: the alert goes out as text', async () => {
    const { clock, posts, sink } = setup((n) =>
      n.key === 'resource.memory' ? Promise.reject(new Error('boom')) : new Promise(() => {}),
    );
    sink.notify(notification(clock, 'resource.memory'));
    sink.notify(notification(clock, 'resource.cpu'));
    await clock.advance(1000);
    assert.equal(posts.length, 0, 'waiting for the late chart, within its bound');
    await clock.advance(3000);
    assert.equal(posts.length, 1);
    assert.equal(posts[0]?.files, undefined);
    assert.deepEqual(
      posts[0]?.embeds.map((e) => e.image),
      [undefined, undefined],
    );
  });

  it('a hook that throws is logged and the alert still goes out', async () => {
    const { clock, posts, sink } = setup(() => {
      throw new Error('no chart today');
    });
    sink.notify(notification(clock, 'resource.memory'));
    await clock.advance(1000);
    assert.equal(posts.length, 1);
    assert.equal(posts[0]?.files, undefined);
  });
});
