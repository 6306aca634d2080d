import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { APIEmbed } from 'discord-api-types/v10';
import type { ResourceSample } from '../../../src/core/resources/types.ts';
import { renderEpisodeEmbed } from '../../../src/discord/embeds/alert-episode-embed.ts';
import { renderAlertNotificationEmbed } from '../../../src/discord/embeds/alert-notification-embed.ts';
import { renderAlertsEmbed } from '../../../src/discord/embeds/alerts-embed.ts';
import { renderHealthEmbed } from '../../../src/discord/embeds/health-embed.ts';
import { renderResourcesEmbed } from '../../../src/discord/embeds/resources-embed.ts';
import { renderStartupEmbed } from '../../../src/discord/embeds/startup-embed.ts';
import { renderTasksEmbed } from '../../../src/discord/embeds/tasks-embed.ts';
import { component, task } from '../../core/metrics/fake-metrics-sources.ts';
import { assertEmbedLimits } from '../../support/embed-limits.ts';

const AT = '2024-01-15T14:30:45.123Z';
const NOW = Date.parse(AT);
/** 10 kB of what an error message from a hostile or broken dependency could hold. */
const EVIL = `@everyone @here <@123456789012345678> <@&123456789012345678> **bold** \`\`\` ||spoiler|| [link](https://x.example) ${'ä'.repeat(10_000)}`;
const N = 1_000;

/** Every text an embed shows, to search for live mentions. */
function allText(embed: APIEmbed): string {
  return [
    embed.title,
    embed.description,
    embed.footer?.text,
    embed.author?.name,
    ...(embed.fields ?? []).flatMap((f) => [f.name, f.value]),
  ].join('\n');
}

function assertSafe(embed: APIEmbed): void {
  assertEmbedLimits([embed]);
  const text = allText(embed);
  assert.doesNotMatch(text, /@(everyone|here)/, 'a mass mention survived');
  assert.doesNotMatch(text, /<@&?\d+>/, 'a user or role mention survived');
}

describe('every renderer with 1,000 items and 10 kB hostile errors', () => {
  it('/health', () => {
    const components = Array.from({ length: N }, (_, i) =>
      component(`${EVIL.slice(0, 40)}${i}`, {
        state: i % 3 === 0 ? 'failed' : 'degraded',
        critical: i % 2 === 0,
        error_count: i,
        last_error: { at: AT, message: EVIL },
        errors: Array.from({ length: 20 }, () => ({ at: AT, message: EVIL })),
        note: EVIL,
      }),
    );
    const snapshot = {
      status: 'not_ready',
      live: true,
      ready: false,
      uptime_seconds: 1e9,
      started_at: AT,
      status_since: AT,
      checked_at: AT,
      version: EVIL,
      components,
      gateway: { status: 'disconnected', ping_ms: null, guilds: 0, reconnects: 1e6, since: AT },
    } as const;
    assertSafe(renderHealthEmbed(snapshot));
    assertSafe(renderHealthEmbed(snapshot, { component: components[3]?.name ?? '' }));
  });

  it('/tasks', () => {
    const tasks = Array.from({ length: N }, (_, i) =>
      task(`task_${i}_${EVIL.slice(0, 30)}`, {
        state: 'failed',
        failures: i,
        last_error: { at: AT, message: EVIL },
        schedule: EVIL.slice(0, 300),
      }),
    );
    assertSafe(renderTasksEmbed(tasks, NOW));
  });

  it('/startup', () => {
    const components = Array.from({ length: N }, (_, i) => ({
      name: `${EVIL.slice(0, 20)}${i}`,
      status: 'failed' as const,
      critical: true,
      dependencies: [EVIL.slice(0, 50)],
      attempts: 3,
      start_offset_ms: i,
      end_offset_ms: i + 10,
      duration_ms: 10,
      error: EVIL,
      fallback: true,
      on_critical_path: i % 2 === 0,
    }));
    assertSafe(
      renderStartupEmbed({
        mode: 'parallel',
        started_at: AT,
        duration_ms: 1e7,
        outcome: 'failed',
        components,
        critical_path: components.map((c) => c.name),
      }),
    );
  });

  it('/alerts and an alert message', () => {
    const firing = Array.from({ length: N }, (_, i) => ({
      key: `component.${EVIL.slice(0, 60)}${i}`,
      title: EVIL,
      severity: i % 2 === 0 ? ('critical' as const) : ('warning' as const),
      value: EVIL,
      threshold: EVIL,
      since: AT,
      silenced: i % 5 === 0,
    }));
    const silences = Array.from({ length: N }, (_, i) => ({
      key: `${EVIL.slice(0, 80)}${i}`,
      until: AT,
      created_at: AT,
      created_by: EVIL,
    }));
    assertSafe(renderAlertsEmbed({ firing, silences }, NOW));
    assertSafe(
      renderAlertNotificationEmbed({
        kind: 'fired',
        key: EVIL,
        title: EVIL,
        severity: 'critical',
        value: EVIL,
        threshold: EVIL,
        since: AT,
        at: AT,
        duration_ms: null,
        silenced: false,
        episode: EVIL,
        acknowledged: { by: EVIL, at: AT },
        message_id: null,
        inhibited_by: null,
        held_back: [EVIL, EVIL],
      }),
    );
    for (const state of ['firing', 'resolved'] as const) {
      assertSafe(
        renderEpisodeEmbed({
          episode: EVIL,
          key: EVIL,
          title: EVIL,
          severity: 'critical',
          value: EVIL,
          threshold: EVIL,
          since: AT,
          state,
          resolved_at: AT,
          acknowledged: { by: EVIL, at: EVIL },
          silenced: true,
          silenced_until: EVIL,
          inhibited_by: EVIL,
          held_back: Array.from({ length: 50 }, () => EVIL),
          message_id: EVIL,
        }),
      );
    }
  });

  it('/resources with a day of samples and absurd values', () => {
    const history: ResourceSample[] = Array.from({ length: 86_400 }, (_, i) => ({
      at: new Date(NOW + i * 1000).toISOString(),
      rss_bytes: i % 2 === 0 ? Number.MAX_SAFE_INTEGER : 0,
      heap_used_bytes: -1,
      heap_total_bytes: Number.NaN,
      cpu_percent: i % 3 === 0 ? null : 1e9,
      open_files: null,
      threads: Number.POSITIVE_INFINITY,
      event_loop_lag_ms: { mean: 1e12, p99: Number.NaN, max: -5 },
    }));
    assertSafe(
      renderResourcesEmbed(
        {
          enabled: true,
          latest: history.at(-1),
          history,
          thresholds: {
            memory_mb: { warning: 1024, critical: 2048 },
            cpu_percent: { warning: 80, critical: 95 },
            event_loop_lag_ms: { warning: 100, critical: 500 },
          },
        },
        NOW,
      ),
    );
  });
});
