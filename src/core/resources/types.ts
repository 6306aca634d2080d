export interface EventLoopLag {
  readonly mean: number;
  readonly p99: number;
  readonly max: number;
}

/** One resource sample; lag figures cover the window since the previous sample. */
export interface ResourceSample {
  /** ISO 8601 UTC. */
  readonly at: string;
  readonly rss_bytes: number;
  readonly heap_used_bytes: number;
  readonly heap_total_bytes: number;
  /** Null where it cannot be read. */
  readonly cpu_percent: number | null;
  /** Null where /proc is missing. */
  readonly open_files: number | null;
  readonly threads: number | null;
  readonly event_loop_lag_ms: EventLoopLag;
}

export interface Threshold {
  readonly warning: number;
  readonly critical: number;
}

export interface ResourceThresholds {
  readonly memory_mb: Threshold;
  readonly cpu_percent: Threshold;
  readonly event_loop_lag_ms: Threshold;
}

/** What `/resources` shows. */
export interface ResourcesView {
  readonly enabled: boolean;
  readonly latest: ResourceSample | undefined;
  /** Oldest first, bounded. */
  readonly history: readonly ResourceSample[];
  readonly thresholds: ResourceThresholds;
}
