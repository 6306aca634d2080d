import { isIP } from 'node:net';
import { CHART_RENDERER_DEFAULTS } from './charts/chart-renderer.ts';
import { HEARTBEAT_DEFAULTS } from './core/heartbeat/heartbeat.ts';
import { HTTP_SERVER_DEFAULTS } from './core/http/http-server.ts';
import { LOGGING_DEFAULTS } from './core/logging/logging.ts';
import { OBSERVABILITY_DEFAULTS } from './core/manager.ts';
import { METRICS_DEFAULTS } from './core/metrics/create-metrics.ts';
import { RESOURCE_MONITOR_DEFAULTS } from './core/resources/resource-monitor.ts';
import { STATE_FILE_DEFAULTS } from './core/state/state-file.ts';
import { COMMAND_ROUTER_DEFAULTS } from './discord/command-router.ts';
import { DISCORD_CLIENT_DEFAULTS } from './discord/discord-client.ts';
import { OPS_CHANNEL_SINK_DEFAULTS } from './discord/ops-channel-sink.ts';

/**
 * Every environment variable the bot reads: its default, the accepted form (said
 * back in errors) and its parser. A default that a module also has (a library user
 * calling the module without the option gets it) is read from that module's
 * `*_DEFAULTS`, never written here a second time. `.env.example` and the README
 * list the same names and defaults; a test keeps them in step.
 */
export interface VariableSpec<T> {
  readonly default: string | undefined;
  /** The accepted form, as an error message states it. */
  readonly form: string;
  readonly parse: VariableParser<T>;
  /** Never echo the value back (tokens). */
  readonly secret?: boolean;
}

/** Reads one variable's text: its value, or the problem as an error message states it. */
export type VariableParser<T> = (raw: string) => { ok: true; value: T } | { ok: false; problem: string };

/** What a reader returns for a value it refuses: the problem, as an error message states it. */
class Refusal {
  readonly problem: string;
  constructor(problem: string) {
    this.problem = problem;
  }
}

const refuse = (problem: string): Refusal => new Refusal(problem);

/**
 * A {@link VariableParser} from a reader that returns the value or `refuse(problem)`.
 * Every variable has its own small reader; a schema library would only wrap them.
 */
function parser<T>(read: (raw: string) => T | Refusal): VariableParser<T> {
  return (raw) => {
    const value = read(raw);
    return value instanceof Refusal ? { ok: false, problem: value.problem } : { ok: true, value };
  };
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

const bool = parser((raw) => {
  const v = raw.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  return refuse('is not a boolean');
});

function int(min: number, max: number) {
  return parser((raw) => {
    const v = raw.trim();
    if (!/^-?\d+$/.test(v)) {
      return refuse('is not a whole number');
    }
    const n = Number(v);
    if (n < min || n > max) {
      return refuse(`is out of range`);
    }
    return n;
  });
}

/** Plain decimal only: `Number()` would also take `0x10`, `1e3` and `0b1`, which nobody means. */
const DECIMAL = /^\d+(\.\d+)?$/;

function positiveNumber(max: number) {
  return parser((raw) => {
    const v = raw.trim();
    const n = Number(v);
    if (!DECIMAL.test(v) || !Number.isFinite(n)) {
      return refuse('is not a number');
    }
    if (n <= 0 || n > max) {
      return refuse('is out of range');
    }
    return n;
  });
}

const SNOWFLAKE = /^\d{17,20}$/;

const snowflake = parser((raw) => {
  const v = raw.trim();
  if (!SNOWFLAKE.test(v)) {
    return refuse('is not a Discord snowflake');
  }
  return v;
});

const snowflakeList = parser((raw) => {
  const ids = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const bad = ids.filter((id) => !SNOWFLAKE.test(id));
  if (bad.length > 0) {
    return refuse(`holds ${bad.length} malformed id(s)`);
  }
  return Object.freeze(ids);
});

const httpUrl = parser((raw) => {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return refuse('is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return refuse('is not an http(s) URL');
  }
  return url.toString().replace(/\/+$/, '');
});

const nonEmpty = parser((raw) => {
  const v = raw.trim();
  if (v === '') {
    return refuse('is empty');
  }
  return v;
});

const BEARER_MIN_LENGTH = 16;

/** A bearer token: visible ASCII without spaces, as an `Authorization` header carries it, and not guessable by its length. */
const bearerToken = parser((raw) => {
  const v = raw.trim();
  if (v.length < BEARER_MIN_LENGTH) {
    return refuse(`is shorter than ${BEARER_MIN_LENGTH} characters`);
  }
  if (!/^[\x21-\x7e]+$/.test(v)) {
    return refuse('holds a space or a character an HTTP header cannot carry');
  }
  return v;
});

const logLevel = parser((raw) => {
  const v = raw.trim().toLowerCase();
  const alias: Record<string, 'debug' | 'info' | 'warning' | 'error' | 'critical'> = {
    debug: 'debug',
    info: 'info',
    warning: 'warning',
    warn: 'warning',
    error: 'error',
    critical: 'critical',
  };
  const level = alias[v];
  if (level === undefined) {
    return refuse('is not a log level');
  }
  return level;
});

/** The Discord token, without the `Bot ` prefix some people paste with it. */
const token = parser((raw) => {
  const v = raw.trim().replace(/^Bot\s+/i, '');
  if (v === '' || /\s/.test(v)) {
    return refuse(v === '' ? 'is empty' : 'holds white space');
  }
  return v;
});

const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** A name or an IP literal to bind; `[::1]` is taken as `::1`, which is what `listen()` wants. */
const host = parser((raw) => {
  const v = raw.trim();
  const bare = /^\[.*\]$/.test(v) ? v.slice(1, -1) : v;
  if (isIP(bare) !== 0 || (bare === v && HOST_NAME.test(v))) return bare;
  return refuse('is not a host name or IP address');
});

/** The most shards one fleet may declare; Discord's largest bots run a few thousand. */
export const MAX_SHARDS = 16_384;

/** `DISCORD_SHARDS`: a whole number of shards, or `auto` for the count Discord recommends. */
const shardCount = parser((raw): number | 'auto' | Refusal => {
  const v = raw.trim().toLowerCase();
  if (v === 'auto') return 'auto';
  if (!/^\d+$/.test(v)) {
    return refuse('is neither a whole number nor auto');
  }
  const n = Number(v);
  if (n < 1 || n > MAX_SHARDS) {
    return refuse('is out of range');
  }
  return n;
});

/**
 * `DISCORD_SHARD_IDS`: ids and ranges, `0-3` or `4,5,6,7` or `0-3,8-11`, sorted on the
 * way out. A malformed item or an id listed twice (overlapping ranges) is refused.
 */
const shardIdList = parser((raw): readonly number[] | Refusal => {
  const ids: number[] = [];
  for (const item of raw.split(',').map((s) => s.trim())) {
    const match = /^(\d{1,5})(?:\s*-\s*(\d{1,5}))?$/.exec(item);
    const from = Number(match?.[1]);
    const to = match?.[2] === undefined ? from : Number(match[2]);
    if (match === null || to < from) {
      return refuse(
        `holds ${JSON.stringify(item.slice(0, 20))}, which is not a shard id or a range such as 4-7`,
      );
    }
    for (let id = from; id <= to; id += 1) ids.push(id);
  }
  const seen = new Set<number>();
  for (const id of ids) {
    if (seen.has(id)) {
      return refuse(`lists shard ${id} twice (overlapping ranges?)`);
    }
    seen.add(id);
  }
  return Object.freeze(ids.sort((a, b) => a - b));
});

const BOOL = 'true or false';
const MS = (min: number) => `a whole number of milliseconds, at least ${min}`;

function spec<T>(
  given: string | number | boolean | undefined,
  form: string,
  parse: VariableParser<T>,
  secret = false,
): VariableSpec<T> {
  const d = given === undefined ? undefined : String(given);
  return secret ? { default: d, form, parse, secret } : { default: d, form, parse };
}

const MIB = 1024 * 1024;
const LOG_ROTATION = LOGGING_DEFAULTS.rotation;
const THRESHOLDS = RESOURCE_MONITOR_DEFAULTS.thresholds;
const CORE = OBSERVABILITY_DEFAULTS;

export const VARIABLES = {
  // Discord
  DISCORD_TOKEN: spec(undefined, 'the bot token from the Developer Portal', token, true),
  DISCORD_API_URL: spec(
    DISCORD_CLIENT_DEFAULTS.apiUrl,
    'an http(s) URL such as https://discord.com/api',
    httpUrl,
  ),
  DISCORD_GUILD_ID: spec(undefined, 'a snowflake (17 to 20 digits)', snowflake),
  OPS_GUILD_IDS: spec('', 'comma-separated snowflakes', snowflakeList),
  OPS_CHANNEL_ID: spec(undefined, 'a snowflake (17 to 20 digits)', snowflake),
  ADMIN_USER_IDS: spec('', 'comma-separated snowflakes', snowflakeList),
  ADMIN_ROLE_IDS: spec('', 'comma-separated snowflakes', snowflakeList),
  OBS_COMMAND_DEFER_MS: spec(
    COMMAND_ROUTER_DEFAULTS.deferAfterMs,
    'a whole number of milliseconds from 100 to 2500',
    int(100, 2500),
  ),
  // Logging
  LOG_LEVEL: spec(LOGGING_DEFAULTS.level, 'debug, info, warning, error or critical', logLevel),
  LOG_FILE: spec(LOGGING_DEFAULTS.file, 'a file path', nonEmpty),
  LOG_ROTATE_MAX_MB: spec(
    LOG_ROTATION.maxBytes / MIB,
    'a whole number of megabytes from 0 (off) to 10240',
    int(0, 10240),
  ),
  LOG_ROTATE_DAILY: spec(LOG_ROTATION.daily, BOOL, bool),
  LOG_ROTATE_KEEP: spec(LOG_ROTATION.keep, 'a whole number of files from 1 to 1000', int(1, 1000)),
  LOG_FLUSH_MS: spec(
    LOGGING_DEFAULTS.flushMs,
    'a whole number of milliseconds from 0 (each record at once) to 60000',
    int(0, 60_000),
  ),
  // Core observability
  OBS_PARALLEL_STARTUP: spec(CORE.parallelStartup, BOOL, bool),
  OBS_ENABLE_HEALTHCHECKS: spec(CORE.healthChecks.enabled, BOOL, bool),
  OBS_ENABLE_RESOURCE_METRICS: spec(CORE.resources.enabled, BOOL, bool),
  OBS_HEALTHCHECK_INTERVAL_MS: spec(CORE.healthChecks.intervalMs, MS(1000), int(1000, 86_400_000)),
  OBS_SHUTDOWN_TIMEOUT_MS: spec(
    CORE.shutdownTimeoutMs,
    'a whole number of milliseconds from 1000 to 60000',
    int(1000, 60_000),
  ),
  OBS_TASK_GRACE_MS: spec(CORE.taskGraceMs, MS(1000), int(1000, 86_400_000)),
  // Prometheus
  OBS_ENABLE_PROMETHEUS: spec(METRICS_DEFAULTS.enabled, BOOL, bool),
  PROMETHEUS_PORT: spec(HTTP_SERVER_DEFAULTS.port, 'a whole number from 1 to 65535', int(1, 65_535)),
  PROMETHEUS_HOST: spec(
    HTTP_SERVER_DEFAULTS.host,
    'a host name or IP address to bind, such as 0.0.0.0, 127.0.0.1, :: or [::1]',
    host,
  ),
  PROMETHEUS_HTTP_SERVER: spec('true', BOOL, bool),
  OBS_HTTP_AUTH_TOKEN: spec(
    undefined,
    `a bearer token of at least ${BEARER_MIN_LENGTH} visible ASCII characters without spaces, e.g. from \`openssl rand -hex 32\``,
    bearerToken,
    true,
  ),
  // Resources
  RESOURCE_SAMPLE_INTERVAL_MS: spec(CORE.resources.sampleIntervalMs, MS(100), int(100, 86_400_000)),
  RESOURCE_STATS_LOG_INTERVAL_MS: spec(CORE.resources.statsLogIntervalMs, MS(1000), int(1000, 86_400_000)),
  RESOURCE_MEMORY_WARNING_MB: spec(
    THRESHOLDS.memory_mb.warning,
    'a positive number of megabytes',
    positiveNumber(1_048_576),
  ),
  RESOURCE_MEMORY_CRITICAL_MB: spec(
    THRESHOLDS.memory_mb.critical,
    'a positive number of megabytes',
    positiveNumber(1_048_576),
  ),
  RESOURCE_EVENT_LOOP_LAG_WARNING_MS: spec(
    THRESHOLDS.event_loop_lag_ms.warning,
    'a positive number of milliseconds',
    positiveNumber(3_600_000),
  ),
  RESOURCE_EVENT_LOOP_LAG_CRITICAL_MS: spec(
    THRESHOLDS.event_loop_lag_ms.critical,
    'a positive number of milliseconds',
    positiveNumber(3_600_000),
  ),
  RESOURCE_CPU_WARNING_PERCENT: spec(
    THRESHOLDS.cpu_percent.warning,
    'a percentage above 0 and at most 6400',
    positiveNumber(6400),
  ),
  RESOURCE_CPU_CRITICAL_PERCENT: spec(
    THRESHOLDS.cpu_percent.critical,
    'a percentage above 0 and at most 6400',
    positiveNumber(6400),
  ),
  // Alerts
  ALERT_REPEAT_INTERVAL_MS: spec(CORE.alerts.repeatIntervalMs, MS(10_000), int(10_000, 604_800_000)),
  ALERT_CONSECUTIVE_SAMPLES: spec(
    CORE.alerts.consecutiveSamples,
    'a whole number from 1 to 100',
    int(1, 100),
  ),
  ALERT_GATEWAY_GRACE_MS: spec(CORE.alerts.gatewayGraceMs, MS(0), int(0, 86_400_000)),
  ALERT_CHANNEL_PER_MINUTE: spec(
    OPS_CHANNEL_SINK_DEFAULTS.budget.perMinute,
    'a whole number from 1 to 60',
    int(1, 60),
  ),
  ALERT_HEALTHY_FOR_MS: spec(CORE.alerts.healthyForMs, MS(0), int(0, 86_400_000)),
  // Charts
  OBS_ENABLE_CHARTS: spec('true', BOOL, bool),
  OBS_CHART_TIMEOUT_MS: spec(
    CHART_RENDERER_DEFAULTS.timeoutMs,
    'a whole number of milliseconds from 100 to 10000',
    int(100, 10_000),
  ),
  ALERT_GROUP_WAIT_MS: spec(
    OPS_CHANNEL_SINK_DEFAULTS.digestWindowMs,
    'a whole number of milliseconds from 0 to 600000',
    int(0, 600_000),
  ),
  // State across restarts
  OBS_STATE_FILE: spec(STATE_FILE_DEFAULTS.file, 'a file path', nonEmpty),
  // External heartbeat (dead man's switch)
  HEARTBEAT_URL: spec(undefined, 'an http(s) URL such as https://hc-ping.com/<uuid>', httpUrl, true),
  HEARTBEAT_INTERVAL_MS: spec(HEARTBEAT_DEFAULTS.intervalMs, MS(1000), int(1000, 86_400_000)),
  // Sharding
  DISCORD_SHARDS: spec(
    '1',
    `1 (one process), a whole number of shards up to ${MAX_SHARDS}, or auto`,
    shardCount,
  ),
  DISCORD_SHARD_IDS: spec(
    undefined,
    'shard ids (whole numbers below DISCORD_SHARDS) and ranges, such as 0-3 or 4,5,6,7',
    shardIdList,
  ),
  SHARD_STALE_MS: spec('60000', MS(1000), int(1000, 86_400_000)),
  SHARD_READY_TIMEOUT_MS: spec('120000', MS(1000), int(1000, 86_400_000)),
  SHARD_RESPAWN_MAX: spec('5', 'a whole number of respawns per shard per hour, from 0 to 1000', int(0, 1000)),
} as const satisfies Record<string, VariableSpec<unknown>>;

export type VariableName = keyof typeof VARIABLES;

/** The prefixes whose unknown names are warned about as likely typos. */
export const WATCHED_PREFIXES = [
  'OBS_',
  'RESOURCE_',
  'PROMETHEUS_',
  'ALERT_',
  'DISCORD_',
  'ADMIN_',
  'OPS_',
  'LOG_',
  'HEARTBEAT_',
  'SHARD_',
] as const;

/**
 * Names under a watched prefix that are not ours but expected: discord.js's
 * ShardingManager puts `SHARD_COUNT` in every shard's environment.
 */
export const FOREIGN_VARIABLES: readonly string[] = ['SHARD_COUNT'];

/** Pairs whose critical value must exceed the warning value. */
export const THRESHOLD_PAIRS = [
  ['RESOURCE_MEMORY_WARNING_MB', 'RESOURCE_MEMORY_CRITICAL_MB'],
  ['RESOURCE_EVENT_LOOP_LAG_WARNING_MS', 'RESOURCE_EVENT_LOOP_LAG_CRITICAL_MS'],
  ['RESOURCE_CPU_WARNING_PERCENT', 'RESOURCE_CPU_CRITICAL_PERCENT'],
] as const satisfies readonly (readonly [VariableName, VariableName])[];
