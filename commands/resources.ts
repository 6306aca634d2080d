import { SlashCommandBuilder } from 'discord.js';
import {
  DEFAULT_ALERT_RULE,
  defineCommand,
  fleetReply,
  isResourceWindow,
  RESOURCE_WINDOWS,
  renderFleetResourcesEmbed,
  resourcesChartRequest,
  resourcesView,
  withChart,
} from '../src/discord/index.ts';

/** `/resources [window]`: memory, CPU, event-loop lag, files and threads against their thresholds, with a chart. */
export default defineCommand({
  access: 'ops',
  data: new SlashCommandBuilder()
    .setName('resources')
    .setDescription('Memory, CPU, event-loop lag, open files and threads, with recent history')
    .addStringOption((o) =>
      o
        .setName('window')
        .setDescription('How far back the chart reaches (default: last hour)')
        .addChoices(
          { name: RESOURCE_WINDOWS['15m'].label, value: '15m' },
          { name: RESOURCE_WINDOWS['1h'].label, value: '1h' },
          { name: RESOURCE_WINDOWS.all.label, value: 'all' },
        ),
    ),
  async execute(interaction, ctx) {
    const chosen = interaction.options.getString('window');
    const window = isResourceWindow(chosen) ? chosen : '1h';
    const now = ctx.clock.now();
    const view = ctx.ops.resources();
    // The text view with its Refresh button (the whole fleet first in sharded mode), and
    // the chart edited in once drawn.
    const own = resourcesView(ctx);
    return withChart(
      { ...own, ...(await fleetReply(ctx, own.embeds, renderFleetResourcesEmbed)) },
      {
        charts: ctx.charts,
        request: () => resourcesChartRequest(view, window, now, ctx.charts?.alertRule ?? DEFAULT_ALERT_RULE),
        name: 'resources.png',
        description: `Chart of memory, CPU and event-loop lag over the ${RESOURCE_WINDOWS[window].label}, with warning and critical thresholds`,
        log: ctx.log,
      },
    );
  },
});
