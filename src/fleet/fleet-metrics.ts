// Loaded only when Prometheus is on (it imports prom-client), like the core's prom-metrics.ts.
import {
  AggregatorRegistry,
  Counter,
  Gauge,
  type MetricObjectWithValues,
  type MetricValue,
  type Registry,
} from 'prom-client';
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

type MetricJson = MetricObjectWithValues<MetricValue<string>>;

const isMetric = (value: unknown): value is MetricJson => {
  const m = value as Partial<MetricJson> | null;
  return typeof m?.name === 'string' && typeof m.type === 'string' && Array.isArray(m.values);
};

/** A shard's series with `shard` added to their labels, kept apart by it when merged. */
export function labelShard(metrics: MetricsJson, shard: number): MetricJson[] {
  const label = String(shard);
  const out: MetricJson[] = [];
  for (const metric of metrics) {
    if (!isMetric(metric)) continue;
    out.push({
      ...metric,
      // Every series is unique once labelled, so the sum keeps each as it is (prom-client's
      // `first` and `omit` would drop all but one shard's, or all of them).
      aggregator: 'sum',
      values: metric.values.map((v) => ({ ...v, labels: { ...v.labels, shard: label } })),
    });
  }
  return out;
}

/**
 * The manager's `/metrics`: its own series (no `shard` label; its gateway series left
 * out, since it has no gateway), the `bot_shard_*` series, and every running shard's
 * series from its last report with a `shard` label, merged into one family per name by
 * prom-client's `AggregatorRegistry.aggregate`.
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
      const own = (await registry.getMetricsAsJSON()) as MetricJson[];
      const inputs: MetricJson[][] = [
        own.filter((m) => !m.name.startsWith(ownGateway)).map((m) => ({ ...m, aggregator: 'sum' })),
      ];
      for (const s of shards()) {
        const metrics = s.pid === null ? null : s.report?.metrics;
        if (metrics !== null && metrics !== undefined) inputs.push(labelShard(metrics, s.id));
      }
      return AggregatorRegistry.aggregate(inputs).metrics();
    },
  };
}
