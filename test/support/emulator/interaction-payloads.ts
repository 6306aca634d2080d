import type { EmulatorState, Json } from './emulator-state.ts';

/** Who runs a command: a seeded user, or anyone described inline. */
export type Invoker =
  | 'admin'
  | 'member'
  /** The foreign guild's own Administrator (use with `guildId: ids.foreignGuildId`). */
  | 'foreign_admin'
  | { readonly id: string; readonly username?: string; readonly roles?: readonly string[] };

/** Option values by name (string → type 3, integer → 4, boolean → 5, other number → 10), or raw API options. */
export type InvokeOptions = Readonly<Record<string, string | number | boolean>> | readonly Json[];

export interface InvokeCommandInput {
  readonly name: string;
  readonly user: Invoker;
  readonly options?: InvokeOptions;
  /** A guild other than the seeded one (e.g. one the bot is not in). @default the seeded guild */
  readonly guildId?: string;
  /** Run it in a DM instead of a guild. */
  readonly dm?: true;
  /** The member's permission bitfield as Discord computes it; overrides the one derived from roles. */
  readonly permissions?: string;
  /** @default the seeded general channel */
  readonly channelId?: string;
}

export interface InvokeAutocompleteInput extends InvokeCommandInput {
  /** The option being typed. */
  readonly focused: { readonly name: string; readonly value: string };
}

/** A press of a button, or a choice in a select menu, on a message the bot made. */
export interface InvokeComponentInput {
  readonly user: Invoker;
  /** The message carrying the component: a channel post or an interaction's reply (ephemeral ones too). */
  readonly messageId: string;
  readonly customId: string;
  /** 2 for a button, 3 for a string select menu. @default 2 */
  readonly componentType?: 2 | 3;
  /** What was chosen in a select menu. */
  readonly values?: readonly string[];
  /** @default the seeded guild */
  readonly guildId?: string;
  /** The member's permission bitfield; overrides the one derived from roles. */
  readonly permissions?: string;
}

function toOptions(options: InvokeOptions | undefined): Json[] {
  if (options === undefined) return [];
  if (Array.isArray(options)) return [...(options as readonly Json[])];
  return Object.entries(options as Record<string, string | number | boolean>).map(([name, value]) => ({
    name,
    value,
    type: typeof value === 'string' ? 3 : typeof value === 'boolean' ? 5 : Number.isInteger(value) ? 4 : 10,
  }));
}

/**
 * Builds the INTERACTION_CREATE body of a component interaction (type 3), as a member of the
 * message's guild presses a button on (or picks from a menu of) `message`.
 */
export function buildComponentInteraction(
  state: EmulatorState,
  input: InvokeComponentInput,
  message: Json,
  ids: { readonly id: string; readonly token: string },
): { payload: Json; channelId: string } {
  const channelId = String(message.channel_id);
  const { payload } = buildInteraction(
    state,
    {
      name: input.customId,
      user: input.user,
      channelId,
      ...(input.guildId === undefined ? {} : { guildId: input.guildId }),
      ...(input.permissions === undefined ? {} : { permissions: input.permissions }),
    },
    'command',
    { ...ids, commandId: '0' },
  );
  const componentType = input.componentType ?? 2;
  return {
    channelId,
    payload: {
      ...payload,
      type: 3,
      message,
      data: {
        custom_id: input.customId,
        component_type: componentType,
        ...(componentType === 3 ? { values: [...(input.values ?? [])] } : {}),
      },
    },
  };
}

/** Builds an INTERACTION_CREATE body with every field discord.js needs to build its interaction. */
export function buildInteraction(
  state: EmulatorState,
  input: InvokeCommandInput,
  kind: 'command' | 'autocomplete',
  ids: { readonly id: string; readonly token: string; readonly commandId: string },
): { payload: Json; channelId: string } {
  const seed = state.ids;
  const named = {
    admin: seed.adminUserId,
    member: seed.memberUserId,
    foreign_admin: seed.foreignAdminUserId,
  };
  const user = typeof input.user === 'object' ? input.user.id : named[input.user];
  const userObject =
    typeof input.user === 'object'
      ? { ...state.userObject(user), ...(input.user.username ? { username: input.user.username } : {}) }
      : state.userObject(user);
  const roles =
    typeof input.user === 'object'
      ? [...(input.user.roles ?? [])]
      : [...(state.users.get(user)?.roles ?? [])];
  const options = toOptions(input.options);
  if (kind === 'autocomplete' && 'focused' in input) {
    const focused = (input as InvokeAutocompleteInput).focused;
    const rest = options.filter((o) => o.name !== focused.name);
    options.splice(0, options.length, ...rest, {
      name: focused.name,
      type: 3,
      value: focused.value,
      focused: true,
    });
  }
  const common: Json = {
    id: ids.id,
    application_id: seed.applicationId,
    type: kind === 'command' ? 2 : 4,
    token: ids.token,
    version: 1,
    locale: 'en-US',
    app_permissions: '2248473465835073',
    entitlements: [],
    attachment_size_limit: 10_485_760,
  };
  const data = { id: ids.commandId, name: input.name, type: 1, options };
  if (input.dm) {
    const channelId = state.snowflake();
    return {
      channelId,
      payload: {
        ...common,
        data,
        user: userObject,
        channel: { id: channelId, type: 1, recipients: [userObject], last_message_id: null, flags: 0 },
        channel_id: channelId,
        authorizing_integration_owners: { '1': user },
        context: 1,
      },
    };
  }
  const guildId = input.guildId ?? seed.guildId;
  const channelId =
    input.channelId ?? (guildId === seed.foreignGuildId ? seed.foreignChannelId : seed.generalChannelId);
  const channel = state.channels.get(channelId) ?? {
    id: channelId,
    type: 0,
    guild_id: guildId,
    name: 'elsewhere',
  };
  return {
    channelId,
    payload: {
      ...common,
      data: { ...data, guild_id: guildId },
      guild_id: guildId,
      guild: { id: guildId, locale: 'en-US', features: [] },
      guild_locale: 'en-US',
      channel: { ...channel, guild_id: guildId },
      channel_id: channelId,
      member: {
        ...state.memberObject(user),
        user: userObject,
        roles,
        permissions: input.permissions ?? state.memberPermissions(roles, guildId),
      },
      authorizing_integration_owners: { '0': guildId },
      context: 0,
    },
  };
}
