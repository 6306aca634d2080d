import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatConsoleLine, type JsonLogRecord } from '../../../src/core/logging/console-format.ts';

function record(overrides: Partial<JsonLogRecord> = {}): JsonLogRecord {
  return {
    ts: '2024-01-15T14:30:45.123Z',
    level: 'INFO',
    name: 'bot.core',
    subsys: 'startup',
    event: 'startup_complete',
    detail: { duration_seconds: 3.24 },
    msg: 'Bot startup completed successfully',
    ...overrides,
  };
}

const ESC = '\u001b';
const ANSI = new RegExp(`${ESC}\\[[0-9;]*m`);
const ANSI_ALL = new RegExp(ANSI.source, 'g');
const LOCAL_TIME = String.raw`\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}\]`;

describe('console line format', () => {
  test('matches the documented example line shape, one line, no colour when colour is off', () => {
    const text = formatConsoleLine(record(), { color: false });
    assert.match(
      text,
      new RegExp(
        `^✅ ${LOCAL_TIME} Bot startup completed successfully \\| subsys=startup \\| duration=3\\.24s\\n$`,
      ),
    );
    assert.doesNotMatch(text, ANSI);
  });

  test('shows local time with milliseconds', () => {
    const ts = '2024-01-15T14:30:45.123Z';
    const d = new Date(ts);
    const pad = (n: number) => String(n).padStart(2, '0');
    const expected = `[${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.123]`;
    assert.ok(formatConsoleLine(record({ ts }), { color: false }).includes(expected));
  });

  test('each record shows its own local time, within one second, across seconds and across a DST change', () => {
    const pad = (n: number, w = 2) => String(n).padStart(w, '0');
    const local = (ts: string) => {
      const d = new Date(ts);
      return `[${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}]`;
    };
    for (const ts of [
      '2024-01-15T14:30:45.123Z',
      '2024-01-15T14:30:45.999Z',
      '2024-01-15T14:30:46.000Z',
      '2024-01-15T14:30:45.500Z',
      '2024-07-01T00:00:00.001Z',
      '2024-07-01T00:00:00.002Z',
      '2024-01-15T14:30:46.007Z',
    ]) {
      assert.ok(formatConsoleLine(record({ ts }), { color: false }).includes(local(ts)), ts);
    }
  });

  test('an icon and a colour per level', () => {
    const cases = [
      ['DEBUG', 'cache_probe', '·', '\u001b[38;5;109m'],
      ['INFO', 'gateway_connected', 'ℹ', '\u001b[32m'],
      ['INFO', 'startup_complete', '✅', '\u001b[32m'],
      ['WARNING', 'resource_warning', '⚠', '\u001b[33m'],
      ['ERROR', 'task_error', '✖', '\u001b[31m'],
      ['CRITICAL', 'resource_critical', '✖', '\u001b[1;31m'],
    ] as const;
    for (const [level, event, icon, color] of cases) {
      const plain = formatConsoleLine(record({ level, event }), { color: false });
      assert.ok(plain.startsWith(`${icon} [`), `${level} ${event} starts with ${icon}: ${plain}`);
      const coloured = formatConsoleLine(record({ level, event }), { color: true });
      assert.ok(
        coloured.startsWith(`${color}${icon}\u001b[0m`),
        `${level} is coloured: ${JSON.stringify(coloured)}`,
      );
      assert.equal(coloured.replace(ANSI_ALL, ''), plain, 'colour adds nothing but escapes');
    }
  });

  test('detail: one level flattened, units shortened, errors by message only, long values cut', () => {
    const text = formatConsoleLine(
      record({
        level: 'ERROR',
        event: 'task_error',
        detail: {
          task: 'memory_save_task',
          duration_ms: 120,
          memory_mb: 512.5,
          cpu_percent: 12,
          error: {
            name: 'Error',
            message: 'disk on fire',
            stack: 'Error: disk on fire\n    at secret/place.ts:1',
          },
          gateway: { ping_ms: 42, shard: 0 },
          deep: { a: { b: { c: 1 } } },
          long: 'y'.repeat(500),
          list: [1, 2, 3],
        },
      }),
      { color: false },
    );
    assert.ok(text.includes('| task=memory_save_task |'));
    assert.ok(text.includes('| duration=120ms |'));
    assert.ok(text.includes('| memory=512.5MB |'));
    assert.ok(text.includes('| cpu=12% |'));
    assert.ok(text.includes('| error=disk on fire |'));
    assert.ok(!text.includes('secret/place.ts'), 'stacks stay in the JSON sink');
    assert.ok(text.includes('| gateway.ping=42ms | gateway.shard=0 |'));
    assert.ok(text.includes('| deep.a={"b":{"c":1}} |'));
    assert.ok(text.includes('| list=[1,2,3]'));
    const long = /long=(y+…)/.exec(text)?.[1] ?? '';
    assert.ok(long.length <= 120, 'long values are cut');
    assert.equal(text.split('\n').length, 2, 'one line');
  });

  test('newlines and terminal escapes from the message or detail cannot break the line or drive the terminal', () => {
    const text = formatConsoleLine(
      record({ msg: 'first\nsecond\u001b[2J\u0007', detail: { input: 'a\r\nb\u001b]0;title\u0007' } }),
      { color: false },
    );
    assert.equal(text.split('\n').length, 2);
    const controls = [...text.slice(0, -1)].filter((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
    assert.deepEqual(controls, [], 'no control characters but the final newline');
    assert.ok(text.includes('first⏎second'));
  });

  test('a record with an odd level or time still renders', () => {
    const text = formatConsoleLine(record({ level: 'TRACE', ts: 'not a time', event: 'x' }), {
      color: false,
    });
    assert.match(text, /^ℹ \[not a time\] /);
  });
});
