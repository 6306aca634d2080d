import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Events, GatewayIntentBits, type Interaction, MessageFlags } from 'discord.js';
import { type Emulator, type Json, pngSize, startEmulator } from '../support/emulator/index.ts';

const TOKEN = 'MTIz.emulator-files.SECRET-token-value';

/** 1 × 1 and 2 × 3 PNGs, enough for the emulator to read their size. */
const ONE = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCBd81ytgAAAABJRU5ErkJggg==',
  'base64',
);
const png = (width: number, height: number): Buffer => {
  const b = Buffer.from(ONE);
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  return b;
};

describe('emulator: messages with files (multipart/form-data)', () => {
  let emulator: Emulator;
  let client: Client;
  let handler: (interaction: Interaction) => Promise<void> = async () => {};

  before(async () => {
    emulator = await startEmulator();
    client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: emulator.apiUrl } });
    client.on(Events.InteractionCreate, (i) => void handler(i));
    const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve));
    await client.login(TOKEN);
    await ready;
  });
  after(async () => {
    await client.destroy();
    await emulator.close();
  });

  it('an interaction reply with a file keeps the bytes, name, type and description', async () => {
    handler = async (i) => {
      if (!i.isChatInputCommand()) return;
      await i.reply({
        embeds: [{ title: 'chart', image: { url: 'attachment://a.png' } }],
        files: [{ attachment: png(4, 2), name: 'a.png', description: 'alt text' }],
        flags: MessageFlags.Ephemeral,
      });
    };
    const answer = await emulator.invokeCommand({ name: 'x', user: 'admin' }).settled();
    assert.equal(answer.ephemeral, true);
    assert.equal(answer.attachments.length, 1);
    const [a] = answer.attachments;
    assert.equal(a?.filename, 'a.png');
    assert.equal(a?.content_type, 'image/png');
    assert.equal(a?.description, 'alt text');
    assert.equal(a?.size, a?.data.length);
    assert.deepEqual(pngSize(a?.data ?? Buffer.alloc(0)), { width: 4, height: 2 });
    assert.deepEqual(answer.embeds[0]?.image, { url: 'attachment://a.png' });
  });

  it('a deferral edited in with files, an edit that keeps them, one that drops them, and a follow-up', async () => {
    let done = false;
    handler = async (i) => {
      if (!i.isChatInputCommand()) return;
      await i.deferReply({ flags: MessageFlags.Ephemeral });
      const first = await i.editReply({
        embeds: [{ title: 'with files' }],
        files: [
          { attachment: png(1, 1), name: 'one.png' },
          { attachment: png(2, 3), name: 'two.png' },
        ],
      });
      assert.deepEqual(
        first.attachments.map((x) => [x.name, x.width, x.height]),
        [
          ['one.png', 1, 1],
          ['two.png', 2, 3],
        ],
        'the answer describes the attachments as Discord does',
      );
      await i.editReply({ content: 'text changed, files untouched' });
      await i.editReply({ attachments: [first.attachments.first() ?? ''] as never });
      await i.followUp({
        files: [{ attachment: png(5, 5), name: 'later.png' }],
        flags: MessageFlags.Ephemeral,
      });
      done = true;
    };
    const handle = emulator.invokeCommand({ name: 'x', user: 'admin' });
    await handle.settled();
    const start = Date.now();
    while (!done && Date.now() - start < 5_000) await new Promise((r) => setTimeout(r, 10));
    const final = handle.snapshot();
    assert.deepEqual(
      final.edits.map((e) => e.attachments.map((x) => x.filename)),
      [['one.png', 'two.png'], ['one.png', 'two.png'], ['one.png']],
    );
    assert.deepEqual(
      final.attachments.map((x) => x.filename),
      ['one.png'],
    );
    assert.deepEqual(
      final.followUps.map((m) => m.attachments.map((x) => x.filename)),
      [['later.png']],
    );
  });

  it('a channel post with files is kept, and listed with Discord-shaped attachments', async () => {
    const channel = await client.channels.fetch(emulator.ids.opsChannelId);
    assert.ok(channel?.isSendable());
    await channel.send({
      embeds: [{ title: 'alert', image: { url: 'attachment://1-alert.png' } }],
      files: [{ attachment: png(7, 3), name: '1-alert.png' }],
    });
    const [message] = emulator.messages(emulator.ids.opsChannelId);
    assert.equal(message?.attachments[0]?.filename, '1-alert.png');
    const raw = (message?.raw.attachments as Json[] | undefined)?.[0];
    assert.equal(raw?.filename, '1-alert.png');
    assert.equal(raw?.width, 7);
    assert.equal(raw?.height, 3);
    assert.equal(raw?.content_type, 'image/png');
    assert.match(String(raw?.url), /1-alert\.png$/);
  });
});
