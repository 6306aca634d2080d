import { InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import type { OpsCommand } from '../src/discord/command.ts';
import { renderStartupEmbed } from '../src/discord/embeds/startup-embed.ts';

/** `/startup`: how the last start went, as a waterfall with the critical path and the errors. */
const startup: OpsCommand = {
  data: new SlashCommandBuilder()
    .setName('startup')
    .setDescription('How the last startup went: per-component waterfall, critical path, retries and errors')
    .setDefaultMemberPermissions(PermissionFlagsBits.Administrator)
    .setContexts(InteractionContextType.Guild),
  async execute(_interaction, ctx) {
    return { embeds: [renderStartupEmbed(ctx.ops.startup())] };
  },
};

export default startup;
