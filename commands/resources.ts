import { InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import type { OpsCommand } from '../src/discord/command.ts';
import { resourcesView } from '../src/discord/ops-views.ts';

/** `/resources`: memory, CPU, event-loop lag, files and threads against their thresholds. */
const resources: OpsCommand = {
  data: new SlashCommandBuilder()
    .setName('resources')
    .setDescription('Memory, CPU, event-loop lag, open files and threads, with recent history')
    .setDefaultMemberPermissions(PermissionFlagsBits.Administrator)
    .setContexts(InteractionContextType.Guild),
  async execute(_interaction, ctx) {
    return resourcesView(ctx);
  },
};

export default resources;
