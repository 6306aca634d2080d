import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SlashCommandBuilder } from 'discord.js';
import {
  defineCommand,
  type OpsCommand,
  registerCommands,
  toRegistrationBody,
} from '../../src/discord/index.ts';
import boom from '../fixtures/commands/boom.ts';
import ping from '../fixtures/commands/ping.ts';
import { type Emulator, startEmulator } from '../support/emulator/index.ts';

const TOKEN = 'MTIz.register-test.SECRET-register-token';

/** A command file that tries to open itself to everyone and to DMs. */
const careless: Pick<OpsCommand, 'data'> = {
  data: new SlashCommandBuilder()
    .setName('careless')
    .setDescription('forgets the defaults')
    .setDefaultMemberPermissions(null)
    .setContexts(0, 1, 2),
};

/** A public command whose builder asks for Administrator and DMs: its access decides instead. */
const lookup = defineCommand({
  access: 'public',
  data: new SlashCommandBuilder()
    .setName('lookup')
    .setDescription('for everyone')
    .setDefaultMemberPermissions(8n)
    .setContexts(0, 1, 2),
  async execute() {
    return { embeds: [] };
  },
});

describe('registerCommands against the emulator', () => {
  let emulator: Emulator;
  before(async () => {
    emulator = await startEmulator();
  });
  after(async () => {
    await emulator.close();
  });

  it('puts guild commands that are guild-only and Administrator by default, whatever the file says', async () => {
    const result = await registerCommands({
      apiUrl: emulator.apiUrl,
      token: TOKEN,
      guildIds: [emulator.ids.guildId],
      commands: [ping, boom, careless],
    });
    assert.deepEqual(result, {
      applicationId: emulator.ids.applicationId,
      guildIds: [emulator.ids.guildId],
      names: ['ping', 'boom', 'careless'],
      globalNames: [],
      removedGlobal: [],
    });
    const registered = emulator.registeredCommands(emulator.ids.guildId);
    assert.equal(registered.length, 3);
    for (const command of registered) {
      assert.equal(command.default_member_permissions, '8');
      assert.deepEqual(command.contexts, [0]);
      assert.equal(command.dm_permission, undefined);
    }
    assert.deepEqual(
      (registered[0]?.options as Array<{ name: string }> | undefined)?.map((o) => o.name),
      ['target'],
      'options survive',
    );
    const calls = emulator.requestLog().map((r) => `${r.method} ${r.path} ${r.status} ${r.authorized}`);
    assert.deepEqual(calls, [
      'GET /applications/@me 200 true',
      `PUT /applications/${emulator.ids.applicationId}/guilds/${emulator.ids.guildId}/commands 200 true`,
      `GET /applications/${emulator.ids.applicationId}/commands 200 true`,
    ]);
  });

  it('registers in every ops guild, never globally, and deletes stale global registrations of the same commands only', async () => {
    const { applicationId, guildId, foreignGuildId } = emulator.ids;
    // What an older version left: the ops commands, and an unrelated global command of the bot's.
    const seeded = await fetch(`${emulator.apiUrl}/v10/applications/${applicationId}/commands`, {
      method: 'PUT',
      headers: { authorization: `Bot ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify([
        { name: 'ping', description: 'old' },
        { name: 'boom', description: 'old' },
        { name: 'invite', description: 'a public command of the bot' },
      ]),
    });
    assert.equal(seeded.status, 200);
    const result = await registerCommands({
      apiUrl: emulator.apiUrl,
      token: TOKEN,
      applicationId,
      guildIds: [guildId, foreignGuildId],
      commands: [ping, boom],
    });
    assert.deepEqual(result.guildIds, [guildId, foreignGuildId]);
    assert.deepEqual(result.removedGlobal, ['ping', 'boom']);
    assert.deepEqual(
      emulator.registeredCommands('global').map((c) => c.name),
      ['invite'],
    );
    for (const guild of [guildId, foreignGuildId]) {
      assert.deepEqual(
        emulator.registeredCommands(guild).map((c) => c.name),
        ['ping', 'boom'],
      );
    }
  });

  it('registers a public command globally for everyone, updating it in place, and never deletes it as stale', async () => {
    const { applicationId, guildId } = emulator.ids;
    const seeded = await fetch(`${emulator.apiUrl}/v10/applications/${applicationId}/commands`, {
      method: 'PUT',
      headers: { authorization: `Bot ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify([
        { name: 'lookup', description: 'an older version of it' },
        { name: 'ping', description: 'an ops command an older version registered globally' },
        { name: 'invite', description: 'a public command of the bot' },
      ]),
    });
    const before = (await seeded.json()) as { name: string; id: string }[];
    const result = await registerCommands({
      apiUrl: emulator.apiUrl,
      token: TOKEN,
      applicationId,
      guildIds: [guildId],
      commands: [ping, lookup, boom],
    });
    assert.deepEqual(result.names, ['ping', 'boom']);
    assert.deepEqual(result.globalNames, ['lookup']);
    assert.deepEqual(result.removedGlobal, ['ping']);
    assert.deepEqual(
      emulator.registeredCommands(guildId).map((c) => c.name),
      ['ping', 'boom'],
      'the ops guild gets the ops commands only',
    );
    const global = emulator.registeredCommands('global');
    assert.deepEqual(
      global.map((c) => c.name),
      ['lookup', 'invite'],
    );
    const registered = global[0] ?? {};
    assert.equal(registered.id, before.find((c) => c.name === 'lookup')?.id, 'updated in place');
    assert.equal(registered.description, 'for everyone');
    assert.equal(registered.default_member_permissions, null, 'any member may use it');
    assert.deepEqual(registered.contexts, [0], 'in guilds only');
    assert.deepEqual(registered.integration_types, [0]);
  });

  it('refuses to register with no ops guild', async () => {
    await assert.rejects(
      registerCommands({ apiUrl: emulator.apiUrl, token: TOKEN, guildIds: [], commands: [ping] }),
      /no guild to register in \(set DISCORD_GUILD_ID or OPS_GUILD_IDS\)/,
    );
  });

  it('refuses duplicate names before calling Discord', async () => {
    const before = emulator.requestLog().length;
    await assert.rejects(
      registerCommands({ apiUrl: emulator.apiUrl, token: TOKEN, guildIds: ['1'], commands: [ping, ping] }),
      /duplicate command name "ping"/,
    );
    assert.equal(emulator.requestLog().length, before);
  });

  it('surfaces a refusal from Discord as an error without the token', async () => {
    emulator.failNext('PUT /applications', { status: 403, code: 50001, message: 'Missing Access' });
    await assert.rejects(
      registerCommands({
        apiUrl: emulator.apiUrl,
        token: TOKEN,
        applicationId: emulator.ids.applicationId,
        guildIds: [emulator.ids.guildId],
        commands: [ping],
      }),
      (error: Error) => /Missing Access/.test(error.message) && !error.message.includes(TOKEN),
    );
  });

  it('builds the registration body from the builder and the access', () => {
    const body = toRegistrationBody(careless);
    assert.equal(body.name, 'careless');
    assert.equal(body.default_member_permissions, '8');
    assert.deepEqual(body.contexts, [0]);
    assert.deepEqual(body.integration_types, [0]);
    // defineCommand applies the same defaults to what the command itself says.
    assert.deepEqual(lookup.data.toJSON(), toRegistrationBody(lookup));
    assert.equal(lookup.data.toJSON().default_member_permissions, null);
    const opsByDefault = defineCommand({ data: careless.data, execute: lookup.execute });
    assert.equal(opsByDefault.access, 'ops');
    assert.equal(opsByDefault.data.toJSON().default_member_permissions, '8');
    assert.deepEqual(opsByDefault.data.toJSON().contexts, [0]);
  });
});
