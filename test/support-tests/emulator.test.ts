import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  type Interaction,
  MessageFlags,
} from 'discord.js';
import WebSocket from 'ws';
import { type Emulator, startEmulator } from '../support/emulator/index.ts';

const TOKEN = 'MTIz.emulator-test.SECRET-token-value';

function nextMessage(
  socket: WebSocket,
): Promise<{ op: number; t?: string; s?: number; d: Record<string, unknown> }> {
  return new Promise((resolve) => socket.once('message', (data) => resolve(JSON.parse(String(data)))));
}

function collect(
  socket: WebSocket,
  n: number,
): Promise<Array<{ op: number; t?: string; d: Record<string, unknown> }>> {
  return new Promise((resolve) => {
    const got: Array<{ op: number; t?: string; d: Record<string, unknown> }> = [];
    const on = (data: WebSocket.RawData): void => {
      got.push(JSON.parse(String(data)));
      if (got.length === n) {
        socket.off('message', on);
        resolve(got);
      }
    };
    socket.on('message', on);
  });
}

async function openGateway(emulator: Emulator): Promise<WebSocket> {
  const socket = new WebSocket(`${emulator.gatewayUrl}?v=10&encoding=json`);
  const hello = nextMessage(socket);
  await new Promise((resolve) => socket.once('open', resolve));
  assert.equal((await hello).op, 10);
  return socket;
}

describe('emulator with the real discord.js client', () => {
  let emulator: Emulator;
  let client: Client;
  let handler: (interaction: Interaction) => Promise<void> = async () => {};

  before(async () => {
    emulator = await startEmulator();
    client = new Client({
      intents: [GatewayIntentBits.Guilds],
      rest: { api: emulator.apiUrl, cdn: `${emulator.apiUrl}/cdn` },
    });
    client.on(Events.InteractionCreate, (i) => void handler(i));
    const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve));
    await client.login(TOKEN);
    await ready;
  });

  after(async () => {
    await client.destroy();
    await emulator.close();
  });

  it('logs the client in with the seeded guild, roles, channels and members', () => {
    const guild = client.guilds.cache.get(emulator.ids.guildId);
    assert.ok(guild, 'the seeded guild is cached and available');
    assert.equal(guild.available, true);
    assert.equal(guild.roles.everyone.id, emulator.ids.guildId);
    assert.equal(guild.roles.cache.get(emulator.ids.adminRoleId)?.permissions.has('Administrator'), true);
    assert.ok(guild.channels.cache.has(emulator.ids.opsChannelId));
    assert.ok(guild.members.cache.has(emulator.ids.botUserId));
    assert.equal(client.user?.id, emulator.ids.botUserId);
    const gatewayCall = emulator.requestLog().find((r) => r.path === '/gateway/bot');
    assert.deepEqual(gatewayCall && { status: gatewayCall.status, authorized: gatewayCall.authorized }, {
      status: 200,
      authorized: true,
    });
  });

  it('delivers an interaction the client can answer ephemerally, with timing', async () => {
    handler = async (i) => {
      if (!i.isChatInputCommand()) return;
      assert.equal(i.inCachedGuild(), true);
      assert.equal(i.options.getString('target'), 'db');
      await i.reply({
        embeds: [{ title: 'pong' }],
        flags: MessageFlags.Ephemeral,
        allowedMentions: { parse: [] },
      });
    };
    const result = await emulator
      .invokeCommand({ name: 'ping', user: 'admin', options: { target: 'db' } })
      .settled();
    assert.equal(result.ephemeral, true);
    assert.deepEqual(result.embeds, [{ title: 'pong' }]);
    assert.deepEqual(result.allowedMentions, { parse: [] });
    assert.ok(result.ackMs !== null && result.ackMs >= 0 && result.ackMs < 3_000);
    const callback = emulator.requestLog().find((r) => r.path.startsWith(`/interactions/${result.id}/`));
    assert.equal(callback?.authorized, false, 'interaction callbacks carry no Authorization header');
  });

  it('serves deferral, edit and follow-up, and refuses a second acknowledgement with 40060', async () => {
    let secondAck: unknown;
    handler = async (i) => {
      if (!i.isChatInputCommand()) return;
      await i.deferReply({ flags: MessageFlags.Ephemeral });
      await i.editReply({ embeds: [{ title: 'edited' }] });
      await i.followUp({ content: 'more', flags: MessageFlags.Ephemeral });
      // Bypass discord.js's own "already replied" check to reach the API.
      secondAck = await client.rest
        .post(`/interactions/${i.id}/${i.token}/callback`, { body: { type: 4, data: {} }, auth: false })
        .catch((e: unknown) => e);
    };
    const handle = emulator.invokeCommand({ name: 'slow', user: 'admin' });
    const settled = await handle.settled();
    assert.equal(settled.deferred, true);
    assert.deepEqual(settled.embeds, [{ title: 'edited' }]);
    const start = Date.now();
    while (secondAck === undefined && Date.now() - start < 2_000) await new Promise((r) => setTimeout(r, 10));
    assert.ok(secondAck instanceof DiscordAPIError);
    assert.equal(secondAck.code, 40060);
    const final = handle.snapshot();
    assert.equal(final.followUps.length, 1);
    assert.deepEqual(final.rejections, [40060]);
  });

  it('answers 10062 to an acknowledgement later than the deadline', async () => {
    let failure: unknown;
    handler = async (i) => {
      if (!i.isChatInputCommand()) return;
      await new Promise((r) => setTimeout(r, 150));
      failure = await i.reply({ content: 'late' }).catch((e: unknown) => e);
    };
    // The real 3 s would slow the suite; the rule is the same at 100 ms.
    emulator.setAckDeadlineMs(100);
    const handle = emulator.invokeCommand({ name: 'late', user: 'admin' });
    emulator.setAckDeadlineMs(3_000);
    const start = Date.now();
    while (failure === undefined && Date.now() - start < 3_000) await new Promise((r) => setTimeout(r, 10));
    assert.ok(failure instanceof DiscordAPIError);
    assert.equal(failure.code, 10062);
    assert.deepEqual(handle.snapshot().rejections, [10062]);
    assert.equal(handle.snapshot().ackMs, null);
  });

  it('records channel posts with embeds and allowed mentions, and injects 403/404 faults', async () => {
    const channel = await client.channels.fetch(emulator.ids.opsChannelId);
    assert.ok(channel?.isSendable());
    await channel.send({ embeds: [{ title: 'alert' }], allowedMentions: { parse: [] } });
    const [posted] = await emulator.waitForMessages(emulator.ids.opsChannelId, 1, 2_000);
    assert.deepEqual(posted?.embeds, [{ title: 'alert' }]);
    assert.deepEqual(posted?.allowed_mentions, { parse: [] });

    emulator.failNext(`POST /channels/${emulator.ids.opsChannelId}/messages`, { status: 403, code: 50013 });
    const forbidden = await channel.send({ content: 'x' }).catch((e: unknown) => e);
    assert.ok(forbidden instanceof DiscordAPIError);
    assert.equal(forbidden.code, 50013);
    emulator.failNext(/\/messages$/, { status: 404, code: 10003 });
    const missing = await channel.send({ content: 'y' }).catch((e: unknown) => e);
    assert.equal((missing as DiscordAPIError).code, 10003);
    assert.equal(emulator.messages(emulator.ids.opsChannelId).length, 1, 'failed posts are not recorded');
    await channel.send({ content: 'after faults' });
    assert.equal(emulator.messages(emulator.ids.opsChannelId).length, 2, 'faults are one-shot');
  });

  it('answers an injected 429 with the headers @discordjs/rest needs to wait it out', async () => {
    const limited: unknown[] = [];
    client.rest.once('rateLimited', (info) => limited.push(info));
    emulator.failNext('/messages', { status: 429, retryAfterSec: 0.3, global: true });
    const channel = await client.channels.fetch(emulator.ids.generalChannelId);
    assert.ok(channel?.isSendable());
    const start = Date.now();
    await channel.send({ content: 'eventually' });
    assert.ok(Date.now() - start >= 250, 'the client waited out Retry-After');
    assert.equal(limited.length, 1);
    assert.equal((limited[0] as { global: boolean }).global, true);
    const statuses = emulator
      .requestLog()
      .filter((r) => r.path === `/channels/${emulator.ids.generalChannelId}/messages`)
      .map((r) => r.status);
    assert.deepEqual(statuses, [429, 200]);
  });

  it('never stores the token in its request log', () => {
    assert.ok(!JSON.stringify(emulator.requestLog()).includes(TOKEN));
    assert.ok(!JSON.stringify(emulator.requestLog()).includes('SECRET'));
  });
});

describe('emulator gateway protocol', () => {
  let emulator: Emulator;
  before(async () => {
    emulator = await startEmulator();
  });
  after(async () => {
    await emulator.close();
  });

  it('sends READY then a full GUILD_CREATE per guild, acks heartbeats, and can stop acking', async () => {
    const socket = await openGateway(emulator);
    const frames = collect(socket, 3);
    socket.send(JSON.stringify({ op: 2, d: { token: 'x', intents: 1, properties: {} } }));
    const [ready, home, foreign] = await frames;
    assert.equal(ready?.t, 'READY');
    assert.deepEqual(ready?.d.guilds, [
      { id: emulator.ids.guildId, unavailable: true },
      { id: emulator.ids.foreignGuildId, unavailable: true },
    ]);
    assert.deepEqual(ready?.d.application, { id: emulator.ids.applicationId, flags: 0 });
    for (const guild of [home, foreign]) {
      assert.equal(guild?.t, 'GUILD_CREATE');
      assert.equal(guild?.d.unavailable, false);
    }
    // Someone else's server: its own Administrator, its own channel, and the bot.
    assert.equal(foreign?.d.id, emulator.ids.foreignGuildId);
    assert.equal(foreign?.d.owner_id, emulator.ids.foreignAdminUserId);
    const members = ((foreign?.d.members ?? []) as { user: { id: string } }[]).map((m) => m.user.id);
    assert.deepEqual(members.sort(), [emulator.ids.botUserId, emulator.ids.foreignAdminUserId].sort());
    assert.deepEqual(
      ((foreign?.d.channels ?? []) as { id: string }[]).map((c) => c.id),
      [emulator.ids.foreignChannelId],
    );
    socket.send(JSON.stringify({ op: 1, d: 2 }));
    assert.equal((await nextMessage(socket)).op, 11);
    emulator.stopHeartbeatAcks();
    let acked = false;
    socket.once('message', () => {
      acked = true;
    });
    socket.send(JSON.stringify({ op: 1, d: 2 }));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(acked, false);
    emulator.resumeHeartbeatAcks();
    socket.send(JSON.stringify({ op: 1, d: 2 }));
    assert.equal((await nextMessage(socket)).op, 11);
    socket.close();
  });

  it('resumes a dropped session with RESUMED, or answers op 9 when told to invalidate', async () => {
    const first = await openGateway(emulator);
    const frames = collect(first, 2);
    first.send(JSON.stringify({ op: 2, d: { token: 'x' } }));
    const sessionId = (await frames)[0]?.d.session_id;
    const closed = new Promise<number>((resolve) => first.once('close', (code) => resolve(code)));
    emulator.dropGateway(4000);
    assert.equal(await closed, 4000);

    const second = await openGateway(emulator);
    second.send(JSON.stringify({ op: 6, d: { token: 'x', session_id: sessionId, seq: 2 } }));
    const resumed = await nextMessage(second);
    assert.equal(resumed.t, 'RESUMED');
    second.close();

    emulator.invalidateNextResume();
    const third = await openGateway(emulator);
    third.send(JSON.stringify({ op: 6, d: { token: 'x', session_id: sessionId, seq: 3 } }));
    assert.deepEqual(await nextMessage(third), { op: 9, d: false });
    third.close();
  });

  it('answers 401 on /gateway/bot when the token is rejected', async () => {
    emulator.rejectToken();
    const response = await fetch(`${emulator.apiUrl}/v10/gateway/bot`, {
      headers: { authorization: 'Bot x' },
    });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('content-type'), 'application/json');
    emulator.rejectToken(false);
  });
});

describe('emulator with extra guilds', () => {
  it('serves the bot in many more guilds, each with its own roles and channels, all ids distinct', async () => {
    const emulator = await startEmulator({ extraGuilds: 300 });
    const client = new Client({
      intents: [GatewayIntentBits.Guilds],
      rest: { api: emulator.apiUrl, cdn: `${emulator.apiUrl}/cdn` },
    });
    try {
      const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve));
      await client.login(TOKEN);
      await ready;
      assert.equal(client.guilds.cache.size, 302);
      const extras = client.guilds.cache.filter(
        (g) => g.id !== emulator.ids.guildId && g.id !== emulator.ids.foreignGuildId,
      );
      assert.equal(extras.size, 300);
      for (const guild of extras.values()) {
        assert.equal(guild.channels.cache.size, 3, guild.name);
        assert.equal(guild.roles.cache.size, 2, guild.name);
        assert.ok(guild.roles.everyone.id === guild.id);
        assert.notEqual(guild.ownerId, emulator.ids.adminUserId);
      }
      // Every guild, channel and role id is distinct (an @everyone role shares its guild's id, as on Discord).
      const ids = [
        ...client.guilds.cache.keys(),
        ...client.channels.cache.keys(),
        ...client.guilds.cache.flatMap((g) => g.roles.cache.filter((r) => r.id !== g.id)).keys(),
      ];
      assert.equal(new Set(ids).size, ids.length);
      // The seeded guilds are as before.
      assert.equal(client.guilds.cache.get(emulator.ids.guildId)?.channels.cache.size, 2);
      await assert.rejects(startEmulator({ extraGuilds: 1.5 }), /extraGuilds must be a whole number/);
    } finally {
      await client.destroy();
      await emulator.close();
    }
  });
});
