import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startRunningBot } from '../support/running-bot.ts';
import { sleep, until } from '../support/until.ts';

const loggingHealth = (run: Awaited<ReturnType<typeof startRunningBot>>) =>
  run.bot.manager.healthSnapshot().components.find((c) => c.name === 'logging');

test('a log file that cannot be created: the bot starts, the console goes on, health names the path and error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'logfault-'));
  const blocker = join(dir, 'not-a-folder');
  writeFileSync(blocker, 'a regular file where the log folder should be\n');
  const logFile = join(blocker, 'bot.jsonl');
  const run = await startRunningBot({ env: { LOG_FILE: logFile } });
  try {
    assert.equal((await run.bot.started).report.outcome, 'degraded');
    const logging = loggingHealth(run);
    assert.equal(logging?.state, 'degraded');
    const said = `${logging?.last_error?.message ?? ''} ${logging?.note ?? ''}`;
    assert.ok(said.includes(logFile), `names the path: ${said}`);
    assert.match(said, /ENOTDIR|not a directory/i);
    // Records below ERROR reach the console with their batch, within LOG_FLUSH_MS (1 s).
    await until(() => /startup/i.test(run.consoleText()), 3_000, 'the console still logs');
    const reply = await run.emulator.invokeCommand({ name: 'health', user: 'admin' }).settled(5_000);
    assert.match(JSON.stringify(reply.embeds), /logging/, '/health shows the logging problem');
  } finally {
    await run.close();
  }
});

test('the disk fills mid-run (ENOSPC): console goes on, logging degraded; writable again: it recovers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'logfull-'));
  const link = join(dir, 'bot.jsonl');
  const first = join(dir, 'first.jsonl');
  const second = join(dir, 'second.jsonl');
  /** Points the log path somewhere else in one step, as a full or remounted disk would. */
  const pointAt = (target: string): void => {
    const tmp = join(dir, `link-${Date.now()}`);
    symlinkSync(target, tmp);
    renameSync(tmp, link);
  };
  pointAt(first);
  // The recovery is announced as soon as logging is back (no hold against flapping), so the run stays short.
  const run = await startRunningBot({
    env: { LOG_FILE: link, OBS_HEALTHCHECK_INTERVAL_MS: '1000', ALERT_HEALTHY_FOR_MS: '0' },
  });
  try {
    assert.equal(loggingHealth(run)?.state, 'ready');
    pointAt('/dev/full');
    await until(
      () => {
        run.bot.log.info('e2e_filler', 'a record to write');
        return loggingHealth(run)?.state === 'degraded';
      },
      8_000,
      'logging degraded on ENOSPC',
    );
    assert.match(loggingHealth(run)?.last_error?.message ?? '', /ENOSPC|no space/i);
    // Two more health checks on a disk that is still full: it stays degraded, no flapping.
    await sleep(2_200);
    assert.equal(loggingHealth(run)?.state, 'degraded');
    const before = run.consoleText().length;
    const reply = await run.emulator.invokeCommand({ name: 'health', user: 'admin' }).settled(5_000);
    assert.ok(reply.embeds.length > 0, 'commands still answer');
    await until(() => run.consoleText().length > before, 2_000, 'console output while the disk is full');

    pointAt(second);
    await until(
      () => {
        run.bot.log.info('e2e_filler', 'a record to write');
        return loggingHealth(run)?.state === 'ready';
      },
      10_000,
      'logging ready again',
    );
    run.bot.log.info('e2e_after_recovery', 'written once the disk is back');
    await until(
      () => readFileSync(second, 'utf8').includes('e2e_after_recovery'),
      3_000,
      'the record on disk',
    );
    assert.ok(readFileSync(first, 'utf8').includes('startup_complete'), 'the first file has the start');
    const loggingAlerts = run
      .consoleText()
      .split('\n')
      .filter((l) => l.includes('key=component.logging'));
    assert.equal(
      loggingAlerts.filter((l) => l.includes('kind=fired')).length,
      1,
      'one alert for the episode',
    );
    assert.equal(loggingAlerts.filter((l) => l.includes('kind=resolved')).length, 1, 'one recovery');
  } finally {
    await run.close();
  }
});
