import type { REST } from 'discord.js';
import { Routes } from 'discord.js';
import type { OpsChannelPost } from '../discord/ops-channel-sink.ts';

/** Checks the ops channel over REST: the manager has no gateway connection, so no channel cache. */
export async function checkOpsChannel(
  rest: Pick<REST, 'get'>,
  channelId: string,
  signal?: AbortSignal,
): Promise<void> {
  const channel = (await rest.get(Routes.channel(channelId), signal === undefined ? {} : { signal })) as {
    readonly type?: unknown;
  };
  // Text, announcement, and thread channels take messages.
  if (![0, 5, 10, 11, 12].includes(Number(channel.type))) {
    throw Object.assign(new Error(`OPS_CHANNEL_ID ${channelId} is not a channel the bot can post in`), {
      status: 404,
      code: 10003,
    });
  }
}

/** An {@link OpsChannelPost} over `@discordjs/rest`, its errors reaching the sink as they are. */
export function createRestChannelPoster(rest: Pick<REST, 'post'>, channelId: string): OpsChannelPost {
  return async (message, signal) => {
    await rest.post(Routes.channelMessages(channelId), {
      body: { embeds: message.embeds, allowed_mentions: { parse: [] } },
      signal,
    });
  };
}
