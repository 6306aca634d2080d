import type { JSONEncodable } from 'discord.js';
import type { CommandReply } from './command.ts';

/**
 * Data already in the API's shape, handed to discord.js to send as it is. A plain object
 * embed or component goes through the client's `jsonTransformer` first: a deep copy that
 * runs lodash's snakeCase over every key, about a quarter of all a /health call allocated.
 * Our embeds and components are API objects, snake_case already, so they need no copy.
 */
export const asApiJson = <T>(data: T): JSONEncodable<T> => ({ toJSON: () => data });

/**
 * What discord.js sends for a reply or an edit: at most 10 embeds, the text, the files
 * as attachments and the buttons, and never a mention (`allowedMentions` empty).
 * Ephemeral replies add `flags` themselves.
 */
export function replyPayload(reply: CommandReply) {
  const files = reply.files ?? [];
  return {
    embeds: reply.embeds.slice(0, 10).map(asApiJson),
    ...(reply.content === undefined ? {} : { content: reply.content }),
    ...(files.length === 0
      ? {}
      : {
          files: files.slice(0, 10).map((f) => ({
            attachment: Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength),
            name: f.name,
            ...(f.description === undefined ? {} : { description: f.description }),
          })),
        }),
    ...(reply.components === undefined ? {} : { components: reply.components.map(asApiJson) }),
    allowedMentions: { parse: [] as never[] },
  };
}
