import type {
  ComponentStatus,
  GatewaySnapshot,
  HealthSnapshot,
  OverallStatus,
} from '../../../src/core/health/types.ts';
import type { MetricsSources } from '../../../src/core/metrics/metrics.ts';
import type { ResourceSample } from '../../../src/core/resources/types.ts';
import type { StartupReport } from '../../../src/core/startup/types.ts';
import type { TaskSnapshot } from '../../../src/core/tasks/types.ts';

const AT = '2026-01-15T14:30:45.123Z';

export function component(name: string, overrides: Partial<ComponentStatus> = {}): ComponentStatus {
  const state = overrides.state ?? 'ready';
  return {
    name,
    state,
    status: overrides.status ?? state,
    critical: false,
    error_count: 0,
    last_error: null,
    errors: [],
    since: AT,
    fallback_active: false,
    note: null,
    ...overrides,
  };
}

export function task(name: string, overrides: Partial<TaskSnapshot> = {}): TaskSnapshot {
  return {
    name,
    kind: 'interval',
    schedule: 'every 15s',
    state: 'idle',
    critical: false,
    last_heartbeat_at: AT,
    last_heartbeat_age_ms: 1500,
    runs: 10,
    failures: 0,
    restarts: 0,
    heartbeats: 10,
    next_run_at: null,
    last_error: null,
    ...overrides,
  };
}

export function gateway(overrides: Partial<GatewaySnapshot> = {}): GatewaySnapshot {
  return { status: 'ready', ping_ms: 42, guilds: 3, reconnects: 0, since: AT, ...overrides };
}

export function sample(overrides: Partial<ResourceSample> = {}): ResourceSample {
  return {
    at: AT,
    rss_bytes: 150 * 1024 * 1024,
    heap_used_bytes: 60 * 1024 * 1024,
    heap_total_bytes: 80 * 1024 * 1024,
    cpu_percent: 12.5,
    open_files: 31,
    threads: 11,
    event_loop_lag_ms: { mean: 2, p99: 12, max: 40 },
    ...overrides,
  };
}

export function health(
  status: OverallStatus,
  components: readonly ComponentStatus[] = [component('database', { critical: true })],
): HealthSnapshot {
  return {
    status,
    live: true,
    ready: status !== 'not_ready',
    uptime_seconds: 120,
    started_at: AT,
    status_since: AT,
    checked_at: AT,
    version: '1.2.3',
    components,
    gateway: gateway(),
  };
}

export function startupReport(
  durationMs: number,
  components: readonly string[] = ['database'],
): StartupReport {
  return {
    mode: 'parallel',
    started_at: AT,
    duration_ms: durationMs,
    outcome: 'ready',
    components: components.map((name, i) => ({
      name,
      status: 'ready',
      critical: i === 0,
      dependencies: [],
      attempts: 1,
      start_offset_ms: 0,
      end_offset_ms: 100 * (i + 1),
      duration_ms: 100 * (i + 1),
      error: null,
      fallback: false,
      on_critical_path: i === 0,
    })),
    critical_path: components.slice(0, 1),
  };
}

/** Realistic sources whose parts a test can swap. */
export interface FakeSources extends MetricsSources {
  state: {
    health: HealthSnapshot;
    resources: ResourceSample | undefined;
    tasks: TaskSnapshot[];
    gateway: GatewaySnapshot;
    startup: StartupReport | undefined;
  };
}

export function fakeSources(): FakeSources {
  const state: FakeSources['state'] = {
    health: health('ready', [component('database', { critical: true }), component('cache')]),
    resources: sample(),
    tasks: [task('resource_sampler'), task('memory_save_task', { state: 'running' })],
    gateway: gateway(),
    startup: startupReport(3240, ['database', 'cache']),
  };
  return {
    state,
    health: () => state.health,
    resources: () => state.resources,
    tasks: () => state.tasks,
    gateway: () => state.gateway,
    startup: () => state.startup,
  };
}

/** The value of one series in exposition text, e.g. `value(text, 'bot_up')` or with `{label="x"}`. */
export function seriesValue(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    if (line.slice(0, space) === series) return Number(line.slice(space + 1));
  }
  return undefined;
}
