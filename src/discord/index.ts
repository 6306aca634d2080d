// The bot's public surface beside src/core/index.ts: what a command file, a script, a
// benchmark or a bot built on this one imports to declare, load, guard, render and
// register slash commands, to read the configuration and to start the bot.
export {
  type Bot,
  CHECKS_DIR,
  COMMANDS_DIR,
  COMPONENTS_DIR,
  type StartBotOptions,
  startBot,
  TASKS_DIR,
  VERSION,
} from '../bot.ts';
export { type BotProcessOptions, runBotProcess } from '../bot-process.ts';
export { type ChartModuleNames, DEFAULT_CHART_MODULES, loadChartModules } from '../charts/chart-modules.ts';
export { type ChartRenderer, createChartRenderer } from '../charts/chart-renderer.ts';
export {
  type ChartKind,
  type ChartRequest,
  DEFAULT_ALERT_RULE,
  isResourceWindow,
  RESOURCE_WINDOWS,
  resourceAlertChartRequest,
  resourcesChartRequest,
} from '../charts/chart-requests.ts';
export { renderChart } from '../charts/render-chart.ts';
export { type Config, type ConfigWarning, EXIT_CONFIG, loadConfig, readEnvironment } from '../config.ts';
export { THRESHOLD_PAIRS, VARIABLES, type VariableName } from '../config-schema.ts';
export { IDENTIFY_INTERVAL_MS } from '../fleet/identify-rounds.ts';
export type { MetricsJson, ShardReport } from '../fleet/ipc-protocol.ts';
export type { ShardSnapshot } from '../fleet/shard-state.ts';
export { installProcessLifecycle, SIGNAL_ECHO_MS } from '../process-lifecycle.ts';
export { TS_LOADER, typescriptNodeArgs, typescriptRuntime } from '../typescript-runtime.ts';
export { resourceAlertChart } from './alert-chart.ts';
export { withChart } from './chart-reply.ts';
export type { CommandAccess, CommandContext, CommandReply, OpsCommand } from './command.ts';
export { type CommandRouter, type CommandRouterOptions, createCommandRouter } from './command-router.ts';
export { COMPONENT_HANDLERS } from './component-handlers.ts';
export { type CommandDefinition, defineCommand, withRegistrationDefaults } from './define-command.ts';
export { createDiscordClient, type DiscordClient, type DiscordClientOptions } from './discord-client.ts';
export { embedToText } from './embed-to-text.ts';
export { renderAlertsEmbed } from './embeds/alerts-embed.ts';
export {
  EMBED_COLORS,
  EMBED_LIMITS,
  inlineCode,
  neutralizeText,
  relativeTime,
  truncateText,
} from './embeds/embed-text.ts';
export {
  renderFleetHealthEmbed,
  renderFleetResourcesEmbed,
  renderFleetStartupEmbed,
  renderFleetTasksEmbed,
} from './embeds/fleet-embeds.ts';
export { renderHealthEmbed } from './embeds/health-embed.ts';
export { renderResourcesEmbed } from './embeds/resources-embed.ts';
export { renderStartupEmbed } from './embeds/startup-embed.ts';
export { renderStatusEmbed, STATUS_WORDS } from './embeds/status-embed.ts';
export { renderTasksEmbed } from './embeds/tasks-embed.ts';
export { fleetReply, shardOfGuild } from './fleet-replies.ts';
export {
  type AdminPolicy,
  type GuardDecision,
  type GuardSubject,
  isInBotGuild,
  isOpsAdmin,
} from './is-ops-admin.ts';
export { checkCommand, loadCommands } from './load-commands.ts';
export {
  createChannelEditor,
  createChannelPoster,
  createOpsChannelSink,
  OPS_CHANNEL_SINK_DEFAULTS,
  type OpsChannelSink,
  type OpsChannelSinkOptions,
} from './ops-channel-sink.ts';
export { alertsView, healthView, resourcesView, tasksView, VIEW_CONTROLS, viewByName } from './ops-views.ts';
export {
  type RegisterCommandsOptions,
  type RegisteredCommands,
  registerCommands,
  toRegistrationBody,
} from './register-commands.ts';

/** The fleet's merged metrics, loaded on demand: the module imports prom-client, which metrics off never loads. */
export const loadFleetMetrics = (): Promise<typeof import('../fleet/fleet-metrics.ts')> =>
  import('../fleet/fleet-metrics.ts');
