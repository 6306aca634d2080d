import { SlashCommandBuilder } from 'discord.js';
import { defineCommand, renderStatusEmbed } from '../src/discord/index.ts';

/**
 * `/status`, for every member of every guild the bot is in: operational, degraded or
 * down, and since when. It reads the status summary only, so it cannot show a
 * component, an error, a task or a figure.
 */
export default defineCommand({
  access: 'public',
  data: new SlashCommandBuilder()
    .setName('status')
    .setDescription('Is the bot operational, degraded or down, and since when'),
  async execute(_interaction, ctx) {
    return { embeds: [renderStatusEmbed(ctx.ops.status())] };
  },
});
