export type AlertSeverity = 'warning' | 'critical';

/** Who acknowledged an alert, and when (ISO 8601 UTC). */
export interface Acknowledgement {
  /** A Discord user id for the bot's buttons. */
  readonly by: string;
  readonly at: string;
}

/**
 * An alert's change of state, as the sinks are told it. Each firing, from `fired` to
 * `resolved`, is one episode with its own id; every transition names it.
 */
export interface AlertTransition {
  /**
   * `fired` on entry, `escalated` warning→critical, `reminder` at the repeat interval,
   * `resolved` once; `updated` when nothing changed in the condition but something shown
   * with it did (an acknowledgement, a silence, the alerts it holds back). An `updated`
   * is only sent for an episode already shown in a message (`message_id` set).
   */
  readonly kind: 'fired' | 'escalated' | 'reminder' | 'resolved' | 'updated';
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
  /** The episode: stable from `fired` to `resolved`, and across restarts. */
  readonly episode: string;
  /** Null until someone acknowledges the episode; reminders stop once it is. */
  readonly acknowledged: Acknowledgement | null;
  /** The message a sink showed the episode in, once it reported one (see {@link AlertEngine.attachMessage}). */
  readonly message_id: string | null;
  /**
   * What holds this alert back (the key of the alert that explains it, such as `gateway`),
   * or null. An inhibited alert is logged but not posted, like a silenced one.
   */
  readonly inhibited_by: string | null;
  /** The keys of the firing alerts this one holds back, which its message names. */
  readonly held_back: readonly string[];
}

/** What an alert says about its condition, wherever it is shown: a notification or the firing list. */
export type AlertFacts = Pick<
  AlertTransition,
  'key' | 'title' | 'severity' | 'value' | 'threshold' | 'since' | 'silenced'
>;

/** What an {@link OpsNotice} is about. */
export type OpsNoticeTopic = 'silence_set' | 'silence_lifted' | 'silence_expired' | 'crash_restart';

/** A record of the JSON log, as a notice quotes it (the previous run's last error). */
export interface QuotedLogRecord {
  readonly ts: string;
  readonly level: string;
  readonly event: string;
  /** Already redacted by the logger that wrote it. */
  readonly msg: string;
}

/**
 * News for the people watching the alerts that is not an alert itself: a silence set,
 * lifted or run out, or a restart after a crash. A notice is never silenced, so a
 * silence cannot hide its own trace.
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
  /** `crash_restart` only: the crashed run's last ERROR or CRITICAL record, when it left one. */
  readonly last_error?: QuotedLogRecord | null;
  /** `crash_restart` only: when the crashed run started and when it last logged, ISO 8601 UTC. */
  readonly previous_run?: { readonly started_at: string | null; readonly last_record_at: string | null };
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

/** One episode of an alert as a message shows it: firing (maybe acknowledged) or resolved. */
export interface AlertEpisode {
  readonly episode: string;
  readonly key: string;
  readonly title: string;
  readonly severity: AlertSeverity;
  readonly value: string | null;
  readonly threshold: string | null;
  /** When the condition began, ISO 8601 UTC. */
  readonly since: string;
  readonly state: 'firing' | 'resolved';
  /** ISO 8601 UTC, for a resolved episode. */
  readonly resolved_at: string | null;
  readonly acknowledged: Acknowledgement | null;
  /** Whether a silence covers it now. */
  readonly silenced: boolean;
  /** When the silence that covers it ends, ISO 8601 UTC (the latest, when several do). */
  readonly silenced_until: string | null;
  readonly inhibited_by: string | null;
  readonly held_back: readonly string[];
  readonly message_id: string | null;
}

/** What pressing a button on an alert message did. */
export interface AlertActionResult {
  /** Keys of the firing alerts in the message that the action applied to. */
  readonly applied: readonly string[];
  /** `acknowledge` only: keys that someone had acknowledged before. */
  readonly already: readonly string[];
  /** Keys in the message that have resolved since. */
  readonly resolved: readonly string[];
  /** `silence` only: the silences set, one per key. */
  readonly silences: readonly SilenceResult[];
}

/**
 * The alert state that outlives a restart: running silences and the episodes still
 * shown (firing ones with their acknowledgement and message, and resolved ones that
 * share a message with a firing one).
 */
export interface AlertEngineState {
  readonly silences: readonly Silence[];
  readonly episodes: readonly AlertEpisode[];
}
