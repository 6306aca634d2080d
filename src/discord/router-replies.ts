import type { APIEmbed } from 'discord-api-types/v10';
import type { RefusalReason } from './is-ops-admin.ts';

const RED = 0xe74c3c;
const AMBER = 0xf1c40f;

const REFUSALS: Readonly<Record<RefusalReason, string>> = {
  not_admin: 'This command is for server administrators only.',
  // Word for word a plain member's refusal: an outsider learns nothing about the ops guilds.
  foreign_guild: 'This command is for server administrators only.',
  dm: 'This command works only inside a server, not in direct messages.',
  unknown_guild: 'This command works only in a server this bot is in.',
};

/** The refusal a non-admin sees: says why, carries none of the data. */
export function refusalEmbed(reason: RefusalReason): APIEmbed {
  return { title: '⛔ Not allowed', description: REFUSALS[reason], color: RED };
}

/** What the user sees when a command throws: a reference to find the logged error, never the error itself. */
export function errorEmbed(reference: string): APIEmbed {
  return {
    title: '⚠️ Command failed',
    description: `Something went wrong while running this command. Reference: \`${reference}\``,
    color: RED,
  };
}

export function unknownCommandEmbed(): APIEmbed {
  return { title: '❓ Unknown command', description: 'This bot does not know that command.', color: AMBER };
}

export function shuttingDownEmbed(): APIEmbed {
  return {
    title: '⏳ Shutting down',
    description: 'The bot is stopping; try again in a moment.',
    color: AMBER,
  };
}
