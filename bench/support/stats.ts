/** min / median / max of a set of runs. */
export interface Stats {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/** p50 / p99 / max of a set of samples (nearest rank). */
export interface Percentiles {
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

const round = (n: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

export function stats(values: readonly number[], digits = 2): Stats {
  if (values.length === 0) return { min: Number.NaN, median: Number.NaN, max: Number.NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return {
    min: round(sorted[0] ?? 0, digits),
    median: round(median, digits),
    max: round(sorted.at(-1) ?? 0, digits),
  };
}

/** Nearest-rank percentiles: p99 of 100 samples is the 99th smallest, not the maximum. */
export function percentiles(values: readonly number[], digits = 2): Percentiles {
  if (values.length === 0) return { n: 0, p50: Number.NaN, p99: Number.NaN, max: Number.NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (q: number): number => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? 0;
  return {
    n: sorted.length,
    p50: round(rank(0.5), digits),
    p99: round(rank(0.99), digits),
    max: round(sorted.at(-1) ?? 0, digits),
  };
}

/** Least-squares slope of y over x (units of y per unit of x); NaN with fewer than two distinct x. */
export function slope(points: readonly { readonly x: number; readonly y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `predicate` every 20 ms until it holds; rejects after `timeoutMs`. */
export async function until(
  predicate: () => boolean,
  timeoutMs: number,
  what = 'a condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}
