import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { criticalPath } from '../../../src/core/startup/critical-path.ts';

describe('criticalPath', () => {
  it('follows the dependency each component waited for, back from the last to end', () => {
    const path = criticalPath([
      { name: 'config', dependencies: [], end_offset_ms: 10 },
      { name: 'db', dependencies: ['config'], end_offset_ms: 60 },
      { name: 'model', dependencies: ['config'], end_offset_ms: 300 },
      { name: 'rag', dependencies: ['db', 'model'], end_offset_ms: 350 },
      { name: 'discord', dependencies: ['config'], end_offset_ms: 200 },
    ]);
    assert.deepEqual(path, ['config', 'model', 'rag']);
  });

  it('ignores components that never ran', () => {
    const path = criticalPath([
      { name: 'a', dependencies: [], end_offset_ms: 10 },
      { name: 'b', dependencies: ['a'], end_offset_ms: null },
    ]);
    assert.deepEqual(path, ['a']);
    assert.deepEqual(criticalPath([]), []);
  });
});
