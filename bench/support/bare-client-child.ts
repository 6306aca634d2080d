// The baseline the bot is compared with: a bare discord.js client with the bot's intents
// and caches and no observability core, answering every slash command with one fixed
// embed. Driven over the same IPC protocol as bot-child.ts. With OBS_ENABLE_PROMETHEUS=true it
// also serves a fixed text of BENCH_METRICS_BYTES bytes at /metrics on PROMETHEUS_PORT, through
// a plain node:http server: what serving a scrape costs any discord.js process, with no metrics
// gathered or rendered.
import { createServer } from 'node:http';
import { Client, Events, GatewayIntentBits, type InteractionReplyOptions, MessageFlags } from 'discord.js';
import { type ChildReply, type ChildRequest, sampleReply } from './bot-protocol.ts';
import { watchIdentifyToReady } from './identify-timing.ts';

const send = (reply: ChildReply): void => {
  process.send?.(reply);
};

const EMBED = {
  title: 'Health',
  description: 'All systems nominal.',
  color: 0x2e_cc_71,
  fields: [
    { name: 'Gateway', value: 'ready', inline: true },
    { name: 'Uptime', value: '1h', inline: true },
  ],
};

const apiUrl = (process.env.DISCORD_API_URL ?? '').replace(/\/+$/, '');
const client = new Client({
  intents: [GatewayIntentBits.Guilds],
  rest: { api: apiUrl, cdn: `${apiUrl}/cdn` },
  waitGuildTimeout: 15_000,
});
// BENCH_REPLY_JSON: answer with this reply instead (the bot's own /health answer, as the emulator
// received it: embeds, buttons and menus), to tell the cost of the reply from the cost of the bot.
const given = process.env.BENCH_REPLY_JSON;
const reply: InteractionReplyOptions =
  given === undefined || given === ''
    ? { embeds: [EMBED], flags: MessageFlags.Ephemeral }
    : (JSON.parse(given) as InteractionReplyOptions);
client.on(Events.InteractionCreate, (interaction) => {
  if (!interaction.isChatInputCommand()) return;
  interaction.reply(reply).catch(() => {});
});
if (process.env.OBS_ENABLE_PROMETHEUS === 'true') {
  const line = (i: number): string => `bench_series_total{component="c${i % 50}",n="${i}"} ${i}\n`;
  const lines: string[] = ['# HELP bench_series_total A fixed series.\n# TYPE bench_series_total counter\n'];
  const bytes = Number(process.env.BENCH_METRICS_BYTES);
  if (!(bytes > 0))
    throw new Error(
      `BENCH_METRICS_BYTES must be a positive number of bytes, not '${process.env.BENCH_METRICS_BYTES}'`,
    );
  for (let i = 0, size = 0; size < bytes; i += 1) {
    const next = line(i);
    lines.push(next);
    size += next.length;
  }
  const body = lines.join('');
  createServer((_req, res) => {
    res.writeHead(200, {
      'Content-Type': 'text/plain; version=0.0.4; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
  }).listen(Number(process.env.PROMETHEUS_PORT), process.env.PROMETHEUS_HOST ?? '127.0.0.1');
}
const timing = watchIdentifyToReady(client);
await client.login(process.env.DISCORD_TOKEN);
send({ type: 'ready', outcome: 'ready', identify_to_ready_ms: await timing });

// A parent that died leaves no bot behind.
process.on('disconnect', () => process.exit(0));
process.on('message', (message: ChildRequest) => {
  switch (message.type) {
    case 'sample':
      send(sampleReply(message.id, message.gc === true));
      break;
    case 'shutdown':
      void client.destroy().then(() => process.exit(0));
      break;
    default:
      // Alerts are the bot's; the bare client has none.
      break;
  }
});
