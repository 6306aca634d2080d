import { positiveInteger } from '../check-option.ts';
import type { Clock, Timer } from '../clock.ts';
import { definedOnly } from '../defined-only.ts';
import type { LogDetail, Logger } from '../logging/logger.ts';
import { type Metrics, noopMetrics } from '../metrics/metrics.ts';
import { formatAlertMessage, formatDuration } from './alert-message.ts';
import { createSilenceList, isCatchAllPattern, silenceMatches } from './silence-list.ts';
import type {
  AlertNotification,
  AlertSeverity,
  AlertSink,
  AlertsView,
  AlertTransition,
  FiringAlert,
  OpsNotice,
  Silence,
  SilenceResult,
} from './types.ts';

/** A numeric condition, checked against a warning and a critical level (resources). */
export interface ObservedValue {
  readonly value: number;
  readonly thresholds: { readonly warning: number; readonly critical: number };
  /** Human sentence, already redacted: "Memory usage high". */
  readonly title: string;
  /** Renders a value or a threshold for people: 1229 → "1.2GB". */
  readonly format: (value: number) => string;
}

/** A boolean condition the caller has already decided is true (a component failed, a task is stale…). */
export interface RaisedAlert {
  readonly severity: AlertSeverity;
  readonly title: string;
  readonly value?: string | null;
  readonly threshold?: string | null;
  /** Extra structured detail for the log record only. */
  readonly detail?: LogDetail;
}

export interface AlertEngineOptions {
  readonly clock: Clock;
  readonly log: Logger;
  /** @default noopMetrics */
  readonly metrics?: Metrics;
  /** Told about every notification, silenced ones included (they decide). @default [] */
  readonly sinks?: readonly AlertSink[];
  /**
   * How often a firing alert is repeated as a reminder (log and sinks); `ALERT_REPEAT_INTERVAL_MS`.
   * @default 3600000 (1 h)
   */
  readonly repeatIntervalMs?: number;
  /**
   * Consecutive observations at or above a level before an alert fires or escalates; `ALERT_CONSECUTIVE_SAMPLES`.
   * @default 2
   */
  readonly consecutiveSamples?: number;
  /**
   * Consecutive observations below the clearing level before an alert resolves.
   * @default 2
   */
  readonly resolveAfter?: number;
  /**
   * The clearing level sits this fraction below the threshold, so a value hovering
   * at the threshold does not resolve and refire.
   * @default 0.05
   */
  readonly hysteresis?: number;
  /**
   * The longest a catch-all silence (`*`, or a whole group such as `component.*`) may
   * run; a longer one asked for is shortened to this.
   * @default 86400000 (24 h)
   */
  readonly catchAllSilenceMaxMs?: number;
}

export interface AlertEngine {
  /** Feeds one observation of a numeric condition. Non-finite values are ignored. */
  observe(key: string, observation: ObservedValue): void;
  /**
   * Fires (or escalates) a boolean condition at once. Any grace period is the
   * caller's: raise only once the condition has lasted long enough to matter.
   */
  raise(key: string, alert: RaisedAlert): void;
  /** Resolves a firing alert; false when it was not firing. */
  clear(key: string): boolean;
  isFiring(key: string): boolean;
  /**
   * Silences a key or a `prefix.*` pattern (or `*`) for `durationMs`, catch-all
   * patterns for at most `catchAllSilenceMaxMs`. `by` (who asked) goes to the log and
   * to the sinks as a notice; so does the silence's end, whether it runs out or is lifted.
   */
  silence(keyOrPattern: string, durationMs: number, by: string): SilenceResult;
  /** Lifts the silence on exactly `keyOrPattern`; false when there was none. */
  unsilence(keyOrPattern: string, by: string): boolean;
  view(): AlertsView;
  /**
   * Adds a sink after construction (the ops channel is only known once Discord is
   * up); it is told at once of every alert already firing, then hears notifications from then on.
   */
  addSink(sink: AlertSink): void;
  /** Stops the reminders and closes every sink, each bounded by `timeoutMs`. */
  close(timeoutMs: number): Promise<void>;
}

export const ALERT_ENGINE_DEFAULTS = {
  sinks: [],
  repeatIntervalMs: 3_600_000,
  consecutiveSamples: 2,
  resolveAfter: 2,
  hysteresis: 0.05,
  catchAllSilenceMaxMs: 86_400_000,
} as const satisfies Required<
  Pick<
    AlertEngineOptions,
    | 'sinks'
    | 'repeatIntervalMs'
    | 'consecutiveSamples'
    | 'resolveAfter'
    | 'hysteresis'
    | 'catchAllSilenceMaxMs'
  >
>;

const MAX_KEY_LENGTH = 100;
/** A silence's end is checked at least this often, since timers cannot wait longer than about 24.8 days. */
const MAX_TIMER_MS = 86_400_000;

interface FiringState {
  title: string;
  severity: AlertSeverity;
  value: string | null;
  threshold: string | null;
  raw: { value: number; threshold: number } | undefined;
  detail: LogDetail | undefined;
  readonly sinceMs: number;
  reminder: Timer | undefined;
  /** Whether the last notification the sinks got for it was silenced, i.e. the channel has not seen where it stands. */
  hidden: boolean;
}

/** Consecutive-observation counters of one numeric key. */
interface Streaks {
  above: number;
  aboveCritical: number;
  below: number;
  belowCritical: number;
}

/**
 * The alert state machine: ok → firing (warning ↔ critical) → resolved, per key.
 * It logs each transition once (`alert_fired`, `alert_reminder`, `alert_resolved`),
 * counts them, and tells the sinks.
 */
export function createAlertEngine(options: AlertEngineOptions): AlertEngine {
  const { clock } = options;
  const log = options.log.child({ name: 'alerts', subsys: 'alerts' });
  const metrics = options.metrics ?? noopMetrics;
  const o = { ...ALERT_ENGINE_DEFAULTS, ...definedOnly(options) };
  const sinks: AlertSink[] = [...o.sinks];
  const { repeatIntervalMs, resolveAfter, hysteresis } = o;
  const consecutive = positiveInteger('consecutiveSamples', o.consecutiveSamples);
  positiveInteger('resolveAfter', resolveAfter);
  if (!Number.isFinite(repeatIntervalMs) || repeatIntervalMs < 1000) {
    throw new Error(`repeatIntervalMs must be at least 1000 (got ${repeatIntervalMs})`);
  }
  if (!(hysteresis >= 0 && hysteresis < 1))
    throw new Error(`hysteresis must be in [0, 1) (got ${hysteresis})`);
  const catchAllMaxMs = o.catchAllSilenceMaxMs;
  if (!Number.isFinite(catchAllMaxMs) || catchAllMaxMs < 60_000) {
    throw new Error(`catchAllSilenceMaxMs must be at least 60000 (got ${catchAllMaxMs})`);
  }

  const firing = new Map<string, FiringState>();
  const streaks = new Map<string, Streaks>();
  const silences = createSilenceList();
  /** The timer that ends each running silence, by key or pattern. */
  const silenceEnds = new Map<string, { readonly silence: Silence; timer: Timer | undefined }>();
  let closed = false;

  const iso = (ms: number): string => new Date(ms).toISOString();

  const notification = (
    key: string,
    state: FiringState,
    kind: AlertTransition['kind'],
    nowMs: number,
  ): AlertTransition => ({
    kind,
    key,
    title: state.title,
    severity: state.severity,
    value: state.value,
    threshold: state.threshold,
    since: iso(state.sinceMs),
    at: iso(nowMs),
    duration_ms: kind === 'resolved' ? nowMs - state.sinceMs : null,
    silenced: silences.covers(key, nowMs),
  });

  /** Tells every sink; one that throws is logged and the others are still told. */
  const tell = (n: AlertNotification): void => {
    for (const sink of sinks) {
      try {
        sink.notify(n);
      } catch (error) {
        log.error('alert_sink_failed', `Alert sink ${sink.name} failed`, {
          sink: sink.name,
          key: n.key,
          error,
        });
      }
    }
  };

  const emit = (n: AlertTransition, state: FiringState, extra: LogDetail = {}): void => {
    const event =
      n.kind === 'resolved' ? 'alert_resolved' : n.kind === 'reminder' ? 'alert_reminder' : 'alert_fired';
    const detail: LogDetail = {
      ...state.detail,
      key: n.key,
      kind: n.kind,
      severity: n.severity,
      value: n.value,
      threshold: n.threshold,
      ...(state.raw === undefined ? {} : { value_raw: state.raw.value, threshold_raw: state.raw.threshold }),
      since: n.since,
      duration_ms: n.kind === 'resolved' ? n.duration_ms : Date.parse(n.at) - Date.parse(n.since),
      silenced: n.silenced,
      ...extra,
    };
    const msg = formatAlertMessage(n);
    if (n.kind === 'resolved') log.info(event, msg, detail);
    else if (n.severity === 'critical') log.critical(event, msg, detail);
    else log.warning(event, msg, detail);
    state.hidden = n.silenced;
    tell(n);
  };

  const notice = (
    topic: OpsNotice['topic'],
    silence: Silence,
    title: string,
    fields: Partial<Pick<OpsNotice, 'by' | 'requested_ms' | 'still_firing' | 'at'>> = {},
  ): OpsNotice => ({
    kind: 'notice',
    topic,
    key: silence.key,
    title,
    by: fields.by ?? null,
    until: silence.until,
    requested_ms: fields.requested_ms ?? null,
    still_firing: fields.still_firing ?? [],
    at: fields.at ?? iso(clock.now()),
  });

  const scheduleReminder = (key: string, state: FiringState): void => {
    state.reminder?.cancel();
    if (closed) return;
    state.reminder = clock.setTimeout(
      () => {
        if (firing.get(key) !== state) return;
        emit(notification(key, state, 'reminder', clock.now()), state);
        scheduleReminder(key, state);
      },
      repeatIntervalMs,
      { unref: true },
    );
  };

  const fire = (key: string, state: FiringState): void => {
    firing.set(key, state);
    metrics.alert('fired', state.severity);
    emit(notification(key, state, 'fired', clock.now()), state);
    scheduleReminder(key, state);
  };

  const escalate = (key: string, state: FiringState): void => {
    state.severity = 'critical';
    metrics.alert('fired', 'critical');
    emit(notification(key, state, 'escalated', clock.now()), state);
    scheduleReminder(key, state);
  };

  // Going back from critical to warning is not news worth a message: the state and /alerts follow quietly.
  const downgrade = (key: string, state: FiringState): void => {
    state.severity = 'warning';
    log.info('alert_downgraded', `${state.title}: back to warning`, { key, severity: 'warning' });
  };

  const resolve = (key: string): boolean => {
    const state = firing.get(key);
    streaks.delete(key);
    if (state === undefined) return false;
    firing.delete(key);
    state.reminder?.cancel();
    metrics.alert('resolved', state.severity);
    emit(notification(key, state, 'resolved', clock.now()), state);
    return true;
  };

  /**
   * Firing alerts that the ended silence covered, or whose last word to the sinks was
   * silenced, and that no silence covers any more: the channel should hear where they stand.
   */
  const uncovered = (ended: Silence): string[] => {
    const now = clock.now();
    return [...firing]
      .filter(
        ([key, state]) => (state.hidden || silenceMatches(ended.key, key)) && !silences.covers(key, now),
      )
      .map(([key]) => key);
  };

  /** Tells the sinks where each alert a silence covered stands now, and restarts its reminders from here. */
  const reannounce = (keys: readonly string[]): void => {
    for (const key of keys) {
      const state = firing.get(key);
      if (state === undefined) continue;
      emit(notification(key, state, 'reminder', clock.now()), state, { reason: 'silence_ended' });
      scheduleReminder(key, state);
    }
  };

  const expire = (silence: Silence): void => {
    silenceEnds.delete(silence.key);
    silences.remove(silence.key);
    const hidden = uncovered(silence);
    const title = `Silence on ${silence.key} ended`;
    log.info('alert_silence_expired', title, {
      key: silence.key,
      until: silence.until,
      still_firing: hidden.length,
    });
    tell(notice('silence_expired', silence, title, { still_firing: hidden }));
    reannounce(hidden);
  };

  /** Ends `silence` at its time (in steps, for ends further off than a timer can wait). */
  const armSilenceEnd = (silence: Silence): void => {
    silenceEnds.get(silence.key)?.timer?.cancel();
    const end: { readonly silence: Silence; timer: Timer | undefined } = { silence, timer: undefined };
    silenceEnds.set(silence.key, end);
    const arm = (): void => {
      if (closed || silenceEnds.get(silence.key) !== end) return;
      const left = Date.parse(silence.until) - clock.now();
      if (left <= 0) {
        expire(silence);
        return;
      }
      end.timer = clock.setTimeout(arm, Math.min(left, MAX_TIMER_MS), { unref: true });
    };
    arm();
  };

  const checkKey = (key: string): void => {
    if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
      throw new Error(`alert key must be 1..${MAX_KEY_LENGTH} characters (got ${key.length})`);
    }
  };

  return {
    observe(key, o) {
      checkKey(key);
      if (!Number.isFinite(o.value)) return;
      const { warning, critical } = o.thresholds;
      const s = streaks.get(key) ?? { above: 0, aboveCritical: 0, below: 0, belowCritical: 0 };
      streaks.set(key, s);
      s.above = o.value >= warning ? s.above + 1 : 0;
      s.aboveCritical = o.value >= critical ? s.aboveCritical + 1 : 0;
      s.below = o.value < warning * (1 - hysteresis) ? s.below + 1 : 0;
      s.belowCritical = o.value < critical * (1 - hysteresis) ? s.belowCritical + 1 : 0;
      const state = firing.get(key);
      const describe = (severity: AlertSeverity) => {
        const threshold = severity === 'critical' ? critical : warning;
        return {
          title: o.title,
          value: o.format(o.value),
          threshold: o.format(threshold),
          raw: { value: o.value, threshold },
        };
      };
      if (state === undefined) {
        if (s.above < consecutive) return;
        const severity: AlertSeverity = s.aboveCritical >= consecutive ? 'critical' : 'warning';
        fire(key, {
          ...describe(severity),
          severity,
          detail: undefined,
          sinceMs: clock.now(),
          reminder: undefined,
          hidden: false,
        });
        return;
      }
      if (s.below >= resolveAfter) {
        resolve(key);
        return;
      }
      if (state.severity === 'warning' && s.aboveCritical >= consecutive) {
        Object.assign(state, describe('critical'));
        escalate(key, state);
        return;
      }
      if (state.severity === 'critical' && s.belowCritical >= resolveAfter) downgrade(key, state);
      Object.assign(state, describe(state.severity));
    },

    raise(key, a) {
      checkKey(key);
      streaks.delete(key);
      const state = firing.get(key);
      const described = {
        title: a.title,
        value: a.value ?? null,
        threshold: a.threshold ?? null,
        raw: undefined,
        detail: a.detail,
      };
      if (state === undefined) {
        fire(key, {
          ...described,
          severity: a.severity,
          sinceMs: clock.now(),
          reminder: undefined,
          hidden: false,
        });
        return;
      }
      Object.assign(state, described);
      if (state.severity === 'warning' && a.severity === 'critical') escalate(key, state);
      else if (state.severity === 'critical' && a.severity === 'warning') downgrade(key, state);
    },

    clear: resolve,

    isFiring: (key) => firing.has(key),

    silence(keyOrPattern, durationMs, by) {
      checkKey(keyOrPattern);
      if (!Number.isFinite(durationMs) || durationMs <= 0) {
        throw new Error(`silence duration must be a positive number of ms (got ${durationMs})`);
      }
      const capped = isCatchAllPattern(keyOrPattern) && durationMs > catchAllMaxMs;
      const runsMs = capped ? catchAllMaxMs : durationMs;
      const now = clock.now();
      const silence: Silence = {
        key: keyOrPattern,
        until: iso(now + runsMs),
        created_at: iso(now),
        created_by: by,
      };
      silences.add(silence);
      armSilenceEnd(silence);
      const cappedNote = capped ? ` (capped at ${formatDuration(runsMs)} for a catch-all pattern)` : '';
      const title = `Alerts matching ${keyOrPattern} silenced until ${silence.until}${cappedNote}`;
      log.info('alert_silenced', title, {
        key: keyOrPattern,
        until: silence.until,
        duration_ms: runsMs,
        requested_ms: durationMs,
        capped,
        by,
      });
      tell(
        notice('silence_set', silence, title, {
          by,
          requested_ms: capped ? durationMs : null,
          at: silence.created_at,
        }),
      );
      return { until: silence.until, duration_ms: runsMs, requested_ms: durationMs, capped };
    },

    unsilence(keyOrPattern, by) {
      const removed = silences.remove(keyOrPattern);
      if (removed === undefined) return false;
      silenceEnds.get(keyOrPattern)?.timer?.cancel();
      silenceEnds.delete(keyOrPattern);
      const hidden = uncovered(removed);
      const title = `Silence on ${keyOrPattern} lifted`;
      log.info('alert_unsilenced', title, {
        key: keyOrPattern,
        until: removed.until,
        by,
        still_firing: hidden.length,
      });
      tell(notice('silence_lifted', removed, title, { by, still_firing: hidden }));
      reannounce(hidden);
      return true;
    },

    view() {
      const now = clock.now();
      const list: FiringAlert[] = [...firing].map(([key, s]) => ({
        key,
        title: s.title,
        severity: s.severity,
        value: s.value,
        threshold: s.threshold,
        since: iso(s.sinceMs),
        silenced: silences.covers(key, now),
      }));
      list.sort((a, b) =>
        a.severity === b.severity ? a.since.localeCompare(b.since) : a.severity === 'critical' ? -1 : 1,
      );
      return { firing: list, silences: silences.active(now) };
    },

    addSink(sink) {
      sinks.push(sink);
      // What already fires (e.g. memory high from the first sample, before Discord was up)
      // would otherwise never reach a sink added later; the log has it already.
      const now = clock.now();
      for (const [key, state] of firing) {
        try {
          sink.notify(notification(key, state, 'fired', now));
        } catch (error) {
          log.error('alert_sink_failed', `Alert sink ${sink.name} failed`, { sink: sink.name, key, error });
        }
      }
    },

    async close(timeoutMs) {
      closed = true;
      for (const state of firing.values()) state.reminder?.cancel();
      for (const end of silenceEnds.values()) end.timer?.cancel();
      silenceEnds.clear();
      await Promise.all(
        sinks.map(async (sink) => {
          try {
            await sink.close?.(timeoutMs);
          } catch (error) {
            log.error('alert_sink_failed', `Alert sink ${sink.name} failed to close`, {
              sink: sink.name,
              error,
            });
          }
        }),
      );
    },
  };
}
