import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';

const ISO_UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'];
const SNAKE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const DOTTED = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;
const KEYS = ['ts', 'level', 'name', 'subsys', 'event', 'detail', 'msg'];

/** Asserts one parsed JSON log line matches the documented schema (docs/reference.md, "The JSON log"). */
export function assertLogLine(obj: unknown): void {
  assert.ok(typeof obj === 'object' && obj !== null && !Array.isArray(obj), 'a log line is a JSON object');
  const line = obj as Record<string, unknown>;
  assert.deepEqual(
    Object.keys(line).sort(),
    [...KEYS].sort(),
    `keys of ${JSON.stringify(line).slice(0, 200)}`,
  );
  assert.match(String(line.ts), ISO_UTC_MS, 'ts is ISO 8601 UTC with milliseconds');
  assert.ok(
    LEVELS.includes(String(line.level)),
    `level ${String(line.level)} is one of ${LEVELS.join(', ')}`,
  );
  assert.match(String(line.name), DOTTED, 'name is a dotted logger name');
  assert.equal(typeof line.subsys, 'string');
  assert.match(String(line.subsys), SNAKE, 'subsys is snake_case');
  assert.match(String(line.event), SNAKE, 'event is a snake_case id');
  assert.ok(
    typeof line.detail === 'object' && line.detail !== null && !Array.isArray(line.detail),
    'detail is an object',
  );
  assert.equal(typeof line.msg, 'string', 'msg is a string');
}

/**
 * The whole lines so far of a JSON-lines file another process is still writing, parsed: a
 * last line without its newline is a write in progress, which a reader of a live file may
 * catch half done, and is left for the next read; a file not yet created has no lines. For
 * polling; a finished file is read
 * with {@link readJsonLines}, which fails on it.
 */
export function readJsonLinesSoFar(path: string): Record<string, unknown>[] {
  // Nothing yet until the bot has opened its file.
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const end = text.lastIndexOf('\n');
  return end < 0 ? [] : parseJsonLines(path, text.slice(0, end + 1));
}

/** Every line of a JSON-lines file, parsed; fails on a line that is not JSON. */
export function readJsonLines(path: string): Record<string, unknown>[] {
  return parseJsonLines(path, readFileSync(path, 'utf8'));
}

function parseJsonLines(path: string, text: string): Record<string, unknown>[] {
  if (text === '') return [];
  assert.ok(text.endsWith('\n'), `${path} ends with a newline`);
  return text
    .slice(0, -1)
    .split('\n')
    .map((raw, i) => {
      try {
        return JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return assert.fail(`${path}:${i + 1} is not JSON: ${raw.slice(0, 200)}`);
      }
    });
}
