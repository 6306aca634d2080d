import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PermissionsBitField } from 'discord.js';
import { type GuardSubject, isInBotGuild, isOpsAdmin } from '../../src/discord/is-ops-admin.ts';

const GUILD = '1100000000000000001';
const ADMIN_ROLE = '1100000000000000002';
const OPS_ROLE = '1100000000000000003';
const USER = '1100000000000000004';
const EVERYONE_PERMS = new PermissionsBitField(['ViewChannel', 'SendMessages']).bitfield;

function subject(
  overrides: Partial<GuardSubject> & { roles?: readonly string[]; permissions?: bigint },
): GuardSubject {
  const { roles = [], permissions = EVERYONE_PERMS, ...rest } = overrides;
  return {
    guildId: GUILD,
    guild: { id: GUILD },
    user: { id: USER },
    memberPermissions: new PermissionsBitField(permissions).freeze(),
    member: { roles },
    ...rest,
  };
}

const noPolicy = { opsGuildIds: [GUILD], adminUserIds: [], adminRoleIds: [] } as const;
const FOREIGN = '1100000000000000077';

describe('isOpsAdmin', () => {
  it('allows a member whose permissions include Administrator', () => {
    const decision = isOpsAdmin(
      subject({ permissions: EVERYONE_PERMS | PermissionsBitField.Flags.Administrator }),
      noPolicy,
    );
    assert.deepEqual(decision, { allowed: true, via: 'administrator' });
  });

  it('refuses a plain member', () => {
    assert.deepEqual(isOpsAdmin(subject({ roles: [OPS_ROLE] }), noPolicy), {
      allowed: false,
      reason: 'not_admin',
    });
  });

  it('refuses a member who merely has Manage Server', () => {
    const decision = isOpsAdmin(subject({ permissions: PermissionsBitField.Flags.ManageGuild }), noPolicy);
    assert.equal(decision.allowed, false);
  });

  it('allows a user listed in ADMIN_USER_IDS without the permission', () => {
    const decision = isOpsAdmin(subject({}), {
      opsGuildIds: [GUILD],
      adminUserIds: ['1100000000000000009', USER],
      adminRoleIds: [],
    });
    assert.deepEqual(decision, { allowed: true, via: 'user_id' });
  });

  it('allows a member holding a role listed in ADMIN_ROLE_IDS, raw ids or a cached role manager', () => {
    const policy = { opsGuildIds: [GUILD], adminUserIds: [], adminRoleIds: [OPS_ROLE] };
    assert.deepEqual(isOpsAdmin(subject({ roles: [OPS_ROLE] }), policy), { allowed: true, via: 'role_id' });
    const cached = subject({ member: { roles: { cache: new Map([[OPS_ROLE, {}]]) } } });
    assert.deepEqual(isOpsAdmin(cached, policy), { allowed: true, via: 'role_id' });
  });

  it('refuses a member whose admin role was just removed, as the interaction reports it', () => {
    const policy = { opsGuildIds: [GUILD], adminUserIds: [], adminRoleIds: [ADMIN_ROLE] };
    const before = subject({
      roles: [ADMIN_ROLE],
      permissions: EVERYONE_PERMS | PermissionsBitField.Flags.Administrator,
    });
    assert.equal(isOpsAdmin(before, policy).allowed, true);
    // Discord recomputes member.permissions and roles for each interaction.
    const after = subject({ roles: [], permissions: EVERYONE_PERMS });
    assert.deepEqual(isOpsAdmin(after, policy), { allowed: false, reason: 'not_admin' });
  });

  it('refuses in a DM, even an allow-listed user', () => {
    const dm = subject({ guildId: null, guild: null, member: null, memberPermissions: null });
    assert.deepEqual(isOpsAdmin(dm, { opsGuildIds: [GUILD], adminUserIds: [USER], adminRoleIds: [] }), {
      allowed: false,
      reason: 'dm',
    });
  });

  it('refuses an ops guild the bot does not have, even with Administrator there', () => {
    const elsewhere = subject({ guild: null, permissions: PermissionsBitField.Flags.Administrator });
    assert.deepEqual(
      isOpsAdmin(elsewhere, { opsGuildIds: [GUILD], adminUserIds: [USER], adminRoleIds: [] }),
      {
        allowed: false,
        reason: 'unknown_guild',
      },
    );
  });

  it('refuses an Administrator of any guild that is not an ops guild, and an allow-listed user there too', () => {
    const stranger = subject({
      guildId: FOREIGN,
      guild: { id: FOREIGN },
      permissions: EVERYONE_PERMS | PermissionsBitField.Flags.Administrator,
      roles: [OPS_ROLE],
    });
    const policy = { opsGuildIds: [GUILD], adminUserIds: [USER], adminRoleIds: [OPS_ROLE] };
    assert.deepEqual(isOpsAdmin(stranger, policy), { allowed: false, reason: 'foreign_guild' });
    // The same person in a guild that is listed is let in.
    assert.deepEqual(isOpsAdmin(stranger, { ...policy, opsGuildIds: [GUILD, FOREIGN] }), {
      allowed: true,
      via: 'administrator',
    });
  });
});

describe('isInBotGuild, the guard of a public command', () => {
  it('lets anyone in, in any guild the bot is in, and no one in a DM or a guild it is not in', () => {
    assert.deepEqual(isInBotGuild(subject({})), { allowed: true, via: 'public' });
    assert.deepEqual(isInBotGuild(subject({ guildId: FOREIGN, guild: { id: FOREIGN } })), {
      allowed: true,
      via: 'public',
    });
    assert.deepEqual(isInBotGuild(subject({ guildId: null, guild: null, member: null })), {
      allowed: false,
      reason: 'dm',
    });
    assert.deepEqual(isInBotGuild(subject({ guildId: FOREIGN, guild: null })), {
      allowed: false,
      reason: 'unknown_guild',
    });
  });
});
