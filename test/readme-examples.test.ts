import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const root = new URL('../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');

test('"Add your own" shows the four shipped example files exactly as they are', () => {
  const blocks = [
    ...readme.matchAll(/```ts\n\/\/ ((?:commands|components|tasks|checks)\/[\w.-]+\.ts)\n([\s\S]*?)```/g),
  ];
  assert.deepEqual(
    blocks.map((b) => b[1]),
    ['commands/status.ts', 'components/log-disk.ts', 'tasks/log-folder-size.ts', 'checks/temp-dir.ts'],
  );
  for (const [, path = '', body] of blocks) {
    assert.equal(body, readFileSync(new URL(path, root), 'utf8'), `${path} in the README is the file`);
  }
});
