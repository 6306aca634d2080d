import type { Clock, Timer } from '../clock.ts';
import { GATEWAY_TRACKER_DEFAULTS } from '../health/gateway-tracker.ts';
import type { HealthRegistry } from '../health/health-registry.ts';
import type { StartupReport } from '../startup/types.ts';
import type { AlertEngine } from './alert-engine.ts';
import { createFlapGuard, FLAP_GUARD_DEFAULTS } from './flap-guard.ts';
import { GATEWAY_DEPENDENTS, matchAny } from './inhibition.ts';

export interface HealthAlertSourcesOptions {
  readonly clock: Clock;
  readonly registry: Pick<HealthRegistry, 'onChange' | 'get'>;
  readonly alerts: Pick<AlertEngine, 'raise' | 'clear' | 'hold' | 'release'>;
  /**
   * Alert keys or `prefix*` patterns that follow from the gateway being down: held back
   * from the moment it goes down (not only once it alerts) until it is back, and named in
   * the gateway alert. @default GATEWAY_DEPENDENTS
   */
  readonly gatewayDependents?: readonly string[];
  /** The registry name of the gateway, which alerts only after `gatewayGraceMs`. @default 'discord_gateway' */
  readonly gatewayComponent?: string;
  /** How long the gateway may be down before it alerts (reconnects are routine); `ALERT_GATEWAY_GRACE_MS`. @default 60000 */
  readonly gatewayGraceMs?: number;
  /**
   * Bad observations of a component or task before it alerts (`ALERT_CONSECUTIVE_SAMPLES`);
   * a change of state is one, and so is each `observeEveryMs` it stays bad.
   * @default FLAP_GUARD_DEFAULTS.consecutive (2)
   */
  readonly consecutive?: number;
  /**
   * How long a component or task must stay healthy before its alert resolves (`ALERT_HEALTHY_FOR_MS`).
   * @default FLAP_GUARD_DEFAULTS.healthyForMs (180000, 3 min)
   */
  readonly healthyForMs?: number;
  /** How often a component or task that stays bad counts as observed again: the health-check interval. @default FLAP_GUARD_DEFAULTS.observeEveryMs (30000) */
  readonly observeEveryMs?: number;
  /**
   * Components whose owner raises its own alerts for them (a fleet's shards): their
   * failures raise no component alert here. @default none
   */
  readonly quiet?: (component: string) => boolean;
}

export const HEALTH_ALERT_DEFAULTS = {
  gatewayComponent: GATEWAY_TRACKER_DEFAULTS.component,
  gatewayGraceMs: 60_000,
} as const satisfies Required<Pick<HealthAlertSourcesOptions, 'gatewayComponent' | 'gatewayGraceMs'>>;

export interface HealthAlertSources {
  /** Raises `startup` when the start ended degraded; it resolves once every component is up. */
  startupFinished(report: StartupReport): void;
  dispose(): void;
}

/** `task:name` in the registry becomes the alert key `task.name`; a component `x` becomes `component.x`. */
function alertKey(component: string): string {
  return component.startsWith('task:') ? `task.${component.slice(5)}` : `component.${component}`;
}

/**
 * Turns health changes into alerts: a component or task that fails or degrades, a
 * gateway down past its grace period, a degraded start. A component or task alerts
 * after consecutive bad observations and resolves only after it stayed healthy for a
 * while, so one that flaps fires once and resolves once; the gateway has its grace
 * period. The engine takes care of repeats, silences and sinks.
 */
export function connectHealthAlerts(options: HealthAlertSourcesOptions): HealthAlertSources {
  const { clock, registry, alerts } = options;
  const gatewayName = options.gatewayComponent ?? HEALTH_ALERT_DEFAULTS.gatewayComponent;
  const gatewayGraceMs = options.gatewayGraceMs ?? HEALTH_ALERT_DEFAULTS.gatewayGraceMs;
  let gatewayTimer: Timer | undefined;
  let degradedStart: Set<string> | undefined;
  const dependents = matchAny(options.gatewayDependents ?? GATEWAY_DEPENDENTS);
  const guard = createFlapGuard({
    clock,
    alerts,
    consecutive: options.consecutive ?? FLAP_GUARD_DEFAULTS.consecutive,
    healthyForMs: options.healthyForMs ?? FLAP_GUARD_DEFAULTS.healthyForMs,
    observeEveryMs: options.observeEveryMs ?? FLAP_GUARD_DEFAULTS.observeEveryMs,
  });

  const unsubscribe = registry.onChange(({ name, to, component }) => {
    if (name === gatewayName) {
      if (to === 'ready') {
        gatewayTimer?.cancel();
        gatewayTimer = undefined;
        alerts.clear('gateway');
        alerts.release('gateway');
      } else if ((to === 'failed' || to === 'degraded') && gatewayTimer === undefined) {
        const downSince = clock.now();
        // What follows from the outage waits with it: one alert, not a cascade.
        alerts.hold('gateway', dependents);
        gatewayTimer = clock.setTimeout(
          () => {
            gatewayTimer = undefined;
            if (registry.get(gatewayName)?.state === 'ready') return;
            alerts.raise('gateway', {
              severity: 'critical',
              title: 'Discord gateway down',
              value: `down for ${Math.round((clock.now() - downSince) / 1000)}s`,
              threshold: `${Math.round(gatewayGraceMs / 1000)}s grace`,
            });
          },
          gatewayGraceMs,
          { unref: true },
        );
      }
      return;
    }
    const key = alertKey(name);
    // A quiet component's owner alerts for it; only a degraded start waiting on it is settled here.
    const quiet = options.quiet?.(name) === true;
    if (!quiet && (to === 'failed' || to === 'degraded')) {
      const error = component.last_error?.message ?? component.note;
      guard.bad(key, {
        severity: to === 'failed' && component.critical ? 'critical' : 'warning',
        title: `${name.startsWith('task:') ? 'Task' : 'Component'} '${name.replace(/^task:/, '')}' ${to}`,
        value: error === null ? to : `${to}: ${error}`,
        detail: { component: name, state: to },
      });
    } else if (!quiet && to === 'ready') {
      guard.good(key);
    }
    if (degradedStart !== undefined && to === 'ready') {
      degradedStart.delete(name);
      if (degradedStart.size === 0) {
        degradedStart = undefined;
        alerts.clear('startup');
      }
    }
  });

  return {
    startupFinished(report) {
      if (report.outcome !== 'degraded') return;
      const troubled = report.components.filter((c) => c.status === 'degraded' || c.status === 'skipped');
      degradedStart = new Set(troubled.map((c) => c.name));
      alerts.raise('startup', {
        severity: 'warning',
        title: 'Startup completed degraded',
        value: troubled.map((c) => `${c.name} (${c.status})`).join(', '),
      });
    },
    dispose() {
      unsubscribe();
      alerts.release('gateway');
      gatewayTimer?.cancel();
      guard.dispose();
    },
  };
}
