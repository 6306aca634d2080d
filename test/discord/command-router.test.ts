import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Metrics, noopMetrics } from '../../src/core/metrics/metrics.ts';
import boom, { BOOM_SECRET } from '../fixtures/commands/boom.ts';
import ping, { PING_SECRET } from '../fixtures/commands/ping.ts';
import slow, { releaseSlow } from '../fixtures/commands/slow.ts';
import { type BotHarness, startBotHarness } from '../support/bot-harness.ts';
import { CaptureLogger } from '../support/capture-logger.ts';

// Long enough that a loaded machine still answers fast commands directly.
const DEFER_AFTER_MS = 1_000;

interface InteractionMetric {
  readonly command: string;
  readonly outcome: string;
  readonly ackSeconds: number | undefined;
}

describe('command router against the emulator', () => {
  let bot: BotHarness;
  const log = new CaptureLogger();
  const counted: InteractionMetric[] = [];
  const metrics: Metrics = {
    ...noopMetrics,
    interaction: (command, outcome, ackSeconds) => counted.push({ command, outcome, ackSeconds }),
  };
  const invoked = (command: string) =>
    log.events('command_invoked').filter((r) => r.detail.command === command);
  const lastInvoked = (command: string) => invoked(command).at(-1)?.detail;
  /** command_invoked is written after the reply went out; give the router its turn. */
  const waitForInvoked = async (command: string, count: number): Promise<void> => {
    const start = Date.now();
    while (invoked(command).length < count && Date.now() - start < 3_000)
      await new Promise((r) => setTimeout(r, 5));
  };
  let plainRoleId = '';

  before(async () => {
    bot = await startBotHarness({
      commands: [ping, boom, slow],
      log,
      metrics,
      deferAfterMs: DEFER_AFTER_MS,
      adminUserIds: ['1234567890123456789'],
      // ADMIN_ROLE_IDS must name a real guild role: discord.js keeps only those on a member.
      adminRoleIds: (ids) => [ids.opsRoleId],
    });
    plainRoleId = bot.emulator.ids.plainRoleId;
  });

  after(async () => {
    releaseSlow();
    await bot.close();
  });

  it('answers an admin with an ephemeral embed that mentions nobody', async () => {
    const result = await bot.emulator
      .invokeCommand({ name: 'ping', user: 'admin', options: { target: 'db' } })
      .settled();
    assert.equal(result.ephemeral, true);
    assert.equal(result.deferred, false);
    assert.equal(result.embeds[0]?.description, `db: ${PING_SECRET}`);
    assert.deepEqual(result.allowedMentions, { parse: [] });
    await waitForInvoked('ping', 1);
    const detail = lastInvoked('ping');
    assert.equal(detail?.outcome, 'ok');
    assert.equal(detail?.user_id, bot.emulator.ids.adminUserId);
    assert.equal(detail?.deferred, false);
    assert.equal(typeof detail?.ack_ms, 'number');
    assert.equal(typeof detail?.duration_ms, 'number');
    const metric = counted.at(-1);
    assert.equal(metric?.outcome, 'ok');
    assert.ok(metric?.ackSeconds !== undefined && metric.ackSeconds < 3);
  });

  it('refuses a plain member ephemerally with none of the data, and logs the attempt', async () => {
    const before = log.events('command_refused').length;
    const result = await bot.emulator.invokeCommand({ name: 'ping', user: 'member' }).settled();
    assert.equal(result.ephemeral, true);
    assert.ok(!JSON.stringify(result).includes(PING_SECRET));
    assert.match(String(result.embeds[0]?.description), /administrators only/);
    const refused = log.events('command_refused').slice(before);
    assert.equal(refused.length, 1);
    assert.deepEqual(refused[0]?.detail, {
      command: 'ping',
      user_id: bot.emulator.ids.memberUserId,
      reason: 'not_admin',
    });
    assert.equal(refused[0]?.subsys, 'commands');
    await waitForInvoked('ping', 2);
    assert.equal(lastInvoked('ping')?.outcome, 'refused');
    assert.equal(counted.at(-1)?.outcome, 'refused');
  });

  it("refuses in a DM, in a guild the bot is not in, and to the Administrator of someone else's guild", async () => {
    const dm = await bot.emulator.invokeCommand({ name: 'ping', user: 'admin', dm: true }).settled();
    assert.ok(!JSON.stringify(dm).includes(PING_SECRET));
    const elsewhere = await bot.emulator
      .invokeCommand({ name: 'ping', user: 'admin', guildId: '1999999999999999999', permissions: '8' })
      .settled();
    assert.ok(!JSON.stringify(elsewhere).includes(PING_SECRET));
    const foreign = await bot.emulator
      .invokeCommand({ name: 'ping', user: 'foreign_admin', guildId: bot.emulator.ids.foreignGuildId })
      .settled();
    assert.ok(!JSON.stringify(foreign).includes(PING_SECRET));
    assert.match(String(foreign.embeds[0]?.description), /administrators only/);
    const reasons = log
      .events('command_refused')
      .slice(-3)
      .map((r) => r.detail.reason);
    assert.deepEqual(reasons, ['dm', 'foreign_guild', 'foreign_guild']);
  });

  it('lets in configured admin users and roles, and stops honouring a removed admin role', async () => {
    const byId = await bot.emulator
      .invokeCommand({ name: 'ping', user: { id: '1234567890123456789' } })
      .settled();
    assert.match(String(byId.embeds[0]?.description), new RegExp(PING_SECRET));
    const byRole = await bot.emulator
      .invokeCommand({
        name: 'ping',
        user: { id: '1234567890123456111', roles: [bot.emulator.ids.opsRoleId] },
      })
      .settled();
    assert.match(String(byRole.embeds[0]?.description), new RegExp(PING_SECRET));
    const demoted = await bot.emulator
      .invokeCommand({ name: 'ping', user: { id: bot.emulator.ids.adminUserId, roles: [plainRoleId] } })
      .settled();
    assert.ok(!JSON.stringify(demoted).includes(PING_SECRET));
  });

  it('turns a throwing command into an ephemeral error with a reference, and keeps serving', async () => {
    const result = await bot.emulator.invokeCommand({ name: 'boom', user: 'admin' }).settled();
    assert.equal(result.ephemeral, true);
    const shown = JSON.stringify(result);
    assert.ok(!shown.includes('hunter2') && !shown.includes(BOOM_SECRET) && !shown.includes('@everyone'));
    const reference = /Reference: `([0-9a-f]+)`/.exec(String(result.embeds[0]?.description))?.[1];
    assert.ok(reference, 'the user gets a reference id');
    const failed = log.events('command_failed').at(-1);
    assert.equal(failed?.detail.ref, reference, 'the log record carries the same reference');
    assert.equal(failed?.level, 'error');
    await waitForInvoked('boom', 1);
    assert.equal(lastInvoked('boom')?.outcome, 'error');

    const next = await bot.emulator.invokeCommand({ name: 'ping', user: 'admin' }).settled();
    assert.match(String(next.embeds[0]?.description), new RegExp(PING_SECRET));
  });

  it('defers a slow command, then edits the answer in', async () => {
    const handle = bot.emulator.invokeCommand({ name: 'slow', user: 'admin' });
    const first = await handle.response();
    assert.equal(first.deferred, true);
    assert.equal(first.ephemeral, true);
    assert.ok(first.ackMs !== null && first.ackMs >= DEFER_AFTER_MS - 20 && first.ackMs < 3_000);
    assert.equal(releaseSlow(), 1);
    const settled = await handle.settled();
    assert.equal(settled.embeds[0]?.title, 'Slow done');
    assert.deepEqual(settled.rejections, []);
    await waitForInvoked('slow', 1);
    assert.equal(lastInvoked('slow')?.deferred, true);
    assert.equal(lastInvoked('slow')?.outcome, 'ok');
  });

  it('waits out a 429 on the interaction callback and still answers', async () => {
    bot.emulator.failNext('/callback', { status: 429, retryAfterSec: 0.5 });
    const result = await bot.emulator.invokeCommand({ name: 'ping', user: 'admin' }).settled(5_000);
    assert.match(String(result.embeds[0]?.description), new RegExp(PING_SECRET));
    const limited = log.events('rate_limited').at(-1);
    assert.equal(limited?.subsys, 'discord');
    assert.match(String(limited?.detail.route), /^\/interactions\/:id\/:token\/callback/);
    assert.equal(limited?.detail.global, false);
    assert.equal(typeof limited?.detail.retry_after_ms, 'number');
  });

  it('logs and counts a failed reply (expired interaction) without crashing', async () => {
    bot.emulator.failNext('/callback', { status: 404, code: 10062, message: 'Unknown interaction' });
    const failedBefore = invoked('ping').filter((r) => r.detail.reply_failed === true).length;
    bot.emulator.invokeCommand({ name: 'ping', user: 'admin' });
    const start = Date.now();
    const failed = () => invoked('ping').filter((r) => r.detail.reply_failed === true);
    while (failed().length === failedBefore && Date.now() - start < 3_000)
      await new Promise((r) => setTimeout(r, 5));
    assert.equal(failed().at(-1)?.detail.outcome, 'error');
    assert.equal(counted.at(-1)?.outcome, 'error');
    const failure = log.events('command_reply_failed').at(-1);
    assert.equal(failure?.detail.code, 10062);
    const next = await bot.emulator.invokeCommand({ name: 'ping', user: 'admin' }).settled();
    assert.match(String(next.embeds[0]?.description), new RegExp(PING_SECRET));
  });

  it('answers an unknown command ephemerally', async () => {
    const result = await bot.emulator.invokeCommand({ name: 'nope', user: 'admin' }).settled();
    assert.equal(result.ephemeral, true);
    assert.match(String(result.embeds[0]?.title), /Unknown command/);
    await waitForInvoked('nope', 1);
    assert.equal(lastInvoked('nope')?.outcome, 'unknown');
    assert.equal(counted.at(-1)?.command, 'unknown', 'unknown names share one metric label');
  });

  it('gives admins autocomplete choices and everyone else an empty list', async () => {
    const admin = await bot.emulator
      .invokeAutocomplete({ name: 'ping', user: 'admin', focused: { name: 'target', value: 'ga' } })
      .response();
    assert.deepEqual(admin.choices, [{ name: 'gateway', value: 'gateway' }]);
    const member = await bot.emulator
      .invokeAutocomplete({ name: 'ping', user: 'member', focused: { name: 'target', value: 'ga' } })
      .response();
    assert.deepEqual(member.choices, []);
  });

  it('never lets the token reach a log record or the emulator', () => {
    assert.ok(log.records.length > 10);
    assert.ok(!JSON.stringify(log.records).includes(bot.token));
    assert.ok(!JSON.stringify(log.records).includes('SECRET-b0t'));
    assert.ok(!JSON.stringify(bot.emulator.requestLog()).includes('SECRET-b0t'));
  });

  it('on close, answers new commands with "shutting down" and waits for the one in flight', async () => {
    const inFlight = bot.emulator.invokeCommand({ name: 'slow', user: 'admin' });
    await inFlight.response();
    let closed = false;
    const closing = bot.router.close().then(() => {
      closed = true;
    });
    const late = await bot.emulator.invokeCommand({ name: 'ping', user: 'admin' }).settled();
    assert.match(String(late.embeds[0]?.title), /Shutting down/);
    assert.ok(!JSON.stringify(late).includes(PING_SECRET));
    assert.equal(closed, false, 'close waits for the in-flight command');
    releaseSlow();
    await closing;
    assert.equal((await inFlight.settled()).embeds[0]?.title, 'Slow done');
  });
});
