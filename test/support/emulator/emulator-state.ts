import { createSnowflakeFactory, snowflakeOnShard } from './snowflake.ts';

/** Ids of everything the emulator seeds, for tests and the demo to address. */
export interface SeedIds {
  readonly applicationId: string;
  readonly botUserId: string;
  readonly guildId: string;
  /** Equals the guild id, as on Discord. */
  readonly everyoneRoleId: string;
  readonly adminRoleId: string;
  readonly plainRoleId: string;
  /** A role nobody holds and with no special permission, for `ADMIN_ROLE_IDS`. */
  readonly opsRoleId: string;
  readonly generalChannelId: string;
  readonly opsChannelId: string;
  readonly adminUserId: string;
  readonly memberUserId: string;
  /**
   * A second guild the bot was invited to, which is not one of its ops guilds: someone
   * else's server, with its own Administrator, to prove the ops data stays home.
   */
  readonly foreignGuildId: string;
  /** That guild's role with the Administrator permission. */
  readonly foreignAdminRoleId: string;
  readonly foreignChannelId: string;
  /** An Administrator of the foreign guild, and of no other. */
  readonly foreignAdminUserId: string;
}

export type Json = Record<string, unknown>;

export interface SeedUser {
  readonly id: string;
  readonly username: string;
  readonly bot: boolean;
  readonly roles: readonly string[];
}

/** Bitfields as strings, the way Discord sends them. */
export const PERMISSIONS = {
  administrator: 8n,
  everyone: 0x0000_0000_0006_4c41n,
  plain: 0x0000_0000_0000_0400n,
} as const;

/** A file uploaded with a message (a `files[n]` part of a multipart/form-data body). */
export interface Upload {
  readonly filename: string;
  readonly contentType: string;
  readonly data: Buffer;
  readonly description?: string;
}

/** An attachment as the emulator keeps it: what Discord would store, plus the bytes. */
export interface EmulatedAttachment {
  readonly id: string;
  readonly filename: string;
  readonly content_type: string;
  readonly size: number;
  readonly description: string | null;
  readonly data: Buffer;
}

/** A recorded channel post or webhook message (channel posts, interaction edits and follow-ups). */
export interface EmulatedMessage {
  readonly id: string;
  readonly channel_id: string;
  readonly content: string;
  readonly embeds: readonly Json[];
  /** Files sent with the message, or kept from the message it edits. */
  readonly attachments: readonly EmulatedAttachment[];
  /** Action rows of buttons and select menus. */
  readonly components: readonly Json[];
  readonly allowed_mentions: Json | null;
  readonly flags: number;
  /** The message this one replies to (`message_reference`), or null. */
  readonly reply_to: string | null;
  readonly at: number;
  /** When this version was made by an edit; null for the message as first posted. */
  readonly edited_at: number | null;
  readonly raw: Json;
}

export interface InteractionCallback {
  readonly type: number;
  readonly data: Json | null;
  /** Milliseconds from dispatch to this callback. */
  readonly atMs: number;
}

export interface InteractionRecord {
  readonly id: string;
  readonly token: string;
  readonly channelId: string;
  readonly dispatchedAt: number;
  /** A first callback later than this after dispatch gets 10062. */
  readonly ackDeadlineMs: number;
  readonly callbacks: InteractionCallback[];
  readonly edits: EmulatedMessage[];
  readonly followUps: EmulatedMessage[];
  /** Error codes the emulator answered for this interaction (10062, 40060…). */
  readonly rejections: number[];
  originalMessageId: string | null;
  /** The message the first callback made (type 4 or 5), before any edit. */
  original: EmulatedMessage | null;
  /** For a component interaction: the message its button or menu is on. */
  readonly componentMessageId?: string;
}

/** Everything the emulator knows: seed, posted messages, registered commands, interactions. */
export interface EmulatorState {
  readonly ids: SeedIds;
  readonly snowflake: () => string;
  readonly users: ReadonlyMap<string, SeedUser>;
  readonly channels: Map<string, Json>;
  readonly messages: Map<string, EmulatedMessage[]>;
  /**
   * Every version of every message the bot made (channel posts and interaction replies,
   * ephemeral ones included), oldest first, by message id.
   */
  readonly versions: Map<string, EmulatedMessage[]>;
  readonly interactions: Map<string, InteractionRecord>;
  /** Key: `global` or the guild id. */
  readonly commands: Map<string, Json[]>;
  /** The guilds the bot is in: the seeded home guild first, then the foreign one. */
  readonly guildIds: readonly string[];
  /** A guild the bot is in. @default the seeded home guild */
  guild(guildId?: string): Json;
  roles(guildId?: string): Json[];
  /** The channels of one guild. */
  guildChannels(guildId: string): Json[];
  /** The users who are members of one guild (the bot is in every one). */
  guildMembers(guildId: string): string[];
  userObject(id: string): Json;
  memberObject(id: string): Json;
  memberPermissions(roles: readonly string[], guildId?: string): string;
  application(): Json;
  /** A new message from a request body; `attachments` are the files it carries (uploaded or kept). */
  message(
    channelId: string,
    body: Json,
    author?: Json,
    attachments?: readonly EmulatedAttachment[],
  ): EmulatedMessage;
  /** Stores uploaded files as attachments with fresh ids. */
  attachments(uploads: readonly Upload[]): EmulatedAttachment[];
  /** The latest version of a message, or undefined. */
  latest(id: string): EmulatedMessage | undefined;
  /**
   * Edits a message: the fields `body` gives replace the current ones, the rest stay; the
   * new version is recorded, and replaces the old one in its channel's list.
   */
  edit(id: string, body: Json, attachments?: readonly EmulatedAttachment[]): EmulatedMessage | undefined;
}

/** Where the seeded guilds live when the bot runs several shards. */
export interface GuildLayout {
  /** The shard count the guild ids are chosen for. */
  readonly shards: number;
  /** The home guild's shard. */
  readonly homeShard: number;
  /** The foreign guild's shard. */
  readonly foreignShard: number;
}

/** What an extra guild holds: its roles and channels; the bot is its only member. */
interface ExtraGuild {
  readonly name: string;
  readonly ownerId: string;
  readonly roles: readonly Json[];
  readonly channels: Json[];
}

/** Channels of each extra guild, like a small community server's. */
const EXTRA_GUILD_CHANNELS = ['general', 'announcements', 'off-topic'] as const;

/**
 * @param layout Where the seeded guilds go when the bot runs several shards.
 * @param extraGuilds Guilds the bot is in besides the seeded two (someone else's servers,
 * with a few roles and channels each), for measuring what a bot's size costs.
 */
export function createEmulatorState(
  now: () => number = Date.now,
  layout?: GuildLayout,
  extraGuilds = 0,
): EmulatorState {
  if (!Number.isInteger(extraGuilds) || extraGuilds < 0) {
    throw new RangeError(`extraGuilds must be a whole number >= 0 (got ${extraGuilds})`);
  }
  const snowflake = createSnowflakeFactory(now);
  const guildId =
    layout === undefined ? snowflake() : snowflakeOnShard(layout.homeShard, layout.shards, now, 1);
  const applicationId = snowflake();
  const ids: SeedIds = {
    applicationId,
    // Discord bots share their id with their application.
    botUserId: applicationId,
    guildId,
    everyoneRoleId: guildId,
    adminRoleId: snowflake(),
    plainRoleId: snowflake(),
    opsRoleId: snowflake(),
    generalChannelId: snowflake(),
    opsChannelId: snowflake(),
    adminUserId: snowflake(),
    memberUserId: snowflake(),
    foreignGuildId:
      layout === undefined ? snowflake() : snowflakeOnShard(layout.foreignShard, layout.shards, now, 2),
    foreignAdminRoleId: snowflake(),
    foreignChannelId: snowflake(),
    foreignAdminUserId: snowflake(),
  };
  const createdAt = new Date(now()).toISOString();

  const users = new Map<string, SeedUser>([
    [ids.botUserId, { id: ids.botUserId, username: 'opsbot', bot: true, roles: [] }],
    [ids.adminUserId, { id: ids.adminUserId, username: 'admin', bot: false, roles: [ids.adminRoleId] }],
    [ids.memberUserId, { id: ids.memberUserId, username: 'member', bot: false, roles: [ids.plainRoleId] }],
    [
      ids.foreignAdminUserId,
      { id: ids.foreignAdminUserId, username: 'stranger', bot: false, roles: [ids.foreignAdminRoleId] },
    ],
  ]);
  const members = new Map<string, readonly string[]>([
    [guildId, [ids.botUserId, ids.adminUserId, ids.memberUserId]],
    [ids.foreignGuildId, [ids.botUserId, ids.foreignAdminUserId]],
  ]);

  // Ids made in bulk: the shared factory repeats after 4096 ids in one millisecond, so these
  // count up in bits it never sets.
  const bulkTime = (BigInt(now()) - 1_420_070_400_000n) << 22n;
  let bulkCount = 0x10_0000n;
  const bulkId = (): string => {
    bulkCount += 1n;
    return (bulkTime | bulkCount).toString();
  };
  const extras = new Map<string, ExtraGuild>();
  for (let i = 0; i < extraGuilds; i += 1) {
    const id = bulkId();
    extras.set(id, {
      name: `Guild ${i + 1}`,
      ownerId: bulkId(),
      roles: [role(id, '@everyone', PERMISSIONS.everyone, 0), role(bulkId(), 'Member', PERMISSIONS.plain, 1)],
      channels: [],
    });
  }

  const roles = (forGuild: string = guildId): Json[] =>
    extras.has(forGuild)
      ? [...(extras.get(forGuild)?.roles ?? [])]
      : forGuild === ids.foreignGuildId
        ? [
            role(ids.foreignGuildId, '@everyone', PERMISSIONS.everyone, 0),
            role(ids.foreignAdminRoleId, 'Owner', PERMISSIONS.administrator | PERMISSIONS.everyone, 1),
          ]
        : [
            role(ids.everyoneRoleId, '@everyone', PERMISSIONS.everyone, 0),
            role(ids.adminRoleId, 'Admin', PERMISSIONS.administrator | PERMISSIONS.everyone, 2),
            role(ids.plainRoleId, 'Regular', PERMISSIONS.plain, 1),
            role(ids.opsRoleId, 'Ops', PERMISSIONS.plain, 3),
          ];

  const channels = new Map<string, Json>([
    [ids.generalChannelId, textChannel(ids.generalChannelId, guildId, 'general', 0)],
    [ids.opsChannelId, textChannel(ids.opsChannelId, guildId, 'ops-alerts', 1)],
    [ids.foreignChannelId, textChannel(ids.foreignChannelId, ids.foreignGuildId, 'lobby', 0)],
  ]);
  for (const [id, extra] of extras) {
    members.set(id, [ids.botUserId]);
    EXTRA_GUILD_CHANNELS.forEach((name, position) => {
      const channel = textChannel(bulkId(), id, name, position);
      channels.set(channel.id as string, channel);
      extra.channels.push(channel);
    });
  }

  const userObject = (id: string): Json => {
    const user = users.get(id);
    return {
      id,
      username: user?.username ?? `user${id.slice(-4)}`,
      discriminator: '0',
      global_name: null,
      avatar: null,
      bot: user?.bot ?? false,
    };
  };

  const memberPermissions = (memberRoles: readonly string[], forGuild: string = guildId): string => {
    let bits = PERMISSIONS.everyone;
    for (const r of roles(forGuild))
      if (memberRoles.includes(r.id as string)) bits |= BigInt(r.permissions as string);
    return bits.toString();
  };

  const memberObject = (id: string): Json => ({
    user: userObject(id),
    roles: [...(users.get(id)?.roles ?? [])],
    nick: null,
    avatar: null,
    joined_at: createdAt,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until: null,
  });

  const state: EmulatorState = {
    ids,
    snowflake,
    users,
    channels,
    messages: new Map(),
    versions: new Map(),
    interactions: new Map(),
    commands: new Map(),
    guildIds: [guildId, ids.foreignGuildId, ...extras.keys()],
    roles,
    guildChannels: (forGuild) =>
      extras.has(forGuild)
        ? [...(extras.get(forGuild)?.channels ?? [])]
        : [...channels.values()].filter((c) => c.guild_id === forGuild),
    guildMembers: (forGuild) => [...(members.get(forGuild) ?? [])],
    userObject,
    memberObject,
    memberPermissions,
    guild: (forGuild = guildId) => ({
      id: forGuild,
      name:
        extras.get(forGuild)?.name ??
        (forGuild === ids.foreignGuildId ? 'Someone Else’s Server' : 'Emulated Guild'),
      icon: null,
      splash: null,
      discovery_splash: null,
      owner_id:
        extras.get(forGuild)?.ownerId ??
        (forGuild === ids.foreignGuildId ? ids.foreignAdminUserId : ids.adminUserId),
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      roles: roles(forGuild),
      emojis: [],
      stickers: [],
      features: [],
      mfa_level: 0,
      application_id: null,
      system_channel_id: null,
      system_channel_flags: 0,
      rules_channel_id: null,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: 0,
      preferred_locale: 'en-US',
      public_updates_channel_id: null,
      nsfw_level: 0,
      premium_progress_bar_enabled: false,
      safety_alerts_channel_id: null,
    }),
    application: () => ({
      id: ids.applicationId,
      name: 'opsbot',
      icon: null,
      description: '',
      bot_public: false,
      bot_require_code_grant: false,
      verify_key: '0'.repeat(64),
      flags: 0,
      bot: userObject(ids.botUserId),
    }),
    attachments: (uploads) =>
      uploads.map((u) => ({
        id: snowflake(),
        filename: u.filename,
        content_type: u.contentType,
        size: u.data.length,
        description: u.description ?? null,
        data: u.data,
      })),
    latest: (id) => state.versions.get(id)?.at(-1),
    edit(id, body, attachments) {
      const history = state.versions.get(id);
      const before = history?.at(-1);
      if (history === undefined || before === undefined) return undefined;
      const raw: Json = {
        ...before.raw,
        ...(typeof body.content === 'string' ? { content: body.content } : {}),
        ...(Array.isArray(body.embeds) ? { embeds: body.embeds } : {}),
        ...(Array.isArray(body.components) ? { components: body.components } : {}),
        ...(attachments === undefined
          ? {}
          : { attachments: attachments.map((a) => attachmentJson(before.channel_id, a)) }),
        // An edit ends a deferred reply's "thinking…" state.
        flags: (before.flags & ~128) | 0,
        edited_timestamp: new Date(now()).toISOString(),
      };
      const edited: EmulatedMessage = {
        ...before,
        content: raw.content as string,
        embeds: raw.embeds as Json[],
        components: raw.components as Json[],
        attachments: attachments === undefined ? before.attachments : [...attachments],
        allowed_mentions: (body.allowed_mentions as Json | undefined) ?? before.allowed_mentions,
        flags: raw.flags as number,
        edited_at: now(),
        raw,
      };
      history.push(edited);
      const list = state.messages.get(before.channel_id);
      const at = list?.findIndex((m) => m.id === id) ?? -1;
      if (list !== undefined && at >= 0) list[at] = edited;
      return edited;
    },
    message(channelId, body, author = userObject(ids.botUserId), attachments = []) {
      const id = snowflake();
      const reference = body.message_reference as { message_id?: unknown } | undefined;
      const replyTo = typeof reference?.message_id === 'string' ? reference.message_id : null;
      const raw: Json = {
        id,
        channel_id: channelId,
        author,
        content: typeof body.content === 'string' ? body.content : '',
        timestamp: new Date(now()).toISOString(),
        edited_timestamp: null,
        tts: false,
        mention_everyone: false,
        mentions: [],
        mention_roles: [],
        attachments: attachments.map((a) => attachmentJson(channelId, a)),
        embeds: Array.isArray(body.embeds) ? body.embeds : [],
        components: Array.isArray(body.components) ? body.components : [],
        pinned: false,
        type: replyTo === null ? 0 : 19,
        flags: typeof body.flags === 'number' ? body.flags : 0,
        ...(replyTo === null ? {} : { message_reference: { message_id: replyTo, channel_id: channelId } }),
      };
      const message: EmulatedMessage = {
        id,
        channel_id: channelId,
        content: raw.content as string,
        embeds: raw.embeds as Json[],
        attachments: [...attachments],
        components: raw.components as Json[],
        allowed_mentions: (body.allowed_mentions as Json | undefined) ?? null,
        flags: raw.flags as number,
        reply_to: replyTo,
        at: now(),
        edited_at: null,
        raw,
      };
      state.versions.set(id, [message]);
      return message;
    },
  };
  return state;
}

/** An attachment as Discord's message JSON shows it; images also carry their size in pixels. */
function attachmentJson(channelId: string, a: EmulatedAttachment): Json {
  const url = `https://cdn.emulator.invalid/attachments/${channelId}/${a.id}/${a.filename}`;
  const png = pngSize(a.data);
  return {
    id: a.id,
    filename: a.filename,
    size: a.size,
    url,
    proxy_url: url,
    content_type: a.content_type,
    ...(a.description === null ? {} : { description: a.description }),
    ...(png === undefined ? {} : { width: png.width, height: png.height }),
  };
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR chunk; undefined when the bytes are not a PNG. */
export function pngSize(data: Uint8Array): { width: number; height: number } | undefined {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return undefined;
  if (bytes.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

function role(id: string, name: string, permissions: bigint, position: number): Json {
  return {
    id,
    name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position,
    permissions: permissions.toString(),
    managed: false,
    mentionable: false,
    flags: 0,
  };
}

function textChannel(id: string, guildId: string, name: string, position: number): Json {
  return {
    id,
    type: 0,
    guild_id: guildId,
    name,
    position,
    permission_overwrites: [],
    nsfw: false,
    topic: null,
    last_message_id: null,
    rate_limit_per_user: 0,
    parent_id: null,
  };
}
