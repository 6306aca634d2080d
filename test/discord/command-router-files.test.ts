import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SlashCommandBuilder } from 'discord.js';
import { attachChart } from '../../src/discord/chart-reply.ts';
import type { CommandReply, OpsCommand } from '../../src/discord/command.ts';
import { type BotHarness, startBotHarness } from '../support/bot-harness.ts';
import { CaptureLogger } from '../support/capture-logger.ts';
import { pngSize } from '../support/emulator/index.ts';

/** The smallest valid PNG: 1 × 1, one grey pixel. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCBd81ytgAAAABJRU5ErkJggg==',
  'base64',
);

const text: CommandReply = { embeds: [{ title: 'Numbers', description: 'the text view' }] };
const charted = attachChart(text, { name: 'chart.png', data: new Uint8Array(PNG), description: 'a chart' });

/** A command per way a chart can turn out. */
function command(name: string, reply: () => CommandReply): OpsCommand {
  return {
    data: new SlashCommandBuilder().setName(name).setDescription(name),
    execute: async () => reply(),
  };
}

const never = new Promise<CommandReply | undefined>(() => {});

describe('command router: replies with files', () => {
  let bot: BotHarness;
  const log = new CaptureLogger();
  before(async () => {
    bot = await startBotHarness({
      log,
      commands: [
        command('direct', () => charted),
        command('fuller', () => ({ ...text, fuller: async () => charted })),
        command('nochart', () => ({ ...text, fuller: async () => undefined })),
        command('chartfails', () => ({
          ...text,
          fuller: () => Promise.reject(new Error('canvas exploded')),
        })),
        command('badfiles', () => ({ embeds: [], files: [{ name: '../x.png', data: 'nope' }] }) as never),
      ],
    });
  });
  after(() => bot.close());

  it('a reply with a file goes out as multipart, the embed showing it', async () => {
    const answer = await bot.emulator.invokeCommand({ name: 'direct', user: 'admin' }).settled();
    assert.equal(answer.deferred, false);
    assert.equal(answer.attachments.length, 1);
    assert.equal(answer.attachments[0]?.filename, 'chart.png');
    assert.equal(answer.attachments[0]?.description, 'a chart');
    assert.deepEqual(pngSize(answer.attachments[0]?.data ?? new Uint8Array()), { width: 1, height: 1 });
    assert.deepEqual(answer.embeds[0]?.image, { url: 'attachment://chart.png' });
  });

  it('a fuller reply: acknowledged at once by a deferral, then edited in with its file', async () => {
    const answer = await bot.emulator.invokeCommand({ name: 'fuller', user: 'admin' }).settled();
    assert.equal(answer.deferred, true);
    assert.equal(answer.ephemeral, true);
    assert.equal(answer.edits.length, 1);
    assert.equal(answer.attachments[0]?.filename, 'chart.png');
    assert.equal(answer.embeds[0]?.description, 'the text view');
    assert.deepEqual(answer.embeds[0]?.image, { url: 'attachment://chart.png' });
  });

  for (const [name, event] of [
    ['nochart', undefined],
    ['chartfails', 'command_fuller_failed'],
  ] as const) {
    it(`/${name}: the text goes out without an image${event === undefined ? '' : `, and ${event} is logged`}`, async () => {
      const answer = await bot.emulator.invokeCommand({ name, user: 'admin' }).settled();
      assert.equal(answer.embeds[0]?.description, 'the text view');
      assert.equal(answer.embeds[0]?.image, undefined);
      assert.deepEqual(answer.attachments, []);
      if (event !== undefined) assert.equal(log.events(event).length, 1);
    });
  }

  it('a fuller reply that never comes: the text goes out once the wait runs out', async () => {
    const local = new CaptureLogger();
    const quick = await startBotHarness({
      log: local,
      fullerTimeoutMs: 300,
      commands: [command('chartlate', () => ({ ...text, fuller: () => never }))],
    });
    try {
      // Past the router's wait for the chart, the plain text goes out.
      const answer = await quick.emulator.invokeCommand({ name: 'chartlate', user: 'admin' }).settled(15_000);
      assert.equal(answer.embeds[0]?.description, 'the text view');
      assert.deepEqual(answer.attachments, []);
      assert.equal(local.events('command_fuller_late').length, 1);
    } finally {
      await quick.close();
    }
  });

  it('files that are not { name, data: Uint8Array } are a command error, not a broken upload', async () => {
    const answer = await bot.emulator.invokeCommand({ name: 'badfiles', user: 'admin' }).settled();
    assert.match(answer.embeds[0]?.title as string, /Command failed/);
    assert.deepEqual(answer.attachments, []);
  });
});
