import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Interaction, PermissionsBitField, SlashCommandBuilder } from 'discord.js';
import { type Metrics, noopMetrics } from '../../src/core/metrics/metrics.ts';
import type { CommandReply, OpsCommand, OpsView } from '../../src/discord/command.ts';
import { type CommandRouterOptions, createCommandRouter } from '../../src/discord/command-router.ts';
import { isOpsAdmin } from '../../src/discord/is-ops-admin.ts';
import { CaptureLogger } from '../support/capture-logger.ts';
import { flushMicrotasks, ManualClock } from '../support/manual-clock.ts';

interface Call {
  readonly kind: 'reply' | 'deferReply' | 'editReply';
  readonly payload: Record<string, unknown>;
  readonly at: number;
}

/** Just enough of a ChatInputCommandInteraction for the router, recording what it is sent. */
function fakeInteraction(
  clock: ManualClock,
  name: string,
  options: { admin?: boolean; failReply?: boolean } = {},
) {
  const calls: Call[] = [];
  const record = (kind: Call['kind']) => async (payload: Record<string, unknown>) => {
    if (options.failReply && kind !== 'editReply') throw new Error('connect ECONNREFUSED');
    // As it goes over the wire: JSON, where an embed handed over as JSONEncodable is its toJSON().
    calls.push({
      kind,
      payload: JSON.parse(JSON.stringify(payload)) as Record<string, unknown>,
      at: clock.now(),
    });
  };
  const interaction = {
    commandName: name,
    user: { id: '1100000000000000042' },
    guildId: '1100000000000000001',
    guild: {},
    member: { roles: [] },
    memberPermissions: new PermissionsBitField(options.admin === false ? 0n : 8n),
    isChatInputCommand: () => true,
    isAutocomplete: () => false,
    reply: record('reply'),
    deferReply: record('deferReply'),
    editReply: record('editReply'),
  };
  return { interaction: interaction as unknown as Interaction, calls };
}

function gated(name: string): { command: OpsCommand; release: (reply?: CommandReply) => void } {
  let release: (reply?: CommandReply) => void = () => {};
  const command: OpsCommand = {
    data: new SlashCommandBuilder().setName(name).setDescription('gated'),
    execute: () =>
      new Promise<CommandReply>((resolve) => {
        release = (reply = { embeds: [{ title: `${name} done` }] }) => resolve(reply);
      }),
  };
  return { command, release: (reply) => release(reply) };
}

function setup(commands: OpsCommand[], extra: Partial<CommandRouterOptions> = {}) {
  const clock = new ManualClock();
  const log = new CaptureLogger();
  const counted: Array<[string, string, number | undefined]> = [];
  const metrics: Metrics = { ...noopMetrics, interaction: (c, o, a) => counted.push([c, o, a]) };
  const router = createCommandRouter({
    commands,
    ctx: { ops: {} as OpsView, log, clock },
    guard: (i) => isOpsAdmin(i, { opsGuildIds: ['1100000000000000001'], adminUserIds: [], adminRoleIds: [] }),
    log,
    clock,
    metrics,
    ...extra,
  });
  return { clock, log, counted, router };
}

describe('command router timing (manual clock)', () => {
  it('answers a fast command directly, ephemeral and without mentions', async () => {
    const fast: OpsCommand = {
      data: new SlashCommandBuilder().setName('fast').setDescription('fast'),
      execute: async () => ({ embeds: [{ title: 'ok' }], content: 'hi' }),
    };
    const { clock, log, counted, router } = setup([fast]);
    const { interaction, calls } = fakeInteraction(clock, 'fast');
    await router.handle(interaction);
    assert.deepEqual(calls, [
      {
        kind: 'reply',
        payload: { embeds: [{ title: 'ok' }], content: 'hi', flags: 64, allowedMentions: { parse: [] } },
        at: clock.now(),
      },
    ]);
    assert.equal(log.events('command_invoked')[0]?.detail.ack_ms, 0);
    assert.deepEqual(counted, [['fast', 'ok', 0]]);
  });

  it('defers exactly at deferAfterMs, then edits the answer in', async () => {
    const { command, release } = gated('slow');
    const { clock, log, counted, router } = setup([command], { deferAfterMs: 1_500 });
    const { interaction, calls } = fakeInteraction(clock, 'slow');
    const done = router.handle(interaction);
    await clock.advance(1_499);
    assert.equal(calls.length, 0);
    await clock.advance(1);
    assert.deepEqual(
      calls.map((c) => [c.kind, c.payload]),
      [['deferReply', { flags: 64 }]],
    );
    await clock.advance(700);
    release();
    await done;
    assert.deepEqual(calls[1], {
      kind: 'editReply',
      payload: { embeds: [{ title: 'slow done' }], allowedMentions: { parse: [] } },
      at: clock.now(),
    });
    const detail = log.events('command_invoked')[0]?.detail;
    assert.equal(detail?.deferred, true);
    assert.equal(detail?.ack_ms, 1_500);
    assert.equal(detail?.duration_ms, 2_200);
    assert.deepEqual(counted, [['slow', 'ok', 1.5]]);
  });

  it('gives up on a command that never finishes, with the error reply', async () => {
    const { command } = gated('stuck');
    const { clock, log, router } = setup([command], { deferAfterMs: 1_000, commandTimeoutMs: 10_000 });
    const { interaction, calls } = fakeInteraction(clock, 'stuck');
    const done = router.handle(interaction);
    await clock.advance(10_000);
    await done;
    assert.deepEqual(
      calls.map((c) => c.kind),
      ['deferReply', 'editReply'],
    );
    assert.match(JSON.stringify(calls[1]?.payload), /Command failed/);
    assert.match(
      String((log.events('command_failed')[0]?.detail.error as Error | undefined)?.message),
      /timed out after 10000 ms/,
    );
    assert.equal(log.events('command_invoked')[0]?.detail.outcome, 'error');
  });

  it('survives a command that throws synchronously', async () => {
    const sync: OpsCommand = {
      data: new SlashCommandBuilder().setName('sync').setDescription('throws'),
      execute: () => {
        throw new Error('not even a promise');
      },
    };
    const { clock, log, router } = setup([sync]);
    const { interaction, calls } = fakeInteraction(clock, 'sync');
    await router.handle(interaction);
    assert.equal(calls[0]?.kind, 'reply');
    assert.equal(log.events('command_invoked')[0]?.detail.outcome, 'error');
  });

  it('treats a reply that is not { embeds } as a failure', async () => {
    const bad = {
      data: new SlashCommandBuilder().setName('bad').setDescription('bad'),
      execute: async () => 'just a string',
    } as unknown as OpsCommand;
    const { clock, log, router } = setup([bad]);
    const { interaction, calls } = fakeInteraction(clock, 'bad');
    await router.handle(interaction);
    assert.match(JSON.stringify(calls[0]?.payload), /Command failed/);
    assert.equal(log.events('command_failed').length, 1);
  });

  it('logs a reply that cannot be sent, and resolves', async () => {
    const fast: OpsCommand = {
      data: new SlashCommandBuilder().setName('fast').setDescription('fast'),
      execute: async () => ({ embeds: [] }),
    };
    const { clock, log, counted, router } = setup([fast]);
    const { interaction } = fakeInteraction(clock, 'fast', { failReply: true });
    await router.handle(interaction);
    assert.equal(log.events('command_reply_failed')[0]?.detail.error_message, 'connect ECONNREFUSED');
    assert.equal(log.events('command_invoked')[0]?.detail.outcome, 'error');
    assert.deepEqual(counted, [['fast', 'error', undefined]]);
  });

  it('stops waiting for in-flight commands after closeTimeoutMs', async () => {
    const { command } = gated('stuck');
    const { clock, log, router } = setup([command], { commandTimeoutMs: 60_000, closeTimeoutMs: 5_000 });
    const { interaction } = fakeInteraction(clock, 'stuck');
    void router.handle(interaction);
    await flushMicrotasks();
    let closed = false;
    const closing = router.close().then(() => {
      closed = true;
    });
    await clock.advance(4_999);
    assert.equal(closed, false);
    await clock.advance(1);
    await closing;
    assert.equal(log.events('command_router_close_timeout')[0]?.detail.in_flight, 1);
  });

  it('checks its options when built', () => {
    const { command } = gated('one');
    assert.throws(() => setup([command], { deferAfterMs: 3_000 }), /deferAfterMs must be in \[0, 3000\)/);
    assert.throws(() => setup([command, command]), /duplicate command name "one"/);
    assert.throws(
      () => setup([command], { deferAfterMs: 1_000, commandTimeoutMs: 1_000 }),
      /commandTimeoutMs \(1000\) must exceed deferAfterMs \(1000\)/,
    );
  });
});
