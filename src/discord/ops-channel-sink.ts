import { type Client, Routes } from 'discord.js';
import type { APIEmbed } from 'discord-api-types/v10';
import type { AlertNotification, AlertSink } from '../core/alerts/types.ts';
import { createBackoff } from '../core/backoff.ts';
import { positiveInteger, positiveNumber } from '../core/check-option.ts';
import type { Clock, Timer } from '../core/clock.ts';
import type { Logger } from '../core/logging/logger.ts';
import { type Metrics, noopMetrics } from '../core/metrics/metrics.ts';
import { type AttachmentFor, createAlertAttachments, type OpsChannelFile } from './alert-attachments.ts';
import {
  type DroppedCounts,
  renderDroppedNoticeEmbed,
  renderNotificationEmbed,
} from './embeds/alert-notification-embed.ts';
import { EMBED_LIMITS, embedLength } from './embeds/embed-text.ts';

/** The message the sink posts; mentions are always off. */
export interface OpsChannelMessage {
  readonly embeds: APIEmbed[];
  readonly allowed_mentions: { readonly parse: [] };
  /** Files the embeds show with `attachment://NAME` (resource alerts' charts). */
  readonly files?: readonly OpsChannelFile[];
}

/** Posts one message; `signal` aborts it when it has taken too long (the sink stops waiting then anyway). */
export type OpsChannelPost = (body: OpsChannelMessage, signal: AbortSignal) => Promise<void>;

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
  /** `perMinute` is `ALERT_CHANNEL_PER_MINUTE`. @default { perWindow: 4, windowMs: 5000, perMinute: 20 } */
  readonly budget?: OpsChannelBudget;
  /**
   * Notifications waiting beyond this are dropped, least important and oldest first
   * (a reminder before a recovery or a notice, those before a warning, a critical last), and counted.
   * @default 50
   */
  readonly queueMax?: number;
  /**
   * How long one post may take before it is given up as a failed attempt (and retried), so a
   * hung request never holds the queue.
   * @default 10000
   */
  readonly postTimeoutMs?: number;
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
  /** Wait after the first failed attempt; it doubles with each further one. @default 1000 */
  readonly retryBaseMs?: number;
  /** The longest wait between attempts. @default 60000 */
  readonly retryMaxMs?: number;
  /** A file to post with a notification (a chart), asked for as it is queued; the post waits for it at most 3 s. */
  readonly attachmentFor?: AttachmentFor;
}

export interface OpsChannelSink extends AlertSink {
  close(timeoutMs: number): Promise<void>;
  /** Notifications waiting, in flight included. */
  readonly queued: number;
}

export const OPS_CHANNEL_SINK_DEFAULTS = {
  budget: { perWindow: 4, windowMs: 5000, perMinute: 20 },
  queueMax: 50,
  postTimeoutMs: 10_000,
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

class PostTimeoutError extends Error {
  constructor(ms: number) {
    super(`posting to the ops channel took longer than ${ms} ms`);
    this.name = 'PostTimeoutError';
  }
}

/**
 * How much a notification matters when the queue is full or the budget is short:
 * a critical firing alert most, then a warning, then a recovery or a notice, a reminder least.
 */
function importance(n: AlertNotification): number {
  if (n.kind === 'notice' || n.kind === 'resolved') return 1;
  if (n.kind === 'reminder') return 0;
  return n.severity === 'critical' ? 3 : 2;
}

/** The severity a drop is counted under: firing alerts by theirs, everything else as `info`. */
function dropBucket(n: AlertNotification): keyof DroppedCounts {
  return n.kind === 'fired' || n.kind === 'escalated' ? n.severity : 'info';
}

const NO_DROPS: DroppedCounts = { critical: 0, warning: 0, info: 0 };
const droppedTotal = (d: DroppedCounts): number => d.critical + d.warning + d.info;

/** One notification waiting, with its embed rendered once. */
interface Queued {
  readonly n: AlertNotification;
  readonly embed: APIEmbed;
  readonly size: number;
  readonly rank: number;
  /** Failed attempts (5xx, network errors, timeouts) of the messages it was in. */
  attempts: number;
  /** In a post in flight: never dropped then, since it may already be in the channel. */
  sending: boolean;
}

/**
 * An {@link AlertSink} that posts to the ops channel: one embed per notification,
 * batched into digests, within a send budget well under Discord's limits, with a
 * bounded queue that sends (and keeps) the most important first and whose losses are
 * counted and announced. Each post is bounded in time. Silenced alerts are not posted;
 * notices always are. It never throws at the engine; every alert is in the log anyway.
 */
export function createOpsChannelSink(options: OpsChannelSinkOptions): OpsChannelSink {
  const { post, clock } = options;
  const log = options.log.child({ name: 'alerts', subsys: 'alerts' });
  const metrics = options.metrics ?? noopMetrics;
  const onChannelState = (state: 'ready' | 'degraded', note: string): void => {
    try {
      options.onChannelState?.(state, note);
    } catch (error) {
      log.error('alert_sink_failed', 'The ops channel health hook failed', { state, error });
    }
  };
  const budget = options.budget ?? OPS_CHANNEL_SINK_DEFAULTS.budget;
  const queueMax = options.queueMax ?? OPS_CHANNEL_SINK_DEFAULTS.queueMax;
  const postTimeoutMs = options.postTimeoutMs ?? OPS_CHANNEL_SINK_DEFAULTS.postTimeoutMs;
  const digestWindowMs = options.digestWindowMs ?? OPS_CHANNEL_SINK_DEFAULTS.digestWindowMs;
  const unavailableBackoffMs = options.unavailableBackoffMs ?? OPS_CHANNEL_SINK_DEFAULTS.unavailableBackoffMs;
  const maxAttempts = options.maxAttempts ?? OPS_CHANNEL_SINK_DEFAULTS.maxAttempts;
  // Without jitter: one bot's one channel, nothing to desynchronise.
  const retryDelays = createBackoff(
    {
      baseMs: options.retryBaseMs ?? OPS_CHANNEL_SINK_DEFAULTS.retryBaseMs,
      maxMs: options.retryMaxMs ?? OPS_CHANNEL_SINK_DEFAULTS.retryMaxMs,
      jitter: 0,
    },
    { baseMs: 'retryBaseMs', factor: 'factor', maxMs: 'retryMaxMs', jitter: 'jitter' },
  );
  positiveInteger('budget.perWindow', budget.perWindow);
  positiveNumber('budget.windowMs', budget.windowMs);
  positiveInteger('budget.perMinute', budget.perMinute);
  positiveInteger('queueMax', queueMax);
  positiveNumber('postTimeoutMs', postTimeoutMs);
  positiveInteger('maxAttempts', maxAttempts);
  if (budget.perMinute < budget.perWindow)
    throw new Error('budget.perMinute must be at least budget.perWindow');

  /** Waiting notifications in arrival order, those being posted included. */
  const queue: Queued[] = [];
  const files = createAlertAttachments({ attachmentFor: options.attachmentFor, waitMs: 3_000, clock, log });
  /** The batch being posted, given up on if the sink itself fails. */
  let current: Queued[] = [];
  /** Dropped since the last delivered message, announced in the next one. */
  let dropped: DroppedCounts = NO_DROPS;
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

  const remove = (items: readonly Queued[]): void => {
    for (const q of items) {
      const i = queue.indexOf(q);
      if (i >= 0) queue.splice(i, 1);
    }
  };

  const drop = (q: Queued): void => {
    remove([q]);
    const bucket = dropBucket(q.n);
    dropped = { ...dropped, [bucket]: dropped[bucket] + 1 };
    if (q.n.kind !== 'notice') metrics.alert('dropped', q.n.severity);
  };

  /** The least important waiting notification, the oldest among equals; never one being posted. */
  const dropVictim = (): Queued | undefined => {
    let victim: Queued | undefined;
    for (const q of queue) if (!q.sending && (victim === undefined || q.rank < victim.rank)) victim = q;
    return victim;
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

  /**
   * The next one to send: the most important, the oldest among equals, but never ahead
   * of an earlier notification of the same key (a recovery never lands before its alert).
   */
  const next = (taken: ReadonlySet<Queued>): Queued | undefined => {
    const blocked = new Set<string>();
    let best: Queued | undefined;
    for (const q of queue) {
      if (taken.has(q)) continue;
      if (!blocked.has(q.n.key) && (best === undefined || q.rank > best.rank)) best = q;
      blocked.add(q.n.key);
    }
    return best;
  };

  /** As many notifications as fit in one message, most important first. */
  const takeBatch = (withDropNote: boolean): Queued[] => {
    const batch: Queued[] = [];
    const taken = new Set<Queued>();
    let slots = EMBED_LIMITS.embedsPerMessage - (withDropNote ? 1 : 0);
    let chars = withDropNote ? DROPPED_NOTE_RESERVE : 0;
    while (slots > 0) {
      const q = next(taken);
      if (q === undefined || (batch.length > 0 && chars + q.size > EMBED_LIMITS.total)) break;
      batch.push(q);
      taken.add(q);
      chars += q.size;
      slots -= 1;
    }
    return batch;
  };

  const body = (batch: readonly Queued[], announcing: DroppedCounts): OpsChannelMessage => ({
    embeds: [
      ...(droppedTotal(announcing) > 0 ? [renderDroppedNoticeEmbed(announcing)] : []),
      ...batch.map((q) => q.embed),
    ],
    allowed_mentions: { parse: [] },
  });

  const logUndelivered = (notifications: readonly AlertNotification[], reason: string): void => {
    for (const n of notifications) {
      const what = n.kind === 'notice' ? `Notice (${n.topic})` : 'Alert';
      log.error('alert_undelivered', `${what} not delivered to the ops channel: ${n.title}`, {
        key: n.key,
        kind: n.kind,
        ...(n.kind === 'notice' ? { topic: n.topic } : { severity: n.severity, since: n.since }),
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

  /** One post, given up (and its request aborted) after `postTimeoutMs`, or at the close deadline. */
  const postBounded = async (message: OpsChannelMessage): Promise<void> => {
    const controller = new AbortController();
    const boundMs = closing ? Math.min(postTimeoutMs, Math.max(0, deadline - clock.now())) : postTimeoutMs;
    let timer: Timer | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = clock.setTimeout(
        () => {
          const error = new PostTimeoutError(boundMs);
          controller.abort(error);
          reject(error);
        },
        boundMs,
        { unref: true },
      );
    });
    try {
      await Promise.race([post(message, controller.signal), timedOut]);
    } finally {
      timer?.cancel();
    }
  };

  /** Posts the next message; false when closing cut it short. */
  const deliver = async (): Promise<boolean> => {
    for (;;) {
      if (closed) return false;
      const now = clock.now();
      const delay = Math.max(budgetDelay(now), pausedUntil - now);
      if (!(await waitWithinDeadline(delay))) return false;
      if (closed) return false;
      if (clock.now() < pausedUntil || budgetDelay(clock.now()) > 0) continue;
      if (queue.length === 0) return true;
      if (closing && clock.now() >= deadline) return false;
      // Chosen afresh at each attempt, so a critical raised meanwhile goes ahead of what failed.
      const announcing = dropped;
      const batch = takeBatch(droppedTotal(announcing) > 0);
      current = batch;
      for (const q of batch) q.sending = true;
      const notifications = batch.map((q) => q.n);
      await files.ready(notifications);
      attempts.push(clock.now());
      let failed: { error: unknown } | undefined;
      try {
        await postBounded(files.attach(body(batch, announcing), notifications));
      } catch (error) {
        failed = { error };
      } finally {
        for (const q of batch) q.sending = false;
        current = [];
      }
      if (closed) return false;
      if (failed === undefined) {
        remove(batch);
        for (const q of batch) if (q.n.kind !== 'notice') metrics.alert('delivered', q.n.severity);
        dropped = {
          critical: dropped.critical - announcing.critical,
          warning: dropped.warning - announcing.warning,
          info: dropped.info - announcing.info,
        };
        if (unavailable) {
          unavailable = false;
          log.info('alert_channel_recovered', 'Ops channel is reachable again', {});
          onChannelState('ready', 'ops channel reachable');
        }
        return true;
      }
      const { error } = failed;
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
      let attempt = 0;
      for (const q of batch) {
        q.attempts += 1;
        attempt = Math.max(attempt, q.attempts);
      }
      const exhausted = batch.filter((q) => q.attempts >= maxAttempts);
      if (exhausted.length > 0) {
        remove(exhausted);
        logUndelivered(
          exhausted.map((q) => q.n),
          `gave up after ${maxAttempts} attempts`,
        );
        for (const q of exhausted) if (q.n.kind !== 'notice') metrics.alert('dropped', q.n.severity);
        return true;
      }
      const backoff = retryDelays.delay(attempt);
      log.warning('alert_channel_retry', 'Posting to the ops channel failed; retrying', {
        status: failure.status ?? null,
        attempt,
        retry_in_ms: backoff,
        timed_out: error instanceof PostTimeoutError,
        error,
      });
      if (!(await waitWithinDeadline(backoff))) return false;
    }
  };

  const pump = async (): Promise<void> => {
    if (!closing) await waitWithinDeadline(digestWindowMs);
    while (queue.length > 0) {
      if (!(await deliver())) return;
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
        const given = current;
        current = [];
        remove(given);
        logUndelivered(
          given.map((q) => q.n),
          'sink error',
        );
      })
      .finally(() => {
        running = undefined;
        if (!failed && !closing && queue.length > 0) start();
      });
  };

  return {
    name: 'ops-channel',
    get queued() {
      return queue.length;
    },
    notify(n) {
      if (n.kind !== 'notice' && n.silenced) return;
      if (closing) {
        logUndelivered([n], 'sink closed');
        return;
      }
      const embed = renderNotificationEmbed(n);
      queue.push({ n, embed, size: embedLength(embed), rank: importance(n), attempts: 0, sending: false });
      files.track(n);
      while (queue.length > queueMax) {
        const victim = dropVictim();
        if (victim === undefined) break;
        drop(victim);
      }
      start();
    },
    async close(timeoutMs) {
      closing = true;
      deadline = clock.now() + Math.max(0, timeoutMs);
      wake?.();
      if (running === undefined && queue.length > 0) start();
      let timer: Timer | undefined;
      await Promise.race([
        running,
        new Promise<void>((resolve) => {
          timer = clock.setTimeout(resolve, Math.max(0, timeoutMs), { unref: true });
        }),
      ]);
      timer?.cancel();
      closed = true;
      const left = queue.splice(0, queue.length);
      if (left.length > 0)
        logUndelivered(
          left.map((q) => q.n),
          'shutdown',
        );
      wake?.();
    },
  };
}

/**
 * A {@link OpsChannelPost} over a discord.js client: checks once (again only after a
 * failure) that the channel is one the bot can post in, then posts through the REST
 * client with the abort signal, so discord.js errors reach the sink as they are.
 */
export function createChannelPoster(
  client: Pick<Client, 'channels' | 'rest'>,
  channelId: string,
): OpsChannelPost {
  let checked: Promise<void> | undefined;
  const check = async (): Promise<void> => {
    const found = await client.channels.fetch(channelId);
    if (found === null || !found.isSendable()) {
      throw Object.assign(new Error('The ops channel is not a channel the bot can send to'), {
        status: 404,
        code: 10003,
      });
    }
  };
  return async (message, signal) => {
    checked ??= check();
    try {
      await checked;
    } catch (error) {
      checked = undefined;
      throw error;
    }
    const attached = message.files ?? [];
    await client.rest.post(Routes.channelMessages(channelId), {
      body: {
        embeds: message.embeds,
        allowed_mentions: { parse: [] },
        ...(attached.length === 0
          ? {}
          : {
              attachments: attached.map((f, id) => ({
                id,
                filename: f.name,
                ...(f.description === undefined ? {} : { description: f.description }),
              })),
            }),
      },
      ...(attached.length === 0
        ? {}
        : {
            files: attached.map((f) => ({
              name: f.name,
              data: Buffer.from(f.data),
              contentType: 'image/png',
            })),
          }),
      signal,
    });
  };
}
