import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runMain } from './support/running-bot.ts';

describe('npm start (src/main.ts) before it connects anywhere', () => {
  it('exits 78 with one line per bad variable, naming each, and no stack trace', async () => {
    const run = await runMain({
      DISCORD_TOKEN: 'x-token-x',
      DISCORD_GUILD_ID: '123456789012345678',
      PROMETHEUS_PORT: '70000',
      RESOURCE_CPU_WARNING_PERCENT: '95',
      RESOURCE_CPU_CRITICAL_PERCENT: '80',
      OPS_CHANNEL_ID: 'ops',
      OBS_ENABLE_PROMETEUS: 'true',
    });
    assert.equal(run.code, 78);
    const errors = run.stderr.split('\n').filter((l) => l.startsWith('config error: '));
    assert.deepEqual(
      errors.map((l) => l.slice('config error: '.length).split(':')[0]),
      ['OPS_CHANNEL_ID', 'PROMETHEUS_PORT', 'RESOURCE_CPU_CRITICAL_PERCENT'],
    );
    assert.match(run.stderr, /warning: OBS_ENABLE_PROMETEUS is not a known variable/);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
    assert.equal(run.stdout, '');
  });

  it('without DISCORD_TOKEN says so in one line and exits non-zero', async () => {
    const run = await runMain({ DISCORD_GUILD_ID: '123456789012345678' });
    assert.notEqual(run.code, 0);
    assert.equal(run.stderr.trim().split('\n').length, 1);
    assert.match(run.stderr, /DISCORD_TOKEN is not set/);
  });

  it('with neither DISCORD_GUILD_ID nor OPS_GUILD_IDS refuses to serve every guild: exit 78 naming both', async () => {
    const run = await runMain({ DISCORD_TOKEN: 'x-token-x' });
    assert.equal(run.code, 78);
    assert.equal(run.stderr.trim().split('\n').length, 1);
    assert.match(run.stderr, /^config error: DISCORD_GUILD_ID and OPS_GUILD_IDS: neither is set/);
    assert.equal(run.stdout, '');
  });
});
