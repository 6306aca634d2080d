// `npm run demo`: the real bot against the local Discord emulator, no token, no
// internet. Plays an admin running every ops command and a plain member being
// refused, prints each reply as the user would see it, then shows an alert and its
// recovery reaching the ops channel. `--once` exits after the walkthrough; `--shards 4`
// runs the bot as a fleet of four shard processes instead.
import type { APIEmbed } from 'discord-api-types/v10';
import { type Bot, COMMANDS_DIR, startBot } from '../src/bot.ts';
import { EXIT_CONFIG, loadConfig, readEnvironment } from '../src/config.ts';
import { embedToText } from '../src/discord/embed-to-text.ts';
import { loadCommands } from '../src/discord/load-commands.ts';
import { registerCommands } from '../src/discord/register-commands.ts';
import type { Emulator } from '../test/support/emulator/index.ts';
import { startEmulator } from '../test/support/emulator/index.ts';
import type { InvokeCommandInput } from '../test/support/emulator/interaction-payloads.ts';

const once = process.argv.includes('--once');

// `--shards N`: the same walkthrough's fleet version, in sharded mode (scripts/demo-fleet.ts).
const shardsAt = process.argv.indexOf('--shards');
if (shardsAt !== -1) {
  const { runFleetDemo } = await import('./demo-fleet.ts');
  process.exit(await runFleetDemo(process.argv[shardsAt + 1], once));
}
const ansi = process.stdout.isTTY === true && (process.env.NO_COLOR ?? '') === '';
const bold = (text: string): string => (ansi ? `\x1b[1m${text}\x1b[0m` : text);
const dim = (text: string): string => (ansi ? `\x1b[2m${text}\x1b[0m` : text);
const say = (text = ''): void => {
  process.stdout.write(`${text}\n`);
};
const banner = (text: string): void =>
  say(`\n${bold(`━━━ ${text} ${'━'.repeat(Math.max(0, 72 - text.length))}`)}`);

/** A token for the emulator only; it lets the demo show that tokens never reach a log. */
const DEMO_TOKEN = 'ZGVtbw.emulator-only.demo-token-never-logged';

async function run(emulator: Emulator): Promise<Bot> {
  const { ids } = emulator;
  const env = {
    // The demo samples every second so sparklines and the alert show within seconds.
    RESOURCE_SAMPLE_INTERVAL_MS: '1000',
    RESOURCE_STATS_LOG_INTERVAL_MS: '10000',
    OBS_HEALTHCHECK_INTERVAL_MS: '5000',
    OBS_PARALLEL_STARTUP: 'true',
    ...readEnvironment(),
    DISCORD_TOKEN: DEMO_TOKEN,
    DISCORD_API_URL: emulator.apiUrl,
    DISCORD_GUILD_ID: ids.guildId,
    OPS_CHANNEL_ID: ids.opsChannelId,
  };
  const result = loadConfig(env);
  if (!result.ok) {
    for (const error of result.errors) process.stderr.write(`config error: ${error}\n`);
    process.exit(EXIT_CONFIG);
  }

  banner('Registering the slash commands (guild-only, Administrator by default)');
  const commands = await loadCommands(COMMANDS_DIR);
  const registered = await registerCommands({
    apiUrl: emulator.apiUrl,
    token: DEMO_TOKEN,
    guildIds: result.config.discord.opsGuildIds,
    commands,
  });
  say(`${registered.names.map((n) => `/${n}`).join(' ')} → guild ${registered.guildIds.join(', ')}`);

  banner('Starting the bot against the emulator');
  const bot = await startBot(result.config, { configWarnings: result.warnings });
  const { report } = await bot.started;
  if (report.outcome === 'failed') throw new Error('the bot did not start; see the log above');
  await emulator.waitForGateway();
  // A few samples for the sparklines, and the first heartbeat round trip for /health.
  const deadline = Date.now() + 8_000;
  await new Promise((resolve) => setTimeout(resolve, 2_200));
  while (bot.manager.gateway.snapshot().ping_ms === null && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return bot;
}

async function invoke(emulator: Emulator, label: string, input: InvokeCommandInput): Promise<void> {
  banner(label);
  const handle = emulator.invokeCommand(input);
  const answer = await handle.settled(10_000);
  say(
    dim(
      `acknowledged in ${answer.ackMs ?? '?'} ms${answer.deferred ? ' (deferred)' : ''} · ${
        answer.ephemeral ? 'ephemeral: only the invoker sees it' : 'PUBLIC'
      }`,
    ),
  );
  if (answer.content !== '') say(answer.content);
  for (const embed of answer.embeds) say(embedToText(embed as APIEmbed, { ansi }));
}

/**
 * Blocks the event loop for `ms` in each of the next `windows` sample windows: a
 * real lag spike, which the resource monitor sees and the alert engine reports.
 */
async function blockEventLoop(ms: number, windows: number): Promise<void> {
  for (let i = 0; i < windows; i++) {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      // busy: this is the point
    }
    await new Promise((resolve) => setTimeout(resolve, 1_100));
  }
}

async function showOpsChannel(emulator: Emulator, from: number, count: number): Promise<number> {
  const messages = await emulator.waitForMessages(emulator.ids.opsChannelId, from + count, 30_000);
  for (const message of messages.slice(from)) {
    for (const embed of message.embeds) say(embedToText(embed as APIEmbed, { ansi }));
  }
  return messages.length;
}

async function walkthrough(emulator: Emulator): Promise<void> {
  const admin = { name: '', user: 'admin' } as const;
  await invoke(emulator, '/health as an admin', { ...admin, name: 'health' });
  await invoke(emulator, '/startup as an admin', { ...admin, name: 'startup' });
  await invoke(emulator, '/tasks as an admin', { ...admin, name: 'tasks' });
  await invoke(emulator, '/resources as an admin', { ...admin, name: 'resources' });
  await invoke(emulator, '/health as a plain member (refused)', { name: 'health', user: 'member' });

  banner('An alert: the demo blocks its own event loop for 250 ms in three sample windows');
  await blockEventLoop(250, 3);
  let seen = await showOpsChannel(emulator, 0, 1);
  await invoke(emulator, '/alerts list as an admin', {
    ...admin,
    name: 'alerts',
    options: [{ name: 'list', type: 1, options: [] }],
  });
  banner('Recovery: the loop is free again; the ops channel hears it once');
  seen = await showOpsChannel(emulator, seen, 1);
  say(dim(`${seen} message(s) in the ops channel`));
}

// Heartbeats every second, so the gateway ping is known within the walkthrough.
const emulator = await startEmulator({ heartbeatIntervalMs: 1_000 });
let bot: Bot | undefined;
const stop = async (code: number): Promise<never> => {
  await bot?.shutdown('demo_finished');
  await emulator.close();
  process.exit(code);
};
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
  bot = await run(emulator);
  await walkthrough(emulator);
} catch (error) {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  await stop(1);
}

if (once) {
  banner('Done: stopping (the JSON log is in logs/bot.jsonl)');
  await stop(0);
} else {
  banner(`The bot keeps running against the emulator at ${emulator.apiUrl}. Ctrl-C stops it.`);
}
