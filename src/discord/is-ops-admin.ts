import { PermissionFlagsBits } from 'discord.js';

/** Where the ops commands answer, and who may run them there. */
export interface AdminPolicy {
  /**
   * The guilds whose members may use the ops commands at all (`DISCORD_GUILD_ID` and
   * `OPS_GUILD_IDS`). An Administrator of any other guild the bot is in is refused.
   */
  readonly opsGuildIds: readonly string[];
  /** `ADMIN_USER_IDS`: allowed in the ops guilds, not elsewhere. */
  readonly adminUserIds: readonly string[];
  /** `ADMIN_ROLE_IDS`. */
  readonly adminRoleIds: readonly string[];
}

export type RefusalReason = 'not_admin' | 'dm' | 'unknown_guild' | 'foreign_guild';

export type GuardDecision =
  | { readonly allowed: true; readonly via: 'administrator' | 'user_id' | 'role_id' | 'public' }
  | { readonly allowed: false; readonly reason: RefusalReason };

/**
 * The parts of an interaction the guard reads. A discord.js `ChatInputCommandInteraction`
 * or `AutocompleteInteraction` fits as is; `member.roles` is either the raw id list
 * (uncached member) or a role manager with a cache.
 */
export interface GuardSubject {
  readonly guildId: string | null;
  /** The cached guild; null when the bot is not in it. */
  readonly guild: unknown;
  readonly user: { readonly id: string };
  readonly memberPermissions: { has(permission: bigint, checkAdmin?: boolean): boolean } | null;
  readonly member:
    | { readonly roles: readonly string[] | { readonly cache: { has(id: string): boolean } } }
    | null
    | undefined;
}

/**
 * Decides whether the interaction's user may run an ops command. One of the ops guilds
 * only (anyone can invite the bot to a server where they are Administrator, so being
 * one proves nothing elsewhere); then the Administrator permission as Discord computed it
 * for this very interaction (so a role removed a second ago no longer counts), then the
 * configured user and role ids.
 */
export function isOpsAdmin(interaction: GuardSubject, policy: AdminPolicy): GuardDecision {
  if (interaction.guildId === null) return { allowed: false, reason: 'dm' };
  if (!policy.opsGuildIds.includes(interaction.guildId)) return { allowed: false, reason: 'foreign_guild' };
  if (interaction.guild === null || interaction.guild === undefined)
    return { allowed: false, reason: 'unknown_guild' };
  if (interaction.memberPermissions?.has(PermissionFlagsBits.Administrator, true) === true) {
    return { allowed: true, via: 'administrator' };
  }
  if (policy.adminUserIds.includes(interaction.user.id)) return { allowed: true, via: 'user_id' };
  const roles = interaction.member?.roles;
  if (roles !== undefined && policy.adminRoleIds.some((id) => hasRole(roles, id))) {
    return { allowed: true, via: 'role_id' };
  }
  return { allowed: false, reason: 'not_admin' };
}

/**
 * The guard of a public command: anyone, in any guild the bot is in (its guild is
 * cached); never in a DM, nor in a guild the bot is not a member of.
 */
export function isInBotGuild(interaction: GuardSubject): GuardDecision {
  if (interaction.guildId === null) return { allowed: false, reason: 'dm' };
  if (interaction.guild === null || interaction.guild === undefined)
    return { allowed: false, reason: 'unknown_guild' };
  return { allowed: true, via: 'public' };
}

function hasRole(
  roles: readonly string[] | { readonly cache: { has(id: string): boolean } },
  id: string,
): boolean {
  return 'cache' in roles ? roles.cache.has(id) : roles.includes(id);
}
