import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_RESOURCE_THRESHOLDS } from '../../../src/core/resources/resource-thresholds.ts';
import type { ResourceSample, ResourcesView } from '../../../src/core/resources/types.ts';
import { embedLength } from '../../../src/discord/embeds/embed-text.ts';
import {
  renderResourcesEmbed,
  SPARKLINE_WIDTH,
  sparkline,
} from '../../../src/discord/embeds/resources-embed.ts';

const MB = 1024 * 1024;
const T0 = Date.UTC(2024, 0, 15, 14, 0, 0);

function sample(i: number, over: Partial<ResourceSample> = {}): ResourceSample {
  return {
    at: new Date(T0 + i * 15_000).toISOString(),
    rss_bytes: (200 + i) * MB,
    heap_used_bytes: 50 * MB,
    heap_total_bytes: 100 * MB,
    cpu_percent: 5,
    open_files: 30,
    threads: 10,
    event_loop_lag_ms: { mean: 1.5, p99: 4, max: 9 },
    ...over,
  };
}

function view(history: ResourceSample[]): ResourcesView {
  return { enabled: true, latest: history.at(-1), history, thresholds: DEFAULT_RESOURCE_THRESHOLDS };
}

function assertWithinLimits(e: ReturnType<typeof renderResourcesEmbed>): void {
  assert.ok((e.title?.length ?? 0) <= 256);
  assert.ok((e.description?.length ?? 0) <= 4096);
  assert.ok((e.fields?.length ?? 0) <= 25);
  for (const f of e.fields ?? [])
    assert.ok(f.name.length <= 256 && f.value.length <= 1024 && f.value.length > 0);
  assert.ok(embedLength(e) <= 6000);
}

describe('sparkline', () => {
  it('scales between min and max and keeps a spike when downsampling', () => {
    assert.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7]), '▁▂▃▄▅▆▇█');
    const long = Array.from({ length: 1000 }, (_, i) => (i === 500 ? 100 : 1));
    const line = sparkline(long);
    assert.equal(line.length, SPARKLINE_WIDTH);
    assert.equal([...line].filter((c) => c === '█').length, 1);
    assert.equal(sparkline([5, 5, 5]), '▁▁▁');
    assert.equal(sparkline([1, null, 3]), '▁·█');
    assert.equal(sparkline([]), '');
  });
});

describe('renderResourcesEmbed', () => {
  it('says monitoring is off when disabled', () => {
    const e = renderResourcesEmbed({ ...view([]), enabled: false });
    assert.match(e.description ?? '', /Resource monitoring is off/);
  });

  it('says no sample yet before the first', () => {
    assert.match(renderResourcesEmbed(view([])).description ?? '', /No sample yet/);
  });

  it('shows each figure against its thresholds with a status icon and a sparkline', () => {
    const h = Array.from({ length: 240 }, (_, i) => sample(i));
    h.push(sample(240, { rss_bytes: 1229 * MB, event_loop_lag_ms: { mean: 300, p99: 750, max: 900 } }));
    const e = renderResourcesEmbed(view(h), T0 + 3_600_000);
    const byName = Object.fromEntries((e.fields ?? []).map((f) => [f.name, f.value]));
    assert.match(
      byName['🧠 Memory (RSS)'] ?? '',
      /^⚠️ 1\.2GB · heap 50MB of 100MB · warn 1\.0GB · crit 2\.0GB/,
    );
    assert.match(
      byName['⏱️ Event loop lag (max per window)'] ?? '',
      /^❌ mean 300ms · p99 750ms · max 900ms · warn 100ms · crit 500ms/,
    );
    assert.match(byName['⚙️ CPU'] ?? '', /^✅ 5\.0% · warn 80% · crit 95%/);
    assert.match(byName['📂 Open files'] ?? '', /^✅ 30/);
    assert.match(byName['🧵 Threads'] ?? '', /^✅ 10/);
    assert.match(byName['🧠 Memory (RSS)'] ?? '', /```\n[▁▂▃▄▅▆▇█]{36}\n```/);
    assert.equal(e.color, 0xe74c3c);
    assert.match(e.description ?? '', /241 samples over 60 min/);
    assertWithinLimits(e);
  });

  it('stays inside every limit with hostile numbers and a huge history', () => {
    const weird = [Number.NaN, Number.POSITIVE_INFINITY, -1, 1e308, 0];
    const h = Array.from({ length: 50_000 }, (_, i) =>
      sample(i, {
        rss_bytes: weird[i % weird.length] as number,
        cpu_percent: i % 3 === 0 ? null : (weird[i % weird.length] as number),
        open_files: i % 7 === 0 ? null : 1e300,
        threads: null,
        event_loop_lag_ms: { mean: Number.NaN, p99: 1e308, max: -5 },
        at: i % 2 === 0 ? 'garbage @everyone' : new Date(T0).toISOString(),
      }),
    );
    const e = renderResourcesEmbed(view(h), Number.NaN);
    assertWithinLimits(e);
    assert.ok(!/@everyone/.test(JSON.stringify(e)));
  });
});
