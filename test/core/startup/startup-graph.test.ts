import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StartupComponent } from '../../../src/core/startup/startup-component.ts';
import { StartupError } from '../../../src/core/startup/startup-error.ts';
import { createStartupGraph } from '../../../src/core/startup/startup-graph.ts';

const c = (
  name: string,
  dependencies: string[] = [],
  extra: Partial<StartupComponent> = {},
): StartupComponent => ({
  name,
  dependencies,
  start: () => {},
  ...extra,
});

function startupError(fn: () => unknown): StartupError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof StartupError, `expected a StartupError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the graph to be rejected');
}

describe('createStartupGraph', () => {
  it('orders dependencies first and keeps declaration order among peers', () => {
    const graph = createStartupGraph([
      c('discord', ['config', 'logging']),
      c('cache'),
      c('logging', ['config']),
      c('config'),
      c('commands', ['discord']),
    ]);
    assert.deepEqual(
      graph.order.map((x) => x.name),
      ['cache', 'config', 'logging', 'discord', 'commands'],
    );
    assert.deepEqual(
      graph.dependents('config').map((x) => x.name),
      ['logging', 'discord'],
    );
  });

  it('gives the same order every time for the same declaration', () => {
    const decl = () => [c('b', ['a']), c('c', ['a']), c('a'), c('d', ['b', 'c'])];
    const first = createStartupGraph(decl()).order.map((x) => x.name);
    assert.deepEqual(first, ['a', 'b', 'c', 'd']);
    assert.deepEqual(
      createStartupGraph(decl()).order.map((x) => x.name),
      first,
    );
  });

  it('rejects a cycle with its path', () => {
    const error = startupError(() =>
      createStartupGraph([c('x'), c('a', ['b']), c('b', ['c']), c('c', ['a'])]),
    );
    assert.equal(error.code, 'STARTUP_CYCLE');
    assert.deepEqual(error.components, ['a', 'b', 'c', 'a']);
    assert.match(error.message, /a → b → c → a/);
  });

  it('rejects a component depending on itself', () => {
    const error = startupError(() => createStartupGraph([c('a', ['a'])]));
    assert.equal(error.code, 'STARTUP_CYCLE');
    assert.deepEqual(error.components, ['a', 'a']);
  });

  it('rejects an unknown dependency, naming both ends', () => {
    const error = startupError(() => createStartupGraph([c('config'), c('discord', ['config', 'databse'])]));
    assert.equal(error.code, 'STARTUP_UNKNOWN_DEPENDENCY');
    assert.deepEqual(error.components, ['discord', 'databse']);
    assert.match(error.message, /'discord'.*'databse'/);
  });

  it('rejects a duplicate name', () => {
    const error = startupError(() => createStartupGraph([c('config'), c('db'), c('config')]));
    assert.equal(error.code, 'STARTUP_DUPLICATE_COMPONENT');
    assert.deepEqual(error.components, ['config']);
  });

  it('rejects a critical component that depends on a non-critical one', () => {
    const error = startupError(() =>
      createStartupGraph([c('tts', [], { critical: false }), c('voice', ['tts'], { critical: true })]),
    );
    assert.equal(error.code, 'STARTUP_CRITICAL_DEPENDS_ON_OPTIONAL');
    assert.deepEqual(error.components, ['voice', 'tts']);
  });

  it('rejects invalid options with the component named', () => {
    for (const bad of [
      c('a', [], { timeoutMs: 0 }),
      c('a', [], { retry: { attempts: 0 } }),
      c('a', [], { retry: { attempts: 1.5 } }),
      c('a', [], { retry: { baseDelayMs: 100, maxDelayMs: 50 } }),
      c('a', [], { retry: { jitter: 2 } }),
      c('', []),
    ]) {
      const error = startupError(() => createStartupGraph([bad]));
      assert.equal(error.code, 'STARTUP_INVALID_COMPONENT');
    }
  });
});
