import { nonNegativeNumber, positiveInteger, positiveNumber } from '../check-option.ts';
import type { Clock, Timer } from '../clock.ts';
import { CORE_COMPONENTS_DEFAULTS } from '../core-components.ts';
import { definedOnly } from '../defined-only.ts';
import { ALERT_ENGINE_DEFAULTS, type AlertEngine, type RaisedAlert } from './alert-engine.ts';

export interface FlapGuardOptions {
  readonly clock: Clock;
  readonly alerts: Pick<AlertEngine, 'raise' | 'clear'>;
  /**
   * Bad observations before the alert fires. Healthy stretches shorter than
   * `healthyForMs` between them do not break the count, so a flapping condition fires.
   * @default ALERT_ENGINE_DEFAULTS.consecutiveSamples (2)
   */
  readonly consecutive?: number;
  /**
   * How long a condition must stay healthy before its alert resolves (or, when it
   * never fired, before its bad observations are forgotten); `ALERT_HEALTHY_FOR_MS`.
   * @default 180000 (3 min)
   */
  readonly healthyForMs?: number;
  /**
   * While a condition stays bad without having fired, it counts as observed again this often.
   * @default the health-check interval, CORE_COMPONENTS_DEFAULTS.healthChecks.intervalMs (30000)
   */
  readonly observeEveryMs?: number;
}

/** Boolean conditions (a component failed, a task is failing) held to the same anti-flap rules as resources. */
export interface FlapGuard {
  /** The condition is bad now; `alert` is what to raise (its latest form is kept). */
  bad(key: string, alert: RaisedAlert): void;
  /** The condition is healthy now. */
  good(key: string): void;
  /** Whether `key` has fired and not yet resolved. */
  isFiring(key: string): boolean;
  /** Cancels every timer; nothing more is raised or cleared. */
  dispose(): void;
}

export const FLAP_GUARD_DEFAULTS = {
  consecutive: ALERT_ENGINE_DEFAULTS.consecutiveSamples,
  healthyForMs: 180_000,
  observeEveryMs: CORE_COMPONENTS_DEFAULTS.healthChecks.intervalMs,
} as const satisfies Required<Omit<FlapGuardOptions, 'clock' | 'alerts'>>;

interface Entry {
  /** The latest observation. */
  bad: boolean;
  firing: boolean;
  /** Bad observations in the current streak. */
  seen: number;
  alert: RaisedAlert;
  /** Re-observes while bad and not yet firing; resolves (or forgets) once healthy long enough. */
  timer: Timer | undefined;
}

/**
 * Turns a stream of bad/healthy observations into one alert per episode: it fires
 * after `consecutive` bad observations and resolves only once the condition has
 * stayed healthy for `healthyForMs`, so a check that flaps, or a task that fails
 * every minute, fires once and resolves once.
 */
export function createFlapGuard(options: FlapGuardOptions): FlapGuard {
  const { clock, alerts } = options;
  const { consecutive, healthyForMs, observeEveryMs } = { ...FLAP_GUARD_DEFAULTS, ...definedOnly(options) };
  positiveInteger('consecutive', consecutive);
  nonNegativeNumber('healthyForMs', healthyForMs);
  positiveNumber('observeEveryMs', observeEveryMs);
  const entries = new Map<string, Entry>();
  let disposed = false;

  const fire = (key: string, e: Entry): void => {
    e.timer?.cancel();
    e.timer = undefined;
    e.firing = true;
    alerts.raise(key, e.alert);
  };

  const observedBad = (key: string, e: Entry): void => {
    e.seen += 1;
    if (e.seen >= consecutive) fire(key, e);
  };

  const settle = (key: string, e: Entry): void => {
    if (entries.get(key) !== e) return;
    entries.delete(key);
    e.timer?.cancel();
    if (e.firing) alerts.clear(key);
  };

  return {
    bad(key, alert) {
      if (disposed) return;
      const e = entries.get(key) ?? { bad: false, firing: false, seen: 0, alert, timer: undefined };
      entries.set(key, e);
      e.alert = alert;
      const wasBad = e.bad;
      e.bad = true;
      if (e.firing) {
        // Already firing: cancel any pending resolution, and let the engine escalate or update.
        if (!wasBad) {
          e.timer?.cancel();
          e.timer = undefined;
        }
        alerts.raise(key, alert);
        return;
      }
      if (!wasBad) {
        e.timer?.cancel();
        e.timer = undefined;
      }
      observedBad(key, e);
      if (!e.firing && e.timer === undefined) {
        e.timer = clock.setInterval(
          () => {
            if (e.bad && !e.firing) observedBad(key, e);
          },
          observeEveryMs,
          { unref: true },
        );
      }
    },

    good(key) {
      const e = entries.get(key);
      if (disposed || e === undefined || !e.bad) return;
      e.bad = false;
      e.timer?.cancel();
      e.timer = undefined;
      if (healthyForMs === 0) {
        settle(key, e);
        return;
      }
      e.timer = clock.setTimeout(() => settle(key, e), healthyForMs, { unref: true });
    },

    isFiring: (key) => entries.get(key)?.firing ?? false,

    dispose() {
      disposed = true;
      for (const e of entries.values()) e.timer?.cancel();
      entries.clear();
    },
  };
}
