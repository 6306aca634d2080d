import { InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import type { OpsCommand } from '../src/discord/command.ts';
import { renderFleetResourcesEmbed } from '../src/discord/embeds/fleet-embeds.ts';
import { renderResourcesEmbed } from '../src/discord/embeds/resources-embed.ts';
import { fleetReply } from '../src/discord/fleet-replies.ts';

/** `/resources`: memory, CPU, event-loop lag, files and threads against their thresholds. */
const resources: OpsCommand = {
  data: new SlashCommandBuilder()
    .setName('resources')
    .setDescription('Memory, CPU, event-loop lag, open files and threads, with recent history')
    .setDefaultMemberPermissions(PermissionFlagsBits.Administrator)
    .setContexts(InteractionContextType.Guild),
  async execute(_interaction, ctx) {
    const own = [renderResourcesEmbed(ctx.ops.resources(), ctx.clock.now())];
    return fleetReply(ctx, own, renderFleetResourcesEmbed);
  },
};

export default resources;
