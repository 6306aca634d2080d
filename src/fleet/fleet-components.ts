import type { REST } from 'discord.js';
import type { AlertEngine } from '../core/alerts/alert-engine.ts';
import type { Clock } from '../core/clock.ts';
import type { HealthRegistry } from '../core/health/health-registry.ts';
import type { HttpServer } from '../core/http/http-server.ts';
import type { Logger } from '../core/logging/logger.ts';
import type { Metrics } from '../core/metrics/metrics.ts';
import type { StartupComponent } from '../core/startup/startup-component.ts';
import { createOpsChannelSink } from '../discord/ops-channel-sink.ts';
import { checkOpsChannel, createRestChannelPoster } from './rest-channel-poster.ts';
import { createShardAlertGrouping } from './shard-alert-grouping.ts';

/** The manager's probe server as a start component: optional, retried once. */
export function httpComponent(http: HttpServer): StartupComponent {
  return {
    name: 'http_server',
    critical: false,
    timeoutMs: 5_000,
    retry: { attempts: 2, baseDelayMs: 1_000 },
    start: () => http.start(),
    stop: () => http.stop(4_000),
  };
}

export interface OpsChannelComponentOptions {
  readonly rest: Pick<REST, 'get' | 'post'>;
  readonly channelId: string;
  readonly alerts: Pick<AlertEngine, 'addSink'>;
  readonly health: Pick<HealthRegistry, 'set'>;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: Metrics;
  /** `ALERT_CHANNEL_PER_MINUTE`: the whole fleet's budget, since only the manager posts. */
  readonly perMinute: number;
}

/**
 * The ops channel as the manager reaches it, over REST: checked at start, then the
 * alerts' sink, with shards going down (or recovering) together grouped into one message.
 * Optional: without it alerts stay in the logs, and it is retried in the background.
 */
export function opsChannelComponent(options: OpsChannelComponentOptions): StartupComponent {
  const { rest, channelId, clock, log } = options;
  let sinkAdded = false;
  return {
    name: 'ops_channel',
    critical: false,
    timeoutMs: 15_000,
    retry: { attempts: 2, baseDelayMs: 2_000, maxDelayMs: 600_000 },
    async start(signal) {
      await checkOpsChannel(rest, channelId, signal);
      if (sinkAdded) return;
      sinkAdded = true;
      options.alerts.addSink(
        createShardAlertGrouping({
          clock,
          inner: createOpsChannelSink({
            post: createRestChannelPoster(rest, channelId),
            clock,
            log,
            metrics: options.metrics,
            budget: { perWindow: 4, windowMs: 5_000, perMinute: options.perMinute },
            onChannelState: (state, note) => options.health.set('ops_channel', state, { note }),
          }),
        }),
      );
    },
    fallback() {
      // Alerts still reach the JSON log and the console; the channel is retried in the background.
    },
  };
}
