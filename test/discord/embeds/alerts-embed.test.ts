import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AlertsView, FiringAlert } from '../../../src/core/alerts/types.ts';
import { renderAlertsEmbed } from '../../../src/discord/embeds/alerts-embed.ts';
import { embedLength } from '../../../src/discord/embeds/embed-text.ts';

const NOW = Date.UTC(2024, 0, 15, 15, 0, 0);
const HOSTILE = `@everyone @here <@123456789012345678> **bold** \`tick\` ${'y'.repeat(10_000)}`;

function firing(i: number, over: Partial<FiringAlert> = {}): FiringAlert {
  return {
    key: `component.c${i}`,
    title: `Component c${i} failed`,
    severity: i % 2 === 0 ? 'critical' : 'warning',
    value: null,
    threshold: null,
    since: '2024-01-15T14:30:00.000Z',
    silenced: false,
    ...over,
  };
}

describe('renderAlertsEmbed', () => {
  it('says when nothing is firing, in green', () => {
    const e = renderAlertsEmbed({ firing: [], silences: [] }, NOW);
    assert.equal(e.color, 0x2ecc71);
    assert.match(e.description ?? '', /No alert is firing/);
  });

  it('lists firing alerts with value and threshold, and silences with their end and author', () => {
    const view: AlertsView = {
      firing: [
        firing(1, { key: 'resource.memory', title: 'Memory usage high', value: '1.2GB', threshold: '1.0GB' }),
        firing(2, { silenced: true }),
      ],
      silences: [
        {
          key: 'component.*',
          until: '2024-01-15T16:00:00.000Z',
          created_at: '2024-01-15T15:00:00.000Z',
          created_by: '123456789012345678',
        },
      ],
    };
    const e = renderAlertsEmbed(view, NOW);
    assert.equal(e.color, 0xf1c40f, 'only the unsilenced warning counts for the colour');
    assert.match(e.description ?? '', /⚠️ \*\*Memory usage high\*\* — 1\.2GB \(threshold 1\.0GB\)/);
    assert.match(e.description ?? '', /🔕/);
    assert.match(
      e.fields?.[0]?.value ?? '',
      /`component\.\*` until <t:1705334400:R> by <@123456789012345678>/,
    );
  });

  it('stays inside every limit with 60 hostile alerts and 60 hostile silences', () => {
    const view: AlertsView = {
      firing: Array.from({ length: 60 }, (_, i) =>
        firing(i, { key: HOSTILE, title: HOSTILE, value: HOSTILE, threshold: HOSTILE, since: HOSTILE }),
      ),
      silences: Array.from({ length: 60 }, () => ({
        key: HOSTILE,
        until: HOSTILE,
        created_at: HOSTILE,
        created_by: '@everyone',
      })),
    };
    const e = renderAlertsEmbed(view, NOW);
    assert.ok((e.title?.length ?? 0) <= 256);
    assert.ok((e.description?.length ?? 0) <= 4096);
    assert.ok((e.fields?.length ?? 0) <= 25);
    for (const f of e.fields ?? []) assert.ok(f.name.length <= 256 && f.value.length <= 1024);
    assert.ok((e.footer?.text.length ?? 0) <= 2048);
    assert.ok(embedLength(e) <= 6000);
    assert.match(e.description ?? '', /… and \d+ more$/);
    assert.match(e.fields?.[0]?.value ?? '', /… and \d+ more$/);
    assert.ok(!/@everyone|@here|<@\d/.test(JSON.stringify(e)));
    assert.equal(e.color, 0xe74c3c);
  });
});
