import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StartupComponentReport, StartupReport } from '../../../src/core/startup/types.ts';
import { formatStartupDuration, renderStartupEmbed } from '../../../src/discord/embeds/startup-embed.ts';
import { assertEmbedLimits } from '../../support/embed-limits.ts';

function component(name: string, over: Partial<StartupComponentReport> = {}): StartupComponentReport {
  return {
    name,
    status: 'ready',
    critical: true,
    dependencies: [],
    attempts: 1,
    start_offset_ms: 0,
    end_offset_ms: 10,
    duration_ms: 10,
    error: null,
    fallback: false,
    on_critical_path: false,
    ...over,
  };
}

function report(over: Partial<StartupReport> = {}): StartupReport {
  return {
    mode: 'parallel',
    started_at: '2024-01-15T14:30:45.123Z',
    duration_ms: 3_240,
    outcome: 'ready',
    components: [],
    critical_path: [],
    ...over,
  };
}

const codeBlock = (description: string): string[] => {
  const match = /```\n([\s\S]*?)```/.exec(description);
  assert.ok(match, 'the waterfall is a closed code block');
  return (match[1] ?? '').split('\n').filter((l) => l !== '');
};

describe('renderStartupEmbed', () => {
  it('says when there is no report yet', () => {
    const embed = renderStartupEmbed(undefined);
    assert.match(embed.description ?? '', /still starting/);
    assert.equal(embed.color, 0x5865f2);
  });

  it('shows total time, mode, a waterfall to scale and the critical path', () => {
    const embed = renderStartupEmbed(
      report({
        duration_ms: 400,
        components: [
          component('config', {
            start_offset_ms: 0,
            end_offset_ms: 100,
            duration_ms: 100,
            on_critical_path: true,
          }),
          component('db', { start_offset_ms: 100, end_offset_ms: 200, duration_ms: 100, attempts: 3 }),
          component('model', {
            start_offset_ms: 100,
            end_offset_ms: 400,
            duration_ms: 300,
            on_critical_path: true,
            dependencies: ['config'],
          }),
        ],
        critical_path: ['config', 'model'],
      }),
    );
    assert.match(embed.title ?? '', /Startup completed in 400ms \(parallel\)/);
    assert.equal(embed.color, 0x2ecc71);
    const lines = codeBlock(embed.description ?? '');
    assert.equal(lines.length, 3);
    const [config, db, model] = lines;
    assert.match(config ?? '', /^✅★config\s+▏██████ {18}▕ {2}100ms$/);
    assert.match(db ?? '', /^✅ db\s+▏ {6}██████ {12}▕ {2}100ms ×3$/);
    assert.match(model ?? '', /^✅★model\s+▏ {6}█{18}▕ {2}300ms$/);
    // Bars line up: the opening edge sits at the same column on every line.
    const edges = lines.map((l) => l.indexOf('▏'));
    assert.equal(new Set(edges).size, 1);
    const path = embed.fields?.find((f) => f.name.includes('Critical path'));
    assert.equal(path?.value, 'config → model');
    assert.equal(embed.timestamp, '2024-01-15T14:30:45.123Z');
  });

  it('marks degraded, failed and skipped components with their icon, fallback and error', () => {
    const embed = renderStartupEmbed(
      report({
        outcome: 'degraded',
        components: [
          component('tts', {
            status: 'degraded',
            critical: false,
            fallback: true,
            attempts: 3,
            error: 'timeout after 45.0s',
          }),
          component('voice', {
            status: 'skipped',
            start_offset_ms: null,
            end_offset_ms: null,
            duration_ms: null,
            error: "dependency 'tts' is degraded",
            attempts: 0,
          }),
        ],
      }),
    );
    assert.equal(embed.color, 0xf1c40f);
    assert.match(embed.title ?? '', /completed degraded/);
    const [tts, voice] = codeBlock(embed.description ?? '');
    assert.match(tts ?? '', /^⚠️ tts .*×3 ↺fallback$/);
    assert.match(voice ?? '', /^⏭️ voice\s+▏·+▕\s+—$/);
    const issue = embed.fields?.find((f) => f.name.includes('tts'));
    assert.match(issue?.value ?? '', /timeout after 45\.0s/);
    assert.match(issue?.value ?? '', /on fallback/);
    assert.equal(embed.fields?.find((f) => f.name.startsWith('⏭️'))?.value, 'voice');
  });

  it('is red when the start failed', () => {
    const embed = renderStartupEmbed(
      report({ outcome: 'failed', components: [component('discord', { status: 'failed', error: 'boom' })] }),
    );
    assert.equal(embed.color, 0xe74c3c);
    assert.match(embed.title ?? '', /^❌ Startup failed/);
  });

  it('stays inside every limit with 60 components and 10 kB hostile errors', () => {
    const hostile = `@everyone <@123456789012345678> **bold** \`\`\`x\`\`\` ${'x@here_~|>'.repeat(1_000)}`;
    const components = Array.from({ length: 60 }, (_, i) =>
      component(`component_\`\`\`_${i}_${'n'.repeat(i % 40)}`, {
        status: i % 3 === 0 ? 'failed' : i % 3 === 1 ? 'degraded' : 'ready',
        error: i % 3 === 2 ? null : hostile,
        start_offset_ms: i * 100,
        end_offset_ms: i * 100 + 5_000,
        duration_ms: 5_000,
        attempts: 7,
        fallback: i % 3 === 1,
        on_critical_path: i % 5 === 0,
      }),
    );
    const embed = renderStartupEmbed(
      report({
        outcome: 'failed',
        components,
        critical_path: components.map((c) => c.name),
        started_at: 'not a date',
      }),
    );
    assertEmbedLimits([embed]);
    const description = embed.description ?? '';
    const lines = codeBlock(description);
    assert.match(lines.at(-1) ?? '', /^\+\d+ more$/);
    const shown = lines.length - 1;
    assert.ok(shown >= 30, `only ${shown} components shown`);
    assert.equal(Number(/\+(\d+) more/.exec(lines.at(-1) ?? '')?.[1]), 60 - shown);
    assert.equal((description.match(/```/g) ?? []).length, 2, 'no name can close the code block early');
    const text = JSON.stringify(embed);
    assert.doesNotMatch(text, /@everyone|@here|<@\d/);
    assert.ok(embed.fields?.some((f) => /more with errors/.test(f.value)));
    assert.equal(embed.timestamp, undefined, 'an unparsable start time is left out');
    for (const f of embed.fields ?? []) {
      assert.doesNotMatch(f.value.replace(/\\./g, ''), /[*_~`|>]{2}/, 'markdown is escaped');
    }
  });

  it('stays inside the limits with a huge component name and critical path', () => {
    const long = 'n'.repeat(5_000);
    const embed = renderStartupEmbed(
      report({
        components: [component(long, { status: 'failed', error: 'e'.repeat(10_000) })],
        critical_path: Array.from({ length: 500 }, () => long),
      }),
    );
    assertEmbedLimits([embed]);
  });
});

describe('formatStartupDuration', () => {
  it('uses ms below a second, seconds with two decimals, then minutes', () => {
    assert.equal(formatStartupDuration(12), '12ms');
    assert.equal(formatStartupDuration(3_240), '3.24s');
    assert.equal(formatStartupDuration(125_000), '2m05s');
  });
});
