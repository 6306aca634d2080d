import { type Client, Events } from 'discord.js';

/**
 * Resolves with the time from the client sending IDENTIFY (its "Identifying" debug line)
 * to `clientReady`, ms: what the guilds of READY cost a client to take in. Null when the
 * IDENTIFY was not seen (a resumed session).
 */
export function watchIdentifyToReady(client: Client): Promise<number | null> {
  let identifiedAt: number | undefined;
  const onDebug = (message: string): void => {
    if (identifiedAt === undefined && /\bIdentifying\b/.test(message)) identifiedAt = performance.now();
  };
  client.on(Events.Debug, onDebug);
  return new Promise((resolve) => {
    client.once(Events.ClientReady, () => {
      client.off(Events.Debug, onDebug);
      resolve(identifiedAt === undefined ? null : Math.round((performance.now() - identifiedAt) * 10) / 10);
    });
  });
}
