import { InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import { withChart } from '../src/discord/chart-reply.ts';
import type { OpsCommand } from '../src/discord/command.ts';
import { renderStartupEmbed } from '../src/discord/embeds/startup-embed.ts';

/** `/startup`: how the last start went, as a waterfall with the critical path and the errors, and as a chart. */
const startup: OpsCommand = {
  data: new SlashCommandBuilder()
    .setName('startup')
    .setDescription('How the last startup went: per-component waterfall, critical path, retries and errors')
    .setDefaultMemberPermissions(PermissionFlagsBits.Administrator)
    .setContexts(InteractionContextType.Guild),
  async execute(_interaction, ctx) {
    const report = ctx.ops.startup();
    return withChart(
      { embeds: [renderStartupEmbed(report)] },
      {
        charts: ctx.charts,
        request: report === undefined ? undefined : () => ({ kind: 'startup', report }),
        name: 'startup.png',
        description:
          'Startup waterfall: one bar per component on a time axis, the critical path outlined, retries and fallbacks noted',
        log: ctx.log,
      },
    );
  },
};

export default startup;
