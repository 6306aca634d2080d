import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CHART_RENDERER_DEFAULTS } from '../src/charts/chart-renderer.ts';
import { VARIABLES, type VariableName } from '../src/config-schema.ts';
import { ALERT_ENGINE_DEFAULTS } from '../src/core/alerts/alert-engine.ts';
import { FLAP_GUARD_DEFAULTS } from '../src/core/alerts/flap-guard.ts';
import { HEALTH_ALERT_DEFAULTS } from '../src/core/alerts/health-alert-sources.ts';
import { CORE_COMPONENTS_DEFAULTS } from '../src/core/core-components.ts';
import { HEARTBEAT_DEFAULTS } from '../src/core/heartbeat/heartbeat.ts';
import { HTTP_SERVER_DEFAULTS } from '../src/core/http/http-server.ts';
import { LOGGING_DEFAULTS } from '../src/core/logging/logging.ts';
import { OBSERVABILITY_DEFAULTS } from '../src/core/manager.ts';
import { METRICS_DEFAULTS } from '../src/core/metrics/create-metrics.ts';
import { RESOURCE_MONITOR_DEFAULTS } from '../src/core/resources/resource-monitor.ts';
import { STARTUP_ORCHESTRATOR_DEFAULTS } from '../src/core/startup/startup-orchestrator.ts';
import { STATE_FILE_DEFAULTS } from '../src/core/state/state-file.ts';
import { COMMAND_ROUTER_DEFAULTS } from '../src/discord/command-router.ts';
import { DISCORD_CLIENT_DEFAULTS } from '../src/discord/discord-client.ts';
import { OPS_CHANNEL_SINK_DEFAULTS } from '../src/discord/ops-channel-sink.ts';

const MIB = 1024 * 1024;
const THRESHOLDS = RESOURCE_MONITOR_DEFAULTS.thresholds;

/**
 * Each variable's default as the module that uses it has it: what a library user gets
 * by leaving the option out. `npm start` must run with the same.
 */
const MODULE_DEFAULTS = {
  DISCORD_API_URL: DISCORD_CLIENT_DEFAULTS.apiUrl,
  OBS_COMMAND_DEFER_MS: COMMAND_ROUTER_DEFAULTS.deferAfterMs,
  LOG_LEVEL: LOGGING_DEFAULTS.level,
  LOG_FILE: LOGGING_DEFAULTS.file,
  LOG_ROTATE_MAX_MB: LOGGING_DEFAULTS.rotation.maxBytes / MIB,
  LOG_ROTATE_DAILY: LOGGING_DEFAULTS.rotation.daily,
  LOG_ROTATE_KEEP: LOGGING_DEFAULTS.rotation.keep,
  LOG_FLUSH_MS: LOGGING_DEFAULTS.flushMs,
  OBS_PARALLEL_STARTUP: STARTUP_ORCHESTRATOR_DEFAULTS.parallel,
  OBS_ENABLE_HEALTHCHECKS: CORE_COMPONENTS_DEFAULTS.healthChecks.enabled,
  OBS_HEALTHCHECK_INTERVAL_MS: CORE_COMPONENTS_DEFAULTS.healthChecks.intervalMs,
  OBS_ENABLE_RESOURCE_METRICS: OBSERVABILITY_DEFAULTS.resources.enabled,
  OBS_SHUTDOWN_TIMEOUT_MS: STARTUP_ORCHESTRATOR_DEFAULTS.stopAllTimeoutMs,
  OBS_TASK_GRACE_MS: CORE_COMPONENTS_DEFAULTS.taskGraceMs,
  OBS_ENABLE_PROMETHEUS: METRICS_DEFAULTS.enabled,
  PROMETHEUS_PORT: HTTP_SERVER_DEFAULTS.port,
  PROMETHEUS_HOST: HTTP_SERVER_DEFAULTS.host,
  RESOURCE_SAMPLE_INTERVAL_MS: RESOURCE_MONITOR_DEFAULTS.sampleIntervalMs,
  RESOURCE_STATS_LOG_INTERVAL_MS: RESOURCE_MONITOR_DEFAULTS.statsEveryMs,
  RESOURCE_MEMORY_WARNING_MB: THRESHOLDS.memory_mb.warning,
  RESOURCE_MEMORY_CRITICAL_MB: THRESHOLDS.memory_mb.critical,
  RESOURCE_EVENT_LOOP_LAG_WARNING_MS: THRESHOLDS.event_loop_lag_ms.warning,
  RESOURCE_EVENT_LOOP_LAG_CRITICAL_MS: THRESHOLDS.event_loop_lag_ms.critical,
  RESOURCE_CPU_WARNING_PERCENT: THRESHOLDS.cpu_percent.warning,
  RESOURCE_CPU_CRITICAL_PERCENT: THRESHOLDS.cpu_percent.critical,
  ALERT_REPEAT_INTERVAL_MS: ALERT_ENGINE_DEFAULTS.repeatIntervalMs,
  ALERT_CONSECUTIVE_SAMPLES: ALERT_ENGINE_DEFAULTS.consecutiveSamples,
  ALERT_GATEWAY_GRACE_MS: HEALTH_ALERT_DEFAULTS.gatewayGraceMs,
  ALERT_CHANNEL_PER_MINUTE: OPS_CHANNEL_SINK_DEFAULTS.budget.perMinute,
  ALERT_HEALTHY_FOR_MS: FLAP_GUARD_DEFAULTS.healthyForMs,
  OBS_CHART_TIMEOUT_MS: CHART_RENDERER_DEFAULTS.timeoutMs,
  ALERT_GROUP_WAIT_MS: OPS_CHANNEL_SINK_DEFAULTS.digestWindowMs,
  OBS_STATE_FILE: STATE_FILE_DEFAULTS.file,
  HEARTBEAT_INTERVAL_MS: HEARTBEAT_DEFAULTS.intervalMs,
} as const satisfies Partial<Record<VariableName, string | number | boolean>>;

/** Read by the bot alone: a library user passes these to the module (or leaves the feature out). */
const BOT_ONLY: readonly VariableName[] = [
  'DISCORD_TOKEN',
  'DISCORD_GUILD_ID',
  'OPS_GUILD_IDS',
  'OPS_CHANNEL_ID',
  'ADMIN_USER_IDS',
  'ADMIN_ROLE_IDS',
  'PROMETHEUS_HTTP_SERVER',
  'OBS_HTTP_AUTH_TOKEN',
  'OBS_ENABLE_CHARTS',
  'HEARTBEAT_URL',
  // Read by the shard manager, which only the bot's own npm start runs.
  'DISCORD_SHARDS',
  'DISCORD_SHARD_IDS',
  'SHARD_STALE_MS',
  'SHARD_READY_TIMEOUT_MS',
  'SHARD_RESPAWN_MAX',
];

const NAMES = Object.keys(VARIABLES) as VariableName[];

/** `NAME=value` in .env.example (commented-out lines included), the value up to the comment. */
function envExampleDefaults(): Map<string, string> {
  const text = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
  const found = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^#?\s*([A-Z][A-Z0-9_]*)=(\S*)/.exec(line);
    if (match?.[1] !== undefined) found.set(match[1], match[2] ?? '');
  }
  return found;
}

/**
 * The README's variables table: a row names one variable or several (`A` / `B`), and
 * its default cell holds one value for all of them or one each, in the same order.
 */
function readmeDefaults(): Map<string, string> {
  const text = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const lines = text.split('\n');
  const header = lines.findIndex((l) => /^\|\s*variable\s*\|\s*default\s*\|/.test(l));
  assert.ok(header >= 0, 'the README has a "| variable | default |" table');
  const found = new Map<string, string>();
  for (const row of lines.slice(header + 2)) {
    if (!row.startsWith('|')) break;
    const [, nameCell = '', defaultCell = ''] = row.split('|');
    const names = [...nameCell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1] ?? '');
    const values = defaultCell
      .trim()
      .split(' / ')
      .map((v) => v.trim().replace(/^`(.*)`$/, '$1'));
    assert.ok(
      values.length === 1 || values.length === names.length,
      `README row for ${names.join(', ')}: ${values.length} defaults for ${names.length} variables`,
    );
    names.forEach((name, i) => {
      found.set(name, values.length === 1 ? (values[0] ?? '') : (values[i] ?? ''));
    });
  }
  return found;
}

describe('one source for every default', () => {
  it('says of every variable whether a module has its default or only the bot reads it', () => {
    const classified = new Set<string>([...Object.keys(MODULE_DEFAULTS), ...BOT_ONLY]);
    assert.deepEqual(
      NAMES.filter((name) => !classified.has(name)),
      [],
      'add the new variable to MODULE_DEFAULTS (with the constant its module reads) or BOT_ONLY',
    );
    assert.deepEqual(
      BOT_ONLY.filter((name) => name in MODULE_DEFAULTS),
      [],
    );
  });

  it('the schema, .env.example and the README table give the module constant for each variable', () => {
    const example = envExampleDefaults();
    const readme = readmeDefaults();
    const problems: string[] = [];
    for (const [name, value] of Object.entries(MODULE_DEFAULTS) as [
      VariableName,
      string | number | boolean,
    ][]) {
      const expected = String(value);
      const places = {
        schema: VARIABLES[name].default,
        '.env.example': example.get(name),
        README: readme.get(name),
      };
      for (const [place, found] of Object.entries(places)) {
        if (found !== expected)
          problems.push(`${name}: ${place} says ${JSON.stringify(found)}, the module ${expected}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('the bot-only defaults agree between the schema, .env.example and the README table too', () => {
    const example = envExampleDefaults();
    const readme = readmeDefaults();
    const problems: string[] = [];
    for (const name of BOT_ONLY) {
      const variable = VARIABLES[name];
      if (variable.default === undefined || ('secret' in variable && variable.secret)) continue;
      if (example.get(name) !== variable.default) problems.push(`${name}: .env.example ${example.get(name)}`);
      if (readme.get(name) !== variable.default) problems.push(`${name}: README ${readme.get(name)}`);
    }
    assert.deepEqual(problems, []);
  });
});
