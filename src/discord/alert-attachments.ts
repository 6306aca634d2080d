import type { AlertNotification } from '../core/alerts/types.ts';
import type { Clock, Timer } from '../core/clock.ts';
import type { Logger } from '../core/logging/logger.ts';

/** A file posted with an alert message (a resource alert's chart). */
export interface OpsChannelFile {
  readonly name: string;
  readonly data: Uint8Array;
  readonly description?: string;
}

/** Asks for a notification's file as it is queued; undefined for none. */
export type AttachmentFor = (n: AlertNotification) => Promise<OpsChannelFile | undefined> | undefined;

/** The files of the notifications an ops-channel sink holds: asked for, waited for (bounded), attached. */
export interface AlertAttachments {
  /** Starts making the notification's file, if it has one. Never throws. */
  track(n: AlertNotification): void;
  /** Waits, at most `waitMs`, for the files of a batch about to go out. */
  ready(batch: readonly AlertNotification[]): Promise<void>;
  /**
   * The message with each ready file attached and shown by its notification's embed
   * (the batch's embeds are the message's last ones, in order). Names are made unique
   * within the message. A notification whose file failed or is late stays text.
   */
  attach<M extends { readonly embeds: readonly object[] }>(
    message: M,
    batch: readonly AlertNotification[],
  ): M & { readonly files?: readonly OpsChannelFile[] };
}

/** No files: what a sink without `attachmentFor` uses. */
const NONE: AlertAttachments = { track: () => {}, ready: async () => {}, attach: (message) => message };

export function createAlertAttachments(options: {
  readonly attachmentFor: AttachmentFor | undefined;
  readonly waitMs: number;
  readonly clock: Clock;
  readonly log: Logger;
}): AlertAttachments {
  const { attachmentFor, waitMs, clock, log } = options;
  if (attachmentFor === undefined) return NONE;
  // By episode: the notification the sink finally posts for an episode may be a later
  // object than the one that fired it (the sink folds updates into what it queued).
  const idOf = (n: AlertNotification): object | string => (n.kind === 'notice' ? n : n.episode);
  const pending = new Map<object | string, Promise<OpsChannelFile | undefined>>();
  const done = new Map<object | string, OpsChannelFile>();
  return {
    track(n) {
      try {
        // A failed chart only costs the image; the alert still goes out.
        const file = attachmentFor(n);
        if (file !== undefined)
          pending.set(
            idOf(n),
            Promise.resolve(file).catch(() => undefined),
          );
      } catch (error) {
        log.warning('alert_attachment_failed', 'No chart for this alert', { key: n.key, error });
      }
    },
    async ready(batch) {
      const waiting = batch.flatMap((n) => {
        const id = idOf(n);
        const p = pending.get(id);
        if (p === undefined) return [];
        pending.delete(id);
        return [p.then((file) => (file === undefined ? undefined : done.set(id, file)))];
      });
      if (waiting.length === 0) return;
      let timer: Timer | undefined;
      await Promise.race([
        Promise.allSettled(waiting),
        new Promise<void>((resolve) => {
          timer = clock.setTimeout(resolve, waitMs, { unref: true });
        }),
      ]);
      timer?.cancel();
    },
    attach(message, batch) {
      const offset = message.embeds.length - batch.length;
      const files: OpsChannelFile[] = [];
      const embeds = message.embeds.map((embed, i) => {
        const n = batch[i - offset];
        const id = n === undefined ? undefined : idOf(n);
        const file = id === undefined ? undefined : done.get(id);
        if (id === undefined || file === undefined) return embed;
        done.delete(id);
        const named = { ...file, name: `${i - offset + 1}-${file.name}` };
        files.push(named);
        return { ...embed, image: { url: `attachment://${named.name}` } };
      });
      return files.length === 0 ? message : { ...message, embeds, files };
    },
  };
}
