import { ButtonStyle, ComponentType } from 'discord.js';
import type { APIButtonComponent, APISelectMenuOption } from 'discord-api-types/v10';
import type { ComponentHealth } from '../core/health/types.ts';
import type { ActionRow } from './alert-buttons.ts';
import type { CommandContext, CommandReply } from './command.ts';
import { renderAlertsEmbed } from './embeds/alerts-embed.ts';
import { renderHealthEmbed } from './embeds/health-embed.ts';
import { renderResourcesEmbed } from './embeds/resources-embed.ts';
import { renderTasksEmbed } from './embeds/tasks-embed.ts';

/** Custom ids of the controls on the command replies. */
export const VIEW_CONTROLS = {
  /** `ops:refresh:<view>` or `ops:refresh:health:<component>`. */
  refreshPrefix: 'ops:refresh:',
  healthSelect: 'ops:health:component',
} as const;

/** The views a reply can be refreshed to. */
export type ViewName = 'health' | 'resources' | 'tasks' | 'alerts';

const CUSTOM_ID_MAX = 100;
const SELECT_MAX = 25;
const LABEL_MAX = 100;

const button = (custom_id: string, label: string, emoji: string): APIButtonComponent => ({
  type: ComponentType.Button,
  custom_id,
  label,
  style: ButtonStyle.Secondary,
  emoji: { name: emoji },
});

/** The Refresh button of a view (and for one component of /health, a way back to all of them). */
function controlsRow(view: ViewName, argument?: string): ActionRow {
  const id = `${VIEW_CONTROLS.refreshPrefix}${view}${argument === undefined ? '' : `:${argument}`}`;
  const components: APIButtonComponent[] = [
    button(id.length <= CUSTOM_ID_MAX ? id : `${VIEW_CONTROLS.refreshPrefix}${view}`, 'Refresh', '🔄'),
  ];
  if (argument !== undefined) {
    components.push(button(`${VIEW_CONTROLS.refreshPrefix}${view}`, 'All components', '📋'));
  }
  return { type: ComponentType.ActionRow, components };
}

const STATE_ORDER: Readonly<Record<ComponentHealth['state'], number>> = {
  failed: 0,
  degraded: 1,
  stopped: 2,
  starting: 3,
  ready: 4,
  skipped: 5,
};

/** The menu of components on /health: the 25 worst first when there are more. */
function componentMenu(components: readonly ComponentHealth[], selected: string | undefined): ActionRow {
  const options: APISelectMenuOption[] = [...components]
    .filter((c) => c.name.length <= LABEL_MAX)
    .sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state])
    .slice(0, SELECT_MAX)
    .map((c) => ({
      label: c.name,
      value: c.name,
      description: `${c.state}${c.error_count > 0 ? ` · ${c.error_count} error(s)` : ''}`.slice(0, LABEL_MAX),
      default: c.name === selected,
    }));
  return {
    type: ComponentType.ActionRow,
    components: [
      {
        type: ComponentType.StringSelect,
        custom_id: VIEW_CONTROLS.healthSelect,
        placeholder: 'Show one component and its error history',
        min_values: 1,
        max_values: 1,
        options,
      },
    ],
  };
}

/** `/health`, overall or one component's history, with the component menu and Refresh. */
export function healthView(ctx: CommandContext, component?: string): CommandReply {
  const snapshot = ctx.ops.health();
  const menu = snapshot.components.length > 0 ? [componentMenu(snapshot.components, component)] : [];
  return {
    embeds: [renderHealthEmbed(snapshot, component ? { component } : {})],
    components: [...menu, controlsRow('health', component)],
  };
}

export function resourcesView(ctx: CommandContext): CommandReply {
  return {
    embeds: [renderResourcesEmbed(ctx.ops.resources(), ctx.clock.now())],
    components: [controlsRow('resources')],
  };
}

export function tasksView(ctx: CommandContext): CommandReply {
  return { embeds: [renderTasksEmbed(ctx.ops.tasks(), ctx.clock.now())], components: [controlsRow('tasks')] };
}

export function alertsView(ctx: CommandContext): CommandReply {
  return {
    embeds: [renderAlertsEmbed(ctx.ops.alerts(), ctx.clock.now())],
    components: [controlsRow('alerts')],
  };
}

/** A view by name, as a Refresh button asks for it; undefined for a name the bot does not know. */
export function viewByName(ctx: CommandContext, view: string, argument?: string): CommandReply | undefined {
  switch (view) {
    case 'health':
      return healthView(ctx, argument);
    case 'resources':
      return resourcesView(ctx);
    case 'tasks':
      return tasksView(ctx);
    case 'alerts':
      return alertsView(ctx);
    default:
      return undefined;
  }
}
