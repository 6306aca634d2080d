import type { ResourceSample, ResourcesView } from '../../src/core/resources/types.ts';
import type { StartupComponentReport, StartupReport } from '../../src/core/startup/types.ts';

const MB = 1024 * 1024;

/**
 * An hour of samples every 15 s ending at `nowMs`, shaped like a bot having a bad
 * quarter hour: memory creeping up, a CPU burst past both thresholds, a lag spike.
 */
export function resourcesView(nowMs: number, count = 240, intervalMs = 15_000): ResourcesView {
  const history: ResourceSample[] = [];
  for (let i = 0; i < count; i++) {
    const at = nowMs - (count - 1 - i) * intervalMs;
    const burst = i > count * 0.62 && i < count * 0.72;
    history.push({
      at: new Date(at).toISOString(),
      rss_bytes: (180 + i * 0.8 + (burst ? 880 : 0) + Math.sin(i / 5) * 10) * MB,
      heap_used_bytes: 60 * MB,
      heap_total_bytes: 90 * MB,
      cpu_percent: i === 0 ? null : 8 + Math.abs(Math.sin(i / 7)) * 20 + (burst ? 70 : 0),
      open_files: 31,
      threads: 13,
      event_loop_lag_ms: {
        mean: 1,
        p99: 4,
        max: 3 + ((i * 37) % 11) + (i > count * 0.84 && i < count * 0.86 ? 260 : 0),
      },
    });
  }
  return {
    enabled: true,
    latest: history.at(-1),
    history,
    thresholds: {
      memory_mb: { warning: 1024, critical: 2048 },
      cpu_percent: { warning: 80, critical: 95 },
      event_loop_lag_ms: { warning: 100, critical: 500 },
    },
  };
}

const component = (
  name: string,
  start: number | null,
  end: number | null,
  more: Partial<StartupComponentReport> = {},
): StartupComponentReport => ({
  name,
  status: 'ready',
  critical: true,
  dependencies: [],
  attempts: 1,
  start_offset_ms: start,
  end_offset_ms: end,
  duration_ms: start === null || end === null ? null : end - start,
  error: null,
  fallback: false,
  on_critical_path: false,
  ...more,
});

/** A parallel start with a critical path, a retry, a fallback that recovered, a failure and a skip. */
export function startupReport(startedAtMs: number, extra = 0): StartupReport {
  const components = [
    component('config', 0, 110, { on_critical_path: true }),
    component('logging', 110, 160),
    component('database', 110, 1310, { attempts: 2, on_critical_path: true }),
    component('cache', 110, 900, {
      status: 'degraded',
      critical: false,
      attempts: 3,
      fallback: true,
      error: 'connect ECONNREFUSED 127.0.0.1:6379',
      recovered_offset_ms: 2900,
    }),
    component('embedding_model', 1310, 2810, { on_critical_path: true }),
    component('rag_system', 2810, 3330, { on_critical_path: true }),
    component('metrics_exporter', 110, 400, {
      status: 'failed',
      critical: false,
      attempts: 2,
      error: 'listen EADDRINUSE: address already in use :::8001',
    }),
    component('web_dashboard', null, null, { status: 'skipped', critical: false, attempts: 0 }),
    component('discord_gateway', 160, 1900),
    ...Array.from({ length: extra }, (_, i) => component(`extra_${i}`, 200 + i, 260 + i)),
  ];
  return {
    mode: 'parallel',
    started_at: new Date(startedAtMs).toISOString(),
    duration_ms: 3330,
    outcome: 'degraded',
    components,
    critical_path: ['config', 'database', 'embedding_model', 'rag_system'],
  };
}
