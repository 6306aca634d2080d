import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createRedactor, REDACTED } from '../../../src/core/logging/redactor.ts';
import { createSanitizer, isSensitiveKey } from '../../../src/core/logging/sanitize-detail.ts';

const TOKEN = 'MTA5ODc2NTQzMjEwOTg3NjU0.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789';

describe('redactor', () => {
  test('replaces every occurrence, including the percent-encoded form', () => {
    const redactor = createRedactor(['p@ss word/1']);
    assert.equal(redactor.redact('a p@ss word/1 b p@ss word/1'), `a ${REDACTED} b ${REDACTED}`);
    assert.equal(
      redactor.redact(`https://x/?k=${encodeURIComponent('p@ss word/1')}`),
      `https://x/?k=${REDACTED}`,
    );
  });

  test('secrets added later apply from then on; very short ones are ignored', () => {
    const redactor = createRedactor();
    assert.equal(redactor.redact(TOKEN), TOKEN);
    redactor.add(TOKEN);
    redactor.add('ab');
    assert.equal(redactor.redact(`Bot ${TOKEN}`), `Bot ${REDACTED}`);
    assert.equal(redactor.redact('ab cd'), 'ab cd');
  });

  test('regular-expression characters in a secret are matched literally', () => {
    const redactor = createRedactor(['a.b*c+d']);
    assert.equal(redactor.redact('axb*c+d a.b*c+d'), `axb*c+d ${REDACTED}`);
  });
});

describe('sanitizer', () => {
  const sanitizer = createSanitizer(createRedactor([TOKEN]), { maxString: 100 });

  test('a secret never survives: messages, nested objects, arrays, URLs, Maps, error messages, stacks and causes', () => {
    const error = new Error(`login failed for ${TOKEN}`, { cause: new Error(`inner ${TOKEN}`) });
    const out = sanitizer.detail({
      nested: { deeper: { value: `x${TOKEN}y` } },
      list: ['a', TOKEN, [TOKEN]],
      url: new URL(`https://discord.com/api/v10/gateway?token=${TOKEN}`),
      map: new Map([['k', TOKEN]]),
      error,
    });
    const text = JSON.stringify(out);
    assert.ok(!text.includes(TOKEN), text);
    assert.ok(!text.includes(TOKEN.slice(0, 24)), 'no fragment of the token either');
    assert.ok(text.includes(REDACTED));
    assert.ok(!sanitizer.message(`token is ${TOKEN}`).includes(TOKEN));
  });

  test('a secret straddling the truncation point leaves no prefix behind', () => {
    const out = sanitizer.detail({ text: `${'z'.repeat(90)}${TOKEN}` });
    assert.ok(!String(out.text).includes(TOKEN.slice(0, 5)), String(out.text));
  });

  test('sensitive keys are redacted at any depth whatever their value', () => {
    const out = sanitizer.detail({
      headers: { Authorization: 'Bot abc', 'x-api-key': 'k' },
      config: { db: { password: 'pw', bot_token: 42, accessToken: { a: 1 }, client_secret: 's' } },
      tokens_used: 12,
    });
    assert.deepEqual(out, {
      headers: { Authorization: REDACTED, 'x-api-key': REDACTED },
      config: {
        db: { password: REDACTED, bot_token: REDACTED, accessToken: REDACTED, client_secret: REDACTED },
      },
      tokens_used: 12,
    });
    assert.equal(isSensitiveKey('token'), true);
    assert.equal(isSensitiveKey('task'), false);
  });

  test('errors become { name, message, code, stack }', () => {
    const error = Object.assign(new Error('no space'), { code: 'ENOSPC' });
    const out = sanitizer.detail({ error }) as { error: Record<string, unknown> };
    assert.equal(out.error.name, 'Error');
    assert.equal(out.error.message, 'no space');
    assert.equal(out.error.code, 'ENOSPC');
    assert.match(String(out.error.stack), /^Error: no space/);
  });

  test('cycles, depth, huge strings, huge arrays, odd types: bounded and JSON-safe', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 20; i++) deep = { deep };
    const out = sanitizer.detail({
      cyclic,
      deep,
      big: 'b'.repeat(1_000_000),
      many: Array.from({ length: 10_000 }, (_, i) => i),
      n: 10n,
      inf: Number.POSITIVE_INFINITY,
      fn: function named() {},
      when: new Date(0),
      bytes: Buffer.alloc(2048),
      nothing: undefined,
    });
    const text = JSON.stringify(out);
    assert.ok(text.length < 10_000, `bounded: ${text.length}`);
    assert.equal((out.cyclic as Record<string, unknown>).self, '[Circular]');
    assert.ok(text.includes('[Object]'));
    assert.ok(String(out.big).length < 200);
    assert.ok((out.many as unknown[]).length <= 101);
    assert.equal(out.n, '10');
    assert.equal(out.inf, 'Infinity');
    assert.equal(out.fn, '[Function named]');
    assert.equal(out.when, '1970-01-01T00:00:00.000Z');
    assert.equal(out.bytes, '[Buffer 2048 bytes]');
    assert.ok(!('nothing' in out));
  });

  test('a detail that is not an object still yields an object', () => {
    assert.deepEqual(sanitizer.detail(undefined), {});
    assert.deepEqual(sanitizer.detail('text' as never), { value: 'text' });
    const fromError = sanitizer.detail(new Error('bare') as never) as { error: { message: string } };
    assert.equal(fromError.error.message, 'bare');
  });

  test('a flat record of plain values comes out as the full walk gives it, edge values included', () => {
    // A class instance is walked key by key; the same keys on a plain object take the flat copy.
    class Walked {}
    const values: unknown[] = [
      'ok',
      '',
      TOKEN,
      `Bot ${TOKEN}`,
      encodeURIComponent(`${TOKEN}/`),
      'x'.repeat(100),
      'x'.repeat(101),
      0,
      -2.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      true,
      false,
      null,
      undefined,
      10n,
      { nested: TOKEN },
      [TOKEN],
    ];
    const keys = [
      'k'.repeat(255),
      'command',
      'bot_token',
      'accessToken',
      `key ${TOKEN}`,
      'k'.repeat(256),
      'k'.repeat(257),
    ];
    let seed = 7;
    const pick = <T>(from: readonly T[]): T => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return from[seed % from.length] as T;
    };
    for (let round = 0; round < 300; round += 1) {
      const record: Record<string, unknown> = {};
      for (let i = 0; i < 1 + (round % 6); i += 1) record[`${pick(keys)}${i}`] = pick(values);
      const walked = Object.assign(new Walked(), record);
      assert.deepEqual(
        sanitizer.detail(record),
        sanitizer.detail(walked),
        JSON.stringify(Object.keys(record)),
      );
    }
    const flatOut = sanitizer.detail({ user_id: '1', note: `say ${TOKEN}`, api_key: 'k', gone: undefined });
    assert.deepEqual(flatOut, { user_id: '1', note: `say ${REDACTED}`, api_key: REDACTED });
  });

  test('rejects nonsense limits', () => {
    assert.throws(() => createSanitizer(createRedactor(), { maxDepth: 0 }), /maxDepth/);
  });
});
