import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { typescriptNodeArgs } from '../../../src/typescript-runtime.ts';
import { readJsonLines } from '../../support/log-schema.ts';

const fixture = fileURLToPath(new URL('./fixtures/console-pipe.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'console-pipe-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** The fixture with its stdout a pipe this test reads (or not) as the scenario needs. */
function start(mode: string): { child: ChildProcess; file: string; exited: Promise<number | null> } {
  const file = join(root, mode, 'bot.jsonl');
  const child = spawn(process.execPath, [...typescriptNodeArgs, fixture, file, mode], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const exited = new Promise<number | null>((resolve) => {
    child.on('close', (status) => {
      clearTimeout(killer);
      resolve(status);
    });
  });
  return { child, file, exited };
}

const nextMessage = (child: ChildProcess): Promise<Record<string, unknown>> =>
  new Promise((resolve) => child.once('message', (message) => resolve(message as Record<string, unknown>)));

describe('the console sink on a real pipe (stdout written directly)', () => {
  test('a reader that stalls through a burst larger than the pipe still gets every line whole and once, in order', async () => {
    const { child, exited } = start('stall');
    // Nobody reads stdout until the burst is written, so the pipe fills part way through it.
    const written = await nextMessage(child);
    assert.equal(written.written, true);
    assert.ok(Number(written.heldByStream) > 0, 'the pipe filled, so the rest waited in the stream');
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    const report = nextMessage(child);
    child.send('read');
    assert.deepEqual((await report).health, []);
    assert.equal(await exited, 0);
    // Each line whole: icon, time, message, then all twenty pairs.
    const whole = /^\S+ \[[^\]]+\] (record \d+) m{1900} \| subsys=test \| n=\d+( \| k\d+=v{120}){20}$/;
    const seen = text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) =>
        /^between \d+$/.test(line) ? line : (whole.exec(line)?.[1] ?? `broken: ${line.slice(0, 60)}`),
      );
    const expected: string[] = [];
    for (let n = 0; n < 600; n += 1) {
      expected.push(`record ${n}`);
      if (n < 300 && n % 100 === 0) expected.push(`between ${n}`);
    }
    assert.deepEqual(seen, expected);
  });

  test('a reader that goes away: the console sink degrades, the process carries on, the file keeps every record', async () => {
    const { child, file, exited } = start('closed');
    assert.equal((await nextMessage(child)).ready, true);
    const closed = new Promise((resolve) => child.stdout?.once('close', resolve));
    child.stdout?.destroy();
    await closed;
    const report = nextMessage(child);
    child.send('go');
    const health = (await report).health as string[];
    assert.equal(await exited, 0);
    assert.equal(health.length, 1);
    assert.match(String(health[0]), /^console:degraded:.*EPIPE/);
    const records = readJsonLines(file);
    assert.equal(records.filter((r) => r.event === 'after_close').length, 100);
    const degraded = records.find((r) => r.event === 'log_sink_degraded');
    assert.equal((degraded?.detail as { sink?: string } | undefined)?.sink, 'console');
  });
});
