import { InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import type { HealthSnapshot } from '../src/core/health/types.ts';
import type { OpsCommand } from '../src/discord/command.ts';
import { renderFleetHealthEmbed } from '../src/discord/embeds/fleet-embeds.ts';
import { renderHealthEmbed } from '../src/discord/embeds/health-embed.ts';
import { fleetReply, shardOfGuild } from '../src/discord/fleet-replies.ts';

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
const health: OpsCommand = {
  data: new SlashCommandBuilder()
    .setName('health')
    .setDescription('Overall health, the Discord gateway and every component, with recent errors')
    .setDefaultMemberPermissions(PermissionFlagsBits.Administrator)
    .setContexts(InteractionContextType.Guild)
    .addStringOption((o) =>
      o
        .setName('component')
        .setDescription('Show one component and its error history')
        .setMaxLength(CHOICE_MAX)
        .setAutocomplete(true),
    ),
  async execute(interaction, ctx) {
    const component = interaction.options.getString('component')?.trim();
    const snapshot = ctx.ops.health();
    const own = [renderHealthEmbed(snapshot, component ? { component } : {})];
    if (component) return { embeds: own };
    // In sharded mode the whole fleet comes first, naming the shard that serves this guild.
    return fleetReply(ctx, own, (view) =>
      renderFleetHealthEmbed(view, {
        answeringShard: ctx.fleet?.shardId ?? 0,
        guildShard:
          interaction.guildId === null ? null : shardOfGuild(interaction.guildId, view.total_shards),
      }),
    );
  },
  async autocomplete(interaction, ctx) {
    await interaction.respond(componentChoices(ctx.ops.health(), interaction.options.getFocused()));
  },
};

export default health;
