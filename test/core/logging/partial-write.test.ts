import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { typescriptNodeArgs } from '../../../src/typescript-runtime.ts';

const fixture = fileURLToPath(new URL('./fixtures/write-past-size-limit.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'partial-write-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('a write the kernel cuts short (file size limit, then EFBIG) leaves no half line behind', () => {
  const file = join(root, 'bot.jsonl');
  const result = spawnSync(
    'sh',
    ['-c', 'ulimit -f 2 && exec "$@"', 'sh', process.execPath, ...typescriptNodeArgs, fixture, file],
    { encoding: 'utf8', timeout: 30_000 },
  );
  assert.equal(result.status, 0, result.stderr);
  const status = JSON.parse(result.stdout) as { state: string; code: string; dropped: number };
  assert.equal(status.state, 'degraded');
  assert.equal(status.code, 'EFBIG');
  assert.equal(status.dropped, 40, 'the whole failed batch is counted as dropped');
  const text = readFileSync(file, 'utf8');
  assert.ok(text.endsWith('\n'));
  const numbers = text
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { n: number }).n);
  assert.deepEqual(numbers, [0, 1, 2, 3, 4], 'the first batch stays, the partial second batch is cut off');
});
