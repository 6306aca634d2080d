import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { APIEmbed } from 'discord-api-types/v10';
import type { AlertTransition } from '../../../src/core/alerts/types.ts';
import {
  renderAlertNotificationEmbed,
  renderDroppedNoticeEmbed,
} from '../../../src/discord/embeds/alert-notification-embed.ts';
import { embedLength, neutralizeText, truncateText } from '../../../src/discord/embeds/embed-text.ts';

const HOSTILE = `@everyone @here <@123456789012345678> **bold** __u__ \`code\` ||spoiler|| ${'x'.repeat(10_000)}`;

function assertWithinLimits(embed: APIEmbed): void {
  assert.ok((embed.title?.length ?? 0) <= 256, 'title');
  assert.ok((embed.description?.length ?? 0) <= 4096, 'description');
  assert.ok((embed.fields?.length ?? 0) <= 25, 'fields');
  for (const f of embed.fields ?? []) {
    assert.ok(f.name.length <= 256 && f.name.length > 0, 'field name');
    assert.ok(f.value.length <= 1024 && f.value.length > 0, 'field value');
  }
  assert.ok((embed.footer?.text.length ?? 0) <= 2048, 'footer');
  assert.ok(embedLength(embed) <= 6000, `total ${embedLength(embed)}`);
}

function assertNoLiveMention(embed: APIEmbed): void {
  const text = JSON.stringify(embed);
  assert.ok(!/@everyone|@here|<@\d/.test(text), 'mentions are broken');
}

const base: AlertTransition = {
  kind: 'fired',
  key: 'resource.memory',
  title: 'Memory usage high',
  severity: 'warning',
  value: '1.2GB',
  threshold: '1.0GB',
  since: '2024-01-15T14:30:00.000Z',
  at: '2024-01-15T14:30:00.000Z',
  duration_ms: null,
  silenced: false,
  episode: 'e1',
  acknowledged: null,
  message_id: null,
  inhibited_by: null,
  held_back: [],
};

describe('renderAlertNotificationEmbed', () => {
  it('shows what, value, threshold and since, coloured by severity', () => {
    const e = renderAlertNotificationEmbed(base);
    assert.equal(e.color, 0xf1c40f);
    assert.match(e.title ?? '', /⚠️ Memory usage high/);
    const fields = Object.fromEntries((e.fields ?? []).map((f) => [f.name, f.value]));
    assert.equal(fields.Value, '1.2GB');
    assert.equal(fields.Threshold, '1.0GB');
    assert.equal(fields.Since, '<t:1705329000:R>');
    assert.equal(renderAlertNotificationEmbed({ ...base, severity: 'critical' }).color, 0xe74c3c);
  });

  it('says how long a resolved alert lasted, in green', () => {
    const e = renderAlertNotificationEmbed({ ...base, kind: 'resolved', duration_ms: 252_000 });
    assert.equal(e.color, 0x2ecc71);
    assert.match(e.description ?? '', /Resolved after 4m 12s/);
    assert.equal(e.fields?.find((f) => f.name === 'Lasted')?.value, '4m 12s');
  });

  it('stays inside every limit and neutralises hostile text', () => {
    const e = renderAlertNotificationEmbed({
      ...base,
      kind: 'reminder',
      key: HOSTILE,
      title: HOSTILE,
      value: HOSTILE,
      threshold: HOSTILE,
      since: 'not a date @everyone',
      at: 'garbage',
    });
    assertWithinLimits(e);
    assertNoLiveMention(e);
    assert.ok(e.title?.endsWith('…'));
    assert.ok(!(e.title ?? '').includes('**bold**'), 'markdown escaped');
    // Ten hostile notifications fit in one message.
    assert.ok(embedLength(e) * 10 <= 6000 - 200, `each ${embedLength(e)}`);
  });

  it('announces dropped notifications, by severity, red when a critical alert was among them', () => {
    const three = renderDroppedNoticeEmbed({ critical: 0, warning: 2, info: 1 });
    assert.match(three.description ?? '', /3 notifications were dropped \(2 warning, 1 info\)/);
    assert.equal(three.color, 0xf1c40f);
    const one = renderDroppedNoticeEmbed({ critical: 1, warning: 0, info: 0 });
    assert.match(one.description ?? '', /1 notification was dropped \(1 critical\)/);
    assert.equal(one.color, 0xe74c3c);
  });
});

describe('text helpers', () => {
  it('truncateText never splits a surrogate pair nor leaves a dangling escape', () => {
    assert.equal(truncateText('abc', 3), 'abc');
    assert.equal(truncateText('abcdef', 4), 'abc…');
    const cut = truncateText(`ab${'😀'.repeat(10)}`, 4);
    assert.ok(cut.length <= 4 && !/[\ud800-\udbff]…$/.test(cut), cut);
    assert.equal(truncateText(neutralizeText('ab*cd'), 4), 'ab…');
  });
});
