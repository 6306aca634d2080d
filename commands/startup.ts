import { InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import type { OpsCommand } from '../src/discord/command.ts';
import { renderFleetStartupEmbed } from '../src/discord/embeds/fleet-embeds.ts';
import { renderStartupEmbed } from '../src/discord/embeds/startup-embed.ts';
import { fleetReply } from '../src/discord/fleet-replies.ts';

/** `/startup`: how the last start went, as a waterfall with the critical path and the errors. */
const startup: OpsCommand = {
  data: new SlashCommandBuilder()
    .setName('startup')
    .setDescription('How the last startup went: per-component waterfall, critical path, retries and errors')
    .setDefaultMemberPermissions(PermissionFlagsBits.Administrator)
    .setContexts(InteractionContextType.Guild),
  async execute(_interaction, ctx) {
    const own = [renderStartupEmbed(ctx.ops.startup())];
    return fleetReply(ctx, own, renderFleetStartupEmbed);
  },
};

export default startup;
