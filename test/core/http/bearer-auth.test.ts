import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBearerCheck } from '../../../src/core/http/bearer-auth.ts';

const TOKEN = 'probe-token-0123456789abcdef';

describe('createBearerCheck', () => {
  const check = createBearerCheck(TOKEN);

  it('accepts exactly "Bearer <token>", the scheme in any case', () => {
    assert.equal(check(`Bearer ${TOKEN}`), 'ok');
    assert.equal(check(`bearer ${TOKEN}`), 'ok');
    assert.equal(check(`BEARER  ${TOKEN} `), 'ok');
  });

  it('tells a missing header from a wrong one', () => {
    assert.equal(check(undefined), 'missing');
    assert.equal(check(''), 'missing');
    for (const header of [
      'Bearer',
      'Bearer ',
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Bearer ${TOKEN.toUpperCase()}`,
      `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}`,
      TOKEN,
      `Bearer ${TOKEN} extra`,
    ]) {
      assert.equal(check(header), 'invalid', header);
    }
  });

  it('refuses an empty token at construction', () => {
    assert.throws(() => createBearerCheck(''), /must not be empty/);
  });
});
