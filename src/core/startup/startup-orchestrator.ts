import { backoffDelay } from '../backoff.ts';
import { type Clock, systemClock, type Timer } from '../clock.ts';
import { errorText } from '../error-text.ts';
import type { ComponentState } from '../health/types.ts';
import { type Logger, silentLogger } from '../logging/logger.ts';
import { type Metrics, noopMetrics } from '../metrics/metrics.ts';
import { criticalPath } from './critical-path.ts';
import { runBounded } from './run-bounded.ts';
import { startWithRetries } from './start-with-retries.ts';
import { type ResolvedComponent, retryBackoff, type StartupComponent } from './startup-component.ts';
import { StartupError } from './startup-error.ts';
import { createStartupGraph } from './startup-graph.ts';
import { logComponentOutcome, logStartupComplete } from './startup-log.ts';
import { type StopResult, stopComponents } from './stop-components.ts';
import type { StartupComponentReport, StartupComponentStatus, StartupMode, StartupReport } from './types.ts';

export type { StopResult } from './stop-components.ts';

export interface StartupOrchestratorOptions {
  readonly components: readonly StartupComponent[];
  /** Start each component as soon as its dependencies are up (`OBS_PARALLEL_STARTUP`). @default false */
  readonly parallel?: boolean;
  /** @default systemClock */
  readonly clock?: Clock;
  /** Parent logger; the orchestrator logs as `startup` (`bot.startup` under the default root), subsys `startup`. @default silentLogger */
  readonly log?: Logger;
  /** @default noopMetrics */
  readonly metrics?: Metrics;
  /** Source of retry jitter, [0, 1). @default Math.random */
  readonly random?: () => number;
  /** Applied to every error text kept in the report or passed to listeners (e.g. the logger's secret redactor). @default identity */
  readonly redact?: (text: string) => string;
}

export const STARTUP_ORCHESTRATOR_DEFAULTS = {
  parallel: false,
  /** Bound of {@link StartupOrchestrator.stopAll}, ms; `OBS_SHUTDOWN_TIMEOUT_MS`. */
  stopAllTimeoutMs: 10_000,
  clock: systemClock,
  log: silentLogger,
  metrics: noopMetrics,
  random: Math.random,
  redact: (text: string) => text,
} as const satisfies Omit<Required<StartupOrchestratorOptions>, 'components'> & {
  readonly stopAllTimeoutMs: number;
};

/** A component's state change, for the health registry. */
export interface StartupChange {
  readonly component: string;
  readonly state: ComponentState;
  readonly critical: boolean;
  /** Redacted, single-line, bounded; null when the change carries no error. */
  readonly error: string | null;
  readonly fallback: boolean;
}

export type StartupChangeListener = (change: StartupChange) => void;

export interface StartupRunResult {
  readonly report: StartupReport;
  /** Set when the outcome is `failed` (code `STARTUP_COMPONENT_FAILED`, naming the component and its cause) or `cancelled`. */
  readonly error: StartupError | null;
}

/** A declared component as the orchestrator resolved it (defaults applied). */
export interface StartupComponentInfo {
  readonly name: string;
  readonly critical: boolean;
  readonly dependencies: readonly string[];
}

export interface StartupOrchestrator {
  readonly mode: StartupMode;
  /** Every component in start order (sequential mode's order), for registering them with health. */
  readonly components: readonly StartupComponentInfo[];
  /**
   * Starts every component once. Resolves (never rejects) when the start is over:
   * `ready`, `degraded` (non-critical components down, retried in the background),
   * `failed` (a critical component gave up; what started was stopped in reverse order)
   * or `cancelled` (`signal` aborted; likewise rolled back).
   */
  run(signal?: AbortSignal): Promise<StartupRunResult>;
  /** The last run's report with live statuses (background recoveries show), or undefined until the run is over. */
  report(): StartupReport | undefined;
  /** Subscribes to state changes; returns the unsubscribe function. A throwing listener is logged and ignored. */
  onChange(listener: StartupChangeListener): () => void;
  /**
   * Stops background retries and in-flight starts, then stops every started
   * component, dependents before their dependencies, each within its own bound and
   * all within `timeoutMs`.
   */
  stopAll(timeoutMs?: number): Promise<StopResult>;
}

type EntryStatus = StartupComponentStatus | 'waiting';

interface Entry {
  readonly c: ResolvedComponent;
  status: EntryStatus;
  attempts: number;
  start: number | null;
  end: number | null;
  recoveredAt: number | null;
  error: string | null;
  fallback: boolean;
  /** Start succeeded and stop has not been called yet. */
  started: boolean;
  background: Timer | null;
}

const BLOCKING: ReadonlySet<EntryStatus> = new Set(['degraded', 'skipped', 'failed', 'cancelled']);

/** Builds (and validates, see {@link createStartupGraph}) the orchestrator of the bot's start. */
export function createStartupOrchestrator(options: StartupOrchestratorOptions): StartupOrchestrator {
  const graph = createStartupGraph(options.components);
  const parallel = options.parallel ?? STARTUP_ORCHESTRATOR_DEFAULTS.parallel;
  const clock = options.clock ?? STARTUP_ORCHESTRATOR_DEFAULTS.clock;
  const log = (options.log ?? STARTUP_ORCHESTRATOR_DEFAULTS.log).child({
    name: 'startup',
    subsys: 'startup',
  });
  const metrics = options.metrics ?? STARTUP_ORCHESTRATOR_DEFAULTS.metrics;
  const random = options.random ?? STARTUP_ORCHESTRATOR_DEFAULTS.random;
  const redact = options.redact ?? STARTUP_ORCHESTRATOR_DEFAULTS.redact;
  const mode: StartupMode = parallel ? 'parallel' : 'sequential';
  const concurrency = parallel ? Number.POSITIVE_INFINITY : 1;

  const entries = graph.order.map(
    (c): Entry => ({
      c,
      status: 'waiting',
      attempts: 0,
      start: null,
      end: null,
      recoveredAt: null,
      error: null,
      fallback: false,
      started: false,
      background: null,
    }),
  );
  const byName = new Map(entries.map((e) => [e.c.name, e]));
  const listeners = new Set<StartupChangeListener>();
  /** Completion order of successful starts: reversed, it stops dependents before dependencies. */
  const readyOrder: Entry[] = [];
  /** Aborted on a critical failure, a cancellation or stopAll: ends every attempt, sleep and background retry. */
  const lifetime = new AbortController();

  let runStart: number | null = null;
  let inFlight = 0;
  let halted: { readonly outcome: 'failed' | 'cancelled'; readonly error: StartupError } | null = null;
  let frozen: { readonly duration: number; readonly path: readonly string[] } | null = null;
  let finishRun: ((result: StartupRunResult) => void) | null = null;
  let runPromise: Promise<StartupRunResult> | null = null;
  let stopDeadline = Number.POSITIVE_INFINITY;
  /** What the rollback of a failed or cancelled start stopped. */
  let rolledBack: StopResult | null = null;

  const describe = (error: unknown): string => errorText(error, { redact });
  const offset = (at: number | null): number | null =>
    at === null || runStart === null ? null : at - runStart;

  function notify(entry: Entry, state: ComponentState): void {
    const change: StartupChange = {
      component: entry.c.name,
      state,
      critical: entry.c.critical,
      error: entry.error,
      fallback: entry.fallback,
    };
    for (const listener of listeners) {
      try {
        listener(change);
      } catch (error) {
        log.error('startup_listener_failed', 'A startup change listener threw', {
          component: entry.c.name,
          error: describe(error),
        });
      }
    }
  }

  function logOutcome(entry: Entry): void {
    logComponentOutcome(log, {
      name: entry.c.name,
      status: entry.status === 'waiting' ? 'pending' : entry.status,
      attempts: entry.attempts,
      critical: entry.c.critical,
      fallback: entry.fallback,
      error: entry.error,
      duration_ms: entry.start === null || entry.end === null ? 0 : entry.end - entry.start,
    });
  }

  async function startEntry(entry: Entry): Promise<void> {
    const result = await startWithRetries(entry.c, {
      clock,
      log,
      random,
      signal: lifetime.signal,
      describe,
      onAttempt: () => {
        entry.attempts++;
      },
    });
    if (result.kind === 'ok') {
      settleReady(entry);
      return;
    }
    if (result.kind === 'aborted') {
      settleCancelled(entry);
      return;
    }
    entry.error = describe(result.error);
    if (entry.c.critical) {
      entry.status = 'failed';
      entry.end = clock.now();
      logOutcome(entry);
      notify(entry, 'failed');
      halt(
        'failed',
        new StartupError(
          'STARTUP_COMPONENT_FAILED',
          `component '${entry.c.name}' failed: ${entry.error}`,
          [entry.c.name],
          result.error,
        ),
      );
      return;
    }
    const fallback = entry.c.definition.fallback;
    if (fallback !== undefined) {
      try {
        await runBounded(
          clock,
          (signal) => fallback(result.error, signal),
          entry.c.timeoutMs,
          lifetime.signal,
        );
        entry.fallback = true;
      } catch (error) {
        if (lifetime.signal.aborted) {
          settleCancelled(entry);
          return;
        }
        log.error(
          'startup_fallback_failed',
          `Fallback of component '${entry.c.name}' failed: ${describe(error)}`,
          {
            component: entry.c.name,
            error: describe(error),
          },
        );
      }
    }
    entry.status = 'degraded';
    entry.end = clock.now();
    logOutcome(entry);
    notify(entry, 'degraded');
    scheduleBackgroundRetry(entry);
  }

  function settleReady(entry: Entry): void {
    entry.status = 'ready';
    entry.end = clock.now();
    entry.started = true;
    readyOrder.push(entry);
    logOutcome(entry);
    notify(entry, 'ready');
  }

  function settleCancelled(entry: Entry): void {
    entry.status = 'cancelled';
    entry.end = clock.now();
    notify(entry, 'stopped');
  }

  function launch(entry: Entry): void {
    inFlight++;
    entry.status = 'pending';
    entry.start = clock.now();
    notify(entry, 'starting');
    startEntry(entry)
      .catch((error: unknown) => {
        // Only a bug in this file gets here; record it rather than leave the run hanging.
        log.critical('startup_internal_error', 'Startup orchestrator error', { error: describe(error) });
        if (entry.status === 'pending') settleCancelled(entry);
      })
      .finally(() => {
        inFlight--;
        pump();
      });
  }

  /** Launches whatever may start now, skips what cannot, revives what a recovery unblocked. */
  function pump(): void {
    for (const entry of entries) {
      const deps = entry.c.dependencies.map((d) => byName.get(d));
      if (entry.status === 'skipped' && halted === null && !deps.some((d) => d && BLOCKING.has(d.status))) {
        entry.status = 'waiting';
        entry.error = null;
      }
      if (entry.status !== 'waiting' || halted !== null || lifetime.signal.aborted) continue;
      const blocker = deps.find((d) => d && BLOCKING.has(d.status));
      if (blocker !== undefined) {
        entry.status = 'skipped';
        entry.error = `dependency '${blocker.c.name}' is ${blocker.status}`;
        logComponentOutcome(
          log,
          {
            name: entry.c.name,
            status: 'skipped',
            attempts: entry.attempts,
            critical: entry.c.critical,
            fallback: false,
            error: entry.error,
            duration_ms: 0,
          },
          { skipped_because: blocker.c.name },
        );
        notify(entry, 'skipped');
        continue;
      }
      if (inFlight < concurrency && deps.every((d) => d?.status === 'ready')) launch(entry);
    }
    maybeFinish();
  }

  function halt(outcome: 'failed' | 'cancelled', error: StartupError): void {
    if (halted !== null) return;
    halted = { outcome, error };
    lifetime.abort(error);
  }

  function maybeFinish(): void {
    if (finishRun === null || inFlight > 0) return;
    if (halted === null && entries.some((e) => e.status === 'waiting' || e.status === 'pending')) return;
    const finish = finishRun;
    finishRun = null;
    completeRun().then(finish, (error: unknown) => {
      log.critical('startup_internal_error', 'Startup orchestrator error', { error: describe(error) });
      finish({ report: buildReport(), error: halted?.error ?? null });
    });
  }

  async function completeRun(): Promise<StartupRunResult> {
    const started = runStart ?? clock.now();
    if (halted !== null) {
      for (const entry of entries) if (entry.status === 'waiting') entry.status = 'cancelled';
      rolledBack = await stopEntries(stopDeadline);
    }
    const timed = entries.map((e) => ({
      name: e.c.name,
      dependencies: e.c.dependencies,
      end_offset_ms: offset(e.end),
    }));
    frozen = { duration: clock.now() - started, path: criticalPath(timed) };
    const report = buildReport();
    logStartupComplete(log, report, halted?.error ?? null);
    try {
      metrics.startupFinished(report);
    } catch (error) {
      log.error('startup_metrics_failed', 'Recording the startup metrics failed', { error: describe(error) });
    }
    return { report, error: halted?.error ?? null };
  }

  function scheduleBackgroundRetry(entry: Entry): void {
    if (!entry.c.retryInBackground || lifetime.signal.aborted) return;
    const delay = backoffDelay(retryBackoff(entry.c.retry), entry.attempts, random);
    // unref: a pending recovery must never keep a stopping process alive.
    entry.background = clock.setTimeout(
      () => {
        entry.background = null;
        void backgroundAttempt(entry, delay);
      },
      delay,
      { unref: true },
    );
  }

  async function backgroundAttempt(entry: Entry, waited: number): Promise<void> {
    if (lifetime.signal.aborted || entry.status !== 'degraded') return;
    entry.attempts++;
    try {
      await runBounded(
        clock,
        (signal) => entry.c.definition.start(signal),
        entry.c.timeoutMs,
        lifetime.signal,
      );
    } catch (error) {
      if (lifetime.signal.aborted) return;
      entry.error = describe(error);
      log.warning(
        'startup_background_retry',
        `Component '${entry.c.name}' still down after background attempt ${entry.attempts}: ${entry.error}`,
        { component: entry.c.name, attempt: entry.attempts, delay_ms: waited, error: entry.error },
      );
      scheduleBackgroundRetry(entry);
      return;
    }
    entry.status = 'ready';
    entry.started = true;
    entry.fallback = false;
    entry.recoveredAt = clock.now();
    readyOrder.push(entry);
    log.info(
      'startup_component_recovered',
      `Component '${entry.c.name}' recovered after ${entry.attempts} attempts`,
      {
        component: entry.c.name,
        attempts: entry.attempts,
        status: 'ready',
        critical: entry.c.critical,
      },
    );
    notify(entry, 'ready');
    pump();
  }

  /** Stops started components, last started first, each within its bound and all before `deadline`. */
  function stopEntries(deadline: number): Promise<StopResult> {
    const targets = [...readyOrder].reverse().filter((e) => e.started);
    for (const entry of targets) entry.started = false;
    return stopComponents(
      targets.map((e) => ({ name: e.c.name, stopTimeoutMs: e.c.stopTimeoutMs, stop: e.c.definition.stop })),
      {
        clock,
        log,
        deadline,
        describe,
        onStopped: (target) => {
          const entry = byName.get(target.name);
          if (entry !== undefined) notify(entry, 'stopped');
        },
      },
    );
  }

  function componentReport(entry: Entry): StartupComponentReport {
    const start = offset(entry.start);
    const end = offset(entry.end);
    return {
      name: entry.c.name,
      status: entry.status === 'waiting' ? 'pending' : entry.status,
      critical: entry.c.critical,
      dependencies: entry.c.dependencies,
      attempts: entry.attempts,
      start_offset_ms: start,
      end_offset_ms: end,
      duration_ms: start === null || end === null ? null : end - start,
      error: entry.error,
      fallback: entry.fallback,
      on_critical_path: frozen?.path.includes(entry.c.name) ?? false,
      ...(entry.recoveredAt === null ? {} : { recovered_offset_ms: offset(entry.recoveredAt) ?? 0 }),
    };
  }

  function buildReport(): StartupReport {
    const components = entries.map(componentReport);
    let outcome: StartupReport['outcome'] = 'ready';
    if (halted !== null) outcome = halted.outcome;
    else if (components.some((c) => c.status !== 'ready')) outcome = 'degraded';
    return {
      mode,
      started_at: new Date(runStart ?? clock.now()).toISOString(),
      duration_ms: frozen?.duration ?? 0,
      outcome,
      components,
      critical_path: frozen?.path ?? [],
    };
  }

  return {
    mode,
    components: graph.order.map((c) => ({
      name: c.name,
      critical: c.critical,
      dependencies: c.dependencies,
    })),
    run(signal) {
      if (runPromise !== null) {
        return Promise.reject(new StartupError('STARTUP_ALREADY_RUN', 'the startup has already run', []));
      }
      runStart = clock.now();
      runPromise = new Promise<StartupRunResult>((resolve) => {
        finishRun = resolve;
      });
      const cancel = (): void => {
        log.warning('startup_cancel_requested', 'Startup cancelled; stopping what started', {});
        halt('cancelled', new StartupError('STARTUP_CANCELLED', 'startup cancelled', [], signal?.reason));
        maybeFinish();
      };
      if (lifetime.signal.aborted) {
        // stopAll came first: nothing may start any more.
        halt('cancelled', new StartupError('STARTUP_CANCELLED', 'startup cancelled by shutdown', []));
      }
      if (signal?.aborted) cancel();
      else signal?.addEventListener('abort', cancel, { once: true });
      log.info('startup_begin', `Starting ${entries.length} components (${mode})`, {
        mode,
        components: entries.length,
      });
      pump();
      return runPromise.finally(() => signal?.removeEventListener('abort', cancel));
    },
    report: () => (frozen === null ? undefined : buildReport()),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stopAll(timeoutMs = STARTUP_ORCHESTRATOR_DEFAULTS.stopAllTimeoutMs) {
      const deadline = clock.now() + timeoutMs;
      stopDeadline = deadline;
      for (const entry of entries) {
        entry.background?.cancel();
        entry.background = null;
      }
      let waited = false;
      if (finishRun !== null && runPromise !== null) {
        waited = true;
        // A start still running rolls itself back; wait for it, within the bound.
        halt('cancelled', new StartupError('STARTUP_CANCELLED', 'startup cancelled by shutdown', []));
        maybeFinish();
        const giveUp = new AbortController();
        await Promise.race([
          runPromise,
          clock.sleep(Math.max(0, deadline - clock.now()), giveUp.signal).catch(() => {}),
        ]);
        giveUp.abort();
      }
      if (!lifetime.signal.aborted)
        lifetime.abort(new StartupError('STARTUP_CANCELLED', 'shutting down', []));
      const rest = await stopEntries(deadline);
      // Stopping a start in progress is its rollback: report what that stopped too.
      if (!waited || rolledBack === null) return rest;
      return {
        stopped: [...rolledBack.stopped, ...rest.stopped],
        timedOut: [...rolledBack.timedOut, ...rest.timedOut],
        failed: [...rolledBack.failed, ...rest.failed],
      };
    },
  };
}
