import { SlashCommandBuilder } from 'discord.js';
import type { HealthSnapshot } from '../src/core/index.ts';
import {
  defineCommand,
  fleetReply,
  healthView,
  renderFleetHealthEmbed,
  shardOfGuild,
} from '../src/discord/index.ts';

/** Discord's cap on autocomplete choices, and on a choice's name and value. */
const MAX_CHOICES = 25;
const CHOICE_MAX = 100;

/** Component names matching what the admin typed: prefix matches first, then substring matches. */
export function componentChoices(snapshot: HealthSnapshot, typed: string): { name: string; value: string }[] {
  const query = typed.trim().toLowerCase();
  const names = snapshot.components.map((c) => c.name).filter((n) => n.length <= CHOICE_MAX);
  const prefix = names.filter((n) => n.toLowerCase().startsWith(query));
  const inside = names.filter((n) => !n.toLowerCase().startsWith(query) && n.toLowerCase().includes(query));
  return [...prefix, ...inside].slice(0, MAX_CHOICES).map((n) => ({ name: n, value: n }));
}

/** `/health`: overall status, gateway and components; with `component`, that one's error history. */
export default defineCommand({
  access: 'ops',
  data: new SlashCommandBuilder()
    .setName('health')
    .setDescription('Overall health, the Discord gateway and every component, with recent errors')
    .addStringOption((o) =>
      o
        .setName('component')
        .setDescription('Show one component and its error history')
        .setMaxLength(CHOICE_MAX)
        .setAutocomplete(true),
    ),
  async execute(interaction, ctx) {
    const component = interaction.options.getString('component')?.trim();
    // With a component menu and a Refresh button under it.
    const view = healthView(ctx, component || undefined);
    if (component) return view;
    // In sharded mode the whole fleet comes first, naming the shard that serves this guild.
    const fleet = await fleetReply(ctx, view.embeds, (fleetView) =>
      renderFleetHealthEmbed(fleetView, {
        answeringShard: ctx.fleet?.shardId ?? 0,
        guildShard:
          interaction.guildId === null ? null : shardOfGuild(interaction.guildId, fleetView.total_shards),
      }),
    );
    return { ...view, ...fleet };
  },
  async autocomplete(interaction, ctx) {
    await interaction.respond(componentChoices(ctx.ops.health(), interaction.options.getFocused()));
  },
});
