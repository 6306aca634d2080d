import type { Registry } from 'prom-client';
import type { ComponentState, OverallStatus } from '../health/types.ts';
import type { Logger } from '../logging/logger.ts';
import type { ResourceSample } from '../resources/types.ts';
import type { TaskState } from '../tasks/types.ts';
import type { ScrapeFrame } from './scrape-frame.ts';
import { type GaugeSeries, registerScrapeGauge } from './scrape-gauge.ts';

const COMPONENT_STATES: readonly ComponentState[] = [
  'starting',
  'ready',
  'degraded',
  'failed',
  'stopped',
  'skipped',
];
const TASK_STATES: readonly TaskState[] = [
  'idle',
  'running',
  'late',
  'stale',
  'failed',
  'restarting',
  'stopped',
  'abandoned',
];
const OVERALL_STATUSES: readonly OverallStatus[] = ['ready', 'degraded', 'not_ready'];

export interface SourceGaugesOptions {
  readonly registry: Registry;
  readonly prefix: string;
  /** `bot_info{version}` until the health snapshot says otherwise. */
  readonly version: string;
  /** The current scrape's view of the sources. */
  readonly view: () => ScrapeFrame;
  readonly log: Logger;
}

/** Registers the gauges that read the bot's state at scrape time (prom-client's `collect()`). */
export function registerSourceGauges(options: SourceGaugesOptions): void {
  const { registry, prefix: p, view, log } = options;
  const { version } = options;
  const gauge = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    fill: (g: GaugeSeries<L>, f: ScrapeFrame) => void,
  ): void => {
    registerScrapeGauge<L>(registry, {
      name: `${p}${name}`,
      help,
      labelNames,
      // A series is only what this scrape writes, so "no data" never reads as a stale value or a 0.
      collect: (series) => fill(series, view()),
      onError: (error) =>
        log.warning('metrics_collect_error', 'A metric could not be collected', { metric: name, error }),
    });
  };
  const sampleGauge = (name: string, help: string, read: (s: ResourceSample) => number | null): void =>
    gauge(name, help, [], (g, f) => {
      const sample = f.resources();
      const value = sample === undefined ? null : read(sample);
      if (value !== null && Number.isFinite(value)) g.set(value);
    });

  /**
   * One series per state of each component or task: 1 for its current state, 0 for the
   * others. Each name's label sets are made once and kept while the name is there, so a
   * scrape builds no label objects and the writer can keep their text.
   */
  const stateGauge = <L extends string, S extends string>(
    name: string,
    help: string,
    label: L,
    states: readonly S[],
    rows: (f: ScrapeFrame) => readonly { readonly name: string; readonly state: S }[],
  ): void => {
    type StateLabels = Partial<Record<L | 'state', string>>;
    let labelSets = new Map<string, readonly StateLabels[]>();
    gauge<L | 'state'>(name, help, [label, 'state'], (g, f) => {
      const seen = new Map<string, readonly StateLabels[]>();
      for (const row of rows(f)) {
        const sets =
          labelSets.get(row.name) ??
          states.map((state) => Object.freeze({ [label]: row.name, state }) as unknown as StateLabels);
        seen.set(row.name, sets);
        for (let i = 0; i < states.length; i += 1) {
          g.set(sets[i] as StateLabels, states[i] === row.state ? 1 : 0);
        }
      }
      labelSets = seen;
    });
  };

  gauge('up', 'Always 1 while the bot answers scrapes.', [], (g) => g.set(1));
  gauge('info', 'Build information; the value is always 1.', ['version'], (g, f) =>
    g.set({ version: f.health()?.version ?? version }, 1),
  );
  gauge(
    'health_status',
    'Overall health: 1 for the current status, 0 for the others.',
    ['status'],
    (g, f) => {
      const status = f.health()?.status;
      if (status === undefined) return;
      for (const s of OVERALL_STATUSES) g.set({ status: s }, s === status ? 1 : 0);
    },
  );
  stateGauge(
    'component_state',
    'Component lifecycle state: 1 for the current state, 0 for the others.',
    'component',
    COMPONENT_STATES,
    (f) => f.health()?.components ?? [],
  );
  gauge(
    'component_startup_duration_seconds',
    'How long each component took to start in the last startup.',
    ['component'],
    (g, f) => {
      for (const c of f.startup()?.components ?? []) {
        if (c.duration_ms !== null) g.set({ component: c.name }, c.duration_ms / 1000);
      }
    },
  );
  gauge('startup_last_duration_seconds', 'Total duration of the last startup.', [], (g, f) => {
    const report = f.startup();
    if (report !== undefined) g.set(report.duration_ms / 1000);
  });
  stateGauge(
    'background_task_state',
    'Background task state: 1 for the current state, 0 for the others.',
    'task',
    TASK_STATES,
    (f) => f.tasks(),
  );
  gauge(
    'background_task_heartbeat_age_seconds',
    'Seconds since a background task last reported a heartbeat.',
    ['task'],
    (g, f) => {
      for (const t of f.tasks()) {
        if (t.last_heartbeat_age_ms !== null) g.set({ task: t.name }, t.last_heartbeat_age_ms / 1000);
      }
    },
  );
  sampleGauge('resource_memory_bytes', 'Resident set size of the bot process.', (s) => s.rss_bytes);
  sampleGauge('resource_heap_used_bytes', 'V8 heap in use.', (s) => s.heap_used_bytes);
  sampleGauge('resource_heap_total_bytes', 'V8 heap reserved.', (s) => s.heap_total_bytes);
  sampleGauge('resource_cpu_ratio', 'CPU use of the bot process, 1 = one core busy.', (s) =>
    s.cpu_percent === null ? null : s.cpu_percent / 100,
  );
  sampleGauge(
    'resource_event_loop_lag_mean_seconds',
    'Mean event-loop lag over the last sample window.',
    (s) => toSeconds(s.event_loop_lag_ms.mean),
  );
  sampleGauge(
    'resource_event_loop_lag_p99_seconds',
    '99th percentile event-loop lag over the last window.',
    (s) => toSeconds(s.event_loop_lag_ms.p99),
  );
  sampleGauge(
    'resource_event_loop_lag_max_seconds',
    'Maximum event-loop lag over the last sample window.',
    (s) => toSeconds(s.event_loop_lag_ms.max),
  );
  sampleGauge('resource_open_files', 'File descriptors open in the bot process.', (s) => s.open_files);
  sampleGauge('resource_threads', 'Threads of the bot process.', (s) => s.threads);
  gauge('gateway_ready', '1 while the Discord gateway connection is ready, else 0.', [], (g, f) => {
    const gw = f.gateway();
    if (gw !== undefined) g.set(gw.status === 'ready' ? 1 : 0);
  });
  gauge('gateway_ping_seconds', 'Last gateway heartbeat round trip.', [], (g, f) => {
    const ping = f.gateway()?.ping_ms;
    if (ping !== undefined && ping !== null) g.set(ping / 1000);
  });
  gauge('gateway_guilds', 'Guilds the bot is in.', [], (g, f) => {
    const gw = f.gateway();
    if (gw !== undefined) g.set(gw.guilds);
  });
}

function toSeconds(ms: number): number | null {
  return Number.isFinite(ms) ? ms / 1000 : null;
}
