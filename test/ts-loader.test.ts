// src/ts-loader.mjs where Node does not strip types (before 22.18, or told not to): esbuild's
// hooks, their cache of transforms in the temp folder, and no esbuild process left behind.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TS_LOADER, typescriptRuntime } from '../src/typescript-runtime.ts';

const ENTRY = fileURLToPath(new URL('./fixtures/ts-loader/entry.ts', import.meta.url));
/** On a Node that strips types, what makes the loader register its hooks all the same. */
const NOT_NATIVE = typescriptRuntime === 'native' ? ['--no-experimental-strip-types'] : [];

interface Seen {
  readonly sum: number;
  /** Child processes once the imports were loaded, by name. */
  readonly afterLoad: readonly string[];
  /** The same once esbuild had been let go (or 20 s had passed). */
  readonly later: readonly string[];
  readonly frame: string;
}

function runWithTemp(temp: string): Seen {
  const result = spawnSync(process.execPath, [...NOT_NATIVE, '--import', TS_LOADER, ENTRY], {
    env: { PATH: process.env.PATH ?? '', TMPDIR: temp },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as Seen;
}

const cacheOf = (temp: string): string => join(temp, `opsbot-ts-${process.getuid?.() ?? 'user'}`);
const cached = (temp: string): string[] =>
  readdirSync(cacheOf(temp)).map((name) => `${name} ${statSync(join(cacheOf(temp), name)).mtimeMs}`);

test('a first start transforms each file once into the cache, and lets esbuild go when done', () => {
  const temp = mkdtempSync(join(tmpdir(), 'ts-loader-'));
  const seen = runWithTemp(temp);
  assert.equal(seen.sum, 5);
  assert.deepEqual(seen.later, [], 'no esbuild process outlives the loading');
  assert.equal(readdirSync(cacheOf(temp)).filter((name) => name.endsWith('.mjs')).length, 2);
  // The stack names the TypeScript file and line, through the inline source map.
  assert.match(seen.frame, /fixtures\/ts-loader\/entry\.ts:19:\d+/);
});

test('a start after the first reads the cache and runs no esbuild at all', () => {
  const temp = mkdtempSync(join(tmpdir(), 'ts-loader-'));
  runWithTemp(temp);
  const before = cached(temp);
  const seen = runWithTemp(temp);
  assert.equal(seen.sum, 5);
  assert.deepEqual(seen.afterLoad, [], 'no child process while loading');
  assert.deepEqual(cached(temp), before, 'nothing written again');
});

test('a temp folder where the cache cannot be made costs only speed', () => {
  // TMPDIR names a file: the cache folder cannot be made under it (whoever runs the suite).
  const file = join(mkdtempSync(join(tmpdir(), 'ts-loader-')), 'not-a-folder');
  writeFileSync(file, '');
  const seen = runWithTemp(file);
  assert.equal(seen.sum, 5);
  assert.deepEqual(seen.later, []);
});
