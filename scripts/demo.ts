// `npm run demo`: the real bot against the local Discord emulator, no token, no
// internet. Plays an admin running every ops command and a plain member being
// refused, prints each reply as the user would see it, then shows an alert and its
// recovery reaching the ops channel, and an alert handled from its own buttons: a
// plain member's press refused, an admin's acknowledgement. The charts that come with
// the replies and the alert are saved as PNG files, and their paths printed. `--once`
// exits after the walkthrough; `--shards 4` runs the bot as a fleet of four shard
// processes instead.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { APIEmbed } from 'discord-api-types/v10';
import {
  type Bot,
  COMMANDS_DIR,
  EXIT_CONFIG,
  embedToText,
  loadCommands,
  loadConfig,
  readEnvironment,
  registerCommands,
  startBot,
} from '../src/discord/index.ts';
import type {
  EmulatedAttachment,
  EmulatedMessage,
  Emulator,
  InteractionResult,
} from '../test/support/emulator/index.ts';
import { startEmulator } from '../test/support/emulator/index.ts';
import type { InvokeCommandInput } from '../test/support/emulator/interaction-payloads.ts';
import { ansi, banner, bold, dim, say } from './demo-output.ts';

const once = process.argv.includes('--once');

// `--shards N`: the same walkthrough's fleet version, in sharded mode (scripts/demo-fleet.ts).
const shardsAt = process.argv.indexOf('--shards');
if (shardsAt !== -1) {
  const { runFleetDemo } = await import('./demo-fleet.ts');
  process.exit(await runFleetDemo(process.argv[shardsAt + 1], once));
}

/** Where the charts the demo receives are saved: beside the JSON log. */
let chartsDir = resolve('logs', 'demo-charts');

/** Saves the PNG attachments of a reply or an alert as `<prefix>.png`, and says where they are. */
function saveCharts(prefix: string, attachments: readonly EmulatedAttachment[]): void {
  const pngs = attachments.filter((a) => a.content_type === 'image/png');
  for (const a of pngs) {
    mkdirSync(chartsDir, { recursive: true });
    const path = join(chartsDir, pngs.length === 1 ? `${prefix}.png` : `${prefix}-${a.filename}`);
    writeFileSync(path, a.data);
    say(`🖼️  chart (${Math.round(a.size / 1024)} KB) saved: ${bold(path)}`);
  }
}

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
    // Each record under the step that made it; a deployment writes them in batches (1 s).
    LOG_FLUSH_MS: '0',
    // The demo's alerts, silences and acknowledgements are its own, not the real bot's.
    OBS_STATE_FILE: join(tmpdir(), `opsbot-demo-${process.pid}.json`),
    ...readEnvironment(),
    // No internet: a real dead man's switch is not pinged from the demo.
    HEARTBEAT_URL: '',
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
  chartsDir = resolve(dirname(result.config.logging.file), 'demo-charts');

  banner('Registering the slash commands (guild-only; the ops ones Administrator by default)');
  const commands = await loadCommands(COMMANDS_DIR);
  const registered = await registerCommands({
    apiUrl: emulator.apiUrl,
    token: DEMO_TOKEN,
    guildIds: result.config.discord.opsGuildIds,
    commands,
  });
  say(`${registered.names.map((n) => `/${n}`).join(' ')} → guild ${registered.guildIds.join(', ')}`);
  say(`${registered.globalNames.map((n) => `/${n}`).join(' ')} → every guild, for everyone`);

  banner('Starting the bot against the emulator');
  const bot = await startBot(result.config, { configWarnings: result.warnings });
  const { report } = await bot.started;
  // The chart worker loads beside the start; the walkthrough's charts need it.
  await bot.charts?.start();
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

type Control = { type: number; label?: string; placeholder?: string; disabled?: boolean };

/** Mentions as the Discord client shows them: `<@id>` becomes `@name` for the seeded users. */
let mentionNames: ReadonlyMap<string, string> = new Map();
const named = (text: string): string =>
  text.replace(/<@(\d+)>/g, (tag, id: string) => {
    const name = mentionNames.get(id);
    return name === undefined ? tag : `@${name}`;
  });
const embedText = (embed: unknown): string => named(embedToText(embed as APIEmbed, { ansi }));

/** The buttons and menus under a message, as one line: `[ Acknowledge ] [ Silence 1h ] ▾ menu`. */
function controlsLine(rows: readonly unknown[]): string | undefined {
  const controls = rows.flatMap((row) => (row as { components?: Control[] }).components ?? []);
  if (controls.length === 0) return undefined;
  return controls
    .map((c) =>
      c.type === 2
        ? `[ ${c.label ?? '?'} ]${c.disabled ? ' (greyed out)' : ''}`
        : `▾ ${c.placeholder ?? 'menu'}`,
    )
    .join(' ');
}

function printAnswer(answer: InteractionResult, chartPrefix?: string): void {
  say(
    dim(
      `acknowledged in ${answer.ackMs === null ? '?' : answer.ackMs.toFixed(1)} ms${answer.deferred ? ' (deferred)' : ''} · ${
        answer.ephemeral ? 'ephemeral: only the invoker sees it' : 'PUBLIC'
      }`,
    ),
  );
  if (answer.content !== '') say(named(answer.content));
  for (const embed of answer.embeds) say(embedText(embed));
  const controls = controlsLine(answer.components);
  if (controls !== undefined) say(controls);
  if (chartPrefix !== undefined) saveCharts(chartPrefix, answer.attachments);
}

async function invoke(
  emulator: Emulator,
  label: string,
  input: InvokeCommandInput,
): Promise<InteractionResult> {
  banner(label);
  const answer = await emulator.invokeCommand(input).settled(10_000);
  // "/resources window:15m as an admin" → resources-window-15m.png
  const prefix = (label.split(' as ')[0] ?? input.name)
    .replace(/^\//, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .toLowerCase();
  printAnswer(answer, prefix);
  return answer;
}

/** One ops-channel message as the channel shows it: a reply's text, the embeds, the buttons. */
function printMessage(message: EmulatedMessage): void {
  if (message.content !== '') {
    const text = named(message.content).replace(/\*\*(.+?)\*\*/g, (_m, inner: string) => bold(inner));
    say(`${message.reply_to === null ? '' : dim('↳ reply: ')}${text}`);
  }
  for (const embed of message.embeds) say(embedText(embed));
  const controls = controlsLine(message.components);
  if (controls !== undefined) say(controls);
  for (const a of message.attachments) {
    // "1-alert-event_loop_lag.png" → ops-channel-alert-event_loop_lag.png
    saveCharts(`ops-channel-${a.filename.replace(/^\d+-/, '').replace(/\.png$/, '')}`, [a]);
  }
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
  for (const message of messages.slice(from)) printMessage(message);
  return messages.length;
}

/** Waits until `check` holds, polling. */
async function waitUntil(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('the demo waited too long');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function walkthrough(emulator: Emulator, bot: Bot): Promise<void> {
  mentionNames = new Map([
    [emulator.ids.adminUserId, 'admin'],
    [emulator.ids.memberUserId, 'member'],
  ]);
  const admin = { name: '', user: 'admin' } as const;
  await invoke(emulator, '/health as an admin', { ...admin, name: 'health' });
  await invoke(emulator, '/startup as an admin', { ...admin, name: 'startup' });
  await invoke(emulator, '/tasks as an admin', { ...admin, name: 'tasks' });
  await invoke(emulator, '/resources as an admin', { ...admin, name: 'resources' });
  await invoke(emulator, '/resources window:15m as an admin', {
    ...admin,
    name: 'resources',
    options: { window: '15m' },
  });
  await invoke(emulator, '/health as a plain member (refused)', { name: 'health', user: 'member' });
  await invoke(emulator, '/status as a plain member (public: the overall status only)', {
    name: 'status',
    user: 'member',
  });

  banner('An alert: the demo blocks its own event loop for 250 ms in three sample windows');
  await blockEventLoop(250, 3);
  let seen = await showOpsChannel(emulator, 0, 1);
  await invoke(emulator, '/alerts list as an admin', {
    ...admin,
    name: 'alerts',
    options: [{ name: 'list', type: 1, options: [] }],
  });
  banner('Recovery: the loop is free again; the same message turns green, and a short reply says so');
  const ops = emulator.ids.opsChannelId;
  const isLag = (m: EmulatedMessage): boolean =>
    m.embeds.some((e) => /Event loop/.test(String((e as APIEmbed).title)));
  const resolvedGreen = (m: EmulatedMessage | undefined): boolean =>
    (m?.embeds[0] as APIEmbed | undefined)?.color === 0x2ecc71;
  await waitUntil(() => emulator.messages(ops).some((m) => isLag(m) && resolvedGreen(m)), 30_000);
  const lag = emulator.messages(ops).find(isLag);
  if (lag !== undefined) {
    printMessage(lag);
    await waitUntil(() => emulator.messages(ops).some((m) => m.reply_to === lag.id), 5_000).catch(() => {});
    for (const reply of emulator.messages(ops).filter((m) => m.reply_to === lag.id)) printMessage(reply);
  }
  seen = emulator.messages(ops).length;

  banner('An alert handled where it appears: a job queue backs up');
  bot.manager.alerts.raise('demo.job_queue', {
    severity: 'warning',
    title: 'Job queue backing up',
    value: '1,240 jobs waiting',
    threshold: '500',
  });
  seen = await showOpsChannel(emulator, seen, 1);
  const alert = emulator.messages(ops)[seen - 1];
  if (alert === undefined) throw new Error('the demo alert did not reach the ops channel');

  banner('A plain member presses Acknowledge: refused, and only they see it');
  printAnswer(
    await emulator
      .invokeComponent({ user: 'member', messageId: alert.id, customId: 'ops:alert:ack' })
      .settled(10_000),
  );

  banner('An admin presses Acknowledge: reminders stop, and the channel sees who took it');
  printAnswer(
    await emulator
      .invokeComponent({ user: 'admin', messageId: alert.id, customId: 'ops:alert:ack' })
      .settled(10_000),
  );
  await waitUntil(() => (emulator.messageVersions(alert.id).length ?? 0) > 1, 10_000);
  say(dim('The alert message in the ops channel, edited:'));
  const acknowledged = emulator.message(alert.id);
  if (acknowledged !== undefined) printMessage(acknowledged);

  banner('The queue drains: the alert resolves in its own message');
  bot.manager.alerts.clear('demo.job_queue');
  await waitUntil(() => emulator.messages(ops).some((m) => m.reply_to === alert.id), 10_000);
  const resolved = emulator.message(alert.id);
  if (resolved !== undefined) printMessage(resolved);
  for (const reply of emulator.messages(ops).filter((m) => m.reply_to === alert.id)) printMessage(reply);
  say(dim(`${emulator.messages(ops).length} message(s) in the ops channel`));
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
  await walkthrough(emulator, bot);
} catch (error) {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  await stop(1);
}

if (once) {
  banner(`Done: stopping (the JSON log is in logs/bot.jsonl, the charts in ${chartsDir})`);
  await stop(0);
} else {
  banner(`The bot keeps running against the emulator at ${emulator.apiUrl}. Ctrl-C stops it.`);
}
