// The Discord layer's public surface: what a command file (and a bot built on this
// one) imports to declare, load, guard, render and register slash commands.
export {
  DEFAULT_ALERT_RULE,
  isResourceWindow,
  RESOURCE_WINDOWS,
  resourcesChartRequest,
} from '../charts/chart-requests.ts';
export { withChart } from './chart-reply.ts';
export type { CommandAccess, CommandContext, CommandReply, OpsCommand } from './command.ts';
export { type CommandRouter, type CommandRouterOptions, createCommandRouter } from './command-router.ts';
export { type CommandDefinition, defineCommand, withRegistrationDefaults } from './define-command.ts';
export { renderAlertsEmbed } from './embeds/alerts-embed.ts';
export {
  EMBED_COLORS,
  EMBED_LIMITS,
  inlineCode,
  neutralizeText,
  relativeTime,
  truncateText,
} from './embeds/embed-text.ts';
export { renderHealthEmbed } from './embeds/health-embed.ts';
export { renderResourcesEmbed } from './embeds/resources-embed.ts';
export { renderStartupEmbed } from './embeds/startup-embed.ts';
export { renderStatusEmbed, STATUS_WORDS } from './embeds/status-embed.ts';
export { renderTasksEmbed } from './embeds/tasks-embed.ts';
export {
  type AdminPolicy,
  type GuardDecision,
  type GuardSubject,
  isInBotGuild,
  isOpsAdmin,
} from './is-ops-admin.ts';
export { checkCommand, loadCommands } from './load-commands.ts';
export {
  type RegisterCommandsOptions,
  type RegisteredCommands,
  registerCommands,
  toRegistrationBody,
} from './register-commands.ts';
