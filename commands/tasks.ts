import { InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import type { OpsCommand } from '../src/discord/command.ts';
import { renderFleetTasksEmbed } from '../src/discord/embeds/fleet-embeds.ts';
import { renderTasksEmbed } from '../src/discord/embeds/tasks-embed.ts';
import { fleetReply } from '../src/discord/fleet-replies.ts';

/** `/tasks`: each background task's state, heartbeat, runs, failures, restarts and next run. */
const tasks: OpsCommand = {
  data: new SlashCommandBuilder()
    .setName('tasks')
    .setDescription('Background tasks: state, last heartbeat, runs, failures, restarts and next run')
    .setDefaultMemberPermissions(PermissionFlagsBits.Administrator)
    .setContexts(InteractionContextType.Guild),
  async execute(_interaction, ctx) {
    const own = [renderTasksEmbed(ctx.ops.tasks(), ctx.clock.now())];
    return fleetReply(ctx, own, renderFleetTasksEmbed);
  },
};

export default tasks;
