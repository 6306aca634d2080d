import type { CommandReply } from './command.ts';

/**
 * What discord.js sends for a reply or an edit: at most 10 embeds, the text, the files
 * as attachments and the buttons, and never a mention (`allowedMentions` empty).
 * Ephemeral replies add `flags` themselves.
 */
export function replyPayload(reply: CommandReply) {
  const files = reply.files ?? [];
  return {
    embeds: reply.embeds.slice(0, 10),
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
    ...(reply.components === undefined ? {} : { components: [...reply.components] }),
    allowedMentions: { parse: [] as never[] },
  };
}
