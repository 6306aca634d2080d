import type { Client } from 'discord.js';
import type { APIEmbed } from 'discord-api-types/v10';
import type { AlertNotification, AlertSink } from '../core/alerts/types.ts';
import type { Clock, Timer } from '../core/clock.ts';
import type { Logger } from '../core/logging/logger.ts';
import { type Metrics, noopMetrics } from '../core/metrics/metrics.ts';
import { type AttachmentFor, createAlertAttachments, type OpsChannelFile } from './alert-attachments.ts';
import { renderAlertNotificationEmbed, renderDroppedNoticeEmbed } from './embeds/alert-notification-embed.ts';
import { EMBED_LIMITS, embedLength } from './embeds/embed-text.ts';

/** The message the sink posts; mentions are always off. */
export interface OpsChannelMessage {
  readonly embeds: APIEmbed[];
  readonly allowed_mentions: { readonly parse: [] };
  /** Files the embeds show with `attachment://NAME` (resource alerts' charts). */
  readonly files?: readonly OpsChannelFile[];
}

export type OpsChannelPost = (body: OpsChannelMessage) => Promise<void>;

export interface OpsChannelBudget {
  /** Messages allowed per `windowMs`; Discord allows about 5 per 5 s per channel. */
  readonly perWindow: number;
  readonly windowMs: number;
  /** Messages allowed per rolling minute. */
  readonly perMinute: number;
}

export interface OpsChannelSinkOptions {
  readonly post: OpsChannelPost;
  readonly clock: Clock;
  readonly log: Logger;
  /** @default noopMetrics */
  readonly metrics?: Metrics;
  /** Told when the channel becomes unusable (`degraded`) and usable again (`ready`), for the health registry. */
  readonly onChannelState?: (state: 'ready' | 'degraded', note: string) => void;
  /** @default { perWindow: 4, windowMs: 5000, perMinute: 20 } */
  readonly budget?: OpsChannelBudget;
  /**
   * Notifications waiting beyond this are dropped, oldest first, and counted.
   * @default 50
   */
  readonly queueMax?: number;
  /**
   * How long the first notification waits for others, so alerts raised together go out as one message.
   * @default 1000
   */
  readonly digestWindowMs?: number;
  /**
   * Pause after the channel is found missing or forbidden, before one message is tried again.
   * @default 600000 (10 min)
   */
  readonly unavailableBackoffMs?: number;
  /**
   * Attempts per message on 5xx or network errors before it is given up (and logged).
   * @default 5
   */
  readonly maxAttempts?: number;
  /** @default 1000 */
  readonly retryBaseMs?: number;
  /** @default 60000 */
  readonly retryMaxMs?: number;
  /** A file to post with a notification (a chart), asked for as it is queued; the post waits for it at most 3 s. */
  readonly attachmentFor?: AttachmentFor;
}

export interface OpsChannelSink extends AlertSink {
  close(timeoutMs: number): Promise<void>;
  /** Notifications waiting, in flight included. */
  readonly queued: number;
}

const DEFAULTS = {
  budget: { perWindow: 4, windowMs: 5000, perMinute: 20 },
  queueMax: 50,
  digestWindowMs: 1000,
  unavailableBackoffMs: 600_000,
  maxAttempts: 5,
  retryBaseMs: 1000,
  retryMaxMs: 60_000,
} as const satisfies Required<
  Omit<OpsChannelSinkOptions, 'post' | 'clock' | 'log' | 'metrics' | 'onChannelState' | 'attachmentFor'>
>;

/** Codes and statuses meaning the channel is gone or we may not post there: retrying soon will not help. */
const UNAVAILABLE_CODES = new Set([10003, 50001, 50013]);
const MINUTE = 60_000;
const DROPPED_NOTE_RESERVE = 200;

type Failure =
  | { readonly kind: 'rate_limited'; readonly retryAfterMs: number }
  | { readonly kind: 'unavailable'; readonly status: number | undefined; readonly code: number | undefined }
  | { readonly kind: 'transient'; readonly status: number | undefined };

function classify(error: unknown): Failure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    status?: unknown;
    code?: unknown;
    retryAfter?: unknown;
    rawError?: { retry_after?: unknown };
  };
  const status = typeof e.status === 'number' ? e.status : undefined;
  const code = typeof e.code === 'number' ? e.code : undefined;
  if (status === 429) {
    // discord.js's RateLimitError gives milliseconds; the raw API body gives seconds.
    const ms =
      typeof e.retryAfter === 'number'
        ? e.retryAfter
        : typeof e.rawError?.retry_after === 'number'
          ? e.rawError.retry_after * 1000
          : 1000;
    return { kind: 'rate_limited', retryAfterMs: Math.min(Math.max(ms, 50), 10 * MINUTE) };
  }
  if ((code !== undefined && UNAVAILABLE_CODES.has(code)) || status === 403 || status === 404) {
    return { kind: 'unavailable', status, code };
  }
  return { kind: 'transient', status };
}

function positive(name: string, value: number, integer = false): void {
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`${name} must be a positive ${integer ? 'integer' : 'number'} (got ${value})`);
  }
}

/**
 * An {@link AlertSink} that posts to the ops channel: one embed per notification,
 * batched into digests, within a send budget well under Discord's limits, with a
 * bounded queue whose losses are counted and announced. Silenced notifications are
 * not posted. It never throws at the engine; every alert is in the log anyway.
 */
export function createOpsChannelSink(options: OpsChannelSinkOptions): OpsChannelSink {
  const { post, clock } = options;
  const log = options.log.child({ name: 'bot.alerts', subsys: 'alerts' });
  const metrics = options.metrics ?? noopMetrics;
  const onChannelState = (state: 'ready' | 'degraded', note: string): void => {
    try {
      options.onChannelState?.(state, note);
    } catch (error) {
      log.error('alert_sink_failed', 'The ops channel health hook failed', { state, error });
    }
  };
  const budget = options.budget ?? DEFAULTS.budget;
  const queueMax = options.queueMax ?? DEFAULTS.queueMax;
  const digestWindowMs = options.digestWindowMs ?? DEFAULTS.digestWindowMs;
  const unavailableBackoffMs = options.unavailableBackoffMs ?? DEFAULTS.unavailableBackoffMs;
  const maxAttempts = options.maxAttempts ?? DEFAULTS.maxAttempts;
  const retryBaseMs = options.retryBaseMs ?? DEFAULTS.retryBaseMs;
  const retryMaxMs = options.retryMaxMs ?? DEFAULTS.retryMaxMs;
  positive('budget.perWindow', budget.perWindow, true);
  positive('budget.windowMs', budget.windowMs);
  positive('budget.perMinute', budget.perMinute, true);
  positive('queueMax', queueMax, true);
  positive('maxAttempts', maxAttempts, true);
  if (budget.perMinute < budget.perWindow)
    throw new Error('budget.perMinute must be at least budget.perWindow');

  const files = createAlertAttachments({ attachmentFor: options.attachmentFor, waitMs: 3_000, clock, log });
  const queue: AlertNotification[] = [];
  let inflight: AlertNotification[] = [];
  /** Dropped since the last delivered message, announced in the next one. */
  let dropped = 0;
  let droppedInInflight = 0;
  /** Start times of every post attempt in the last minute, for the budget. */
  let attempts: number[] = [];
  let pausedUntil = 0;
  let unavailable = false;
  let running: Promise<void> | undefined;
  let closing = false;
  /** Set once `close()` has given up on what was left, so a late pump does nothing more. */
  let closed = false;
  let deadline = Number.POSITIVE_INFINITY;
  let wake: (() => void) | undefined;

  /** Waits `ms` on an unref'd timer; `close()` may cut it short. */
  const wait = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      let timer: Timer | undefined;
      const done = (): void => {
        timer?.cancel();
        wake = undefined;
        resolve();
      };
      timer = clock.setTimeout(done, ms, { unref: true });
      wake = done;
    });

  const drop = (n: AlertNotification): void => {
    dropped += 1;
    metrics.alert('dropped', n.severity);
  };

  /** Ms until the budget allows another post. */
  const budgetDelay = (now: number): number => {
    attempts = attempts.filter((t) => now - t < MINUTE);
    const inWindow = attempts.filter((t) => now - t < budget.windowMs);
    let delay = 0;
    if (inWindow.length >= budget.perWindow) {
      delay = (inWindow[inWindow.length - budget.perWindow] ?? now) + budget.windowMs - now;
    }
    if (attempts.length >= budget.perMinute) {
      delay = Math.max(delay, (attempts[attempts.length - budget.perMinute] ?? now) + MINUTE - now);
    }
    return Math.max(0, delay);
  };

  /** Takes from the queue as many notifications as fit in one message. */
  const takeBatch = (): void => {
    droppedInInflight = dropped;
    let slots = EMBED_LIMITS.embedsPerMessage - (dropped > 0 ? 1 : 0);
    // Room for the dropped note is always kept, since drops can happen while this batch waits.
    let chars = DROPPED_NOTE_RESERVE;
    while (slots > 0 && queue.length > 0) {
      const next = queue[0] as AlertNotification;
      const size = embedLength(renderAlertNotificationEmbed(next));
      if (inflight.length > 0 && chars + size > EMBED_LIMITS.total) break;
      inflight.push(next);
      queue.shift();
      chars += size;
      slots -= 1;
    }
  };

  const body = (): OpsChannelMessage => ({
    embeds: [
      ...(droppedInInflight > 0 ? [renderDroppedNoticeEmbed(droppedInInflight)] : []),
      ...inflight.map(renderAlertNotificationEmbed),
    ],
    allowed_mentions: { parse: [] },
  });

  const logUndelivered = (notifications: readonly AlertNotification[], reason: string): void => {
    for (const n of notifications) {
      log.error('alert_undelivered', `Alert not delivered to the ops channel: ${n.title}`, {
        key: n.key,
        kind: n.kind,
        severity: n.severity,
        since: n.since,
        reason,
      });
    }
  };

  /** Waits `ms`, or returns false when closing and the wait would pass the deadline. */
  const waitWithinDeadline = async (ms: number): Promise<boolean> => {
    if (ms <= 0) return true;
    if (closing && clock.now() + ms > deadline) return false;
    await wait(ms);
    return !(closing && clock.now() > deadline);
  };

  const deliver = async (): Promise<boolean> => {
    let transientFailures = 0;
    for (;;) {
      if (closed) return false;
      const now = clock.now();
      const delay = Math.max(budgetDelay(now), pausedUntil - now);
      if (!(await waitWithinDeadline(delay))) return false;
      if (clock.now() < pausedUntil || budgetDelay(clock.now()) > 0) continue;
      if (
        dropped > droppedInInflight &&
        (droppedInInflight > 0 || inflight.length < EMBED_LIMITS.embedsPerMessage)
      ) {
        droppedInInflight = dropped;
      }
      await files.ready(inflight);
      attempts.push(clock.now());
      try {
        await post(files.attach(body(), inflight));
      } catch (error) {
        const failure = classify(error);
        if (failure.kind === 'rate_limited') {
          log.warning('alert_channel_rate_limited', 'Ops channel rate limited; waiting before retrying', {
            retry_after_ms: failure.retryAfterMs,
          });
          pausedUntil = clock.now() + failure.retryAfterMs;
          continue;
        }
        if (failure.kind === 'unavailable') {
          if (!unavailable) {
            unavailable = true;
            const note = `ops channel unavailable (status ${failure.status ?? 'n/a'}, code ${failure.code ?? 'n/a'})`;
            log.error(
              'alert_channel_unavailable',
              'Ops channel is missing or forbidden; alerts stay in the log',
              {
                status: failure.status ?? null,
                code: failure.code ?? null,
                retry_in_ms: unavailableBackoffMs,
                error,
              },
            );
            onChannelState('degraded', note);
          }
          pausedUntil = clock.now() + unavailableBackoffMs;
          continue;
        }
        transientFailures += 1;
        if (transientFailures >= maxAttempts) {
          logUndelivered(inflight, `gave up after ${transientFailures} attempts`);
          for (const n of inflight) metrics.alert('dropped', n.severity);
          return true;
        }
        const backoff = Math.min(retryMaxMs, retryBaseMs * 2 ** (transientFailures - 1));
        log.warning('alert_channel_retry', 'Posting to the ops channel failed; retrying', {
          status: failure.status ?? null,
          attempt: transientFailures,
          retry_in_ms: backoff,
          error,
        });
        if (!(await waitWithinDeadline(backoff))) return false;
        continue;
      }
      for (const n of inflight) metrics.alert('delivered', n.severity);
      dropped -= droppedInInflight;
      if (unavailable) {
        unavailable = false;
        log.info('alert_channel_recovered', 'Ops channel is reachable again', {});
        onChannelState('ready', 'ops channel reachable');
      }
      return true;
    }
  };

  const pump = async (): Promise<void> => {
    if (!closing) await waitWithinDeadline(digestWindowMs);
    while (queue.length > 0 || inflight.length > 0) {
      if (inflight.length === 0) takeBatch();
      const done = await deliver();
      if (!done) return;
      inflight = [];
      droppedInInflight = 0;
    }
  };

  const start = (): void => {
    if (running !== undefined) return;
    let failed = false;
    running = pump()
      .catch((error: unknown) => {
        // Give up on the batch at hand so a bug cannot spin on the same notifications.
        failed = true;
        log.error('alert_sink_failed', 'The ops channel sink failed', { error });
        logUndelivered(inflight, 'sink error');
        inflight = [];
        droppedInInflight = 0;
      })
      .finally(() => {
        running = undefined;
        if (!failed && !closing && queue.length > 0) start();
      });
  };

  return {
    name: 'ops-channel',
    get queued() {
      return queue.length + inflight.length;
    },
    notify(n) {
      if (n.silenced) return;
      if (closing) {
        logUndelivered([n], 'sink closed');
        return;
      }
      queue.push(n);
      files.track(n);
      while (queue.length > queueMax) drop(queue.shift() as AlertNotification);
      start();
    },
    async close(timeoutMs) {
      closing = true;
      deadline = clock.now() + Math.max(0, timeoutMs);
      wake?.();
      if (running === undefined && (queue.length > 0 || inflight.length > 0)) start();
      let timer: Timer | undefined;
      await Promise.race([
        running,
        new Promise<void>((resolve) => {
          timer = clock.setTimeout(resolve, Math.max(0, timeoutMs), { unref: true });
        }),
      ]);
      timer?.cancel();
      closed = true;
      const left = [...inflight, ...queue];
      inflight = [];
      queue.length = 0;
      if (left.length > 0) logUndelivered(left, 'shutdown');
      wake?.();
    },
  };
}

/**
 * A {@link OpsChannelPost} over a discord.js client: fetches the channel once
 * (again only after a failure) and sends, so discord.js errors reach the sink as they are.
 */
export function createChannelPoster(client: Client, channelId: string): OpsChannelPost {
  type Sendable = { send(options: unknown): Promise<unknown> };
  let channel: Promise<Sendable> | undefined;
  const fetchChannel = async (): Promise<Sendable> => {
    const found = await client.channels.fetch(channelId);
    if (found === null || !found.isSendable()) {
      throw Object.assign(new Error('The ops channel is not a channel the bot can send to'), {
        status: 404,
        code: 10003,
      });
    }
    return found as unknown as Sendable;
  };
  return async (body) => {
    channel ??= fetchChannel();
    let target: Sendable;
    try {
      target = await channel;
    } catch (error) {
      channel = undefined;
      throw error;
    }
    await target.send({
      embeds: body.embeds,
      allowedMentions: { parse: [] },
      ...(body.files === undefined ? {} : { files: body.files.map(discordFile) }),
    });
  };
}

/** discord.js's form of a file. */
function discordFile(f: OpsChannelFile) {
  return {
    attachment: Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength),
    name: f.name,
    ...(f.description === undefined ? {} : { description: f.description }),
  };
}
