import { PermissionFlagsBits } from 'discord.js';

/** Who may run the ops commands besides members with the Administrator permission. */
export interface AdminPolicy {
  /** `ADMIN_USER_IDS`. */
  readonly adminUserIds: readonly string[];
  /** `ADMIN_ROLE_IDS`. */
  readonly adminRoleIds: readonly string[];
}

export type RefusalReason = 'not_admin' | 'dm' | 'unknown_guild';

export type GuardDecision =
  | { readonly allowed: true; readonly via: 'administrator' | 'user_id' | 'role_id' }
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
 * Decides whether the interaction's user may run an ops command. Guild only; then the
 * Administrator permission as Discord computed it for this very interaction (so a role
 * removed a second ago no longer counts), then the configured user and role ids.
 */
export function isOpsAdmin(interaction: GuardSubject, policy: AdminPolicy): GuardDecision {
  if (interaction.guildId === null) return { allowed: false, reason: 'dm' };
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

function hasRole(
  roles: readonly string[] | { readonly cache: { has(id: string): boolean } },
  id: string,
): boolean {
  return 'cache' in roles ? roles.cache.has(id) : roles.includes(id);
}
