import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { typescriptNodeArgs } from '../../src/typescript-runtime.ts';
import { startEmulator } from '../support/emulator/index.ts';

const script = new URL('../../scripts/register-commands.ts', import.meta.url).pathname;
const run = (env: Record<string, string>) =>
  promisify(execFile)(process.execPath, [...typescriptNodeArgs, script], {
    cwd: mkdtempSync(join(tmpdir(), 'register-')),
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });

test('npm run register-commands puts every ops command in the ops guilds, admin-only and guild-only, /status globally for everyone, and removes stale global ops ones', async () => {
  const emulator = await startEmulator();
  try {
    const stale = await fetch(`${emulator.apiUrl}/v10/applications/${emulator.ids.applicationId}/commands`, {
      method: 'PUT',
      headers: { authorization: 'Bot register-test-token', 'content-type': 'application/json' },
      body: JSON.stringify([{ name: 'health', description: 'registered globally by an older version' }]),
    });
    assert.equal(stale.status, 200);
    const { stdout } = await run({
      DISCORD_TOKEN: 'register-test-token',
      DISCORD_API_URL: emulator.apiUrl,
      DISCORD_GUILD_ID: emulator.ids.guildId,
    });
    assert.match(
      stdout,
      /Registered 5 ops command\(s\) in guild \d+: \/alerts, \/health, \/resources, \/startup, \/tasks/,
    );
    assert.match(stdout, /Registered 1 public command\(s\) globally: \/status/);
    assert.match(stdout, /Removed 1 stale global registration\(s\): \/health/);
    const commands = emulator.registeredCommands();
    assert.deepEqual(
      commands.map((c) => [c.name, c.default_member_permissions, c.contexts]),
      ['alerts', 'health', 'resources', 'startup', 'tasks'].map((name) => [name, '8', [0]]),
    );
    assert.deepEqual(
      emulator.registeredCommands('global').map((c) => [c.name, c.default_member_permissions, c.contexts]),
      [['status', null, [0]]],
      'the public command stays, registered for everyone, guild-only',
    );
  } finally {
    await emulator.close();
  }
});

test('with no ops guild it exits 78 naming both variables', async () => {
  await assert.rejects(
    run({ DISCORD_TOKEN: 'register-test-token' }),
    (error: { code?: number; stderr?: string }) => {
      assert.equal(error.code, 78);
      assert.match(error.stderr ?? '', /^config error: DISCORD_GUILD_ID and OPS_GUILD_IDS: neither is set/);
      return true;
    },
  );
});

test('without a token it exits 78 with one line', async () => {
  await assert.rejects(run({}), (error: { code?: number; stderr?: string }) => {
    assert.equal(error.code, 78);
    assert.match(error.stderr ?? '', /^config error: DISCORD_TOKEN is not set/);
    return true;
  });
});
