// Loaded only when Prometheus is on (it imports prom-client), like the core's prom-metrics.ts.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { MetricsExposition } from '../core/metrics/metrics-exposition.ts';
import type { MetricsJson } from './ipc-protocol.ts';
import type { ShardSnapshot } from './shard-supervisor.ts';

export interface FleetMetricsOptions {
  /** The manager's own registry (from its PromMetrics); the `bot_shard_*` series join it. */
  readonly registry: Registry;
  readonly shards: () => readonly ShardSnapshot[];
  /** Clock time, to age the shards' reports. */
  readonly now: () => number;
  /** @default 'bot_' */
  readonly prefix?: string;
}

/** One metric of prom-client's `getMetricsAsJSON()`, as far as rendering needs it. */
interface MetricJson {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly values: readonly {
    readonly value: number | null;
    readonly labels?: Readonly<Record<string, string | number>>;
    /** `_bucket`, `_sum`, `_count` of a histogram. */
    readonly metricName?: string;
  }[];
}

const isMetric = (value: unknown): value is MetricJson => {
  const m = value as Partial<MetricJson> | null;
  return typeof m?.name === 'string' && typeof m.type === 'string' && Array.isArray(m.values);
};

/** One registry's JSON to merge: the manager's own (no `shard`), or shard `shard`'s. */
export interface MetricsSource {
  readonly metrics: MetricsJson;
  readonly shard?: number;
}

const escapeText = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const escapeLabel = (text: string): string => escapeText(text).replace(/"/g, '\\"');
/** IPC carries JSON, where NaN and ±Infinity arrive as null: those read as NaN. */
const valueText = (value: number | null): string =>
  typeof value !== 'number' || Number.isNaN(value)
    ? 'NaN'
    : value === Infinity
      ? '+Inf'
      : value === -Infinity
        ? '-Inf'
        : String(value);

/**
 * The Prometheus text of several registries' JSON as one exposition: one family per
 * name (HELP and TYPE from the first source that has it), each shard's series with its
 * `shard` label. The shards' series never collide (the label keeps them apart) and the
 * manager's carry none, so merging is concatenation per family: what prom-client's
 * `AggregatorRegistry.aggregate` (summing equal series) would give here, at a quarter of
 * its cost, and without its `first`/`omit` aggregators dropping all shards but one.
 */
export function renderMerged(sources: readonly MetricsSource[]): string {
  const families = new Map<
    string,
    { readonly help: string; readonly type: string; readonly lines: string[] }
  >();
  for (const source of sources) {
    const shard = source.shard === undefined ? '' : `shard="${source.shard}"`;
    for (const metric of source.metrics) {
      if (!isMetric(metric)) continue;
      const known = families.get(metric.name);
      if (known !== undefined && known.type !== metric.type) continue;
      const family = known ?? { help: metric.help, type: metric.type, lines: [] };
      if (known === undefined) families.set(metric.name, family);
      for (const v of metric.values) {
        let labels = '';
        for (const name in v.labels) {
          // A shard's series take their `shard` from the manager, whatever they carried.
          if (shard !== '' && name === 'shard') continue;
          labels += `${labels === '' ? '' : ','}${name}="${escapeLabel(String(v.labels[name]))}"`;
        }
        if (shard !== '') labels += `${labels === '' ? '' : ','}${shard}`;
        family.lines.push(
          `${v.metricName ?? metric.name}${labels === '' ? '' : `{${labels}}`} ${valueText(v.value)}`,
        );
      }
    }
  }
  const blocks: string[] = [];
  for (const [name, family] of families) {
    blocks.push(
      [`# HELP ${name} ${escapeText(family.help)}`, `# TYPE ${name} ${family.type}`, ...family.lines].join(
        '\n',
      ),
    );
  }
  return `${blocks.join('\n\n')}\n`;
}

/**
 * The manager's `/metrics`: its own series (no `shard` label; its gateway series left
 * out, since it has no gateway), the `bot_shard_*` series, and every running shard's
 * series from its last report with a `shard` label, one family per name ({@link renderMerged}).
 */
export function createFleetMetrics(options: FleetMetricsOptions): MetricsExposition {
  const { registry, shards } = options;
  const p = options.prefix ?? 'bot_';
  const registers = [registry];
  const id = (s: ShardSnapshot): { shard: string } => ({ shard: String(s.id) });

  new Gauge({
    name: `${p}shard_up`,
    help: 'A shard of this manager: 1 while its gateway is ready, else 0.',
    labelNames: ['shard'],
    registers,
    collect() {
      this.reset();
      for (const s of shards()) this.set(id(s), s.status === 'ready' || s.status === 'degraded' ? 1 : 0);
    },
  });
  const seen = new Map<number, number>();
  new Counter({
    name: `${p}shard_restarts_total`,
    help: 'Respawns of a shard by the manager.',
    labelNames: ['shard'],
    registers,
    collect() {
      for (const s of shards()) {
        this.inc(id(s), Math.max(0, s.restarts - (seen.get(s.id) ?? 0)));
        seen.set(s.id, Math.max(s.restarts, seen.get(s.id) ?? 0));
      }
    },
  });
  const perRunningShard = (
    name: string,
    help: string,
    read: (s: ShardSnapshot) => number | null | undefined,
  ) =>
    new Gauge({
      name: `${p}${name}`,
      help,
      labelNames: ['shard'],
      registers,
      collect() {
        this.reset();
        for (const s of shards()) {
          const value = s.pid === null ? null : read(s);
          if (typeof value === 'number' && Number.isFinite(value)) this.set(id(s), value);
        }
      },
    });
  perRunningShard('shard_guilds', 'Guilds a running shard serves.', (s) => s.report?.gateway.guilds);
  perRunningShard('shard_ping_seconds', 'Last gateway heartbeat round trip of a running shard.', (s) => {
    const ms = s.report?.gateway.ping_ms;
    return ms === null || ms === undefined ? null : ms / 1000;
  });
  perRunningShard(
    'shard_report_age_seconds',
    'Time since a running shard last reported to the manager.',
    (s) => (s.reportAt === null ? null : (options.now() - s.reportAt) / 1000),
  );

  const ownGateway = `${p}gateway_`;
  return {
    contentType: registry.contentType,
    async metricsText() {
      const own = (await registry.getMetricsAsJSON()) as unknown as MetricJson[];
      const sources: MetricsSource[] = [{ metrics: own.filter((m) => !m.name.startsWith(ownGateway)) }];
      for (const s of shards()) {
        const metrics = s.pid === null ? null : s.report?.metrics;
        if (metrics !== null && metrics !== undefined) sources.push({ metrics, shard: s.id });
      }
      return renderMerged(sources);
    },
  };
}
