import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig, readEnvironment } from '../src/config.ts';
import { VARIABLES, type VariableName } from '../src/config-schema.ts';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.planted.secret-token-value';

test("defaults are the guide's when only the token is set", () => {
  const result = loadConfig({ DISCORD_TOKEN: TOKEN });
  assert.ok(result.ok);
  const c = result.config;
  assert.equal(c.startup.parallel, false);
  assert.equal(c.health.enabled, true);
  assert.equal(c.resources.enabled, true);
  assert.equal(c.prometheus.enabled, false);
  assert.equal(c.prometheus.port, 8001);
  assert.equal(c.prometheus.httpServer, true);
  assert.equal(c.prometheus.host, '0.0.0.0');
  assert.deepEqual(c.resources.thresholds, {
    memory_mb: { warning: 1024, critical: 2048 },
    cpu_percent: { warning: 80, critical: 95 },
    event_loop_lag_ms: { warning: 100, critical: 500 },
  });
  assert.equal(c.resources.sampleIntervalMs, 15000);
  assert.equal(c.logging.level, 'info');
  assert.equal(c.logging.file, 'logs/bot.jsonl');
  assert.equal(c.discord.apiUrl, 'https://discord.com/api');
  assert.equal(c.discord.opsChannelId, undefined);
});

test('a missing token is one line naming DISCORD_TOKEN', () => {
  const result = loadConfig({});
  assert.equal(result.ok, false);
  assert.ok(!result.ok);
  assert.equal(result.errors.length, 1);
  assert.match(result.errors[0] ?? '', /^DISCORD_TOKEN is not set/);
});

test('the demo and tests may go without a token', () => {
  assert.ok(loadConfig({}, { requireToken: false }).ok);
});

const BAD: Partial<Record<VariableName, readonly string[]>> = {
  DISCORD_API_URL: ['not a url', 'ftp://x', 'discord.com'],
  DISCORD_GUILD_ID: ['abc', '123', '-1', '12345678901234567890123'],
  OPS_CHANNEL_ID: ['#ops', '1e18'],
  ADMIN_USER_IDS: ['123,456', '12345678901234567,bob'],
  ADMIN_ROLE_IDS: ['@admins'],
  LOG_LEVEL: ['verbose', '3'],
  LOG_ROTATE_MAX_MB: ['-1', 'big', '1.5'],
  LOG_ROTATE_KEEP: ['0', 'seven'],
  LOG_ROTATE_DAILY: ['sometimes'],
  OBS_PARALLEL_STARTUP: ['maybe', '2'],
  OBS_ENABLE_HEALTHCHECKS: ['enabled'],
  OBS_ENABLE_RESOURCE_METRICS: ['y e s'],
  OBS_ENABLE_PROMETHEUS: ['ture'],
  PROMETHEUS_HTTP_SERVER: ['nope'],
  PROMETHEUS_PORT: ['0', '65536', '-80', '80a', '8001.5', 'http'],
  PROMETHEUS_HOST: ['local host', 'http://0.0.0.0'],
  RESOURCE_SAMPLE_INTERVAL_MS: ['99', '-15000', '15s'],
  RESOURCE_MEMORY_WARNING_MB: ['0', '-1', 'lots', 'NaN', 'Infinity'],
  RESOURCE_EVENT_LOOP_LAG_CRITICAL_MS: ['-500'],
  RESOURCE_CPU_WARNING_PERCENT: ['0', 'eighty'],
  ALERT_REPEAT_INTERVAL_MS: ['5', '1h'],
  ALERT_CONSECUTIVE_SAMPLES: ['0', '1.5'],
  OBS_COMMAND_DEFER_MS: ['3000', '10'],
};

test('every bad value is one line naming the variable, its value and the accepted form', () => {
  for (const [name, values] of Object.entries(BAD) as [VariableName, string[]][]) {
    for (const value of values) {
      const result = loadConfig({ DISCORD_TOKEN: TOKEN, [name]: value });
      assert.equal(result.ok, false, `${name}=${value} was accepted`);
      assert.ok(!result.ok);
      const line = result.errors.find((e) => e.startsWith(`${name}:`));
      assert.ok(line, `${name}=${value}: no line names it in ${JSON.stringify(result.errors)}`);
      assert.ok(line.includes(JSON.stringify(value.slice(0, 80))), line);
      assert.match(line, /expected /);
      assert.ok(!line.includes('\n'));
    }
  }
});

test('several bad variables give one line each', () => {
  const result = loadConfig({
    DISCORD_TOKEN: TOKEN,
    PROMETHEUS_PORT: '99999',
    LOG_LEVEL: 'loud',
    OBS_PARALLEL_STARTUP: 'x',
  });
  assert.ok(!result.ok);
  assert.deepEqual(
    result.errors.map((e) => e.split(':')[0]),
    ['LOG_LEVEL', 'OBS_PARALLEL_STARTUP', 'PROMETHEUS_PORT'],
  );
});

test('a critical threshold at or below its warning is refused, naming both', () => {
  for (const [w, c] of [
    ['RESOURCE_MEMORY_WARNING_MB', 'RESOURCE_MEMORY_CRITICAL_MB'],
    ['RESOURCE_CPU_WARNING_PERCENT', 'RESOURCE_CPU_CRITICAL_PERCENT'],
    ['RESOURCE_EVENT_LOOP_LAG_WARNING_MS', 'RESOURCE_EVENT_LOOP_LAG_CRITICAL_MS'],
  ] as const) {
    const result = loadConfig({ DISCORD_TOKEN: TOKEN, [w]: '500', [c]: '500' });
    assert.ok(!result.ok);
    assert.equal(result.errors.length, 1);
    assert.ok(result.errors[0]?.startsWith(`${c}:`) && result.errors[0].includes(w), result.errors[0]);
  }
});

test('the token is never echoed in an error', () => {
  const result = loadConfig({ DISCORD_TOKEN: '   ' });
  assert.ok(!result.ok);
  assert.ok(result.errors.some((e) => e.startsWith('DISCORD_TOKEN')));
  const bad = loadConfig({ DISCORD_TOKEN: TOKEN, PROMETHEUS_PORT: 'x' });
  assert.ok(!bad.ok);
  assert.ok(!JSON.stringify(bad).includes(TOKEN));
});

test('unknown names under the watched prefixes are warned about as typos', () => {
  const result = loadConfig({
    DISCORD_TOKEN: TOKEN,
    OBS_ENABLE_PROMETEUS: 'true',
    RESOURCE_MEM_WARN: '1',
    PATH: '/bin',
  });
  assert.ok(result.ok);
  assert.equal(result.warnings.length, 2);
  assert.match(result.warnings[0] ?? '', /OBS_ENABLE_PROMETEUS is not a known variable/);
});

test('.env is read beneath the environment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  const file = join(dir, '.env');
  writeFileSync(file, 'OPS_CHANNEL_ID=123456789012345678\nPATH=/should/not/win\n');
  const env = readEnvironment(file);
  assert.equal(env.OPS_CHANNEL_ID, '123456789012345678');
  assert.equal(env.PATH, process.env.PATH);
  assert.deepEqual(readEnvironment(join(dir, 'missing.env')).OPS_CHANNEL_ID, process.env.OPS_CHANNEL_ID);
});

test('.env.example lists every variable with its default', () => {
  const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
  for (const [name, variable] of Object.entries(VARIABLES)) {
    const line = example.split('\n').find((l) => l.replace(/^#\s*/, '').startsWith(`${name}=`));
    assert.ok(line, `${name} missing from .env.example`);
    if (variable.default !== undefined && !('secret' in variable)) {
      assert.ok(line.includes(`${name}=${variable.default}`), `${name} default differs: ${line}`);
    }
  }
});

test('OBS_HTTP_AUTH_TOKEN is optional, kept as given, and a bad one is named without being echoed', () => {
  const none = loadConfig({ DISCORD_TOKEN: TOKEN });
  assert.ok(none.ok);
  assert.equal(none.config.prometheus.authToken, undefined);
  const probeToken = 'c0ffee-probe-token-4a5b6c7d8e9f';
  const set = loadConfig({ DISCORD_TOKEN: TOKEN, OBS_HTTP_AUTH_TOKEN: probeToken });
  assert.ok(set.ok);
  assert.equal(set.config.prometheus.authToken, probeToken);
  for (const [bad, problem] of [
    ['short-token', /shorter than 16 characters/],
    ['a token with spaces in it', /a space or a character an HTTP header cannot carry/],
    ['tökén-with-accents-0123456789', /a space or a character an HTTP header cannot carry/],
  ] as const) {
    const result = loadConfig({ DISCORD_TOKEN: TOKEN, OBS_HTTP_AUTH_TOKEN: bad });
    assert.ok(!result.ok, bad);
    assert.equal(result.errors.length, 1);
    const line = result.errors[0] ?? '';
    assert.match(line, /^OBS_HTTP_AUTH_TOKEN: /);
    assert.match(line, problem);
    assert.match(line, /expected a bearer token of at least 16/);
    assert.ok(!line.includes(bad), `the error echoes the token: ${line}`);
  }
});
