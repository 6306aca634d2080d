import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Events } from 'discord.js';
import type { GatewayObserver } from '../../src/core/health/types.ts';
import { createDiscordClient } from '../../src/discord/discord-client.ts';
import { CaptureLogger } from '../support/capture-logger.ts';
import { startEmulator } from '../support/emulator/index.ts';

const TOKEN = 'MTIz.client-test.SECRET-login-token';

function recorder(): { observer: GatewayObserver; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    observer: {
      connecting: () => calls.push('connecting'),
      ready: (guilds) => calls.push(`ready:${guilds}`),
      disconnected: (code) => calls.push(`disconnected:${code}`),
      reconnecting: () => calls.push('reconnecting'),
      resumed: () => calls.push('resumed'),
      ping: () => calls.push('ping'),
    },
  };
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('createDiscordClient against the emulator', () => {
  it('logs in, reports ready with the guild count, then pings from heartbeat ACKs', async () => {
    const emulator = await startEmulator({ heartbeatIntervalMs: 100 });
    const { observer, calls } = recorder();
    const log = new CaptureLogger();
    const discord = createDiscordClient({
      token: TOKEN,
      apiUrl: emulator.apiUrl,
      observer,
      log,
      pingIntervalMs: 50,
    });
    try {
      await discord.start();
      assert.deepEqual(calls.slice(0, 2), ['connecting', 'ready:2']);
      await until(() => calls.includes('ping'), 3_000);
    } finally {
      await discord.stop();
      await emulator.close();
    }
    assert.ok(!JSON.stringify(log.records).includes(TOKEN));
    // Destroying the client on purpose is not an outage: the observer hears nothing of it.
    assert.ok(!calls.some((c) => c.startsWith('disconnected') || c === 'reconnecting'), calls.join(','));
  });

  it('feeds a dropped and resumed gateway session to the observer', async () => {
    const emulator = await startEmulator();
    const { observer, calls } = recorder();
    const discord = createDiscordClient({
      token: TOKEN,
      apiUrl: emulator.apiUrl,
      observer,
      log: new CaptureLogger(),
    });
    try {
      await discord.start();
      const resumed = new Promise((resolve) => discord.client.once(Events.ShardResume, resolve));
      emulator.dropGateway(4000);
      await resumed;
      assert.ok(calls.includes('resumed'));
      assert.equal(emulator.gatewayStats().resumes, 1);
      assert.equal(emulator.gatewayStats().identifies, 1, 'resumed, did not identify again');
      // Still usable after the resume.
      await emulator.waitForGateway(2_000);
    } finally {
      await discord.stop();
      await emulator.close();
    }
  });

  it('rejects start() with a clear error on a bad token, without retrying or leaking it', async () => {
    const emulator = await startEmulator();
    emulator.rejectToken();
    const { observer, calls } = recorder();
    const discord = createDiscordClient({
      token: TOKEN,
      apiUrl: emulator.apiUrl,
      observer,
      log: new CaptureLogger(),
    });
    try {
      await assert.rejects(discord.start(), (error: Error) => {
        assert.match(error.message, /rejected the bot token.*DISCORD_TOKEN/);
        assert.ok(!error.message.includes(TOKEN));
        return true;
      });
      assert.deepEqual(calls, ['connecting', 'disconnected:null']);
      const gatewayCalls = emulator.requestLog().filter((r) => r.path === '/gateway/bot');
      assert.equal(gatewayCalls.length, 1, 'no retry loop');
    } finally {
      await discord.stop();
      await emulator.close();
    }
  });

  it('refuses an empty token at construction', () => {
    const { observer } = recorder();
    assert.throws(
      () => createDiscordClient({ token: ' ', observer, log: new CaptureLogger() }),
      /token is empty/,
    );
  });

  it('a retry of a start that timed out joins the login in flight: one IDENTIFY, never two connections', async () => {
    const emulator = await startEmulator();
    const { observer } = recorder();
    const log = new CaptureLogger();
    const discord = createDiscordClient({ token: TOKEN, apiUrl: emulator.apiUrl, observer, log });
    try {
      emulator.delayNextIdentify(1_500);
      // What the start orchestrator does when an attempt outlives its timeout: abort it, then retry.
      const attempt = new AbortController();
      const first = discord.start(attempt.signal);
      await until(() => emulator.gatewayStats().identifies === 1, 5_000);
      attempt.abort(new Error('timeout after 60.0s'));
      await assert.rejects(first, /timeout after 60.0s/);
      await discord.start();
      assert.ok(discord.client.isReady());
      assert.deepEqual(emulator.gatewayStats(), { identifies: 1, resumes: 0, connected: 1, open: 1 });
      assert.equal(log.events('gateway_login_joined').length, 1);
    } finally {
      await discord.stop();
      await emulator.close();
    }
  });
});
