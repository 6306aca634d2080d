import type { Writable } from 'node:stream';
import type { Config, ConfigWarning } from './config.ts';
import {
  type Clock,
  createLogging,
  createMetrics,
  deferredLogger,
  type Logger,
  type Logging,
  type Metrics,
  type MetricsExposition,
} from './core/index.ts';

export interface BotLoggingOptions {
  readonly clock: Clock;
  readonly version: string;
  /** Where the console sink writes; false turns it off. @default process.stdout */
  readonly console?: boolean | Writable;
  readonly color?: boolean;
  /** Fixed top-level keys on every line (a shard's `shard`). */
  readonly fields?: Readonly<Record<string, number | string>>;
  /** Logged once logging is up. */
  readonly configWarnings?: readonly ConfigWarning[];
}

export interface BotLogging {
  readonly metrics: Metrics | (Metrics & MetricsExposition);
  readonly logging: Logging;
  readonly log: Logger;
  /** Where the sinks report their health, once there is a health registry. */
  onSinkHealth(report: (sink: 'console' | 'file', state: 'ready' | 'degraded', error?: string) => void): void;
}

/**
 * Metrics, then the two log sinks counting their records in them, as the configuration
 * asks: what the one-process bot and the shard manager both start with. Every secret of
 * the configuration is redacted from the start, and the metrics' own errors reach the log.
 */
export async function createBotLogging(config: Config, options: BotLoggingOptions): Promise<BotLogging> {
  let metricsLog: Logger | undefined;
  const metrics = await createMetrics({
    enabled: config.prometheus.enabled,
    version: options.version,
    log: deferredLogger(() => metricsLog),
  });
  let sinkHealth: (sink: 'console' | 'file', state: 'ready' | 'degraded', error?: string) => void = () => {};
  const secrets = [config.discord.token, config.prometheus.authToken, config.heartbeat.url].filter(
    (s): s is string => s !== undefined,
  );
  const logging = createLogging({
    level: config.logging.level,
    file: config.logging.file,
    console: options.console ?? true,
    ...(options.color === undefined ? {} : { color: options.color }),
    rotation: {
      ...(config.logging.rotateMaxBytes > 0 ? { maxBytes: config.logging.rotateMaxBytes } : {}),
      daily: config.logging.rotateDaily,
      keep: config.logging.rotateKeep,
    },
    flushMs: config.logging.flushMs,
    clock: options.clock,
    metrics,
    secrets,
    onSinkHealth: (sink, state, error) => sinkHealth(sink, state, error),
    ...(options.fields === undefined ? {} : { fields: options.fields }),
  });
  const log = logging.logger;
  metricsLog = log.child({ name: 'bot.metrics', subsys: 'metrics' });
  const configLog = log.child({ name: 'bot.config', subsys: 'config' });
  for (const warning of options.configWarnings ?? []) configLog.warning(warning.event, warning.message);
  return {
    metrics,
    logging,
    log,
    onSinkHealth(report) {
      sinkHealth = report;
    },
  };
}
