import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertEmbedLimits } from '../support/embed-limits.ts';
import type { InvokeCommandInput } from '../support/emulator/interaction-payloads.ts';
import { readJsonLines } from '../support/log-schema.ts';
import { type RunningBot, startRunningBot } from '../support/running-bot.ts';
import { until } from '../support/until.ts';

const EPHEMERAL = 64;

const sub = (name: string, options: Record<string, string> = {}) => [
  { name, type: 1, options: Object.entries(options).map(([n, value]) => ({ name: n, type: 3, value })) },
];

/** Every ops command an admin can run, as Discord would send it. */
const ADMIN_CALLS: readonly (Omit<InvokeCommandInput, 'user'> & { label: string; expect: RegExp })[] = [
  { label: '/health', name: 'health', expect: /ready|degraded/i },
  {
    label: '/health component:discord_gateway',
    name: 'health',
    options: { component: 'discord_gateway' },
    expect: /discord\W*_gateway/,
  },
  { label: '/startup', name: 'startup', expect: /discord_gateway/ },
  { label: '/tasks', name: 'tasks', expect: /task/i },
  { label: '/resources', name: 'resources', expect: /memory/i },
  { label: '/alerts list', name: 'alerts', options: sub('list'), expect: /alert/i },
  {
    label: '/alerts silence',
    name: 'alerts',
    options: sub('silence', { key: 'resource.*', duration: '30m' }),
    expect: /resource\.\*/,
  },
  {
    label: '/alerts unsilence',
    name: 'alerts',
    options: sub('unsilence', { key: 'resource.*' }),
    expect: /resource\.\*/,
  },
];

describe('the ops commands through Discord', () => {
  let running: RunningBot;
  before(async () => {
    running = await startRunningBot({ env: { RESOURCE_SAMPLE_INTERVAL_MS: '200' } });
    await running.emulator.waitForGateway();
    // A sample, so /resources has numbers to show.
    await until(() => running.bot.manager.ops.resources().latest, 5_000, 'a resource sample');
  });
  after(() => running.close());

  for (const call of ADMIN_CALLS) {
    it(`${call.label} as an admin: ephemeral, acknowledged, within embed limits, no mentions`, async () => {
      const { label: _label, expect, ...input } = call;
      const answer = await running.emulator.invokeCommand({ ...input, user: 'admin' }).settled(10_000);
      assert.ok(answer.ackMs !== null && answer.ackMs < 3_000, `acknowledged in ${answer.ackMs} ms`);
      assert.deepEqual(answer.rejections, []);
      assert.equal(answer.ephemeral, true, 'only the admin sees it');
      for (const cb of answer.callbacks) {
        const flags = (cb as { data?: { flags?: number } }).data?.flags;
        if (flags !== undefined) assert.equal(flags & EPHEMERAL, EPHEMERAL);
      }
      assertEmbedLimits(answer.embeds);
      assert.deepEqual((answer.allowedMentions as { parse?: unknown } | null)?.parse, []);
      assert.match(JSON.stringify(answer.embeds), expect);
    });
  }

  it('/health component autocomplete offers the real component names', async () => {
    const answer = await running.emulator
      .invokeAutocomplete({ name: 'health', user: 'admin', focused: { name: 'component', value: 'disc' } })
      .response(5_000);
    const names = (answer.choices ?? []).map((c) => (c as { value: string }).value);
    assert.ok(names.includes('discord_gateway'), `choices: ${names.join(', ')}`);
    assert.ok(names.length <= 25);
  });

  it('a plain member is refused ephemerally, sees none of the data, and the attempt is logged', async () => {
    for (const name of ['health', 'startup', 'tasks', 'resources']) {
      const answer = await running.emulator.invokeCommand({ name, user: 'member' }).settled(10_000);
      assert.equal(answer.ephemeral, true);
      // Markdown escapes (discord\\_gateway) are dropped so they cannot hide a leak.
      const seen = (JSON.stringify(answer.embeds) + answer.content).replaceAll('\\', '');
      for (const data of ['discord_gateway', 'task_supervisor', 'memory', 'uptime']) {
        assert.ok(!seen.toLowerCase().includes(data), `${name}: the refusal shows no ${data}: ${seen}`);
      }
      assert.deepEqual((answer.allowedMentions as { parse?: unknown } | null)?.parse, []);
    }
    running.bot.logging.flushSync();
    const refused = readJsonLines(running.logFile).filter((l) => l.event === 'command_refused');
    assert.equal(refused.length, 4);
    for (const line of refused) {
      assert.equal(line.subsys, 'commands');
      assert.equal((line.detail as { user_id?: string }).user_id, running.emulator.ids.memberUserId);
    }
  });
});
