import { Registry } from 'prom-client';

/** One series as a prom-client metric reports it. */
interface Series {
  readonly value: number;
  readonly labels?: Readonly<Record<string, string | number>>;
  /** A histogram's per-series labels, printed after `le`. */
  readonly sharedLabels?: Readonly<Record<string, string | number>>;
  /** `_bucket`, `_sum`, `_count` of a histogram. */
  readonly metricName?: string;
}

interface MetricData {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly values?: readonly Series[];
}

/** What every prom-client metric offers; histograms add the unsplayed form the text is written from. */
interface Reportable {
  get(): MetricData | Promise<MetricData>;
  getForPromString?(): MetricData | Promise<MetricData>;
}

const NEEDS_ESCAPE = /[\\\n]/;
const LABEL_NEEDS_ESCAPE = /[\\\n"]/;

function escapeText(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n') : text;
}

function labelValue(value: string | number): string | number {
  if (typeof value !== 'string' || !LABEL_NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function valueText(value: number): string {
  // The exposition format's spelling; prom-client writes "Nan".
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return `${value}`;
}

/**
 * Label text by label set, for label sets a metric keeps from one scrape to the next
 * (prom-client's counters and histograms, the state gauges): written once, not per scrape.
 * Label sets are never changed once made, so the text stays true.
 */
const labelTexts = new WeakMap<object, string>();

function labelsText(series: Series): string {
  const { labels, sharedLabels } = series;
  if (sharedLabels === undefined && labels !== undefined) {
    const kept = labelTexts.get(labels);
    if (kept !== undefined) return kept;
    const text = writeLabels(series);
    labelTexts.set(labels, text);
    return text;
  }
  return writeLabels(series);
}

function writeLabels(series: Series): string {
  let text = '';
  const { labels, sharedLabels } = series;
  if (labels !== undefined) {
    for (const name in labels) {
      if (!Object.hasOwn(labels, name)) continue;
      if (sharedLabels !== undefined && Object.hasOwn(sharedLabels, name)) continue;
      text += `${text === '' ? '' : ','}${name}="${labelValue(labels[name] as string | number)}"`;
    }
  }
  if (sharedLabels !== undefined) {
    for (const name in sharedLabels) {
      if (!Object.hasOwn(sharedLabels, name)) continue;
      text += `${text === '' ? '' : ','}${name}="${labelValue(sharedLabels[name] as string | number)}"`;
    }
  }
  return text === '' ? '' : `{${text}}`;
}

/**
 * The registry in the Prometheus text format, the same text `registry.metrics()` writes
 * but for NaN, spelled as the format has it (prom-client writes `Nan`; the default
 * event-loop gauges read NaN until their histogram has a sample).
 * prom-client builds that text through several throwaway arrays and objects per series
 * (a fresh empty object for every series' shared labels defeats its own cache), which
 * makes most of a scrape's time and garbage once there are thousands of series; this
 * writes each line straight from the metric's values. A registry with default labels or
 * in the OpenMetrics format is left to prom-client.
 */
export async function renderExposition(registry: Registry): Promise<string> {
  const defaults = (registry as unknown as { readonly _defaultLabels?: object })._defaultLabels;
  if (
    registry.contentType !== Registry.PROMETHEUS_CONTENT_TYPE ||
    (defaults !== undefined && Object.keys(defaults).length > 0)
  ) {
    return registry.metrics();
  }
  const metrics = registry.getMetricsAsArray() as unknown as readonly Reportable[];
  // Every read starts here, so each collect() runs synchronously inside this call, as in
  // registry.metrics(): the scrape's view of the sources holds for all of them.
  const pending = metrics.map((m) =>
    typeof m.getForPromString === 'function' ? m.getForPromString() : m.get(),
  );
  const all = await Promise.all(pending);
  let text = '';
  for (const [i, metric] of all.entries()) {
    const name = escapeText(metric.name);
    text += `${i === 0 ? '' : '\n\n'}# HELP ${name} ${escapeText(metric.help)}\n# TYPE ${name} ${metric.type}`;
    for (const series of metric.values ?? []) {
      text += `\n${series.metricName ?? name}${labelsText(series)} ${valueText(series.value)}`;
    }
  }
  return `${text}\n`;
}
