import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { colourName, embedToText } from '../../src/discord/embed-to-text.ts';

const embed = {
  title: 'Health: ready',
  description: 'All components up\nGateway connected',
  color: 0x2ecc71,
  fields: [
    { name: 'Gateway', value: 'ready, 42 ms', inline: true },
    { name: 'Components', value: 'database ✅\ncache ✅' },
  ],
  footer: { text: 'checked just now' },
  timestamp: '2024-01-15T14:30:45.123Z',
};

describe('embedToText', () => {
  it('lays out title, colour name, description, fields and footer as plain text', () => {
    const text = embedToText(embed, { ansi: false });
    assert.equal(
      text,
      [
        '│ Health: ready  [green]',
        '│ All components up',
        '│ Gateway connected',
        '│ Gateway: ready, 42 ms',
        '│ Components',
        '│   database ✅',
        '│   cache ✅',
        '│ checked just now · 2024-01-15T14:30:45.123Z',
      ].join('\n'),
    );
  });

  it('paints the bar in the embed colour with ANSI by default', () => {
    const text = embedToText({ title: 'Alert', color: 0xe74c3c });
    assert.ok(text.startsWith('\x1b[38;2;231;76;60m▌'));
    assert.match(text, /\[red\]/);
  });

  it('names the palette colours and falls back to hex or none', () => {
    assert.deepEqual([0x2ecc71, 0xf1c40f, 0xe74c3c, 0x5865f2, 0x123456, undefined].map(colourName), [
      'green',
      'amber',
      'red',
      'blurple',
      '#123456',
      'none',
    ]);
  });

  it('copes with an empty embed', () => {
    assert.equal(embedToText({}, { ansi: false }), '│ [none]');
  });

  it('shows what the Discord client shows instead of its markup', () => {
    const now = Date.UTC(2024, 0, 15, 14, 30, 0);
    const text = embedToText(
      {
        description: `since <t:${now / 1000 - 120}:R> · at <t:${now / 1000}:f> · next <t:${now / 1000}:R>`,
        fields: [{ name: '**db\\_main**', value: 'error in \\`x\\` \\*now\\*' }],
      },
      { ansi: false, now },
    );
    assert.match(text, /since 2m ago · at 2024-01-15 14:30:00 · next now/);
    assert.match(text, /│ db_main\n│ {3}error in `x` \*now\*/);
  });
});
