export type AlertSeverity = 'warning' | 'critical';

/** What an alert sink is told. */
export interface AlertNotification {
  /** `fired` on entry, `escalated` warning→critical, `reminder` at the repeat interval, `resolved` once. */
  readonly kind: 'fired' | 'escalated' | 'reminder' | 'resolved';
  /** Stable key, e.g. `resource.memory`, `component.database`, `task.sampler`, `gateway`. */
  readonly key: string;
  /** Human sentence, already redacted: "Memory usage high". */
  readonly title: string;
  readonly severity: AlertSeverity;
  /** Formatted current value and threshold, when the alert has them: "1.2 GB", "1.0 GB". */
  readonly value: string | null;
  readonly threshold: string | null;
  /** When the condition began, ISO 8601 UTC. */
  readonly since: string;
  /** When this notification was made, ISO 8601 UTC. */
  readonly at: string;
  /** For `resolved`: how long the condition lasted. */
  readonly duration_ms: number | null;
  readonly silenced: boolean;
}

/** Where notifications go: the log, a Discord channel, anything else. A sink never throws at its caller. */
export interface AlertSink {
  readonly name: string;
  notify(notification: AlertNotification): void;
  /** Delivers or reports what is still queued, bounded by `timeoutMs`. */
  close?(timeoutMs: number): Promise<void>;
}

/** An alert that is currently firing, as `/alerts` lists it. */
export interface FiringAlert {
  readonly key: string;
  readonly title: string;
  readonly severity: AlertSeverity;
  readonly value: string | null;
  readonly threshold: string | null;
  readonly since: string;
  readonly silenced: boolean;
}

export interface Silence {
  readonly key: string;
  /** ISO 8601 UTC. */
  readonly until: string;
  readonly created_at: string;
  /** Snowflake of the admin who set it. */
  readonly created_by: string;
}

/** What `/alerts` shows. */
export interface AlertsView {
  readonly firing: readonly FiringAlert[];
  readonly silences: readonly Silence[];
}
