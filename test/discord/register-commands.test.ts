import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SlashCommandBuilder } from 'discord.js';
import type { OpsCommand } from '../../src/discord/command.ts';
import { registerCommands, toRegistrationBody } from '../../src/discord/register-commands.ts';
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
      guildId: emulator.ids.guildId,
      commands: [ping, boom, careless],
    });
    assert.deepEqual(result, {
      scope: 'guild',
      applicationId: emulator.ids.applicationId,
      names: ['ping', 'boom', 'careless'],
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
    ]);
  });

  it('registers globally without a guild, using a given application id', async () => {
    const result = await registerCommands({
      apiUrl: emulator.apiUrl,
      token: TOKEN,
      applicationId: emulator.ids.applicationId,
      commands: [ping],
    });
    assert.equal(result.scope, 'global');
    assert.equal(emulator.registeredCommands('global')[0]?.default_member_permissions, '8');
    assert.equal(emulator.requestLog().at(-1)?.path, `/applications/${emulator.ids.applicationId}/commands`);
  });

  it('refuses duplicate names before calling Discord', async () => {
    const before = emulator.requestLog().length;
    await assert.rejects(
      registerCommands({ apiUrl: emulator.apiUrl, token: TOKEN, commands: [ping, ping] }),
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
        commands: [ping],
      }),
      (error: Error) => /Missing Access/.test(error.message) && !error.message.includes(TOKEN),
    );
  });

  it('builds the registration body from the builder', () => {
    const body = toRegistrationBody(careless);
    assert.equal(body.name, 'careless');
    assert.equal(body.default_member_permissions, '8');
    assert.deepEqual(body.contexts, [0]);
    assert.deepEqual(body.integration_types, [0]);
  });
});
