import { positiveInteger } from '../check-option.ts';
import type { Clock } from '../clock.ts';
import { definedOnly } from '../defined-only.ts';
import { ERROR_TEXT_DEFAULTS } from '../error-text.ts';
import type { Logger } from '../logging/logger.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { toErrorRecord } from './error-record.ts';
import type { ComponentHealth, ComponentState, ErrorRecord } from './types.ts';

export interface HealthRegistryOptions {
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: Metrics;
  /**
   * How many recent errors each component keeps.
   * @default 20
   */
  readonly errorHistory?: number;
  /**
   * Longest error message kept.
   * @default 500
   */
  readonly errorMessageMax?: number;
  /**
   * Applied to every error text kept (e.g. the logger's secret redactor), since
   * the history leaves the process through `/health` and `/healthz`.
   * @default identity
   */
  readonly redact?: (text: string) => string;
}

const DEFAULTS = {
  errorHistory: 20,
  errorMessageMax: ERROR_TEXT_DEFAULTS.maxLength,
  redact: (text: string) => text,
} as const satisfies Partial<HealthRegistryOptions>;

export interface RegisterOptions {
  /**
   * A critical component that is down makes the bot `not_ready`.
   * @default false
   */
  readonly critical?: boolean;
  /** @default 'starting' */
  readonly state?: ComponentState;
}

export interface SetStateOptions {
  /** Recorded in the error history (and counted) along with the change. */
  readonly error?: unknown;
  /** Replaces the note; `null` clears it; left as it is when absent. */
  readonly note?: string | null;
  /** Whether the component now runs on its fallback; left as it is when absent. */
  readonly fallback?: boolean;
}

export interface ComponentChange {
  readonly name: string;
  readonly from: ComponentState;
  readonly to: ComponentState;
  readonly component: ComponentHealth;
}

export type ComponentChangeListener = (change: ComponentChange) => void;

/** The state of every component the bot watches, with a bounded error history each. */
export interface HealthRegistry {
  /** Adds a component, or updates the criticality of one already known (registration is idempotent). */
  register(name: string, options?: RegisterOptions): void;
  /** Moves a component to `state`; an unknown name is registered on the fly as non-critical. */
  set(name: string, state: ComponentState, options?: SetStateOptions): void;
  /** Records an error without changing the state. */
  recordError(name: string, error: unknown): void;
  get(name: string): ComponentHealth | undefined;
  /** Every component, in registration order. */
  list(): readonly ComponentHealth[];
  /** Called after each state change; returns the unsubscribe function. A throwing listener is logged, never propagated. */
  onChange(listener: ComponentChangeListener): () => void;
}

interface Entry {
  readonly name: string;
  state: ComponentState;
  critical: boolean;
  errorCount: number;
  errors: ErrorRecord[];
  since: number;
  fallback: boolean;
  note: string | null;
}

const LEVEL_BY_STATE = {
  starting: 'info',
  ready: 'info',
  degraded: 'warning',
  failed: 'error',
  // Components stop at shutdown, where component_stopped already says so.
  stopped: 'debug',
  skipped: 'info',
} as const satisfies Record<ComponentState, 'debug' | 'info' | 'warning' | 'error'>;

/** Creates the component registry behind the health snapshot. */
export function createHealthRegistry(options: HealthRegistryOptions): HealthRegistry {
  const { clock, metrics } = options;
  const { errorHistory, errorMessageMax, redact } = { ...DEFAULTS, ...definedOnly(options) };
  positiveInteger('errorHistory', errorHistory);
  positiveInteger('errorMessageMax', errorMessageMax);
  const log = options.log.child({ name: 'health', subsys: 'health' });
  const entries = new Map<string, Entry>();
  const listeners = new Set<ComponentChangeListener>();

  const view = (e: Entry): ComponentHealth => ({
    name: e.name,
    state: e.state,
    critical: e.critical,
    error_count: e.errorCount,
    last_error: e.errors.at(-1) ?? null,
    errors: [...e.errors],
    since: new Date(e.since).toISOString(),
    fallback_active: e.fallback,
    note: e.note,
  });

  const ensure = (name: string): Entry => {
    let entry = entries.get(name);
    if (entry === undefined) {
      entry = {
        name,
        state: 'starting',
        critical: false,
        errorCount: 0,
        errors: [],
        since: clock.now(),
        fallback: false,
        note: null,
      };
      entries.set(name, entry);
    }
    return entry;
  };

  const pushError = (entry: Entry, error: unknown): ErrorRecord => {
    const record = toErrorRecord(error, clock.now(), { maxLength: errorMessageMax, redact });
    entry.errorCount += 1;
    entry.errors.push(record);
    if (entry.errors.length > errorHistory) entry.errors.splice(0, entry.errors.length - errorHistory);
    metrics.componentError(entry.name);
    return record;
  };

  const notify = (change: ComponentChange): void => {
    for (const listener of listeners) {
      try {
        listener(change);
      } catch (error) {
        log.error('health_listener_error', `Health change listener failed for '${change.name}'`, {
          component: change.name,
          error,
        });
      }
    }
  };

  return {
    register(name, registerOptions = {}) {
      if (name.trim() === '') throw new TypeError('component name must not be empty');
      const known = entries.has(name);
      const entry = ensure(name);
      if (registerOptions.critical !== undefined) entry.critical = registerOptions.critical;
      if (!known && registerOptions.state !== undefined) entry.state = registerOptions.state;
    },

    set(name, state, setOptions = {}) {
      const entry = ensure(name);
      const record = setOptions.error === undefined ? null : pushError(entry, setOptions.error);
      if (setOptions.note !== undefined) entry.note = setOptions.note;
      if (setOptions.fallback !== undefined) entry.fallback = setOptions.fallback;
      const from = entry.state;
      if (from === state) return;
      entry.state = state;
      entry.since = clock.now();
      // A component coming up at start is routine (startup_component says it); anything else is news.
      const level = from === 'starting' && state === 'ready' ? 'debug' : LEVEL_BY_STATE[state];
      log[level]('component_state', `Component '${name}' ${from} → ${state}`, {
        component: name,
        from,
        to: state,
        error: record?.message ?? null,
      });
      notify({ name, from, to: state, component: view(entry) });
    },

    recordError(name, error) {
      pushError(ensure(name), error);
    },

    get(name) {
      const entry = entries.get(name);
      return entry === undefined ? undefined : view(entry);
    },

    list() {
      return [...entries.values()].map(view);
    },

    onChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
