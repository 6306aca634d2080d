import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { typescriptNodeArgs } from '../../src/discord/index.ts';
import { readJsonLines } from '../support/log-schema.ts';
import { until } from '../support/until.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/fatal/bot-then-fault.ts', import.meta.url));

interface Child {
  readonly process: ChildProcess;
  readonly logFile: string;
  stdout(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnBot(fault: 'rejection' | 'exception'): Child {
  const logFile = join(mkdtempSync(join(tmpdir(), 'bot-')), 'bot.jsonl');
  const child = spawn(process.execPath, [...typescriptNodeArgs, FIXTURE, logFile, fault], {
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  child.stderr?.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    // 'close', not 'exit': stdout still in flight when the process exits is kept.
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { process: child, logFile, stdout: () => out, exited };
}

const linesOf = (file: string) => {
  try {
    return readJsonLines(file);
  } catch {
    return [];
  }
};

test('an unhandled rejection is logged with its stack and the bot carries on', async () => {
  const bot = spawnBot('rejection');
  try {
    const line = await until(
      () => linesOf(bot.logFile).find((l) => l.event === 'unhandled_rejection'),
      15_000,
      'unhandled_rejection in the log',
    );
    assert.equal(line.level, 'ERROR');
    const detail = JSON.stringify(line.detail);
    assert.match(detail, /nobody awaited this/);
    assert.match(detail, /bot-then-fault\.ts/, 'the stack points at the code');
    // The console's pipe is read apart from the file, so its copy may arrive a moment later.
    await until(() => /unhandled/i.test(bot.stdout()), 5_000, 'the console to show it too');
    // Still running a while later, and stops cleanly when asked.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(bot.process.exitCode, null);
    bot.process.kill('SIGTERM');
    const { code } = await bot.exited;
    assert.equal(code, 0);
    assert.equal(linesOf(bot.logFile).at(-1)?.event, 'shutdown_complete');
  } finally {
    bot.process.kill('SIGKILL');
  }
});

test('an uncaught exception is logged CRITICAL, both sinks flushed, exit 1', async () => {
  const bot = spawnBot('exception');
  try {
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([
      bot.exited,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('no exit within 15 s')), 15_000);
      }),
    ]).finally(() => clearTimeout(timer));
    assert.equal(exit.code, 1);
    const lines = readJsonLines(bot.logFile);
    const last = lines.at(-1);
    assert.equal(last?.event, 'uncaught_exception');
    assert.equal(last?.level, 'CRITICAL');
    assert.match(JSON.stringify(last?.detail), /thrown from a timer/);
    assert.match(bot.stdout(), /Uncaught exception: fixture: thrown from a timer/);
  } finally {
    bot.process.kill('SIGKILL');
  }
});
