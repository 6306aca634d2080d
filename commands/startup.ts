import { SlashCommandBuilder } from 'discord.js';
import { defineCommand, renderStartupEmbed } from '../src/discord/index.ts';

/** `/startup`: how the last start went, as a waterfall with the critical path and the errors. */
export default defineCommand({
  access: 'ops',
  data: new SlashCommandBuilder()
    .setName('startup')
    .setDescription('How the last startup went: per-component waterfall, critical path, retries and errors'),
  async execute(_interaction, ctx) {
    return { embeds: [renderStartupEmbed(ctx.ops.startup())] };
  },
});
