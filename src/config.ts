import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import {
  FOREIGN_VARIABLES,
  THRESHOLD_PAIRS,
  VARIABLES,
  type VariableName,
  WATCHED_PREFIXES,
} from './config-schema.ts';
import type { LogLevel } from './core/logging/logger.ts';
import type { ResourceThresholds } from './core/resources/types.ts';

/** The exit code for a configuration error (sysexits' EX_CONFIG). */
export const EXIT_CONFIG = 78;

export interface Config {
  readonly discord: {
    /** Absent only where the caller did not require it (the demo and tests supply their own). */
    readonly token: string | undefined;
    readonly apiUrl: string;
    readonly guildId: string | undefined;
    /**
     * Where the ops commands answer: `DISCORD_GUILD_ID` first, then `OPS_GUILD_IDS`,
     * without repeats. Never empty: a configuration with neither is refused.
     */
    readonly opsGuildIds: readonly string[];
    readonly opsChannelId: string | undefined;
    readonly adminUserIds: readonly string[];
    readonly adminRoleIds: readonly string[];
    readonly deferAfterMs: number;
  };
  readonly logging: {
    readonly level: LogLevel;
    readonly file: string;
    readonly rotateMaxBytes: number;
    readonly rotateDaily: boolean;
    readonly rotateKeep: number;
    /** How long a record below ERROR may wait for its batch, ms; 0 writes each at once. */
    readonly flushMs: number;
  };
  readonly startup: { readonly parallel: boolean };
  readonly health: { readonly enabled: boolean; readonly intervalMs: number; readonly taskGraceMs: number };
  readonly shutdownTimeoutMs: number;
  readonly prometheus: {
    readonly enabled: boolean;
    readonly httpServer: boolean;
    readonly host: string;
    readonly port: number;
    /** `OBS_HTTP_AUTH_TOKEN`: when set, `/metrics` and `/healthz` need `Authorization: Bearer <token>`. */
    readonly authToken: string | undefined;
  };
  readonly resources: {
    readonly enabled: boolean;
    readonly sampleIntervalMs: number;
    readonly statsLogIntervalMs: number;
    readonly thresholds: ResourceThresholds;
  };
  readonly alerts: {
    readonly repeatIntervalMs: number;
    readonly consecutiveSamples: number;
    readonly gatewayGraceMs: number;
    readonly channelPerMinute: number;
    readonly healthyForMs: number;
    /** `ALERT_GROUP_WAIT_MS`: alerts firing within this window go out as one message. */
    readonly groupWaitMs: number;
  };
  /** PNG charts on `/resources`, `/startup` and resource alerts. */
  readonly charts: { readonly enabled: boolean; readonly timeoutMs: number };
  /** `OBS_STATE_FILE`. */
  readonly state: { readonly file: string };
  /** `HEARTBEAT_URL` (absent: no heartbeat) and `HEARTBEAT_INTERVAL_MS`. */
  readonly heartbeat: { readonly url: string | undefined; readonly intervalMs: number };
  readonly sharding: ShardingConfig;
}

/** `DISCORD_SHARDS` and the `SHARD_*` variables. */
export interface ShardingConfig {
  /** 1: one process, as without sharding; more, or `auto`: a shard manager and one process per shard. */
  readonly shards: number | 'auto';
  /** `DISCORD_SHARD_IDS`, sorted; undefined runs every shard. */
  readonly shardIds: readonly number[] | undefined;
  readonly staleMs: number;
  readonly readyTimeoutMs: number;
  readonly respawnMax: number;
  /**
   * Set in a shard process that a shard manager spawned (discord.js's `SHARDING_MANAGER`,
   * `SHARDS` and `SHARD_COUNT`): which shard this process is, of how many.
   */
  readonly child: { readonly id: number; readonly count: number } | undefined;
}

/** Something allowed but probably not meant; logged at start as `event`. */
export interface ConfigWarning {
  readonly event: 'config_unknown_variable' | 'config_unbounded_log' | 'config_insecure_api_url';
  readonly message: string;
}

export type ConfigResult =
  | { readonly ok: true; readonly config: Config; readonly warnings: readonly ConfigWarning[] }
  | { readonly ok: false; readonly errors: readonly string[]; readonly warnings: readonly ConfigWarning[] };

export interface LoadConfigOptions {
  /**
   * `npm start` needs a token and an ops guild (`DISCORD_GUILD_ID` or `OPS_GUILD_IDS`);
   * the demo and tests bring their own. @default true
   */
  readonly requireToken?: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;
type Values = { -readonly [K in VariableName]: unknown };

/**
 * Reads the environment into a typed, validated {@link Config}. Each bad variable
 * yields one line naming it, the problem and the accepted form; a secret's value is
 * never repeated.
 */
export function loadConfig(env: Env, options: LoadConfigOptions = {}): ConfigResult {
  const errors: string[] = [];
  const warnings: ConfigWarning[] = [];
  const values = {} as Values;

  for (const [name, variable] of Object.entries(VARIABLES) as [
    VariableName,
    (typeof VARIABLES)[VariableName],
  ][]) {
    const given = env[name];
    const raw = given === undefined || given === '' ? variable.default : given;
    if (raw === undefined) {
      values[name] = undefined;
      continue;
    }
    const parsed = variable.parse(raw);
    if (parsed.ok) {
      values[name] = parsed.value;
    } else {
      const problem = parsed.problem;
      const shown = 'secret' in variable && variable.secret ? '' : ` ${JSON.stringify(raw.slice(0, 80))}`;
      errors.push(`${name}:${shown} ${problem}; expected ${variable.form}`);
    }
  }

  if ((options.requireToken ?? true) && values.DISCORD_TOKEN === undefined && errors.length === 0) {
    errors.push('DISCORD_TOKEN is not set: put the bot token in .env or the environment (see .env.example)');
  }

  for (const [warningName, criticalName] of THRESHOLD_PAIRS) {
    const warning = values[warningName];
    const critical = values[criticalName];
    if (typeof warning === 'number' && typeof critical === 'number' && critical <= warning) {
      errors.push(
        `${criticalName}: ${critical} is not above ${warningName} (${warning}); expected a critical threshold greater than the warning one`,
      );
    }
  }

  const guilds = values.OPS_GUILD_IDS as readonly string[] | undefined;
  const noGuild = values.DISCORD_GUILD_ID === undefined && (guilds?.length ?? 0) === 0;
  if (
    (options.requireToken ?? true) &&
    noGuild &&
    !names(errors, 'DISCORD_GUILD_ID') &&
    !names(errors, 'OPS_GUILD_IDS')
  ) {
    errors.push(
      'DISCORD_GUILD_ID and OPS_GUILD_IDS: neither is set, so the ops commands would have no guild to answer in; set DISCORD_GUILD_ID to the id of the server the bot is run from (or list guilds in OPS_GUILD_IDS)',
    );
  }

  errors.push(...shardingErrors(values, errors));
  const child = shardChild(env);
  if (typeof child === 'string') errors.push(child);

  if (values.LOG_ROTATE_MAX_MB === 0 && values.LOG_ROTATE_DAILY === false) {
    warnings.push({
      event: 'config_unbounded_log',
      message:
        'LOG_ROTATE_MAX_MB is 0 and LOG_ROTATE_DAILY is false: the JSON log file grows without bound (rotate it with logrotate, or set one of them)',
    });
  }

  if (typeof values.DISCORD_API_URL === 'string' && isPlainHttpToRemote(values.DISCORD_API_URL)) {
    warnings.push({
      event: 'config_insecure_api_url',
      message:
        'DISCORD_API_URL uses plain http:// to a host that is not this machine: the bot token crosses the network unencrypted',
    });
  }

  for (const name of Object.keys(env)) {
    if (
      WATCHED_PREFIXES.some((p) => name.startsWith(p)) &&
      !(name in VARIABLES) &&
      !FOREIGN_VARIABLES.includes(name)
    ) {
      warnings.push({
        event: 'config_unknown_variable',
        message: `${name} is not a known variable (a typo?); it is ignored. See .env.example`,
      });
    }
  }

  if (errors.length > 0) return { ok: false, errors, warnings };
  return {
    ok: true,
    config: toConfig(values, typeof child === 'object' ? child : undefined),
    warnings,
  };
}

/** `DISCORD_SHARD_IDS` against `DISCORD_SHARDS`: only with a fixed total above 1, and every id below it. */
function shardingErrors(values: Values, errors: readonly string[]): string[] {
  const ids = values.DISCORD_SHARD_IDS as readonly number[] | undefined;
  const total = values.DISCORD_SHARDS as number | 'auto' | undefined;
  if (ids === undefined || total === undefined || names(errors, 'DISCORD_SHARDS')) return [];
  if (total === 'auto') {
    return [
      'DISCORD_SHARD_IDS: cannot be combined with DISCORD_SHARDS=auto, since the recommended count may change between starts; set DISCORD_SHARDS to the fleet’s total (the same on every machine)',
    ];
  }
  if (total === 1) {
    return [
      'DISCORD_SHARD_IDS: is set but DISCORD_SHARDS is 1 (one process); set DISCORD_SHARDS to the fleet’s total shard count',
    ];
  }
  const outside = ids.filter((id) => id >= total);
  if (outside.length === 0) return [];
  return [
    `DISCORD_SHARD_IDS: shard ${outside.slice(0, 5).join(', ')}${outside.length > 5 ? ', …' : ''} out of range for DISCORD_SHARDS=${total}; expected ids from 0 to ${total - 1}`,
  ];
}

/**
 * The shard this process is, when a shard manager spawned it: discord.js sets
 * `SHARDING_MANAGER`, `SHARDS` (the id) and `SHARD_COUNT` in each shard's environment.
 * A string is an error line.
 */
function shardChild(env: Env): { id: number; count: number } | string | undefined {
  if (env.SHARDING_MANAGER !== 'true' || env.SHARDS === undefined) return undefined;
  const id = Number(env.SHARDS);
  const count = Number(env.SHARD_COUNT);
  if (!Number.isInteger(id) || !Number.isInteger(count) || id < 0 || count < 1 || id >= count) {
    return `SHARDS: ${JSON.stringify(env.SHARDS.slice(0, 20))} with SHARD_COUNT ${JSON.stringify((env.SHARD_COUNT ?? '').slice(0, 20))} is not one shard of the fleet; expected what the shard manager sets, one id below the count`;
  }
  return { id, count };
}

function names(errors: readonly string[], variable: VariableName): boolean {
  return errors.some((line) => line.startsWith(`${variable}:`));
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

function isPlainHttpToRemote(url: string): boolean {
  const parsed = new URL(url);
  return parsed.protocol === 'http:' && !LOOPBACK.test(parsed.hostname);
}

function toConfig(v: Values, child: { id: number; count: number } | undefined): Config {
  const num = (name: VariableName): number => v[name] as number;
  const flag = (name: VariableName): boolean => v[name] as boolean;
  const str = (name: VariableName): string => v[name] as string;
  const opt = (name: VariableName): string | undefined => v[name] as string | undefined;
  const ids = (name: VariableName): readonly string[] => v[name] as readonly string[];
  return {
    discord: {
      token: opt('DISCORD_TOKEN'),
      apiUrl: str('DISCORD_API_URL'),
      guildId: opt('DISCORD_GUILD_ID'),
      opsGuildIds: [...new Set([opt('DISCORD_GUILD_ID'), ...ids('OPS_GUILD_IDS')])].filter(
        (id): id is string => id !== undefined,
      ),
      opsChannelId: opt('OPS_CHANNEL_ID'),
      adminUserIds: ids('ADMIN_USER_IDS'),
      adminRoleIds: ids('ADMIN_ROLE_IDS'),
      deferAfterMs: num('OBS_COMMAND_DEFER_MS'),
    },
    logging: {
      level: v.LOG_LEVEL as LogLevel,
      file: str('LOG_FILE'),
      rotateMaxBytes: num('LOG_ROTATE_MAX_MB') * 1024 * 1024,
      rotateDaily: flag('LOG_ROTATE_DAILY'),
      rotateKeep: num('LOG_ROTATE_KEEP'),
      flushMs: num('LOG_FLUSH_MS'),
    },
    startup: { parallel: flag('OBS_PARALLEL_STARTUP') },
    health: {
      enabled: flag('OBS_ENABLE_HEALTHCHECKS'),
      intervalMs: num('OBS_HEALTHCHECK_INTERVAL_MS'),
      taskGraceMs: num('OBS_TASK_GRACE_MS'),
    },
    shutdownTimeoutMs: num('OBS_SHUTDOWN_TIMEOUT_MS'),
    prometheus: {
      enabled: flag('OBS_ENABLE_PROMETHEUS'),
      httpServer: flag('PROMETHEUS_HTTP_SERVER'),
      host: str('PROMETHEUS_HOST'),
      port: num('PROMETHEUS_PORT'),
      authToken: opt('OBS_HTTP_AUTH_TOKEN'),
    },
    resources: {
      enabled: flag('OBS_ENABLE_RESOURCE_METRICS'),
      sampleIntervalMs: num('RESOURCE_SAMPLE_INTERVAL_MS'),
      statsLogIntervalMs: num('RESOURCE_STATS_LOG_INTERVAL_MS'),
      thresholds: {
        memory_mb: {
          warning: num('RESOURCE_MEMORY_WARNING_MB'),
          critical: num('RESOURCE_MEMORY_CRITICAL_MB'),
        },
        cpu_percent: {
          warning: num('RESOURCE_CPU_WARNING_PERCENT'),
          critical: num('RESOURCE_CPU_CRITICAL_PERCENT'),
        },
        event_loop_lag_ms: {
          warning: num('RESOURCE_EVENT_LOOP_LAG_WARNING_MS'),
          critical: num('RESOURCE_EVENT_LOOP_LAG_CRITICAL_MS'),
        },
      },
    },
    alerts: {
      repeatIntervalMs: num('ALERT_REPEAT_INTERVAL_MS'),
      consecutiveSamples: num('ALERT_CONSECUTIVE_SAMPLES'),
      gatewayGraceMs: num('ALERT_GATEWAY_GRACE_MS'),
      channelPerMinute: num('ALERT_CHANNEL_PER_MINUTE'),
      healthyForMs: num('ALERT_HEALTHY_FOR_MS'),
      groupWaitMs: num('ALERT_GROUP_WAIT_MS'),
    },
    charts: { enabled: flag('OBS_ENABLE_CHARTS'), timeoutMs: num('OBS_CHART_TIMEOUT_MS') },
    state: { file: str('OBS_STATE_FILE') },
    heartbeat: { url: opt('HEARTBEAT_URL'), intervalMs: num('HEARTBEAT_INTERVAL_MS') },
    sharding: {
      shards: v.DISCORD_SHARDS as number | 'auto',
      shardIds: v.DISCORD_SHARD_IDS as readonly number[] | undefined,
      staleMs: num('SHARD_STALE_MS'),
      readyTimeoutMs: num('SHARD_READY_TIMEOUT_MS'),
      respawnMax: num('SHARD_RESPAWN_MAX'),
      child,
    },
  };
}

/**
 * The process environment with `.env` (when present) underneath it: a variable
 * set in the environment wins over the file. The only place that reads `process.env`.
 */
export function readEnvironment(envFile = '.env'): Env {
  const fromFile = existsSync(envFile) ? parseEnv(readFileSync(envFile, 'utf8')) : {};
  return { ...fromFile, ...process.env };
}
