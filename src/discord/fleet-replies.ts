import type { APIEmbed } from 'discord-api-types/v10';
import type { FleetView } from '../fleet/ipc-protocol.ts';
import type { CommandContext, CommandReply } from './command.ts';
import { EMBED_LIMITS, embedLength, truncateText } from './embeds/embed-text.ts';

/**
 * A command's reply in sharded mode: the fleet view first (asked from the shard manager
 * with a deadline), then as much of the shard's own view as Discord's 6000 characters
 * leave room for. Without a fleet (one process) the own view alone; when the manager
 * does not answer in time, the own view with a word saying the fleet view is unavailable.
 */
export async function fleetReply(
  ctx: Pick<CommandContext, 'fleet'>,
  own: readonly APIEmbed[],
  renderFleet: (view: FleetView) => APIEmbed,
): Promise<CommandReply> {
  const fleet = ctx.fleet;
  if (fleet === undefined) return { embeds: own };
  const view = await fleet.view();
  if (view === undefined) {
    return {
      embeds: own,
      content: `Fleet view unavailable: the shard manager did not answer within ${fleet.deadlineMs} ms. This is shard ${fleet.shardId} of ${fleet.totalShards} only.`,
    };
  }
  const embeds = [renderFleet(view)];
  let used = embedLength(embeds[0] as APIEmbed);
  for (const embed of own) {
    // Said apart from the fleet's: this part is the answering shard's own.
    const named: APIEmbed =
      embed.title === undefined
        ? embed
        : { ...embed, title: truncateText(`Shard ${fleet.shardId} · ${embed.title}`, EMBED_LIMITS.title) };
    const size = embedLength(named);
    if (embeds.length >= EMBED_LIMITS.embedsPerMessage || used + size > EMBED_LIMITS.total) break;
    embeds.push(named);
    used += size;
  }
  return { embeds };
}

/** The shard that serves a guild when the bot runs `total` shards: `(guild_id >> 22) % total`. */
export function shardOfGuild(guildId: string, total: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(total));
}
