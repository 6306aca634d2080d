export type AlertSeverity = 'warning' | 'critical';

/** What an alert says about its condition, wherever it is shown: a notification or the firing list. */
export interface AlertFacts {
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
  /** Whether a silence covers it. */
  readonly silenced: boolean;
}

/** An alert's change of state, as the sinks are told it. */
export interface AlertTransition extends AlertFacts {
  /** `fired` on entry, `escalated` warning→critical, `reminder` at the repeat interval, `resolved` once. */
  readonly kind: 'fired' | 'escalated' | 'reminder' | 'resolved';
  /** When this notification was made, ISO 8601 UTC. */
  readonly at: string;
  /** For `resolved`: how long the condition lasted. */
  readonly duration_ms: number | null;
}

/** What an {@link OpsNotice} is about. */
export type OpsNoticeTopic = 'silence_set' | 'silence_lifted' | 'silence_expired';

/**
 * News for the people watching the alerts that is not an alert itself: a silence set,
 * lifted or run out. A notice is never silenced, so a silence cannot hide its own trace.
 */
export interface OpsNotice {
  readonly kind: 'notice';
  readonly topic: OpsNoticeTopic;
  /** The alert key or pattern the notice is about, e.g. `*`, `resource.*`, `gateway`. */
  readonly key: string;
  /** Human sentence, for sinks that show text only: "Alerts matching resource.* silenced until …". */
  readonly title: string;
  /** Who did it (a Discord user id for the bot's commands); null when time did (an expiry). */
  readonly by: string | null;
  /** The silence's end, ISO 8601 UTC: when it will end (`silence_set`) or was due to (otherwise). */
  readonly until: string;
  /** `silence_set` only: the duration asked for, when the catch-all cap shortened it; otherwise null. */
  readonly requested_ms: number | null;
  /** When a silence ended: the firing alerts it had hidden, which the sinks are told of again right after. */
  readonly still_firing: readonly string[];
  /** When this notice was made, ISO 8601 UTC; for `silence_set` the moment it was set, so `until − at` is how long it runs. */
  readonly at: string;
}

/** What an alert sink is told: an alert's transition, or a notice (`kind: 'notice'`). */
export type AlertNotification = AlertTransition | OpsNotice;

/** Where notifications go: the log, a Discord channel, anything else. A sink never throws at its caller. */
export interface AlertSink {
  readonly name: string;
  notify(notification: AlertNotification): void;
  /** Delivers or reports what is still queued, bounded by `timeoutMs`. */
  close?(timeoutMs: number): Promise<void>;
}

/** An alert that is currently firing, as `/alerts` lists it. */
export type FiringAlert = AlertFacts;

export interface Silence {
  readonly key: string;
  /** ISO 8601 UTC. */
  readonly until: string;
  readonly created_at: string;
  /** Snowflake of the admin who set it. */
  readonly created_by: string;
}

/** What setting a silence did. */
export interface SilenceResult {
  /** The silence's end, ISO 8601 UTC. */
  readonly until: string;
  /** The duration it runs for. */
  readonly duration_ms: number;
  /** The duration asked for; longer than `duration_ms` when `capped`. */
  readonly requested_ms: number;
  /** True when a catch-all pattern (`*`, `component.*`…) was cut to the longest such a silence may run. */
  readonly capped: boolean;
}

/** What `/alerts` shows. */
export interface AlertsView {
  readonly firing: readonly FiringAlert[];
  readonly silences: readonly Silence[];
}
