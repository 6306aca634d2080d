import { InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import type { OpsCommand } from '../src/discord/command.ts';
import { tasksView } from '../src/discord/ops-views.ts';

/** `/tasks`: each background task's state, heartbeat, runs, failures, restarts and next run. */
const tasks: OpsCommand = {
  data: new SlashCommandBuilder()
    .setName('tasks')
    .setDescription('Background tasks: state, last heartbeat, runs, failures, restarts and next run')
    .setDefaultMemberPermissions(PermissionFlagsBits.Administrator)
    .setContexts(InteractionContextType.Guild),
  async execute(_interaction, ctx) {
    return tasksView(ctx);
  },
};

export default tasks;
