import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { residentSplit, splitResident } from '../../bench/support/smaps.ts';

const mapping = (range: string, perms: string, name: string, rssKb: number): string =>
  `${range} ${perms} 00000000 00:00 0 ${name}\nSize: 4 kB\nRss: ${rssKb} kB\nPss: ${rssKb} kB\n`;

test('smaps split: thread arenas are the 64 MB-aligned anonymous reservations, and only those', () => {
  const text = [
    mapping('55d0a0000000-55d0a2000000', 'r-xp', '/usr/bin/node', 20_000),
    mapping('55d0b0000000-55d0b0800000', 'rw-p', '[heap]', 5_000),
    // An arena: 8 MB read-write at a 64 MB boundary, the rest of its 64 MB reserved.
    mapping('7f1c00000000-7f1c00800000', 'rw-p', '', 3_072),
    mapping('7f1c00800000-7f1c04000000', '---p', '', 0),
    // A whole 64 MB arena grown to its end.
    mapping('7f1c08000000-7f1c0c000000', 'rw-p', '', 1_024),
    // Anonymous but not an arena: not aligned, or aligned with the wrong reservation after it.
    mapping('7f1c10001000-7f1c10801000', 'rw-p', '', 7_000),
    mapping('7f1c14000000-7f1c14100000', 'rw-p', '', 2_000),
    mapping('7f1c14100000-7f1c14200000', '---p', '', 0),
    mapping('7ffd00000000-7ffd00021000', 'rw-p', '[stack]', 132),
  ].join('');
  assert.deepEqual(splitResident(text), { total_mb: 37.33, malloc_thread_arenas_mb: 4 });
});

test('smaps split of a live process adds up to its whole RSS', {
  skip: process.platform !== 'linux',
}, async () => {
  // An idle process, so that the two readings see the same memory.
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    await once(child, 'spawn');
    const pid = child.pid ?? 0;
    const split = residentSplit(pid);
    assert.ok(split !== undefined);
    const rollupKb = Number(/^Rss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1]);
    assert.ok(rollupKb > 0);
    assert.ok(
      Math.abs(split.total_mb - rollupKb / 1024) < 0.02,
      `${split.total_mb} MB against smaps_rollup's ${rollupKb} kB`,
    );
    assert.ok(split.malloc_thread_arenas_mb <= split.total_mb);
  } finally {
    child.kill();
  }
  assert.equal(residentSplit(2 ** 22 + 12_345), undefined);
});
