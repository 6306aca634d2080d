import type { Clock } from '../clock.ts';
import type { Logger } from '../logging/logger.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { HealthRegistry } from './health-registry.ts';
import type { GatewayObserver, GatewaySnapshot, GatewayStatus } from './types.ts';

export interface GatewayTrackerOptions {
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: Metrics;
  /** When given, the gateway is mirrored there as a critical component. */
  readonly health?: HealthRegistry;
  /**
   * The component name used in `health`.
   * @default 'discord_gateway'
   */
  readonly component?: string;
}

export const GATEWAY_TRACKER_DEFAULTS = {
  component: 'discord_gateway',
} as const satisfies Partial<GatewayTrackerOptions>;

/** The gateway's state as the health monitor reads it; fed by any gateway library through {@link GatewayObserver}. */
export interface GatewayTracker extends GatewayObserver {
  snapshot(): GatewaySnapshot;
  /** True while the gateway is `ready` (connected, identified or resumed). */
  isConnected(): boolean;
}

/**
 * Creates the gateway tracker. A reconnect is counted each time the
 * connection comes back (resumed, or ready again) after having been ready.
 */
export function createGatewayTracker(options: GatewayTrackerOptions): GatewayTracker {
  const { clock, metrics, health } = options;
  const component = options.component ?? GATEWAY_TRACKER_DEFAULTS.component;
  const log = options.log.child({ name: 'discord', subsys: 'discord' });
  let status: GatewayStatus = 'not_started';
  let since = clock.now();
  let ping: number | null = null;
  let guilds = 0;
  let reconnects = 0;
  let everReady = false;
  let lastCode: number | null = null;

  health?.register(component, { critical: true });

  const move = (to: GatewayStatus): boolean => {
    if (status === to) return false;
    status = to;
    since = clock.now();
    return true;
  };

  const connectedAgain = (): void => {
    if (everReady) {
      reconnects += 1;
      metrics.gatewayReconnect();
    }
    everReady = true;
    health?.set(component, 'ready', { note: null });
  };

  return {
    connecting() {
      if (!move('connecting')) return;
      log.info('gateway_connecting', 'Connecting to the Discord gateway', {});
      health?.set(component, 'starting', { note: 'connecting' });
    },

    ready(guildCount) {
      guilds = Math.max(0, Math.trunc(guildCount));
      const wasReady = status === 'ready';
      move('ready');
      if (wasReady) return;
      connectedAgain();
      log.info('gateway_ready', `Discord gateway ready (${guilds} guilds)`, { guilds, reconnects });
    },

    disconnected(code) {
      lastCode = code;
      if (!move('disconnected')) return;
      log.warning('gateway_disconnected', `Discord gateway disconnected (code ${code ?? 'none'})`, {
        code,
      });
      health?.set(component, 'failed', {
        error: new Error(`gateway disconnected (close code ${code ?? 'none'})`),
        note: 'disconnected',
      });
    },

    reconnecting() {
      if (!move('reconnecting')) return;
      log.info('gateway_reconnecting', 'Reconnecting to the Discord gateway', { code: lastCode });
      health?.set(component, 'failed', { note: 'reconnecting' });
    },

    resumed() {
      const wasReady = status === 'ready';
      move('ready');
      if (wasReady) return;
      connectedAgain();
      log.info('gateway_resumed', 'Discord gateway session resumed', { reconnects });
    },

    ping(ms) {
      if (Number.isFinite(ms) && ms >= 0) ping = Math.round(ms);
    },

    snapshot() {
      return {
        status,
        ping_ms: ping,
        guilds,
        reconnects,
        since: new Date(since).toISOString(),
      };
    },

    isConnected: () => status === 'ready',
  };
}
