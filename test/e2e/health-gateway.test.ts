import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../support/free-port.ts';
import { readJsonLines } from '../support/log-schema.ts';
import { type RunningBot, startRunningBot } from '../support/running-bot.ts';
import { until } from '../support/until.ts';

describe('the Discord gateway as the operator sees it', () => {
  let running: RunningBot;
  let port: number;

  before(async () => {
    port = await freePort();
    running = await startRunningBot({
      // Short heartbeats, so a missing ACK is noticed within seconds.
      emulator: { heartbeatIntervalMs: 1_000 },
      env: {
        OBS_ENABLE_PROMETHEUS: 'true',
        PROMETHEUS_HOST: '127.0.0.1',
        PROMETHEUS_PORT: String(port),
        ALERT_GATEWAY_GRACE_MS: '0',
      },
    });
    await running.emulator.waitForGateway();
  });
  after(() => running.close());

  const status = async () => (await running.bot.manager.getComprehensiveHealthStatus()).status;
  const gatewayComponent = () =>
    running.bot.manager.healthSnapshot().components.find((c) => c.name === 'discord_gateway');
  const healthz = async () => {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    return { code: res.status, body: (await res.json()) as { status: string } };
  };
  const events = () => {
    running.bot.logging.flushSync();
    return readJsonLines(running.logFile).map((l) => l.event as string);
  };
  const count = (name: string) => events().filter((e) => e === name).length;
  /** Every alert embed the ops channel received, oldest first. */
  const gatewayAlerts = () =>
    running.emulator
      .messages(running.emulator.ids.opsChannelId)
      .flatMap((m) => m.embeds as { title?: string; description?: string }[])
      .filter((e) => e.description?.includes('`gateway`'));

  async function expectOutageAndRecovery(what: string, timeoutMs: number): Promise<void> {
    // Both views must agree: the manager's snapshot and the probe endpoint.
    await until(async () => (await status()) === 'not_ready', timeoutMs, `${what}: not_ready`, 5);
    assert.equal(gatewayComponent()?.state, 'failed');
    await until(async () => (await healthz()).code === 503 || (await status()) === 'ready', 2_000, 'healthz');
    await until(async () => (await status()) === 'ready', 10_000, `${what}: ready again`);
    const probe = await healthz();
    assert.equal(probe.code, 200);
    assert.equal(probe.body.status, 'ready');
    assert.equal(gatewayComponent()?.state, 'ready');
  }

  it('starts ready, with /healthz answering 200', async () => {
    assert.equal(await status(), 'ready');
    assert.equal((await healthz()).code, 200);
  });

  it('a dropped connection: not_ready at once, ready after the resume; a gateway alert fires and resolves', async () => {
    const resumes = running.emulator.gatewayStats().resumes;
    const alertsBefore = gatewayAlerts().length;
    running.emulator.dropGateway();
    let sawNotReadyProbe = false;
    await until(
      async () => {
        const probe = await healthz();
        if (probe.code === 503) {
          assert.equal(probe.body.status, 'not_ready');
          sawNotReadyProbe = true;
        }
        return sawNotReadyProbe || running.emulator.gatewayStats().resumes > resumes;
      },
      5_000,
      '/healthz during the outage',
      5,
    );
    assert.ok(sawNotReadyProbe, '/healthz answered 503 not_ready while the gateway was down');
    await until(async () => (await status()) === 'ready', 10_000, 'ready again');
    assert.equal(running.emulator.gatewayStats().resumes, resumes + 1, 'the session was resumed');
    assert.equal(running.bot.manager.healthSnapshot().gateway.reconnects >= 1, true);
    const seen = events();
    assert.ok(
      seen.includes('gateway_reconnecting') && seen.includes('gateway_resumed'),
      'gateway_* events logged',
    );
    const alerts = await until(
      () => {
        const all = gatewayAlerts().slice(alertsBefore);
        return all.some((e) => e.title?.startsWith('✅')) ? all : undefined;
      },
      5_000,
      'the gateway alert and its recovery in the ops channel',
    );
    // One message for the episode: posted firing and edited once resolved, or, when it
    // resolved inside the group window, posted resolved.
    assert.equal(alerts.length, 1, `one message for the outage: ${alerts.map((e) => e.title).join(' | ')}`);
    const logged = events();
    assert.ok(logged.includes('alert_fired') && logged.includes('alert_resolved'), 'fired, then resolved');
  });

  it('an invalidated session: not_ready until the bot identifies again', async () => {
    const identifies = running.emulator.gatewayStats().identifies;
    running.emulator.invalidateSession();
    await expectOutageAndRecovery('invalidated session', 3_000);
    assert.equal(running.emulator.gatewayStats().identifies, identifies + 1, 'a fresh IDENTIFY');
  });

  it('heartbeats no longer acknowledged: the bot reconnects by itself, and recovers', async () => {
    const reconnecting = count('gateway_reconnecting');
    const resumes = running.emulator.gatewayStats().resumes;
    running.emulator.stopHeartbeatAcks();
    try {
      await expectOutageAndRecovery('zombie connection', 5_000);
    } finally {
      running.emulator.resumeHeartbeatAcks();
    }
    assert.ok(running.emulator.gatewayStats().resumes > resumes, 'it reconnected and resumed');
    assert.ok(count('gateway_reconnecting') > reconnecting, 'gateway_reconnecting logged');
    await until(async () => (await status()) === 'ready', 10_000, 'ready after the ACKs return');
  });
});
