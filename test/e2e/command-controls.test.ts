import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readJsonLines } from '../support/log-schema.ts';
import { type RunningBot, startRunningBot } from '../support/running-bot.ts';
import { sleep, until } from '../support/until.ts';

type Component = {
  type: number;
  custom_id: string;
  label?: string;
  options?: { label: string; value: string; default?: boolean }[];
};
type Embed = { title?: string; description?: string; timestamp?: string };

const controls = (rows: readonly unknown[]): Component[] =>
  rows.flatMap((row) => (row as { components: Component[] }).components);

describe('Refresh and drill-down on the command replies', () => {
  let run: RunningBot;
  const ask = (name: string, options?: Record<string, string> | unknown[]) =>
    run.emulator
      .invokeCommand({
        name,
        user: 'admin',
        ...(options === undefined ? {} : { options: options as never }),
      })
      .settled(10_000);

  before(async () => {
    run = await startRunningBot({ env: { RESOURCE_SAMPLE_INTERVAL_MS: '500' } });
    await run.emulator.waitForGateway();
  });
  after(() => run.close());

  for (const [command, options, view] of [
    ['health', undefined, 'health'],
    ['resources', undefined, 'resources'],
    ['tasks', undefined, 'tasks'],
    ['alerts', [{ name: 'list', type: 1, options: [] }], 'alerts'],
  ] as const) {
    it(`/${command}${view === 'alerts' ? ' list' : ''}: Refresh updates the same ephemeral message`, async () => {
      const answer = await ask(command, options as never);
      assert.equal(answer.ephemeral, true);
      const refresh = controls(answer.components).find((c) => c.label === 'Refresh');
      assert.equal(refresh?.custom_id, `ops:refresh:${view}`);
      const messageId = answer.messageId;
      assert.ok(messageId);
      if (view === 'alerts')
        run.bot.manager.alerts.raise('e2e.refresh', { severity: 'warning', title: 'Refresh drill' });
      await sleep(view === 'resources' ? 1_100 : 50);
      // A reply with a chart was deferred, then edited with it: count from here.
      const versionsBefore = run.emulator.messageVersions(messageId).length;
      const pressed = await run.emulator
        .invokeComponent({ user: 'admin', messageId, customId: refresh.custom_id })
        .settled(10_000);
      assert.equal(pressed.callbacks[0]?.type, 7, 'answered by updating the message, not with a new one');
      assert.ok(pressed.ackMs !== null && pressed.ackMs < 3_000);
      const now = run.emulator.message(messageId);
      assert.equal((now?.flags ?? 0) & 64, 64, 'still the same ephemeral message');
      assert.equal(run.emulator.messageVersions(messageId).length, versionsBefore + 1, 'edited once');
      assert.deepEqual(
        controls(now?.components ?? []).find((c) => c.label === 'Refresh')?.custom_id,
        refresh.custom_id,
        'the refreshed view keeps its Refresh button',
      );
      if (view === 'alerts') {
        assert.match(JSON.stringify(now?.embeds), /Refresh drill/, 'shows what fires now');
        run.bot.manager.alerts.clear('e2e.refresh');
      }
      if (view === 'resources') {
        const [first] = (run.emulator.messageVersions(messageId)[versionsBefore - 1]?.embeds ??
          []) as Embed[];
        const [second] = (now?.embeds ?? []) as Embed[];
        assert.notEqual(second?.timestamp, first?.timestamp, 'figures of a newer sample');
      }
    });
  }

  it('/health: the component menu opens one component with its error history; Refresh keeps it', async () => {
    run.bot.manager.health.register('e2ecache');
    run.bot.manager.health.set('e2ecache', 'degraded', { error: new Error('cache miss storm') });
    const answer = await ask('health');
    const menu = controls(answer.components).find((c) => c.type === 3);
    assert.equal(menu?.custom_id, 'ops:health:component');
    assert.ok(menu?.options?.some((o) => o.value === 'e2ecache'));
    assert.equal(menu?.options?.[0]?.value, 'e2ecache', 'the worst first');
    const messageId = answer.messageId ?? '';
    const picked = await run.emulator
      .invokeComponent({
        user: 'admin',
        messageId,
        customId: 'ops:health:component',
        componentType: 3,
        values: ['e2ecache'],
      })
      .settled(10_000);
    assert.equal(picked.callbacks[0]?.type, 7);
    const text = JSON.stringify(run.emulator.message(messageId)?.embeds);
    assert.match(text, /e2ecache/);
    assert.match(text, /cache miss storm/);
    const shown = controls(run.emulator.message(messageId)?.components ?? []);
    assert.equal(shown.find((c) => c.label === 'Refresh')?.custom_id, 'ops:refresh:health:e2ecache');
    assert.equal(shown.find((c) => c.type === 3)?.options?.find((o) => o.default)?.value, 'e2ecache');
    const back = shown.find((c) => c.label === 'All components');
    assert.equal(back?.custom_id, 'ops:refresh:health');

    await run.emulator
      .invokeComponent({ user: 'admin', messageId, customId: 'ops:refresh:health:e2ecache' })
      .settled(10_000);
    assert.match(JSON.stringify(run.emulator.message(messageId)?.embeds), /cache miss storm/);
  });

  it("a plain member's press on a Refresh is refused and sees none of the data", async () => {
    const answer = await ask('tasks');
    const messageId = answer.messageId ?? '';
    const versions = run.emulator.messageVersions(messageId).length;
    const pressed = await run.emulator
      .invokeComponent({ user: 'member', messageId, customId: 'ops:refresh:tasks' })
      .settled(10_000);
    assert.equal(pressed.callbacks[0]?.type, 4, 'a reply of its own, not an update of the view');
    assert.equal(pressed.ephemeral, true);
    assert.match(JSON.stringify(pressed.embeds), /Not allowed/);
    assert.doesNotMatch(JSON.stringify(pressed.embeds), /resource_sampler|health_checks/);
    assert.equal(run.emulator.messageVersions(messageId).length, versions);
    const invoked = () => {
      run.bot.logging.flushSync();
      return readJsonLines(run.logFile)
        .filter((l) => l.event === 'component_invoked')
        .map((l) => l.detail as Record<string, unknown>);
    };
    // Logged once the answer is out.
    await until(
      () => invoked().some((d) => d.component === 'refresh_tasks' && d.outcome === 'refused'),
      5_000,
      'the refused press in the log',
    );
    assert.ok(invoked().some((d) => d.component === 'refresh_health' && d.outcome === 'ok'));
  });
});
