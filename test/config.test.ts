import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig, readEnvironment } from '../src/config.ts';
import { VARIABLES, type VariableName } from '../src/config-schema.ts';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.planted.secret-token-value';

const GUILD = '123456789012345678';

test('defaults when only the token and the home guild are set', () => {
  const result = loadConfig({ DISCORD_TOKEN: TOKEN, DISCORD_GUILD_ID: GUILD });
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
  assert.deepEqual(c.discord.opsGuildIds, [GUILD]);
});

test('a missing token is one line naming DISCORD_TOKEN', () => {
  const result = loadConfig({ DISCORD_GUILD_ID: GUILD });
  assert.equal(result.ok, false);
  assert.ok(!result.ok);
  assert.equal(result.errors.length, 1);
  assert.match(result.errors[0] ?? '', /^DISCORD_TOKEN is not set/);
});

test('with neither DISCORD_GUILD_ID nor OPS_GUILD_IDS the start is refused, naming both', () => {
  const result = loadConfig({ DISCORD_TOKEN: TOKEN });
  assert.ok(!result.ok);
  assert.equal(result.errors.length, 1);
  assert.match(result.errors[0] ?? '', /^DISCORD_GUILD_ID and OPS_GUILD_IDS: neither is set/);
  assert.match(result.errors[0] ?? '', /set DISCORD_GUILD_ID/);
});

test('the ops guilds are the home guild and OPS_GUILD_IDS, without repeats; either alone will do', () => {
  const both = loadConfig({
    DISCORD_TOKEN: TOKEN,
    DISCORD_GUILD_ID: GUILD,
    OPS_GUILD_IDS: `223456789012345678, ${GUILD},323456789012345678`,
  });
  assert.ok(both.ok);
  assert.deepEqual(both.config.discord.opsGuildIds, [GUILD, '223456789012345678', '323456789012345678']);
  const listOnly = loadConfig({ DISCORD_TOKEN: TOKEN, OPS_GUILD_IDS: '223456789012345678' });
  assert.ok(listOnly.ok);
  assert.deepEqual(listOnly.config.discord.opsGuildIds, ['223456789012345678']);
  assert.equal(listOnly.config.discord.guildId, undefined);
});

test('a token pasted with its "Bot " prefix is taken without it', () => {
  const result = loadConfig({ DISCORD_TOKEN: `Bot ${TOKEN}`, DISCORD_GUILD_ID: GUILD });
  assert.ok(result.ok);
  assert.equal(result.config.discord.token, TOKEN);
  const spaced = loadConfig({ DISCORD_TOKEN: 'abc def', DISCORD_GUILD_ID: GUILD });
  assert.ok(!spaced.ok);
  assert.match(spaced.errors[0] ?? '', /^DISCORD_TOKEN: holds white space/);
  assert.ok(!spaced.errors.join('').includes('abc def'));
});

test('PROMETHEUS_HOST takes bracketed IPv6 literals as listen() wants them, and refuses what listen() would not', () => {
  const host = (value: string) =>
    loadConfig({ DISCORD_TOKEN: TOKEN, DISCORD_GUILD_ID: GUILD, PROMETHEUS_HOST: value });
  for (const [given, bound] of [
    ['[::1]', '::1'],
    ['::', '::'],
    ['127.0.0.1', '127.0.0.1'],
    ['metrics.internal', 'metrics.internal'],
  ] as const) {
    const result = host(given);
    assert.ok(result.ok, given);
    assert.equal(result.config.prometheus.host, bound);
  }
  for (const bad of ['[::1', '[metrics.internal]', '-bad-.host', 'a..b', '1.2.3.4:80', '::1]']) {
    const result = host(bad);
    assert.ok(!result.ok, bad);
    assert.match(result.errors[0] ?? '', /^PROMETHEUS_HOST: .* is not a host name or IP address/);
  }
});

test('hexadecimal, binary and exponent forms are refused for every number', () => {
  for (const value of ['0x10', '0b1', '1e3', '0o7', ' ', 'Infinity']) {
    const result = loadConfig({
      DISCORD_TOKEN: TOKEN,
      DISCORD_GUILD_ID: GUILD,
      RESOURCE_MEMORY_WARNING_MB: value,
      RESOURCE_SAMPLE_INTERVAL_MS: value,
    });
    assert.ok(!result.ok, value);
    const named = result.errors.map((e) => e.split(':')[0]);
    assert.ok(named.includes('RESOURCE_MEMORY_WARNING_MB'), `${value}: ${result.errors.join(' | ')}`);
    if (value.trim() !== '') assert.ok(named.includes('RESOURCE_SAMPLE_INTERVAL_MS'), value);
  }
});

test('an unbounded log file and plain http to a remote Discord API are warned about', () => {
  const result = loadConfig({
    DISCORD_TOKEN: TOKEN,
    DISCORD_GUILD_ID: GUILD,
    LOG_ROTATE_MAX_MB: '0',
    LOG_ROTATE_DAILY: 'false',
    DISCORD_API_URL: 'http://proxy.example.net:8080/api',
  });
  assert.ok(result.ok);
  assert.deepEqual(
    result.warnings.map((w) => w.event),
    ['config_unbounded_log', 'config_insecure_api_url'],
  );
  const quiet = loadConfig({
    DISCORD_TOKEN: TOKEN,
    DISCORD_GUILD_ID: GUILD,
    LOG_ROTATE_MAX_MB: '0',
    DISCORD_API_URL: 'http://127.0.0.1:3000/api',
  });
  assert.ok(quiet.ok);
  assert.deepEqual(quiet.warnings, []);
  const localhost = loadConfig({
    DISCORD_TOKEN: TOKEN,
    DISCORD_GUILD_ID: GUILD,
    DISCORD_API_URL: 'http://localhost:3000/api',
  });
  assert.ok(localhost.ok);
  assert.deepEqual(localhost.warnings, []);
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
  LOG_FLUSH_MS: ['-1', 'soon', '60001', '0.5'],
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
  ALERT_HEALTHY_FOR_MS: ['-1', '3m', '86400001'],
  OBS_COMMAND_DEFER_MS: ['3000', '10'],
};

test('every bad value is one line naming the variable, its value and the accepted form', () => {
  for (const [name, values] of Object.entries(BAD) as [VariableName, string[]][]) {
    for (const value of values) {
      const result = loadConfig({ DISCORD_TOKEN: TOKEN, DISCORD_GUILD_ID: GUILD, [name]: value });
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
    DISCORD_GUILD_ID: GUILD,
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
    const result = loadConfig({ DISCORD_TOKEN: TOKEN, DISCORD_GUILD_ID: GUILD, [w]: '500', [c]: '500' });
    assert.ok(!result.ok);
    assert.equal(result.errors.length, 1);
    assert.ok(result.errors[0]?.startsWith(`${c}:`) && result.errors[0].includes(w), result.errors[0]);
  }
});

test('the token is never echoed in an error', () => {
  const result = loadConfig({ DISCORD_TOKEN: '   ' });
  assert.ok(!result.ok);
  assert.ok(result.errors.some((e) => e.startsWith('DISCORD_TOKEN')));
  const bad = loadConfig({ DISCORD_TOKEN: TOKEN, DISCORD_GUILD_ID: GUILD, PROMETHEUS_PORT: 'x' });
  assert.ok(!bad.ok);
  assert.ok(!JSON.stringify(bad).includes(TOKEN));
});

test('unknown names under the watched prefixes are warned about as typos', () => {
  const result = loadConfig({
    DISCORD_TOKEN: TOKEN,
    DISCORD_GUILD_ID: GUILD,
    OBS_ENABLE_PROMETEUS: 'true',
    RESOURCE_MEM_WARN: '1',
    DISCORD_GUILD: GUILD,
    ADMIN_USER_ID: GUILD,
    OPS_GUILD_ID: GUILD,
    LOG_LEVL: 'debug',
    PATH: '/bin',
  });
  assert.ok(result.ok);
  assert.deepEqual(
    result.warnings.map((w) => w.message.split(' ')[0]),
    [
      'OBS_ENABLE_PROMETEUS',
      'RESOURCE_MEM_WARN',
      'DISCORD_GUILD',
      'ADMIN_USER_ID',
      'OPS_GUILD_ID',
      'LOG_LEVL',
    ],
  );
  assert.ok(result.warnings.every((w) => w.event === 'config_unknown_variable'));
  assert.match(result.warnings[0]?.message ?? '', /OBS_ENABLE_PROMETEUS is not a known variable/);
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
  const none = loadConfig({ DISCORD_TOKEN: TOKEN, DISCORD_GUILD_ID: GUILD });
  assert.ok(none.ok);
  assert.equal(none.config.prometheus.authToken, undefined);
  const probeToken = 'c0ffee-probe-token-4a5b6c7d8e9f';
  const set = loadConfig({ DISCORD_TOKEN: TOKEN, DISCORD_GUILD_ID: GUILD, OBS_HTTP_AUTH_TOKEN: probeToken });
  assert.ok(set.ok);
  assert.equal(set.config.prometheus.authToken, probeToken);
  for (const [bad, problem] of [
    ['short-token', /shorter than 16 characters/],
    ['a token with spaces in it', /a space or a character an HTTP header cannot carry/],
    ['tökén-with-accents-0123456789', /a space or a character an HTTP header cannot carry/],
  ] as const) {
    const result = loadConfig({ DISCORD_TOKEN: TOKEN, DISCORD_GUILD_ID: GUILD, OBS_HTTP_AUTH_TOKEN: bad });
    assert.ok(!result.ok, bad);
    assert.equal(result.errors.length, 1);
    const line = result.errors[0] ?? '';
    assert.match(line, /^OBS_HTTP_AUTH_TOKEN: /);
    assert.match(line, problem);
    assert.match(line, /expected a bearer token of at least 16/);
    assert.ok(!line.includes(bad), `the error echoes the token: ${line}`);
  }
});

test('package.json engines asks for the Node the code needs: util.parseEnv (reading .env) arrived in 20.12', () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    engines: { node: string };
  };
  const floor = /^>=(\d+)\.(\d+)/.exec(pkg.engines.node);
  assert.ok(floor, `engines.node is a lower bound: ${pkg.engines.node}`);
  const [major, minor] = [Number(floor[1]), Number(floor[2])];
  assert.ok(
    major > 20 || (major === 20 && minor >= 12),
    `engines.node ${pkg.engines.node} allows a Node without util.parseEnv`,
  );
});
