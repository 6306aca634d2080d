import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OpsNotice } from '../../../src/core/alerts/types.ts';
import { renderOpsNoticeEmbed } from '../../../src/discord/embeds/alert-notice-embed.ts';
import { renderNotificationEmbed } from '../../../src/discord/embeds/alert-notification-embed.ts';
import { assertEmbedLimits } from '../../support/embed-limits.ts';

const AT = '2024-01-15T14:30:00.000Z';
const UNTIL = '2024-01-16T14:30:00.000Z';
const UNTIL_S = Date.parse(UNTIL) / 1000;
const ADMIN = '123456789012345678';

const set: OpsNotice = {
  kind: 'notice',
  topic: 'silence_set',
  key: '*',
  title: 'Alerts matching * silenced',
  by: ADMIN,
  until: UNTIL,
  requested_ms: 30 * 86_400_000,
  still_firing: [],
  at: AT,
};

describe('renderOpsNoticeEmbed', () => {
  it('a silence: who (as a mention), what, until when as a Discord timestamp, and the cap', () => {
    const e = renderOpsNoticeEmbed(set);
    assert.equal(e.title, '🔕 Alerts silenced');
    const text = e.description ?? '';
    assert.match(
      text,
      new RegExp(`<@${ADMIN}> silenced \`\\*\` until <t:${UNTIL_S}:f> \\(<t:${UNTIL_S}:R>\\)`),
    );
    assert.match(text, /Capped at 1d: 30d was asked/);
    assert.equal(e.timestamp, AT);
    assert.equal(renderNotificationEmbed(set).title, e.title, 'the dispatcher renders notices the same way');
  });

  it('an uncapped silence says nothing of a cap', () => {
    assert.doesNotMatch(renderOpsNoticeEmbed({ ...set, requested_ms: null }).description ?? '', /Capped/);
  });

  it('a lifted silence names who lifted it; an expired one says it ran out, and lists what still fires', () => {
    const lifted = renderOpsNoticeEmbed({ ...set, topic: 'silence_lifted', requested_ms: null });
    assert.equal(lifted.title, '🔔 Silence lifted');
    assert.match(lifted.description ?? '', new RegExp(`<@${ADMIN}> lifted the silence on \`\\*\``));
    const expired = renderOpsNoticeEmbed({
      ...set,
      topic: 'silence_expired',
      by: null,
      requested_ms: null,
      still_firing: ['resource.memory', 'task.sampler'],
    });
    assert.equal(expired.title, '🔔 Silence ended');
    assert.match(expired.description ?? '', new RegExp(`ran out at <t:${UNTIL_S}:f>`));
    assert.match(
      expired.description ?? '',
      /2 alerts it covered are still firing.*`resource\.memory`, `task\.sampler`/,
    );
    assert.equal(expired.color, 0xf1c40f, 'amber while something still fires');
    assert.equal(renderOpsNoticeEmbed({ ...set, topic: 'silence_expired', by: null }).color, 0x5865f2);
  });

  it('an id that is not a snowflake is shown as inert text, and hostile keys stay inert and within limits', () => {
    const hostile = `@everyone <@${ADMIN}> **x** ${'k'.repeat(5000)}`;
    const e = renderOpsNoticeEmbed({
      ...set,
      key: hostile,
      by: '@here',
      still_firing: Array.from({ length: 200 }, (_, i) => `${hostile}${i}`),
    });
    assertEmbedLimits([e]);
    const json = JSON.stringify(e);
    assert.ok(!/@everyone|@here/.test(json), 'mass mentions are broken');
    assert.equal((json.match(/<@\d/g) ?? []).length, 0, 'no mention but a real admin id');
    assert.match(e.description ?? '', /and 190 more/);
  });
});
