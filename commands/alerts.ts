import { type APIEmbed, SlashCommandBuilder } from 'discord.js';
import { type AlertsView, formatDuration, parseDuration } from '../src/core/index.ts';
import {
  alertsView,
  type CommandReply,
  defineCommand,
  EMBED_COLORS,
  inlineCode,
  neutralizeText,
  relativeTime,
} from '../src/discord/index.ts';

const KEY_MAX = 100;
const KEY_PATTERN = /^(\*|[A-Za-z0-9_.:-]+(\.\*)?)$/;
const CHOICES_MAX = 25;

function notice(color: number, description: string): CommandReply {
  const embed: APIEmbed = { color, description };
  return { embeds: [embed] };
}

/** Firing keys plus the `prefix.*` patterns that cover them, for autocomplete. */
export function silenceCandidates(view: AlertsView): string[] {
  const keys = new Set<string>();
  for (const a of view.firing) {
    keys.add(a.key);
    const dot = a.key.indexOf('.');
    if (dot > 0) keys.add(`${a.key.slice(0, dot)}.*`);
  }
  return [...keys];
}

/** `/alerts list|silence|unsilence`, for the ops admins. */
export default defineCommand({
  access: 'ops',
  data: new SlashCommandBuilder()
    .setName('alerts')
    .setDescription('Firing alerts and silences')
    .addSubcommand((sub) => sub.setName('list').setDescription('Firing alerts and running silences'))
    .addSubcommand((sub) =>
      sub
        .setName('silence')
        .setDescription('Stop posting an alert to the ops channel for a while (it is still logged)')
        .addStringOption((o) =>
          o
            .setName('key')
            .setDescription(
              'Alert key, prefix.* for a group, or * for all (* and whole groups: 1 day at most)',
            )
            .setRequired(true)
            .setMaxLength(KEY_MAX)
            .setAutocomplete(true),
        )
        .addStringOption((o) =>
          o
            .setName('duration')
            .setDescription('How long, e.g. 30m, 2h, 1d')
            .setRequired(true)
            .setMaxLength(20),
        ),
    )
    .addSubcommand((sub) =>
      sub
        .setName('unsilence')
        .setDescription('Lift a silence')
        .addStringOption((o) =>
          o
            .setName('key')
            .setDescription('The silenced key or pattern')
            .setRequired(true)
            .setMaxLength(KEY_MAX)
            .setAutocomplete(true),
        ),
    ),

  async execute(interaction, ctx) {
    const sub = interaction.options.getSubcommand();
    if (sub === 'silence') {
      const key = interaction.options.getString('key', true).trim();
      if (!KEY_PATTERN.test(key)) {
        return notice(
          EMBED_COLORS.critical,
          `❌ ${inlineCode(key, 60)} is not an alert key: use letters, digits, \`_.:-\`, optionally ending in \`.*\`, or \`*\` for all.`,
        );
      }
      let durationMs: number;
      try {
        durationMs = parseDuration(interaction.options.getString('duration', true));
      } catch (error) {
        return notice(EMBED_COLORS.critical, `❌ ${neutralizeText((error as Error).message)}`);
      }
      const silence = ctx.ops.silence(key, durationMs, interaction.user.id);
      const capped = silence.capped
        ? `\n⏳ Capped at ${formatDuration(silence.duration_ms)}: a catch-all silence runs at most that long (you asked for ${formatDuration(silence.requested_ms)}).`
        : '';
      return notice(
        EMBED_COLORS.info,
        `🔕 Alerts matching ${inlineCode(key, 60)} are silenced until ${relativeTime(silence.until)}: still logged, not posted to the ops channel, which is told of the silence and of its end.${capped}`,
      );
    }
    if (sub === 'unsilence') {
      const key = interaction.options.getString('key', true).trim();
      return ctx.ops.unsilence(key, interaction.user.id)
        ? notice(EMBED_COLORS.ok, `🔔 Silence on ${inlineCode(key, 60)} lifted; the ops channel is told.`)
        : notice(EMBED_COLORS.warning, `⚠️ No silence on ${inlineCode(key, 60)}.`);
    }
    return alertsView(ctx);
  },

  async autocomplete(interaction, ctx) {
    const focused = interaction.options.getFocused().toLowerCase();
    const view = ctx.ops.alerts();
    const keys =
      interaction.options.getSubcommand() === 'unsilence'
        ? view.silences.map((s) => s.key)
        : silenceCandidates(view);
    const choices = keys
      .filter((k) => k.toLowerCase().includes(focused))
      .slice(0, CHOICES_MAX)
      .map((k) => ({ name: k.slice(0, KEY_MAX), value: k.slice(0, KEY_MAX) }));
    await interaction.respond(choices);
  },
});
