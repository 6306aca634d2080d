import { positiveInteger } from '../check-option.ts';
import type { Clock, Timer } from '../clock.ts';
import { compareNames } from '../compare-names.ts';
import { definedOnly } from '../defined-only.ts';
import type { LogDetail, Logger } from '../logging/logger.ts';
import { type Metrics, noopMetrics } from '../metrics/metrics.ts';
import { formatAlertMessage, formatDuration } from './alert-message.ts';
import { computeInhibitions, type Hold } from './inhibition.ts';
import { createSilenceList, isCatchAllPattern, silenceMatches } from './silence-list.ts';
import type {
  Acknowledgement,
  AlertActionResult,
  AlertEngineState,
  AlertEpisode,
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
  /**
   * Resolved episodes kept (newest first) so that a late press on their message can be
   * answered, and that a message grouping several alerts can still show them.
   * @default 200
   */
  readonly resolvedKept?: number;
  /** New episode ids. @default time and a counter, in base 36 */
  readonly newEpisodeId?: () => string;
  /**
   * How long an alert that was held back, and still fires once what held it back is over,
   * waits before it is posted: alerts that followed from an outage usually clear by
   * themselves soon after it, and are then never posted at all.
   * @default 0 (at once)
   */
  readonly releaseGraceMs?: number;
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
   * Acknowledges the firing alerts shown in message `messageId` on behalf of `by`: their
   * reminders stop, the log says who, and the sinks hear an `updated` so the message can say it.
   */
  acknowledge(messageId: string, by: string): AlertActionResult;
  /** Silences each firing alert shown in message `messageId` for `durationMs`, as {@link silence} does. */
  silenceMessage(messageId: string, durationMs: number, by: string): AlertActionResult;
  /** Records that a sink showed these episodes in message `messageId` (resolves, reminders and presses then find it). */
  attachMessage(episodes: readonly string[], messageId: string): void;
  /** One episode as it stands, firing or recently resolved. */
  episode(id: string): AlertEpisode | undefined;
  /** Every known episode shown in message `messageId`, in the order they were attached. */
  episodesOfMessage(messageId: string): AlertEpisode[];
  /**
   * Holds back, until {@link release}, the alerts whose keys `matches` accepts, on behalf of
   * `source` (the key of the alert that explains them, e.g. `gateway`): they are logged, not
   * posted, and the `source` alert names them. What still fires when the hold ends is posted then.
   */
  hold(source: string, matches: (key: string) => boolean): void;
  release(source: string): void;
  /** What survives a restart: silences and shown episodes. */
  exportState(): AlertEngineState;
  /**
   * Takes back what {@link exportState} gave before a restart: silences still running are
   * in force again; a firing episode continues (same message, same acknowledgement) when
   * its key fires again, and is resolved by {@link expireRestored} otherwise.
   */
  restoreState(state: AlertEngineState): void;
  /** Resolves every restored episode whose key has not fired again since the restart. */
  expireRestored(): void;
  /** Called (synchronously) after anything {@link exportState} covers changed. */
  onStateChange(listener: () => void): () => void;
  /** Tells every sink a notice that is not about a silence (a restart after a crash). */
  announce(notice: OpsNotice): void;
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
  resolvedKept: 200,
} as const satisfies Required<
  Pick<
    AlertEngineOptions,
    | 'sinks'
    | 'repeatIntervalMs'
    | 'consecutiveSamples'
    | 'resolveAfter'
    | 'hysteresis'
    | 'catchAllSilenceMaxMs'
    | 'resolvedKept'
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
  /** Whether the last notification the sinks got for it was silenced or held back, i.e. the channel has not seen where it stands. */
  hidden: boolean;
  readonly episode: string;
  ack: Acknowledgement | null;
  messageId: string | null;
  /** The key of what holds it back now, or null. */
  heldBy: string | null;
}

/** Consecutive-observation counters of one numeric key. */
interface Streaks {
  above: number;
  aboveCritical: number;
  below: number;
  belowCritical: number;
}

/** A resolved episode as kept for its message. */
interface Resolved {
  readonly view: AlertEpisode;
}

/**
 * The alert state machine: ok → firing (warning ↔ critical) → resolved, per key, each
 * firing one episode. It logs each transition once (`alert_fired`, `alert_reminder`,
 * `alert_resolved`), counts them, tells the sinks, holds back what another alert
 * explains, and keeps acknowledgements, silences and the messages that show each episode.
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
  const resolvedKept = positiveInteger(
    'resolvedKept',
    options.resolvedKept ?? ALERT_ENGINE_DEFAULTS.resolvedKept,
  );
  const releaseGraceMs = options.releaseGraceMs ?? 0;
  if (!(releaseGraceMs >= 0)) throw new Error(`releaseGraceMs must be 0 or more (got ${releaseGraceMs})`);
  let episodeSeq = 0;
  const newEpisodeId =
    options.newEpisodeId ??
    (() => `${clock.now().toString(36)}${(episodeSeq++).toString(36).padStart(3, '0')}`);

  const firing = new Map<string, FiringState>();
  const streaks = new Map<string, Streaks>();
  const silences = createSilenceList();
  /** The timer that ends each running silence, by key or pattern. */
  const silenceEnds = new Map<string, { readonly silence: Silence; timer: Timer | undefined }>();
  /** Resolved episodes, oldest first, bounded by `resolvedKept`. */
  const resolved = new Map<string, Resolved>();
  /** Episodes firing before a restart, by key, waiting for their key to fire again. */
  const restored = new Map<string, AlertEpisode>();
  /** Message id → episode ids in the order they were attached. */
  const messages = new Map<string, string[]>();
  const holds = new Map<string, Hold>();
  /** Alerts no longer held back, waiting out `releaseGraceMs` before they are posted. */
  const releasing = new Map<string, Timer>();
  const stateListeners = new Set<() => void>();
  let closed = false;

  const iso = (ms: number): string => new Date(ms).toISOString();

  const stateChanged = (): void => {
    for (const listener of stateListeners) {
      try {
        listener();
      } catch (error) {
        log.error('alert_state_listener_failed', 'An alert state listener failed', { error });
      }
    }
  };

  const heldBack = (key: string): string[] => [...firing].filter(([, s]) => s.heldBy === key).map(([k]) => k);

  const silencedUntil = (key: string, nowMs: number): string | null => {
    let until: string | null = null;
    for (const s of silences.active(nowMs)) if (silenceMatches(s.key, key)) until = s.until;
    return until;
  };

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
    episode: state.episode,
    acknowledged: state.ack,
    message_id: state.messageId,
    inhibited_by: state.heldBy,
    held_back: kind === 'resolved' ? [] : heldBack(key),
  });

  const episodeView = (key: string, state: FiringState, nowMs: number): AlertEpisode => ({
    episode: state.episode,
    key,
    title: state.title,
    severity: state.severity,
    value: state.value,
    threshold: state.threshold,
    since: iso(state.sinceMs),
    state: 'firing',
    resolved_at: null,
    acknowledged: state.ack,
    silenced: silences.covers(key, nowMs),
    silenced_until: silencedUntil(key, nowMs),
    inhibited_by: state.heldBy,
    held_back: heldBack(key),
    message_id: state.messageId,
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
      episode: n.episode,
      ...(n.inhibited_by === null ? {} : { inhibited_by: n.inhibited_by }),
      ...(n.acknowledged === null ? {} : { acknowledged_by: n.acknowledged.by }),
      ...extra,
    };
    const msg = formatAlertMessage(n);
    if (n.kind === 'resolved') log.info(event, msg, detail);
    else if (n.severity === 'critical') log.critical(event, msg, detail);
    else log.warning(event, msg, detail);
    state.hidden = n.silenced || n.inhibited_by !== null;
    tell(n);
  };

  /** Tells the sinks that what a shown episode's message says has changed. */
  const update = (key: string, state: FiringState): void => {
    if (state.messageId === null) return;
    tell(notification(key, state, 'updated', clock.now()));
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
    state.reminder = undefined;
    // An acknowledged alert is someone's already: no more reminders.
    if (closed || state.ack !== null) return;
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

  /** Tells the sinks where each alert in `keys` stands now, and restarts its reminders from here. */
  const reannounce = (keys: readonly string[], reason: string): void => {
    for (const key of keys) {
      const state = firing.get(key);
      if (state === undefined) continue;
      emit(notification(key, state, 'reminder', clock.now()), state, { reason });
      scheduleReminder(key, state);
    }
  };

  /**
   * Works out again what holds back what. Alerts no longer held back that the channel
   * has not seen are announced; an alert whose list of held-back alerts changed is updated.
   * `skip` is the key about to be announced by the caller.
   */
  const settleHolds = (skip?: string): void => {
    const verdicts = computeInhibitions(
      [...firing].map(([key, s]) => ({ key, severity: s.severity, sinceMs: s.sinceMs })),
      [...holds.values()],
    );
    const touched = new Set<string>();
    const released: string[] = [];
    for (const [key, state] of firing) {
      const next = verdicts.get(key) ?? null;
      if (next === state.heldBy) continue;
      if (state.heldBy !== null) touched.add(state.heldBy);
      if (next !== null) touched.add(next);
      if (next !== null && key !== skip) {
        log.info('alert_inhibited', `${state.title}: held back by ${next}`, { key, inhibited_by: next });
      }
      state.heldBy = next;
      if (next === null && state.hidden && key !== skip && !silences.covers(key, clock.now())) {
        released.push(key);
      }
    }
    for (const key of touched) {
      const state = firing.get(key);
      if (state !== undefined && key !== skip) update(key, state);
    }
    if (releaseGraceMs === 0) {
      reannounce(released, 'inhibition_ended');
      return;
    }
    for (const key of released) {
      if (releasing.has(key) || closed) continue;
      releasing.set(
        key,
        clock.setTimeout(
          () => {
            releasing.delete(key);
            const state = firing.get(key);
            if (state === undefined || state.heldBy !== null || !state.hidden) return;
            if (silences.covers(key, clock.now())) return;
            reannounce([key], 'inhibition_ended');
          },
          releaseGraceMs,
          { unref: true },
        ),
      );
    }
  };

  const fire = (key: string, state: FiringState, extra: LogDetail = {}): void => {
    firing.set(key, state);
    metrics.alert('fired', state.severity);
    settleHolds(key);
    emit(notification(key, state, 'fired', clock.now()), state, extra);
    scheduleReminder(key, state);
    stateChanged();
  };

  const escalate = (key: string, state: FiringState): void => {
    state.severity = 'critical';
    // Worse news than what was acknowledged: it is nobody's until acknowledged again.
    const hadAck = state.ack !== null;
    state.ack = null;
    metrics.alert('fired', 'critical');
    settleHolds(key);
    emit(
      notification(key, state, 'escalated', clock.now()),
      state,
      hadAck ? { acknowledgement_cleared: true } : {},
    );
    scheduleReminder(key, state);
    stateChanged();
  };

  // Going back from critical to warning is not news worth a message: the state and /alerts follow quietly.
  const downgrade = (key: string, state: FiringState): void => {
    state.severity = 'warning';
    log.info('alert_downgraded', `${state.title}: back to warning`, { key, severity: 'warning' });
    settleHolds();
  };

  const keepResolved = (view: AlertEpisode): void => {
    resolved.delete(view.episode);
    resolved.set(view.episode, { view });
    while (resolved.size > resolvedKept) {
      const oldest = resolved.keys().next().value;
      if (oldest === undefined) break;
      resolved.delete(oldest);
    }
  };

  /** Forgets message ids none of whose episodes is known any more. */
  const pruneMessages = (): void => {
    for (const [messageId, ids] of messages) {
      const known = ids.filter(
        (id) => resolved.has(id) || [...firing.values()].some((s) => s.episode === id),
      );
      if (known.length === 0) messages.delete(messageId);
      else if (known.length !== ids.length) messages.set(messageId, known);
    }
  };

  const resolve = (key: string, extra: LogDetail = {}): boolean => {
    const state = firing.get(key);
    streaks.delete(key);
    if (state === undefined) return false;
    const now = clock.now();
    firing.delete(key);
    state.reminder?.cancel();
    releasing.get(key)?.cancel();
    releasing.delete(key);
    metrics.alert('resolved', state.severity);
    const n = notification(key, state, 'resolved', now);
    keepResolved({
      ...episodeView(key, state, now),
      state: 'resolved',
      resolved_at: iso(now),
      held_back: [],
    });
    emit(n, state, extra);
    settleHolds();
    pruneMessages();
    stateChanged();
    return true;
  };

  /** A new firing state for `key`, continuing its episode from before a restart when there was one. */
  const newState = (
    key: string,
    described: Pick<FiringState, 'title' | 'value' | 'threshold' | 'raw' | 'detail'>,
    severity: AlertSeverity,
  ): { state: FiringState; extra: LogDetail } => {
    const before = restored.get(key);
    restored.delete(key);
    const state: FiringState = {
      ...described,
      severity,
      sinceMs: before === undefined ? clock.now() : Date.parse(before.since),
      reminder: undefined,
      hidden: false,
      episode: before?.episode ?? newEpisodeId(),
      ack: before?.acknowledged ?? null,
      messageId: before?.message_id ?? null,
      heldBy: null,
    };
    return { state, extra: before === undefined ? {} : { restored: true } };
  };

  /**
   * Firing alerts that the ended silence covered, or whose last word to the sinks was
   * silenced, and that no silence covers any more: the channel should hear where they stand.
   */
  const uncovered = (ended: Silence): string[] => {
    const now = clock.now();
    return [...firing]
      .filter(
        ([key, state]) =>
          (state.hidden || silenceMatches(ended.key, key)) &&
          state.heldBy === null &&
          !silences.covers(key, now),
      )
      .map(([key]) => key);
  };

  /** Shown episodes whose message now says something else about their silence. */
  const updateCovered = (pattern: string, except: readonly string[] = []): void => {
    for (const [key, state] of firing) {
      if (silenceMatches(pattern, key) && !except.includes(key)) update(key, state);
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
    reannounce(hidden, 'silence_ended');
    updateCovered(silence.key, hidden);
    stateChanged();
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

  const silence = (keyOrPattern: string, durationMs: number, by: string): SilenceResult => {
    checkKey(keyOrPattern);
    if (!Number.isFinite(durationMs) || durationMs <= 0) {
      throw new Error(`silence duration must be a positive number of ms (got ${durationMs})`);
    }
    const capped = isCatchAllPattern(keyOrPattern) && durationMs > catchAllMaxMs;
    const runsMs = capped ? catchAllMaxMs : durationMs;
    const now = clock.now();
    const s: Silence = {
      key: keyOrPattern,
      until: iso(now + runsMs),
      created_at: iso(now),
      created_by: by,
    };
    silences.add(s);
    armSilenceEnd(s);
    const cappedNote = capped ? ` (capped at ${formatDuration(runsMs)} for a catch-all pattern)` : '';
    const title = `Alerts matching ${keyOrPattern} silenced until ${s.until}${cappedNote}`;
    log.info('alert_silenced', title, {
      key: keyOrPattern,
      until: s.until,
      duration_ms: runsMs,
      requested_ms: durationMs,
      capped,
      by,
    });
    tell(
      notice('silence_set', s, title, {
        by,
        requested_ms: capped ? durationMs : null,
        at: s.created_at,
      }),
    );
    updateCovered(keyOrPattern);
    stateChanged();
    return { until: s.until, duration_ms: runsMs, requested_ms: durationMs, capped };
  };

  /** The firing and resolved keys shown in message `messageId`. */
  const inMessage = (messageId: string): { live: [string, FiringState][]; gone: string[] } => {
    const ids = messages.get(messageId) ?? [];
    const live = [...firing].filter(([, s]) => ids.includes(s.episode));
    const gone = ids.flatMap((id) => {
      const r = resolved.get(id);
      return r === undefined ? [] : [r.view.key];
    });
    return { live, gone };
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
        const fresh = newState(key, { ...describe(severity), detail: undefined }, severity);
        fire(key, fresh.state, fresh.extra);
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
        const fresh = newState(key, described, a.severity);
        fire(key, fresh.state, fresh.extra);
        return;
      }
      Object.assign(state, described);
      if (state.severity === 'warning' && a.severity === 'critical') escalate(key, state);
      else if (state.severity === 'critical' && a.severity === 'warning') downgrade(key, state);
    },

    clear: (key) => resolve(key),

    isFiring: (key) => firing.has(key),

    silence,

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
      reannounce(hidden, 'silence_ended');
      updateCovered(keyOrPattern, hidden);
      stateChanged();
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
        a.severity === b.severity ? compareNames(a.since, b.since) : a.severity === 'critical' ? -1 : 1,
      );
      return { firing: list, silences: silences.active(now) };
    },

    acknowledge(messageId, by) {
      const { live, gone } = inMessage(messageId);
      const applied: string[] = [];
      const already: string[] = [];
      const at = iso(clock.now());
      for (const [key, state] of live) {
        if (state.ack !== null) {
          already.push(key);
          continue;
        }
        state.ack = { by, at };
        state.reminder?.cancel();
        state.reminder = undefined;
        applied.push(key);
        log.info('alert_acknowledged', `${state.title}: acknowledged`, {
          key,
          episode: state.episode,
          by,
          severity: state.severity,
          firing_for_ms: clock.now() - state.sinceMs,
        });
        update(key, state);
      }
      if (applied.length > 0) stateChanged();
      return { applied, already, resolved: gone, silences: [] };
    },

    silenceMessage(messageId, durationMs, by) {
      const { live, gone } = inMessage(messageId);
      const applied = live.map(([key]) => key);
      const results = applied.map((key) => silence(key, durationMs, by));
      return { applied, already: [], resolved: gone, silences: results };
    },

    attachMessage(episodes, messageId) {
      const ids = messages.get(messageId) ?? [];
      let changed = false;
      for (const id of episodes) {
        // A message posted again (the old one was deleted) takes over from the old one.
        for (const [other, list] of messages) {
          if (other !== messageId && list.includes(id))
            messages.set(
              other,
              list.filter((e) => e !== id),
            );
        }
        for (const state of firing.values()) {
          if (state.episode === id && state.messageId !== messageId) {
            state.messageId = messageId;
            changed = true;
          }
        }
        const r = resolved.get(id);
        if (r !== undefined && r.view.message_id !== messageId) {
          resolved.set(id, { view: { ...r.view, message_id: messageId } });
          changed = true;
        }
        if (!ids.includes(id)) ids.push(id);
      }
      messages.set(messageId, ids);
      for (const [other, list] of messages) if (list.length === 0) messages.delete(other);
      if (changed) stateChanged();
    },

    episode(id) {
      const now = clock.now();
      for (const [key, state] of firing) if (state.episode === id) return episodeView(key, state, now);
      return resolved.get(id)?.view;
    },

    episodesOfMessage(messageId) {
      const now = clock.now();
      return (messages.get(messageId) ?? []).flatMap((id) => {
        for (const [key, state] of firing) if (state.episode === id) return [episodeView(key, state, now)];
        const r = resolved.get(id);
        return r === undefined ? [] : [r.view];
      });
    },

    hold(source, matches) {
      holds.set(source, { source, matches });
      settleHolds();
    },

    release(source) {
      if (!holds.delete(source)) return;
      settleHolds();
    },

    exportState() {
      const now = clock.now();
      const shownMessages = new Set(
        [...firing.values()].flatMap((s) => (s.messageId === null ? [] : [s.messageId])),
      );
      return {
        silences: silences.active(now),
        episodes: [
          ...[...firing].map(([key, s]) => episodeView(key, s, now)),
          // Restored episodes not seen again yet are still what their messages show.
          ...restored.values(),
          ...[...resolved.values()]
            .map((r) => r.view)
            .filter((v) => v.message_id !== null && shownMessages.has(v.message_id)),
        ],
      };
    },

    restoreState(state) {
      const now = clock.now();
      for (const s of state.silences) {
        if (!(Date.parse(s.until) > now) || silences.active(now).some((a) => a.key === s.key)) continue;
        silences.add(s);
        armSilenceEnd(s);
      }
      for (const e of state.episodes) {
        if (e.state === 'firing' && !firing.has(e.key)) restored.set(e.key, e);
        else if (e.state === 'resolved') keepResolved(e);
        if (e.message_id !== null) {
          const ids = messages.get(e.message_id) ?? [];
          if (!ids.includes(e.episode)) ids.push(e.episode);
          messages.set(e.message_id, ids);
        }
      }
      log.info('alert_state_restored', 'Alert state restored from before the restart', {
        silences: silences.active(now).length,
        firing: restored.size,
      });
    },

    expireRestored() {
      const now = clock.now();
      for (const [key, e] of [...restored]) {
        restored.delete(key);
        const state: FiringState = {
          title: e.title,
          severity: e.severity,
          value: e.value,
          threshold: e.threshold,
          raw: undefined,
          detail: undefined,
          sinceMs: Date.parse(e.since),
          reminder: undefined,
          hidden: false,
          episode: e.episode,
          ack: e.acknowledged,
          messageId: e.message_id,
          heldBy: null,
        };
        keepResolved({ ...e, state: 'resolved', resolved_at: iso(now), held_back: [], inhibited_by: null });
        emit(notification(key, state, 'resolved', now), state, { reason: 'not_seen_since_restart' });
      }
      pruneMessages();
      stateChanged();
    },

    onStateChange(listener) {
      stateListeners.add(listener);
      return () => {
        stateListeners.delete(listener);
      };
    },

    announce(n) {
      tell(n);
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
      for (const timer of releasing.values()) timer.cancel();
      releasing.clear();
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
