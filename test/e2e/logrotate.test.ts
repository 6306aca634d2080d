import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { formatConsoleLine, type JsonLogRecord } from '../../src/core/index.ts';
import { type Emulator, startEmulator } from '../support/emulator/index.ts';
import { assertLogLine, readJsonLines, readJsonLinesSoFar } from '../support/log-schema.ts';
import { BOT_TOKEN, runMain } from '../support/running-bot.ts';
import { until } from '../support/until.ts';

const run = promisify(execFile);
const SNIPPET = readFileSync(new URL('../../ops/logrotate/opsbot', import.meta.url), 'utf8');

/** The logrotate binary (often in /usr/sbin, outside a normal user's PATH), if installed. */
function findLogrotate(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  for (const dir of dirs.filter((d) => d !== '')) {
    const candidate = join(dir, 'logrotate');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

const LOGROTATE = findLogrotate();

type Variant = 'create + SIGHUP' | 'create, no signal' | 'copytruncate';

/** Replaces `from` in `text` once, failing loudly if the shipped snippet no longer has it. */
function swap(text: string, from: string | RegExp, to: string): string {
  assert.match(
    text,
    typeof from === 'string' ? new RegExp(from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : from,
  );
  return text.replace(from, to);
}

/**
 * `ops/logrotate/opsbot` with this run's paths, in the variant asked for, plus a
 * `prerotate` that notes the time just before the rename (for the measurement only).
 */
function configFor(variant: Variant, logFile: string, pidFile: string, stampFile: string): string {
  let text = swap(
    SNIPPET,
    '/srv/opsbot/logs/bot.jsonl {',
    `${logFile} {\n    prerotate\n        date +%s%3N > ${stampFile}\n    endscript`,
  );
  text = swap(text, /\/run\/opsbot\/opsbot\.pid/g, pidFile);
  // The test may not run as root: the new file keeps the old one's owner.
  text = swap(text, 'create 0640 opsbot opsbot', 'create 0640');
  const postrotate = /\n {4}postrotate\n[\s\S]*?\n {4}endscript\n/;
  if (variant === 'create, no signal') text = swap(text, postrotate, '\n');
  if (variant === 'copytruncate') {
    text = swap(text, postrotate, '\n');
    text = swap(text, /\n {4}create 0640\n/, '\n');
    text = swap(text, '    # copytruncate\n', '    copytruncate\n');
  }
  return text;
}

function env(emulator: Emulator, logFile: string): Record<string, string> {
  return {
    DISCORD_TOKEN: BOT_TOKEN,
    DISCORD_API_URL: emulator.apiUrl,
    DISCORD_GUILD_ID: emulator.ids.guildId,
    LOG_FILE: logFile,
    // As the snippet says: logrotate rotates, the bot does not.
    LOG_ROTATE_MAX_MB: '0',
    LOG_ROTATE_DAILY: 'false',
    // Far away, so only the once-a-second look or the signal can follow the file.
    OBS_HEALTHCHECK_INTERVAL_MS: '3600000',
    // The console and the JSON file must agree on local time.
    ...(process.env.TZ === undefined ? {} : { TZ: process.env.TZ }),
  };
}

function records(path: string): JsonLogRecord[] {
  return existsSync(path) ? (readJsonLines(path) as unknown as JsonLogRecord[]) : [];
}

/** While the bot runs: its whole lines so far (a batch may be half written when it is read). */
function recordsSoFar(path: string): JsonLogRecord[] {
  return readJsonLinesSoFar(path) as unknown as JsonLogRecord[];
}

const commandsIn = (lines: readonly JsonLogRecord[]): number =>
  lines.filter((l) => l.event === 'command_invoked').length;

describe('the real logrotate rotates the JSON log of a running bot', {
  skip:
    LOGROTATE === undefined
      ? 'logrotate is not installed (Debian package `logrotate`; .ci/run installs it)'
      : false,
}, () => {
  let emulator: Emulator;
  before(async () => {
    emulator = await startEmulator();
  });
  after(() => emulator.close());

  for (const variant of ['create + SIGHUP', 'create, no signal', 'copytruncate'] as const) {
    it(`${variant}: every line in exactly one file, in order; new lines reach the new file promptly`, async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'logrotate-'));
      const logFile = join(dir, 'logs', 'bot.jsonl');
      const rotatedFile = `${logFile}.1`;
      const pidFile = join(dir, 'opsbot.pid');
      const config = join(dir, 'opsbot.logrotate');
      const stampFile = join(dir, 'rotated-at');
      writeFileSync(config, configFor(variant, logFile, pidFile, stampFile), { mode: 0o644 });

      let child: { kill(signal: NodeJS.Signals): void; readonly pid?: number | undefined } | undefined;
      const exited = runMain(env(emulator, logFile), {
        timeoutMs: 90_000,
        onSpawn(spawned) {
          child = spawned;
        },
      });
      let traffic = false;
      let during = Promise.resolve();
      try {
        await until(
          () => recordsSoFar(logFile).some((l) => l.event === 'startup_complete'),
          30_000,
          "the bot's start",
        );
        // What a supervisor does for the snippet's `postrotate`.
        writeFileSync(pidFile, `${child?.pid}\n`);

        const invoke = () => emulator.invokeCommand({ name: 'health', user: 'admin' }).settled(10_000);
        for (let i = 0; i < 3; i++) await invoke();
        await until(() => commandsIn(recordsSoFar(logFile)) === 3, 5_000, 'the first commands on disk');

        // Around a create rotation the bot keeps answering commands (and logging them); a
        // copytruncate is done in a quiet moment, since a line written between its copy
        // and its truncation is lost by design.
        traffic = variant !== 'copytruncate';
        during = (async () => {
          while (traffic) await invoke();
        })();
        const result = await run(LOGROTATE as string, ['--force', '--state', join(dir, 'state'), config]);
        assert.equal(result.stderr, '', 'logrotate is happy with the config');
        assert.ok(existsSync(rotatedFile), 'bot.jsonl.1 exists');

        // The next lines land in the new file at the path without waiting for a health check.
        const firstNew = await until(
          async () => {
            if (!traffic) await invoke();
            return recordsSoFar(logFile)[0];
          },
          5_000,
          'a first line in the new file',
        );
        traffic = false;
        await during;
        for (let i = 0; i < 3; i++) await invoke();
        await until(
          () => commandsIn(recordsSoFar(logFile)) >= 3,
          5_000,
          'commands after the rotation on disk',
        );

        if (variant !== 'copytruncate') {
          const renamedAt = Number(readFileSync(stampFile, 'utf8'));
          t.diagnostic(
            `${variant}: first line in the new file ${Date.parse(firstNew.ts) - renamedAt} ms after the rename`,
          );
        }
        const reopened = recordsSoFar(logFile).filter((l) => l.event === 'log_file_reopened');
        if (variant === 'copytruncate') {
          assert.deepEqual(reopened, [], 'the same file stays open');
        } else {
          assert.equal(firstNew.event, 'log_file_reopened', 'the reopen is the first line of the new file');
          if (variant === 'create + SIGHUP') {
            // The reopen postrotate's SIGHUP asks for. On a loaded machine the signal can come
            // after the once-a-second check has already found the new file ('replaced' first).
            await until(
              () =>
                recordsSoFar(logFile).some(
                  (l) => l.event === 'log_file_reopened' && l.detail.reason === 'requested',
                ),
              5_000,
              'the reopen SIGHUP asked for',
            );
          } else {
            assert.deepEqual(
              reopened.map((l) => l.detail.reason),
              ['replaced'],
            );
          }
        }
      } finally {
        traffic = false;
        await during.catch(() => {});
        child?.kill('SIGTERM');
      }
      const ended = await exited;
      assert.equal(ended.code, 0, ended.stderr);

      const rotated = records(rotatedFile);
      const current = records(logFile);
      for (const line of [...rotated, ...current]) assertLogLine(line);
      assert.ok(commandsIn(rotated) >= 3, 'the commands before the rotation are in the rotated file');
      assert.ok(commandsIn(current) >= 3, 'the commands after it are in the new file');
      assert.equal(current.at(-1)?.event, 'shutdown_complete');
      const all = [...rotated, ...current];
      for (let i = 1; i < all.length; i++) {
        assert.ok((all[i - 1]?.ts ?? '') <= (all[i]?.ts ?? ''), `in time order at line ${i}`);
      }
      // The console saw every record once: line for line, the two files together hold the same.
      const consoleLines = ended.stdout.split('\n').filter((l) => l !== '');
      assert.equal(all.length, consoleLines.length, 'as many JSON lines as console lines');
      all.forEach((record, i) => {
        const head = formatConsoleLine({ ...record, detail: {} }, { color: false }).trimEnd();
        const seen = consoleLines[i] ?? '';
        assert.ok(seen === head || seen.startsWith(`${head} | `), `line ${i}: ${seen} ≠ ${head}`);
      });
    });
  }
});
