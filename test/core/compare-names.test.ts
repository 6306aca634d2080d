import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareNames } from '../../src/core/compare-names.ts';

test('names sort case-insensitively, upper case first among equals, by code unit not by locale', () => {
  const names = ['task_b', 'Zeta', 'alpha', 'Alpha', 'task_a', 'étoile', 'beta'];
  assert.deepEqual([...names].sort(compareNames), [
    'Alpha',
    'alpha',
    'beta',
    'task_a',
    'task_b',
    'Zeta',
    'étoile',
  ]);
});

test('ISO timestamps sort in time order', () => {
  const since = ['2026-11-30T08:00:01.000Z', '2026-11-29T23:59:59.999Z', '2026-11-30T08:00:00.500Z'];
  assert.deepEqual([...since].sort(compareNames), [
    '2026-11-29T23:59:59.999Z',
    '2026-11-30T08:00:00.500Z',
    '2026-11-30T08:00:01.000Z',
  ]);
});
