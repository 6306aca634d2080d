import { SlashCommandBuilder } from 'discord.js';
import { defineCommand, fleetReply, renderFleetTasksEmbed, tasksView } from '../src/discord/index.ts';

/** `/tasks`: each background task's state, heartbeat, runs, failures, restarts and next run. */
export default defineCommand({
  access: 'ops',
  data: new SlashCommandBuilder()
    .setName('tasks')
    .setDescription('Background tasks: state, last heartbeat, runs, failures, restarts and next run'),
  async execute(_interaction, ctx) {
    const own = tasksView(ctx);
    return { ...own, ...(await fleetReply(ctx, own.embeds, renderFleetTasksEmbed)) };
  },
});
