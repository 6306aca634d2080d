import type { ErrorRecord } from '../health/types.ts';

export type TaskKind = 'interval' | 'cron' | 'loop';

export type TaskState =
  | 'idle'
  | 'running'
  | 'late'
  | 'stale'
  | 'failed'
  | 'restarting'
  | 'stopped'
  | 'abandoned';

export interface TaskSnapshot {
  readonly name: string;
  readonly kind: TaskKind;
  /** Human form of the schedule: `every 15s`, `*\/5 * * * *`, `loop`. */
  readonly schedule: string;
  readonly state: TaskState;
  readonly critical: boolean;
  readonly last_heartbeat_at: string | null;
  readonly last_heartbeat_age_ms: number | null;
  readonly runs: number;
  readonly failures: number;
  readonly restarts: number;
  readonly heartbeats: number;
  /** Cron and interval tasks: when the next run is due, ISO 8601 UTC. */
  readonly next_run_at: string | null;
  readonly last_error: ErrorRecord | null;
  /** Runs skipped because the previous one was still going (cron and interval tasks never overlap). */
  readonly skipped_runs?: number;
  /** Age of the last heartbeat past which a running task is stale. */
  readonly stale_after_ms?: number;
}
