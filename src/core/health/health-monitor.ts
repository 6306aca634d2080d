import type { Clock } from '../clock.ts';
import type { GatewayTracker } from './gateway-tracker.ts';
import type { HealthRegistry } from './health-registry.ts';
import { computeStatus, type StatusVerdict } from './health-status.ts';
import type { LivenessWatchdog } from './liveness-watchdog.ts';
import type { GatewaySnapshot, HealthSnapshot, OverallStatus, StatusSummary } from './types.ts';

export interface HealthMonitorOptions {
  readonly clock: Clock;
  readonly registry: HealthRegistry;
  /** Absent for a core used without Discord: then the gateway never blocks readiness. */
  readonly gateway?: GatewayTracker;
  /** Absent: the process counts as live whenever it answers. */
  readonly liveness?: Pick<LivenessWatchdog, 'isLive'>;
  readonly version: string;
  /**
   * When the process started, ms since the epoch.
   * @default clock.now() at creation
   */
  readonly startedAt?: number;
}

const NO_GATEWAY: GatewaySnapshot = {
  status: 'not_started',
  ping_ms: null,
  guilds: 0,
  reconnects: 0,
  since: new Date(0).toISOString(),
};

/** Liveness, readiness and the overall status, composed from the registry, the gateway and the watchdog. */
export interface HealthMonitor {
  /** Marks the start sequence finished; from then on the gateway must be connected to be ready. */
  markStartFinished(): void;
  readonly startFinished: boolean;
  isLive(): boolean;
  /** `ready` or `degraded` (what `/readyz` answers 200 to). */
  isReady(): boolean;
  verdict(): StatusVerdict;
  /** The overall status and since when it holds, nothing else. */
  summary(): StatusSummary;
  /** What `getComprehensiveHealthStatus()` and `GET /healthz` return. */
  snapshot(): HealthSnapshot;
}

/** Creates the health monitor. */
export function createHealthMonitor(options: HealthMonitorOptions): HealthMonitor {
  const { clock, registry, gateway, liveness } = options;
  const startedAt = options.startedAt ?? clock.now();
  let startFinished = false;
  // The status is computed on demand; when it last changed is remembered here, updated on
  // every component change (the gateway is mirrored in the registry), at the end of the
  // start and on every read, so a change is dated when it happens, not when it is read.
  let lastStatus: OverallStatus | undefined;
  let statusSince = startedAt;

  const observe = (verdict: StatusVerdict): StatusVerdict => {
    if (verdict.status !== lastStatus) {
      if (lastStatus !== undefined) statusSince = clock.now();
      lastStatus = verdict.status;
    }
    return verdict;
  };

  const verdict = (): StatusVerdict =>
    observe(
      computeStatus({
        components: registry.list(),
        startFinished,
        ...(gateway === undefined ? {} : { gateway: gateway.snapshot() }),
      }),
    );

  verdict();
  registry.onChange(() => {
    verdict();
  });

  return {
    markStartFinished() {
      startFinished = true;
      verdict();
    },
    get startFinished() {
      return startFinished;
    },
    isLive: () => liveness?.isLive() ?? true,
    isReady: () => verdict().ready,
    verdict,
    summary() {
      const { status } = verdict();
      return { status, since: new Date(statusSince).toISOString() };
    },
    snapshot() {
      const now = clock.now();
      const components = registry.list();
      const gatewaySnapshot = gateway?.snapshot();
      const { status, ready } = observe(
        computeStatus({
          components,
          startFinished,
          ...(gatewaySnapshot === undefined ? {} : { gateway: gatewaySnapshot }),
        }),
      );
      return {
        status,
        status_since: new Date(statusSince).toISOString(),
        live: liveness?.isLive() ?? true,
        ready,
        uptime_seconds: Math.max(0, Math.round((now - startedAt) / 100) / 10),
        started_at: new Date(startedAt).toISOString(),
        checked_at: new Date(now).toISOString(),
        version: options.version,
        components: components.map((c) => ({ ...c, status: c.state })),
        gateway: gatewaySnapshot ?? NO_GATEWAY,
      };
    },
  };
}
