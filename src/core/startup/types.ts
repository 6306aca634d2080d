export type StartupMode = 'parallel' | 'sequential';

/** How one component's start ended. `pending` only while the start is running. */
export type StartupComponentStatus = 'ready' | 'degraded' | 'failed' | 'skipped' | 'pending' | 'cancelled';

export interface StartupComponentReport {
  readonly name: string;
  readonly status: StartupComponentStatus;
  readonly critical: boolean;
  readonly dependencies: readonly string[];
  readonly attempts: number;
  /** Offsets from the start of the whole run, ms; null when it never started. */
  readonly start_offset_ms: number | null;
  readonly end_offset_ms: number | null;
  readonly duration_ms: number | null;
  /** Redacted message of the last error, or null. */
  readonly error: string | null;
  readonly fallback: boolean;
  readonly on_critical_path: boolean;
  /** Offset at which a component that degraded came up after background retries; absent otherwise. */
  readonly recovered_offset_ms?: number;
}

export interface StartupReport {
  readonly mode: StartupMode;
  /** ISO 8601 UTC. */
  readonly started_at: string;
  readonly duration_ms: number;
  readonly outcome: 'ready' | 'degraded' | 'failed' | 'cancelled';
  readonly components: readonly StartupComponentReport[];
  /** Names along the chain that bounded the total, first to last. */
  readonly critical_path: readonly string[];
}
