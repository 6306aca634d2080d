import type { Gauge, Registry } from 'prom-client';

type Labels<L extends string> = Partial<Record<L, string | number>>;

/** What a scrape-time gauge's fill writes its series through: `set(value)` or `set(labels, value)`. */
export interface GaugeSeries<L extends string> {
  set(value: number): void;
  set(labels: Labels<L>, value: number): void;
}

export interface ScrapeGaugeOptions<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  /** Writes this scrape's series; a series it does not write does not exist. */
  readonly collect: (series: GaugeSeries<L>) => void;
  /** A collect that throws leaves the gauge with no series this scrape, and is told here. */
  readonly onError: (error: unknown) => void;
}

interface Series {
  readonly labels: Record<string, string | number>;
  readonly value: number;
}

const NO_LABELS: Record<string, string | number> = Object.freeze({});

/**
 * A gauge whose series are written afresh by every scrape and kept nowhere between
 * scrapes: what prom-client's `Gauge` with a `collect()` that resets it does, without
 * hashing every label set into a map and re-reading it, which made most of a scrape's
 * CPU and garbage with hundreds of components and tasks. It reports itself like a
 * prom-client gauge (`get()`), so every registry reader (text, JSON, aggregation) sees
 * the same thing.
 */
export function registerScrapeGauge<L extends string>(
  registry: Registry,
  options: ScrapeGaugeOptions<L>,
): void {
  const { name, help, labelNames } = options;
  const metric = {
    name,
    help,
    type: 'gauge' as const,
    labelNames: [...labelNames],
    aggregator: 'sum' as const,
    get() {
      let values: Series[] = [];
      const series: GaugeSeries<L> = {
        set(labelsOrValue: Labels<L> | number, value?: number) {
          if (typeof labelsOrValue === 'number') values.push({ labels: NO_LABELS, value: labelsOrValue });
          else values.push({ labels: labelsOrValue as Record<string, string | number>, value: value ?? 0 });
        },
      };
      try {
        options.collect(series);
      } catch (error) {
        // No partial set of series: the gauge reports nothing this scrape.
        values = [];
        options.onError(error);
      }
      return { name, help, type: 'gauge' as const, values, aggregator: 'sum' as const };
    },
    reset() {
      // Nothing is kept between scrapes.
    },
  };
  registry.registerMetric(metric as unknown as Gauge);
}
