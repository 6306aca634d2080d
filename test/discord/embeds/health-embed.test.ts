import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { APIEmbed } from 'discord-api-types/v10';
import { componentChoices } from '../../../commands/health.ts';
import type { HealthSnapshot } from '../../../src/core/health/types.ts';
import { renderHealthEmbed } from '../../../src/discord/embeds/health-embed.ts';
import { component } from '../../core/metrics/fake-metrics-sources.ts';
import { assertEmbedLimits } from '../../support/embed-limits.ts';

const AT = '2024-01-15T14:30:45.123Z';

function snapshot(over: Partial<HealthSnapshot> = {}): HealthSnapshot {
  return {
    status: 'ready',
    live: true,
    ready: true,
    uptime_seconds: 3723,
    started_at: AT,
    status_since: AT,
    checked_at: AT,
    version: '0.1.0',
    components: [component('database', { critical: true }), component('tts')],
    gateway: { status: 'ready', ping_ms: 42, guilds: 3, reconnects: 1, since: AT },
    ...over,
  };
}

function allText(embed: APIEmbed): string {
  return [
    embed.title,
    embed.description,
    embed.footer?.text,
    ...(embed.fields ?? []).flatMap((f) => [f.name, f.value]),
  ]
    .filter((x) => x !== undefined)
    .join('\n');
}

const HOSTILE = `@everyone @here <@123456789012345678> **bold** __u__ \`code\` ${'x'.repeat(10_000)}\nsecond line`;

describe('renderHealthEmbed', () => {
  it('shows the overall status in its colour, uptime, version and the gateway', () => {
    const embed = renderHealthEmbed(snapshot());
    assert.equal(embed.color, 0x2ecc71);
    assert.match(embed.title ?? '', /ready/);
    const text = allText(embed);
    assert.match(text, /1h 2m/);
    assert.match(text, /0\.1\.0/);
    assert.match(text, /ping 42 ms/);
    assert.match(text, /3 guilds/);
    assert.match(text, /database/);
    assert.equal(embed.timestamp, AT);
    assert.equal(renderHealthEmbed(snapshot({ status: 'degraded' })).color, 0xf1c40f);
    assert.equal(renderHealthEmbed(snapshot({ status: 'not_ready' })).color, 0xe74c3c);
  });

  it('lists components worst first, with their last error', () => {
    const embed = renderHealthEmbed(
      snapshot({
        status: 'not_ready',
        components: [
          component('alpha'),
          component('zeta_db', {
            state: 'failed',
            critical: true,
            error_count: 2,
            last_error: { at: AT, message: 'connection refused' },
          }),
        ],
      }),
    );
    const description = embed.description ?? '';
    assert.ok(description.indexOf('zeta') < description.indexOf('alpha'));
    assert.match(
      description,
      /❌ \*\*zeta\\_db\*\* — failed · critical · 2 errors\n {2}↳ connection refused/,
    );
  });

  it('shows one component with its error history, newest first', () => {
    const errors = [
      { at: '2024-01-15T14:00:00.000Z', message: 'older trouble' },
      { at: '2024-01-15T14:10:00.000Z', message: 'newer trouble' },
    ];
    const embed = renderHealthEmbed(
      snapshot({
        components: [
          component('tts', {
            state: 'degraded',
            error_count: 7,
            errors,
            last_error: errors[1] ?? null,
            fallback_active: true,
            note: 'running on fallback',
          }),
        ],
      }),
      { component: 'tts' },
    );
    const d = embed.description ?? '';
    assert.equal(embed.color, 0xf1c40f);
    assert.match(d, /7 since start/);
    assert.match(d, /running on fallback/);
    assert.ok(d.indexOf('newer trouble') < d.indexOf('older trouble'));
    assert.match(d, /<t:1705327800:R>/);
  });

  it('says when the asked component does not exist, without echoing mentions', () => {
    const embed = renderHealthEmbed(snapshot(), { component: '@everyone' });
    assert.match(embed.title ?? '', /Unknown/);
    assert.doesNotMatch(allText(embed), /@everyone/);
    assert.match(allText(embed), /database/);
  });

  it('stays inside every limit with 50 hostile components and 10 kB errors, and neutralises them', () => {
    const errors = Array.from({ length: 20 }, (_, i) => ({ at: AT, message: `${i} ${HOSTILE}` }));
    const components = Array.from({ length: 50 }, (_, i) =>
      component(`${HOSTILE.slice(0, 300)}${i}`, {
        state: i % 2 ? 'failed' : 'degraded',
        critical: i % 3 === 0,
        error_count: 1000,
        errors,
        last_error: errors[19] ?? null,
        note: HOSTILE,
        fallback_active: true,
      }),
    );
    const s = snapshot({ status: 'not_ready', components, version: HOSTILE });
    const overview = renderHealthEmbed(s);
    const detail = renderHealthEmbed(s, { component: components[7]?.name ?? '' });
    const unknown = renderHealthEmbed(s, { component: HOSTILE });
    for (const embed of [overview, detail, unknown]) {
      assertEmbedLimits([embed]);
      const text = allText(embed);
      assert.doesNotMatch(text, /@everyone|@here|<@\d/);
      assert.doesNotMatch(text, /(?<!\\)\*\*bold/);
    }
    assert.match(overview.description ?? '', /… and \d+ more$/);
    assert.match(detail.description ?? '', /…/);
  });
});

describe('/health component autocomplete', () => {
  it('offers matching component names, prefix matches first, at most 25', () => {
    const many = snapshot({
      components: [
        component('task:sampler'),
        component('sampler'),
        ...Array.from({ length: 40 }, (_, i) => component(`db_${i}`)),
      ],
    });
    assert.deepEqual(
      componentChoices(many, 'SAMP').map((c) => c.value),
      ['sampler', 'task:sampler'],
    );
    assert.equal(componentChoices(many, '').length, 25);
    assert.deepEqual(componentChoices(many, 'nothing'), []);
  });
});
