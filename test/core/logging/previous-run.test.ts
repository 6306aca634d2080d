import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readPreviousRun } from '../../../src/core/logging/previous-run.ts';

const line = (ts: string, level: string, event: string, msg = event) =>
  JSON.stringify({ ts, level, name: 'bot', subsys: 'x', event, detail: {}, msg });

function logFile(lines: readonly string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'prev-')), 'bot.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('how the previous run ended, from the JSON log', () => {
  it('a run that logged shutdown_complete was clean', () => {
    const run = readPreviousRun(
      logFile([
        line('2024-01-15T10:00:00.000Z', 'INFO', 'run_started'),
        line('2024-01-15T10:00:01.000Z', 'ERROR', 'http_error', 'port 8001 is in use'),
        line('2024-01-15T11:00:00.000Z', 'INFO', 'shutdown_complete'),
      ]),
    );
    assert.equal(run?.clean, true);
  });

  it('a run that did not, crashed: when it started, when it last logged, and its last error', () => {
    const run = readPreviousRun(
      logFile([
        line('2024-01-15T09:00:00.000Z', 'INFO', 'run_started'),
        line('2024-01-15T09:00:09.000Z', 'ERROR', 'old_error', 'from the run before'),
        line('2024-01-15T09:59:00.000Z', 'INFO', 'shutdown_complete'),
        line('2024-01-15T10:00:00.000Z', 'INFO', 'run_started'),
        line('2024-01-15T10:00:01.000Z', 'ERROR', 'http_error', 'port 8001 is in use'),
        line('2024-01-15T10:05:00.000Z', 'CRITICAL', 'task_error', 'the sync task fell over'),
        line('2024-01-15T10:05:01.000Z', 'INFO', 'resource_stats'),
        '{"truncated": ',
      ]),
    );
    assert.deepEqual(run, {
      clean: false,
      started_at: '2024-01-15T10:00:00.000Z',
      last_record_at: '2024-01-15T10:05:01.000Z',
      last_error: {
        ts: '2024-01-15T10:05:00.000Z',
        level: 'CRITICAL',
        event: 'task_error',
        msg: 'the sync task fell over',
      },
    });
  });

  it('a crash that logged no error says so with a null error', () => {
    const run = readPreviousRun(logFile([line('2024-01-15T10:00:00.000Z', 'INFO', 'startup_begin')]));
    assert.equal(run?.clean, false);
    assert.equal(run?.last_error, null);
  });

  it('no log, or nothing in it, is a first start', () => {
    assert.equal(readPreviousRun('/nonexistent/bot.jsonl'), undefined);
    assert.equal(readPreviousRun(logFile([''])), undefined);
  });

  it('reads only the end of a large file, skipping the record cut in two', () => {
    const filler = Array.from({ length: 2000 }, (_, i) =>
      line(
        `2024-01-15T10:00:${String(i % 60).padStart(2, '0')}.000Z`,
        'INFO',
        'resource_stats',
        'x'.repeat(100),
      ),
    );
    const run = readPreviousRun(
      logFile([line('2024-01-15T09:00:00.000Z', 'INFO', 'run_started'), ...filler]),
      { maxBytes: 10_000 },
    );
    assert.equal(run?.clean, false);
    assert.equal(run?.started_at, null, 'its start is beyond what was read');
  });
});
