import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  EXIT_CONFIG,
  loadConfig,
  THRESHOLD_PAIRS,
  VARIABLES,
  type VariableName,
} from '../../src/discord/index.ts';
import { BOT_TOKEN, runMain } from '../support/running-bot.ts';

/** Wrong values for a variable, chosen from the accepted form it states. */
function badValues(name: VariableName): string[] {
  const form = VARIABLES[name].form;
  if (form === 'true or false') return ['maybe', '2', 'truee', 'yes please'];
  if (form.includes('comma-separated snowflakes')) return ['123', '12345678901234567,abc', '@everyone'];
  if (form.includes('snowflake'))
    return ['123', 'abcdefghijklmnopqr', '123456789012345678901', '<#123456789012345678>'];
  if (form.includes('http(s) URL')) return ['not a url', 'ftp://example.com', 'javascript:alert(1)'];
  if (form.startsWith('debug, info')) return ['verbose', 'INFO!', '5'];
  if (form.includes('host name')) return ['bad host!', 'a b', 'host/path'];
  if (form === 'a file path' || name === 'DISCORD_TOKEN') return ['   ', '\t'];
  if (form.includes('bearer token')) return ['short', 'a token with spaces in it', 'tökén-0123456789abcdef'];
  if (form.includes('whole number')) {
    const bounds = [...form.matchAll(/\d+/g)].map((m) => Number(m[0]));
    const min = bounds[0] ?? 0;
    const out = ['abc', '1.5', '12ms', '0x10', String(min - 1)];
    if (form.includes(' to ')) out.push(String((bounds.at(-1) ?? 0) + 1));
    return out;
  }
  if (form.includes('positive number') || form.includes('percentage'))
    return ['abc', '0', '-5', 'Infinity', '1e999', '0x10', '1e3'];
  return assert.fail(`no bad values known for ${name} (${form}): teach badValues this form`);
}

const names = Object.keys(VARIABLES) as VariableName[];
const GUILD = '123456789012345678';

test('every variable: each wrong value is refused with one line naming it and its accepted form', () => {
  let checked = 0;
  for (const name of names) {
    for (const value of badValues(name)) {
      const result = loadConfig({ DISCORD_TOKEN: BOT_TOKEN, DISCORD_GUILD_ID: GUILD, [name]: value });
      assert.equal(result.ok, false, `${name}=${JSON.stringify(value)} should be refused`);
      if (result.ok) continue;
      assert.equal(result.errors.length, 1, `${name}=${JSON.stringify(value)}: ${result.errors.join(' / ')}`);
      const line = result.errors[0] ?? '';
      assert.ok(line.startsWith(`${name}:`), `names the variable: ${line}`);
      assert.ok(line.includes(VARIABLES[name].form), `states the form: ${line}`);
      assert.ok(!line.includes('\n'));
      checked += 1;
    }
  }
  assert.ok(checked > 4 * names.length, `${checked} values checked`);
});

test('a critical threshold at or below its warning is refused, naming the critical variable', () => {
  for (const [warning, critical] of THRESHOLD_PAIRS) {
    for (const [w, c] of [
      ['50', '50'],
      ['50', '10'],
    ]) {
      const result = loadConfig({
        DISCORD_TOKEN: BOT_TOKEN,
        DISCORD_GUILD_ID: GUILD,
        [warning]: w,
        [critical]: c,
      });
      assert.equal(result.ok, false, `${warning}=${w} ${critical}=${c}`);
      if (!result.ok) {
        assert.equal(result.errors.length, 1);
        assert.match(result.errors[0] ?? '', new RegExp(`^${critical}:.*${warning}`));
      }
    }
  }
});

test('through npm start: exit 78, the variable named, no stack trace, nothing on stdout', async () => {
  const cases: [VariableName, string][] = [
    ['PROMETHEUS_PORT', '70000'],
    ['OBS_ENABLE_PROMETHEUS', 'maybe'],
    ['OPS_CHANNEL_ID', '12345'],
    ['RESOURCE_MEMORY_CRITICAL_MB', '512'],
    ['RESOURCE_SAMPLE_INTERVAL_MS', '50'],
    ['DISCORD_TOKEN', '   '],
  ];
  const results = await Promise.all(
    cases.map(([name, value]) =>
      runMain(
        { DISCORD_TOKEN: BOT_TOKEN, DISCORD_GUILD_ID: GUILD, [name]: value },
        { timeoutMs: 30_000 },
      ).then((r) => ({
        name,
        value,
        r,
      })),
    ),
  );
  for (const { name, value, r } of results) {
    const what = `${name}=${JSON.stringify(value)}`;
    assert.equal(r.code, EXIT_CONFIG, `${what}: exit ${r.code}\n${r.stderr}`);
    assert.equal(r.stdout, '', `${what}: nothing on stdout`);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('config error:'));
    assert.equal(errors.length, 1, `${what}: ${r.stderr}`);
    assert.ok(errors[0]?.includes(name), `${what}: ${errors[0]}`);
    assert.doesNotMatch(r.stderr, /^ {4}at /m, `${what}: no stack trace`);
    assert.ok(!r.stderr.includes(BOT_TOKEN), `${what}: the token is never echoed`);
  }
});
