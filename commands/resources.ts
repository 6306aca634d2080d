import { SlashCommandBuilder } from 'discord.js';
import { defineCommand, renderResourcesEmbed } from '../src/discord/index.ts';

/** `/resources`: memory, CPU, event-loop lag, files and threads against their thresholds. */
export default defineCommand({
  access: 'ops',
  data: new SlashCommandBuilder()
    .setName('resources')
    .setDescription('Memory, CPU, event-loop lag, open files and threads, with recent history'),
  async execute(_interaction, ctx) {
    return { embeds: [renderResourcesEmbed(ctx.ops.resources(), ctx.clock.now())] };
  },
});
