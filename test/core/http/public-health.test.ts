import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PATH_PLACEHOLDER, publicHealth, scrubErrorText } from '../../../src/core/http/public-health.ts';
import { component, health } from '../metrics/fake-metrics-sources.ts';

describe('scrubErrorText', () => {
  it('replaces absolute paths of every form, keeping the rest of the message', () => {
    const cases: readonly (readonly [string, string])[] = [
      [
        "ENOENT: no such file or directory, open '/home/alice/bot/logs/bot.jsonl'",
        "ENOENT: no such file or directory, open '<path>'",
      ],
      ["EACCES: permission denied, mkdir '/var/log/opsbot'", "EACCES: permission denied, mkdir '<path>'"],
      ['open "/home/John Smith/my bot/z.txt" failed', 'open "<path>" failed'],
      ["Cannot find module 'C:\\Users\\Bob Smith\\bot\\x.js'", "Cannot find module '<path>'"],
      ['cannot read C:\\Users\\Bob\\bot\\.env now', 'cannot read <path> now'],
      ['config in ~/bot/.env is stale', 'config in <path> is stale'],
      ['loading file:///srv/bot/src/plugin.ts failed', 'loading <path> failed'],
      ['share \\\\fileserver\\ops\\bot.log is gone', 'share <path> is gone'],
      ['socket /run/opsbot/ctl.sock:3 refused', 'socket <path> refused'],
    ];
    for (const [input, expected] of cases) assert.equal(scrubErrorText(input), expected, input);
  });

  it('drops stack frames, named or bare, async or not', () => {
    assert.equal(
      scrubErrorText(
        'TypeError: db.query is not a function\n    at connect (/home/alice/bot/src/db.ts:10:3)\n' +
          '    at async Promise.all (index 0)\n    at /home/alice/bot/src/main.ts:4:1\n' +
          '    at new Pool (C:\\bot\\pool.js:1:9)\n    at Module._compile (node:internal/modules/cjs/loader:1376:14)\n' +
          '    at Object.<anonymous> (src/relative.ts:2:2)\n    at run (file:///srv/bot/a.ts:3:9)',
      ),
      'TypeError: db.query is not a function',
    );
    assert.equal(
      scrubErrorText('Error: boom at Foo.bar [as baz] (/srv/x.js:1:2) and more'),
      'Error: boom and more',
    );
  });

  it('leaves URLs, probe paths, addresses and plain words alone', () => {
    for (const text of [
      'request to https://discord.com/api/v10/channels/123/messages failed, reason: ECONNREFUSED',
      'http://127.0.0.1:8001/metrics answered 500',
      'port 8001 on 0.0.0.0 is in use',
      'GET /livez answered 503',
      'timed out after 5000 ms at step 3',
      'at 12:30 the ratio was 3/4 in a/b/c',
      'logs/bot.jsonl is not writable',
    ]) {
      assert.equal(scrubErrorText(text), text);
    }
    assert.ok(!scrubErrorText('x').includes(PATH_PLACEHOLDER));
  });
});

describe('publicHealth', () => {
  it("scrubs every component's last error, error history and note, and nothing else", () => {
    const at = '2026-01-15T14:30:45.123Z';
    const leaky =
      "connect ECONNREFUSED at connect (/home/alice/bot/src/db.ts:10:3) reading '/home/alice/bot/.env'";
    const snapshot = health('degraded', [
      component('database', {
        critical: true,
        state: 'degraded',
        error_count: 2,
        last_error: { at, message: leaky },
        errors: [
          { at, message: '/home/alice/bot/src/db.ts:1:1' },
          { at, message: leaky },
        ],
        note: 'running on fallback since /var/lib/opsbot/x failed',
      }),
      component('cache'),
    ]);
    const served = publicHealth(snapshot);
    const text = JSON.stringify(served);
    assert.doesNotMatch(text, /alice|db\.ts|\/var\/lib|\.env/);
    const db = served.components[0];
    assert.equal(db?.last_error?.message, "connect ECONNREFUSED reading '<path>'");
    assert.equal(db?.last_error?.at, at);
    assert.deepEqual(
      db?.errors.map((e) => e.message),
      ['<path>', "connect ECONNREFUSED reading '<path>'"],
    );
    assert.equal(db?.note, 'running on fallback since <path> failed');
    assert.deepEqual(served.components[1], snapshot.components[1]);
    assert.deepEqual({ ...served, components: [] }, { ...snapshot, components: [] });
  });

  it('keeps a message that was nothing but a frame as "error", never empty', () => {
    const at = '2026-01-15T14:30:45.123Z';
    const served = publicHealth(
      health('ready', [component('x', { last_error: { at, message: 'at run (/srv/a.ts:1:1)' } })]),
    );
    assert.equal(served.components[0]?.last_error?.message, 'error');
  });
});
