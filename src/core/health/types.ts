/** A component's lifecycle state in the health registry. */
export type ComponentState = 'starting' | 'ready' | 'degraded' | 'failed' | 'stopped' | 'skipped';

/** The overall status: `ready`, `degraded` or `not_ready`. */
export type OverallStatus = 'ready' | 'degraded' | 'not_ready';

export interface ErrorRecord {
  /** ISO 8601 UTC. */
  readonly at: string;
  /** Already redacted, single line, bounded length. */
  readonly message: string;
}

export interface ComponentHealth {
  readonly name: string;
  readonly state: ComponentState;
  readonly critical: boolean;
  /** Errors recorded since start (not bounded, unlike `errors`). */
  readonly error_count: number;
  readonly last_error: ErrorRecord | null;
  /** The most recent errors, newest last, bounded. */
  readonly errors: readonly ErrorRecord[];
  /** When the state last changed, ISO 8601 UTC. */
  readonly since: string;
  /** True while the component runs on its fallback. */
  readonly fallback_active: boolean;
  /** A short human note about the current state (e.g. "running on fallback", "port 8001 in use"). */
  readonly note: string | null;
}

/**
 * A component as the health snapshot reports it: `status` is the published name for
 * the component's state (dashboards read `components[].status`), `state` the core's.
 */
export interface ComponentStatus extends ComponentHealth {
  readonly status: ComponentState;
}

export type GatewayStatus = 'connecting' | 'ready' | 'reconnecting' | 'disconnected' | 'not_started';

export interface GatewaySnapshot {
  readonly status: GatewayStatus;
  /** Last heartbeat round trip in ms, null before the first ACK. */
  readonly ping_ms: number | null;
  readonly guilds: number;
  readonly reconnects: number;
  /** When the status last changed, ISO 8601 UTC. */
  readonly since: string;
}

/** What `getComprehensiveHealthStatus()` and `GET /healthz` return. */
export interface HealthSnapshot {
  readonly status: OverallStatus;
  /** The process answers and its event loop is not blocked. */
  readonly live: boolean;
  /** Start finished, critical components up, gateway connected. */
  readonly ready: boolean;
  readonly uptime_seconds: number;
  readonly started_at: string;
  readonly checked_at: string;
  readonly version: string;
  readonly components: readonly ComponentStatus[];
  readonly gateway: GatewaySnapshot;
}

/**
 * Fed by the Discord layer from the client's gateway events; implemented by the
 * core's gateway tracker. Any gateway library can drive it.
 */
export interface GatewayObserver {
  connecting(): void;
  ready(guilds: number): void;
  disconnected(code: number | null): void;
  reconnecting(): void;
  resumed(): void;
  ping(ms: number): void;
}
