import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { typescriptNodeArgs } from '../../../src/typescript-runtime.ts';
import { assertLogLine, readJsonLines } from '../../support/log-schema.ts';

const fixture = fileURLToPath(new URL('./fixtures/log-then-exit.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'flush-on-exit-'));
after(() => rmSync(root, { recursive: true, force: true }));

interface Outcome {
  readonly file: string;
  readonly status: number | null;
  readonly stderr: string;
}

/** Runs the fixture; the runs start together so the file's wall time is about one child's. */
function run(
  mode: string,
  onStdout?: (text: string, kill: (signal: NodeJS.Signals) => void) => void,
): Promise<Outcome> {
  const file = join(root, mode, 'bot.jsonl');
  const child = spawn(process.execPath, [...typescriptNodeArgs, fixture, file, mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout.on('data', (chunk: Buffer) => onStdout?.(chunk.toString(), (signal) => child.kill(signal)));
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) => {
    // 'close', not 'exit': the last stderr chunk can still be in flight when the process has exited.
    child.on('close', (status) => {
      clearTimeout(killer);
      resolve({ file, status, stderr });
    });
  });
}

const runs = {
  exit: run('exit'),
  throw: run('throw'),
  sigterm: run('sigterm', (text, kill) => {
    if (text.includes('ready')) kill('SIGTERM');
  }),
};

describe('records reach the file before the process ends', () => {
  test('process.exit straight after logging: flushSync on exit keeps the last record', async () => {
    const { file, status } = await runs.exit;
    assert.equal(status, 3);
    const lines = readJsonLines(file);
    for (const line of lines) assertLogLine(line);
    assert.equal(lines.length, 201);
    assert.equal(lines.at(-1)?.event, 'last_record');
  });

  test('an uncaught exception: the CRITICAL record with its stack is the last line', async () => {
    const { file, status, stderr } = await runs.throw;
    assert.equal(status, 70);
    const last = readJsonLines(file).at(-1);
    assert.ok(last);
    assertLogLine(last);
    assert.equal(last.level, 'CRITICAL');
    assert.equal(last.event, 'uncaught_exception');
    assert.match(String((last.detail as { error: { stack: string } }).error.stack), /fatal in a timer/);
    assert.match(
      stderr,
      /✖ \[[^\]]+\] Uncaught exception, exiting \| subsys=shutdown \| error=fatal in a timer/,
    );
  });

  test('SIGTERM: the shutdown path flushes, shutdown_complete is the last line', async () => {
    const { file, status: code } = await runs.sigterm;
    assert.equal(code, 0);
    const lines = readJsonLines(file);
    assert.equal(lines.at(-1)?.event, 'shutdown_complete');
    assert.equal(lines.filter((l) => l.event === 'burst_record').length, 200);
  });
});
