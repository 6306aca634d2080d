import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskSnapshot } from '../../../src/core/tasks/types.ts';
import { renderTasksEmbed } from '../../../src/discord/embeds/tasks-embed.ts';
import { assertEmbedLimits } from '../../support/embed-limits.ts';

const NOW = Date.UTC(2024, 0, 15, 14, 30, 0);

function task(name: string, over: Partial<TaskSnapshot> = {}): TaskSnapshot {
  return {
    name,
    kind: 'interval',
    schedule: 'every 15s',
    state: 'idle',
    critical: false,
    last_heartbeat_at: new Date(NOW - 3000).toISOString(),
    last_heartbeat_age_ms: 3000,
    runs: 10,
    failures: 0,
    restarts: 0,
    heartbeats: 10,
    next_run_at: new Date(NOW + 12_000).toISOString(),
    last_error: null,
    ...over,
  };
}

const HOSTILE = `@everyone @here <@123456789012345678> **bold** \`code\` ${'x'.repeat(10_000)}`;

describe('renderTasksEmbed', () => {
  it('shows state, heartbeat age, runs, failures, restarts, next run and last error', () => {
    const embed = renderTasksEmbed(
      [
        task('sampler'),
        task('memory_save_task', {
          kind: 'cron',
          schedule: '*/5 * * * *',
          state: 'failed',
          last_heartbeat_at: new Date(NOW - 300_000).toISOString(),
          failures: 3,
          restarts: 2,
          next_run_at: '2024-01-15T14:35:00.000Z',
          last_error: { at: '2024-01-15T14:29:00.000Z', message: 'disk full' },
        }),
      ],
      NOW,
    );
    assert.equal(embed.color, 0xf1c40f);
    const [first, second] = embed.fields ?? [];
    assert.match(first?.name ?? '', /❌ memory\\_save\\_task \(cron\)/);
    assert.match(first?.value ?? '', /failed · `\*\/5 \* \* \* \*`/);
    assert.match(first?.value ?? '', /heartbeat 5m ago · runs 10 · failures 3 · restarts 2/);
    assert.match(first?.value ?? '', /next run <t:1705329300:R>/);
    assert.match(first?.value ?? '', /last error <t:1705328940:R>: disk full/);
    assert.match(second?.value ?? '', /heartbeat 3s ago/);
    assert.match(embed.description ?? '', /1 need attention/);
  });

  it('is green when all is well, red when a critical task is down, blurple when there is none', () => {
    assert.equal(renderTasksEmbed([task('a'), task('b', { state: 'running' })], NOW).color, 0x2ecc71);
    assert.equal(renderTasksEmbed([task('a', { state: 'stale', critical: true })], NOW).color, 0xe74c3c);
    const empty = renderTasksEmbed([], NOW);
    assert.equal(empty.color, 0x5865f2);
    assert.match(empty.description ?? '', /No background task/);
  });

  it('a loop task shows no next run, and a task without heartbeat says so', () => {
    const embed = renderTasksEmbed(
      [
        task('loop', {
          kind: 'loop',
          schedule: 'loop',
          next_run_at: null,
          last_heartbeat_at: null,
          last_heartbeat_age_ms: null,
        }),
      ],
      NOW,
    );
    assert.doesNotMatch(embed.fields?.[0]?.value ?? '', /next run/);
    assert.match(embed.fields?.[0]?.value ?? '', /no heartbeat yet/);
  });

  it('stays inside every limit with 50 hostile tasks and 10 kB errors, and neutralises them', () => {
    const tasks = Array.from({ length: 50 }, (_, i) =>
      task(`${HOSTILE.slice(0, 400)}${i}`, {
        state: i % 2 ? 'failed' : 'stale',
        schedule: HOSTILE,
        critical: i % 5 === 0,
        skipped_runs: 12,
        last_error: { at: '2024-01-15T14:29:00.000Z', message: HOSTILE },
      }),
    );
    const embed = renderTasksEmbed(tasks, NOW);
    assertEmbedLimits([embed]);
    const text = [
      embed.title,
      embed.description,
      ...(embed.fields ?? []).flatMap((f) => [f.name, f.value]),
    ].join('\n');
    assert.doesNotMatch(text, /@everyone|@here|<@\d/);
    assert.equal(embed.fields?.length, 25);
    assert.match(embed.fields?.[24]?.name ?? '', /… and 26 more/);
    assert.equal(embed.color, 0xe74c3c);
    for (const f of (embed.fields ?? []).slice(0, 24))
      assert.match(f.value, /runs 10 · failures 0 · restarts 0/);
  });
});
