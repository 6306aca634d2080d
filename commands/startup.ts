import { SlashCommandBuilder } from 'discord.js';
import {
  defineCommand,
  fleetReply,
  renderFleetStartupEmbed,
  renderStartupEmbed,
  withChart,
} from '../src/discord/index.ts';

/** `/startup`: how the last start went, as a waterfall with the critical path and the errors, and as a chart. */
export default defineCommand({
  access: 'ops',
  data: new SlashCommandBuilder()
    .setName('startup')
    .setDescription('How the last startup went: per-component waterfall, critical path, retries and errors'),
  async execute(_interaction, ctx) {
    const report = ctx.ops.startup();
    // The whole fleet's spawn first in sharded mode, then this process's own start.
    return withChart(await fleetReply(ctx, [renderStartupEmbed(report)], renderFleetStartupEmbed), {
      charts: ctx.charts,
      request: report === undefined ? undefined : () => ({ kind: 'startup', report }),
      name: 'startup.png',
      description:
        'Startup waterfall: one bar per component on a time axis, the critical path outlined, retries and fallbacks noted',
      log: ctx.log,
    });
  },
});
