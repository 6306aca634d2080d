import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { typescriptRuntime } from '../../src/discord/index.ts';
import { type Emulator, startEmulator } from '../support/emulator/index.ts';
import { assertLogLine, readJsonLines } from '../support/log-schema.ts';
import { BOT_TOKEN } from '../support/running-bot.ts';
import { until } from '../support/until.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RUNS = 3;
const BUSY_LIMIT_MS = 20_000;

/**
 * One CPU-bound process per core, resolved once every one of them spins; each ends by
 * itself after BUSY_LIMIT_MS at the latest, and `stop()` ends them sooner.
 */
async function loadEveryCore(): Promise<{ stop(): void }> {
  const loop = `process.stdout.write('spinning\\n'); const end = Date.now() + ${BUSY_LIMIT_MS}; while (Date.now() < end) {}`;
  const children: ChildProcess[] = Array.from({ length: availableParallelism() }, () =>
    spawn(process.execPath, ['-e', loop], { stdio: ['ignore', 'pipe', 'ignore'] }),
  );
  const stop = (): void => {
    for (const child of children) child.kill('SIGKILL');
  };
  try {
    await Promise.all(children.map((child) => new Promise((resolve) => child.stdout?.once('data', resolve))));
  } catch (error) {
    stop();
    throw error;
  }
  return { stop };
}

/** The processes of the session `npm start` leads (detached: its own session and group), as `ps` shows them. */
function groupMembers(pgid: number): string {
  try {
    return execFileSync('ps', ['-o', 'pid,ppid,pgid,stat,args', '-s', String(pgid)], { encoding: 'utf8' });
  } catch {
    return '(ps found none)';
  }
}

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

describe('npm start on a loaded machine, stopped by SIGTERM to its whole process group', () => {
  let emulator: Emulator;
  before(async () => {
    emulator = await startEmulator();
  });
  after(() => emulator.close());

  for (let run = 1; run <= RUNS; run++) {
    it(`run ${run}: exit 0, one shutdown, shutdown_complete last, nothing left running`, async () => {
      const logFile = join(mkdtempSync(join(tmpdir(), 'npm-start-')), 'bot.jsonl');
      const child = spawn('npm', ['start', '--silent'], {
        cwd: ROOT,
        // Its own process group, as a terminal or a service manager would give it.
        detached: true,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: {
          // npm, and the node it starts, are the ones running this test.
          PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
          NO_COLOR: '1',
          DISCORD_TOKEN: BOT_TOKEN,
          DISCORD_API_URL: emulator.apiUrl,
          DISCORD_GUILD_ID: emulator.ids.guildId,
          OPS_CHANNEL_ID: emulator.ids.opsChannelId,
          LOG_FILE: logFile,
          LOG_LEVEL: 'debug',
        },
      });
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
      });
      const exited = new Promise<Exit>((resolve) =>
        child.on('exit', (code, signal) => resolve({ code, signal })),
      );
      const pgid = child.pid as number;
      let load: { stop(): void } | undefined;
      try {
        await until(
          () => existsSync(logFile) && readFileSync(logFile, 'utf8').includes('"startup_complete"'),
          30_000,
          'the bot to log startup_complete',
        );
        // Every core busy from just before the signal until the end of the shutdown.
        load = await loadEveryCore();
        // Commands in flight when the signal lands.
        for (let i = 0; i < 10; i++) {
          emulator.invokeCommand({ name: i % 2 === 0 ? 'health' : 'tasks', user: 'admin' });
        }
        process.kill(-pgid, 'SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const exit = await Promise.race([
          exited,
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`npm start still running 20 s after SIGTERM\n${stderr}`)),
              20_000,
            );
          }),
        ]).finally(() => clearTimeout(timer));
        assert.deepEqual(exit, { code: 0, signal: null }, stderr);
        assert.throws(
          () => process.kill(-pgid, 0),
          { code: 'ESRCH' },
          `no process of the group outlives npm; left:\n${groupMembers(pgid)}`,
        );
      } finally {
        load?.stop();
        try {
          process.kill(-pgid, 'SIGKILL');
        } catch {
          // Already gone, as it should be.
        }
      }

      const lines = readJsonLines(logFile);
      for (const line of lines) assertLogLine(line);
      assert.equal(lines.at(-1)?.event, 'shutdown_complete');
      assert.equal(lines.filter((l) => l.event === 'shutdown_requested').length, 1);
      assert.equal(
        lines.filter((l) => l.event === 'shutdown_forced').length,
        0,
        'no second signal forced it',
      );
      const runtime = lines.find((l) => l.event === 'typescript_runtime');
      assert.deepEqual(runtime?.detail, { node: process.version, typescript: typescriptRuntime });
    });
  }
});
