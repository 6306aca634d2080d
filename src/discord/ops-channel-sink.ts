import { type Client, Routes } from 'discord.js';
import type { APIEmbed } from 'discord-api-types/v10';
import type { AlertEngine } from '../core/alerts/alert-engine.ts';
import { formatDuration } from '../core/alerts/alert-message.ts';
import type { AlertNotification, AlertSink, AlertTransition } from '../core/alerts/types.ts';
import { createBackoff } from '../core/backoff.ts';
import { positiveInteger, positiveNumber } from '../core/check-option.ts';
import type { Clock, Timer } from '../core/clock.ts';
import type { Logger } from '../core/logging/logger.ts';
import { type Metrics, noopMetrics } from '../core/metrics/metrics.ts';
import { type AttachmentFor, createAlertAttachments, type OpsChannelFile } from './alert-attachments.ts';
import { type ActionRow, renderAlertMessage } from './alert-buttons.ts';
import {
  type DroppedCounts,
  renderDroppedNoticeEmbed,
  renderNotificationEmbed,
} from './embeds/alert-notification-embed.ts';
import { EMBED_LIMITS, embedLength, neutralizeText, truncateText } from './embeds/embed-text.ts';

/** The message the sink posts; mentions are always off. */
export interface OpsChannelMessage {
  readonly embeds: APIEmbed[];
  readonly allowed_mentions: { readonly parse: [] };
  /** Buttons (an alert message while one of its alerts fires). */
  readonly components?: ActionRow[];
  readonly content?: string;
  /** Posts it as a reply to this message (a recovery, a reminder, an escalation). */
  readonly reply_to?: string;
  /** Files the embeds show with `attachment://NAME` (resource alerts' charts). */
  readonly files?: readonly OpsChannelFile[];
}

/** What an edit changes: the embeds and the buttons; the text of the message stays. */
export interface OpsChannelEdit {
  readonly embeds: APIEmbed[];
  readonly components: ActionRow[];
}

/**
 * Posts one message and resolves with its id (when the transport knows it); `signal`
 * aborts it when it has taken too long (the sink stops waiting then anyway).
 */
export type OpsChannelPost = (body: OpsChannelMessage, signal: AbortSignal) => Promise<PostedId>;

/** The id of the message posted; a transport that cannot tell it returns nothing at all. */
// biome-ignore lint/suspicious/noConfusingVoidType: lets a plain `async () => {}` be a transport
type PostedId = string | undefined | void;

/** Edits a message the sink posted before. */
export type OpsChannelEditor = (
  messageId: string,
  body: OpsChannelEdit,
  signal: AbortSignal,
) => Promise<void>;

/** Where the sink finds each episode as it stands, and reports the message that shows it (the alert engine). */
export type EpisodeBook = Pick<AlertEngine, 'episode' | 'episodesOfMessage' | 'attachMessage'>;

export interface OpsChannelBudget {
  /** Messages allowed per `windowMs`; Discord allows about 5 per 5 s per channel. */
  readonly perWindow: number;
  readonly windowMs: number;
  /** Messages allowed per rolling minute. */
  readonly perMinute: number;
}

export interface OpsChannelSinkOptions {
  readonly post: OpsChannelPost;
  /**
   * With `edit`, one message per alert episode: alerts go out with their buttons, and what
   * happens to them later edits that message (and a short reply says so), instead of a
   * new message per change. Without them, every notification is a new embed.
   */
  readonly episodes?: EpisodeBook;
  readonly edit?: OpsChannelEditor;
  readonly clock: Clock;
  readonly log: Logger;
  /** @default noopMetrics */
  readonly metrics?: Metrics;
  /** Told when the channel becomes unusable (`degraded`) and usable again (`ready`), for the health registry. */
  readonly onChannelState?: (state: 'ready' | 'degraded', note: string) => void;
  /** @default { perWindow: 4, windowMs: 5000, perMinute: 20 } */
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
   * How long the first notification waits for others, so alerts raised together go out as
   * one message (Alertmanager's `group_wait`, `ALERT_GROUP_WAIT_MS`). Edits do not wait.
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
  Omit<
    OpsChannelSinkOptions,
    'post' | 'clock' | 'log' | 'metrics' | 'onChannelState' | 'episodes' | 'edit' | 'attachmentFor'
  >
>;

/** Alert messages whose charts edits keep showing; older ones lose the image on an edit. */
const CHARTED_MESSAGES_KEPT = 200;

/** Codes and statuses meaning the channel is gone or we may not post there: retrying soon will not help. */
const UNAVAILABLE_CODES = new Set([10003, 50001, 50013]);
/** Discord's "Unknown Message": the message an edit was for is gone (deleted by someone). */
const UNKNOWN_MESSAGE = 10008;
/** Discord's cap on a message's text. */
const CONTENT_MAX = 2000;
const MINUTE = 60_000;
const DROPPED_NOTE_RESERVE = 200;

type Failure =
  | { readonly kind: 'message_gone' }
  | { readonly kind: 'rate_limited'; readonly retryAfterMs: number }
  | { readonly kind: 'unavailable'; readonly status: number | undefined; readonly code: number | undefined }
  | { readonly kind: 'transient'; readonly status: number | undefined };

function classify(error: unknown, editing: boolean): Failure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    status?: unknown;
    code?: unknown;
    retryAfter?: unknown;
    rawError?: { retry_after?: unknown };
  };
  const status = typeof e.status === 'number' ? e.status : undefined;
  const code = typeof e.code === 'number' ? e.code : undefined;
  if (editing && code === UNKNOWN_MESSAGE) return { kind: 'message_gone' };
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
  if (n.kind === 'notice' || n.kind === 'resolved' || n.kind === 'updated') return 1;
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
  n: AlertNotification;
  embed: APIEmbed;
  size: number;
  rank: number;
  /** Failed attempts (5xx, network errors, timeouts) of the messages it was in. */
  attempts: number;
  /** In a post in flight: never dropped then, since it may already be in the channel. */
  sending: boolean;
  /** When it was queued: a new message waits the digest window from then. */
  readonly queuedAt: number;
}

/** The short line a reply says about a transition of an alert already shown; null when none is due. */
function replyLine(n: AlertTransition): string | null {
  if (n.silenced || n.inhibited_by !== null) return null;
  const title = `**${neutralizeText(truncateText(n.title, 120))}**`;
  const measured =
    n.value === null
      ? ''
      : `: ${neutralizeText(truncateText(n.value, 80))}${n.threshold === null ? '' : ` (threshold ${neutralizeText(truncateText(n.threshold, 80))})`}`;
  switch (n.kind) {
    case 'resolved':
      return `✅ ${title} resolved after ${formatDuration(n.duration_ms ?? 0)}.`;
    case 'reminder':
      return `🔁 ${title} still firing after ${formatDuration(Date.parse(n.at) - Date.parse(n.since))}${measured}.`;
    case 'escalated':
      return `❌ ${title} escalated to critical${measured}.`;
    default:
      return null;
  }
}

/** Lines joined into one message's text, cut with a count of what did not fit. */
function joinLines(lines: readonly string[], head = ''): string {
  const out: string[] = head === '' ? [] : [head];
  let used = head.length;
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] as string;
    const rest = `… and ${lines.length - i} more`;
    if (used + line.length + 1 + rest.length + 1 > CONTENT_MAX) {
      out.push(rest);
      break;
    }
    out.push(line);
    used += line.length + 1;
  }
  return out.join('\n');
}

/** What one delivery does: post a new message, or bring an existing one up to date. */
type Job =
  | { readonly kind: 'post'; readonly batch: Queued[]; readonly episodes: readonly string[] }
  | { readonly kind: 'update'; readonly batch: Queued[]; readonly messageId: string };

/**
 * An {@link AlertSink} that posts to the ops channel, batched into digests, within a send
 * budget well under Discord's limits, with a bounded queue that sends (and keeps) the most
 * important first and whose losses are counted and announced. Each post is bounded in
 * time. Silenced and held-back alerts are not posted; notices always are. With an episode
 * book and an editor, each alert episode is one message with buttons, which its later
 * changes edit (a short reply says what changed). It never throws at the engine; every
 * alert is in the log anyway.
 */
export function createOpsChannelSink(options: OpsChannelSinkOptions): OpsChannelSink {
  const { post, clock } = options;
  const book = options.edit === undefined ? undefined : options.episodes;
  const edit = options.edit;
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
  if (!(digestWindowMs >= 0)) throw new Error(`digestWindowMs must be 0 or more (got ${digestWindowMs})`);

  /** Waiting notifications in arrival order, those being posted included. */
  const queue: Queued[] = [];
  /** The chart each episode's embed shows, by message, so edits keep them. */
  const chartsOfMessage = new Map<string, Map<string, string>>();
  const files = createAlertAttachments({ attachmentFor: options.attachmentFor, waitMs: 3_000, clock, log });
  /** The batch being posted, given up on if the sink itself fails. */
  let current: Queued[] = [];
  /** Dropped since the last delivered message, announced in the next one. */
  let dropped: DroppedCounts = NO_DROPS;
  /** Start times of every post attempt in the last minute, for the budget. */
  let attempts: number[] = [];
  /** Messages found deleted: what they showed is posted anew. */
  const lost = new Set<string>();
  let pausedUntil = 0;
  let unavailable = false;
  let running: Promise<void> | undefined;
  let closing = false;
  /** Set once `close()` has given up on what was left, so a late pump does nothing more. */
  let closed = false;
  let deadline = Number.POSITIVE_INFINITY;
  let wake: (() => void) | undefined;
  /** True while the pump only waits for a digest window, which an edit coming in cuts short. */
  let waitingForDigest = false;

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

  /** Ms until the budget allows `need` more posts. */
  const budgetDelay = (now: number, need = 1): number => {
    attempts = attempts.filter((t) => now - t < MINUTE);
    const inWindow = attempts.filter((t) => now - t < budget.windowMs);
    let delay = 0;
    const windowRoom = Math.max(1, budget.perWindow - need + 1);
    if (inWindow.length >= windowRoom) {
      delay = (inWindow[inWindow.length - windowRoom] ?? now) + budget.windowMs - now;
    }
    const minuteRoom = Math.max(1, budget.perMinute - need + 1);
    if (attempts.length >= minuteRoom) {
      delay = Math.max(delay, (attempts[attempts.length - minuteRoom] ?? now) + MINUTE - now);
    }
    return Math.max(0, delay);
  };

  /** The message that shows this notification's episode already, or null (a notice, or not shown yet). */
  const targetOf = (n: AlertNotification): string | null => {
    if (book === undefined || n.kind === 'notice') return null;
    const id = book.episode(n.episode)?.message_id ?? n.message_id;
    return id === null || lost.has(id) ? null : id;
  };

  /** Whether a notification of an episode not shown yet would show nothing: silenced, held back, or only an update. */
  const nothingToPost = (n: AlertNotification): boolean => {
    if (n.kind === 'notice') return false;
    if (n.kind === 'updated') return true;
    if (book === undefined) return n.silenced;
    const now = book.episode(n.episode);
    return now === undefined
      ? n.silenced || n.inhibited_by !== null
      : now.silenced || now.inhibited_by !== null;
  };

  /**
   * The next one to send: the most important, the oldest among equals, but never ahead
   * of an earlier notification of the same key (a recovery never lands before its alert).
   */
  const next = (
    taken: ReadonlySet<Queued>,
    accept: (q: Queued) => boolean = () => true,
  ): Queued | undefined => {
    const blocked = new Set<string>();
    let best: Queued | undefined;
    for (const q of queue) {
      if (taken.has(q)) continue;
      if (!blocked.has(q.n.key) && accept(q) && (best === undefined || q.rank > best.rank)) best = q;
      blocked.add(q.n.key);
    }
    return best;
  };

  /** The embed a queued notification shows when posted: its episode as it stands now, else as it was told. */
  const currentEmbed = (q: Queued): APIEmbed => {
    if (book === undefined || q.n.kind === 'notice') return q.embed;
    const episode = book.episode(q.n.episode);
    return episode === undefined ? q.embed : (renderAlertMessage([episode]).embeds[0] ?? q.embed);
  };

  /** As many notifications as fit in one message, most important first, all of one sort. */
  const takeBatch = (first: Queued, withDropNote: boolean): Queued[] => {
    // With episodes, alerts and notices never share a message: an alert message is edited later.
    const sameSort =
      book === undefined
        ? () => true
        : (q: Queued) => (q.n.kind === 'notice') === (first.n.kind === 'notice') && targetOf(q.n) === null;
    const batch: Queued[] = [];
    const taken = new Set<Queued>();
    const episodes = new Set<string>();
    const noteIsEmbed = book === undefined || first.n.kind === 'notice';
    let slots = EMBED_LIMITS.embedsPerMessage - (withDropNote && noteIsEmbed ? 1 : 0);
    let chars = withDropNote ? DROPPED_NOTE_RESERVE : 0;
    while (slots > 0) {
      const q = batch.length === 0 ? first : next(taken, sameSort);
      if (q === undefined || (batch.length > 0 && chars + q.size > EMBED_LIMITS.total)) break;
      taken.add(q);
      if (nothingToPost(q.n)) continue;
      // One embed per episode: a later word on it is already in what the embed shows.
      if (book !== undefined && q.n.kind !== 'notice') {
        if (episodes.has(q.n.episode)) {
          batch.push(q);
          continue;
        }
        episodes.add(q.n.episode);
      }
      batch.push(q);
      chars += q.size;
      slots -= 1;
    }
    return batch;
  };

  const dropNoteText = (d: DroppedCounts): string => renderDroppedNoticeEmbed(d).description ?? '';

  const postBody = (job: Job & { kind: 'post' }, announcing: DroppedCounts): OpsChannelMessage => {
    const note = droppedTotal(announcing) > 0;
    const shown =
      book === undefined
        ? []
        : job.episodes.flatMap((id) => {
            const e = book.episode(id);
            return e === undefined ? [] : [e];
          });
    if (shown.length > 0) {
      const message = renderAlertMessage(shown);
      return {
        embeds: message.embeds,
        components: message.components,
        // Kept out of the embeds, which later edits replace.
        ...(note ? { content: dropNoteText(announcing) } : {}),
        allowed_mentions: { parse: [] },
      };
    }
    const seen = new Set<string>();
    const embeds = job.batch.flatMap((q) => {
      if (book !== undefined && q.n.kind !== 'notice') {
        if (seen.has(q.n.episode)) return [];
        seen.add(q.n.episode);
      }
      return [currentEmbed(q)];
    });
    return {
      embeds: [...(note ? [renderDroppedNoticeEmbed(announcing)] : []), ...embeds],
      allowed_mentions: { parse: [] },
    };
  };

  const logUndelivered = (notifications: readonly AlertNotification[], reason: string): void => {
    for (const n of notifications) {
      if (n.kind === 'updated') continue;
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

  /** One call, given up (and its request aborted) after `postTimeoutMs`, or at the close deadline. */
  const bounded = async <T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> => {
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
      return await Promise.race([call(controller.signal), timedOut]);
    } finally {
      timer?.cancel();
    }
  };

  /** Whether a queued notification may go now: an edit at once, a new message once its digest window is over. */
  const due = (q: Queued): boolean =>
    closing ||
    (q.n.kind !== 'notice' && targetOf(q.n) !== null) ||
    clock.now() - q.queuedAt >= digestWindowMs;

  /**
   * Ms until the next new message's digest window is over (an edit of the same key waits
   * behind it, to keep the order); undefined when nothing waits for one.
   */
  const untilDue = (): number | undefined => {
    let soonest: number | undefined;
    for (const q of queue) {
      if (due(q)) continue;
      const at = q.queuedAt + digestWindowMs - clock.now();
      soonest = soonest === undefined ? at : Math.min(soonest, at);
    }
    return soonest;
  };

  /** The next job: an update of a message already shown, or a new message. */
  const nextJob = (): Job | undefined => {
    for (;;) {
      const first = next(new Set(), due);
      if (first === undefined) return undefined;
      const target = first.n.kind === 'notice' ? null : targetOf(first.n);
      if (target !== null) {
        const batch = queue.filter((q) => q.n.kind !== 'notice' && targetOf(q.n) === target);
        return { kind: 'update', batch, messageId: target };
      }
      if (nothingToPost(first.n)) {
        remove([first]);
        continue;
      }
      const batch = takeBatch(first, droppedTotal(dropped) > 0);
      const ids =
        book === undefined
          ? []
          : [
              ...new Set(
                batch.flatMap((q) => (q.n.kind === 'notice' || nothingToPost(q.n) ? [] : [q.n.episode])),
              ),
            ];
      // In the message, the worst first, then the oldest.
      const rankOf = (id: string): number => {
        const e = book?.episode(id);
        return e === undefined ? 0 : (e.state === 'firing' ? 2 : 0) + (e.severity === 'critical' ? 1 : 0);
      };
      const episodes = ids
        .map((id, i) => ({ id, i, rank: rankOf(id) }))
        .sort((a, b) => b.rank - a.rank || a.i - b.i)
        .map((e) => e.id);
      return { kind: 'post', batch, episodes };
    }
  };

  /** Runs one job: one post, or an edit and perhaps a reply. */
  const run = async (job: Job, announcing: DroppedCounts): Promise<void> => {
    if (job.kind === 'post') {
      // A resource alert's chart goes with the message that first shows it.
      const body = postBody(job, announcing);
      const byEpisode = new Map(
        job.batch.flatMap((q) => (q.n.kind === 'notice' ? [] : [[q.n.episode, q.n] as const])),
      );
      const shownOrder =
        job.episodes.length > 0
          ? job.episodes.flatMap((id) => byEpisode.get(id) ?? [])
          : job.batch.map((q) => q.n);
      const aligned = shownOrder.length === body.embeds.length;
      if (aligned) await files.ready(shownOrder);
      const withFiles = aligned ? files.attach(body, shownOrder) : body;
      const id = await bounded((signal) => post(withFiles, signal));
      if (book !== undefined && typeof id === 'string' && job.episodes.length > 0) {
        book.attachMessage(job.episodes, id);
        // Edits re-render the embeds: the charts the message carries stay shown.
        const images = new Map<string, string>();
        job.episodes.forEach((episode, i) => {
          const url = withFiles.embeds[i]?.image?.url;
          if (aligned && url !== undefined) images.set(episode, url);
        });
        if (images.size > 0) chartsOfMessage.set(id, images);
        // Bounded like the engine's memory of resolved episodes: the oldest messages go first.
        for (const old of chartsOfMessage.keys()) {
          if (chartsOfMessage.size <= CHARTED_MESSAGES_KEPT) break;
          chartsOfMessage.delete(old);
        }
      }
      return;
    }
    const shown = book?.episodesOfMessage(job.messageId) ?? [];
    const rendered = renderAlertMessage(shown);
    const images = chartsOfMessage.get(job.messageId);
    const message =
      images === undefined
        ? rendered
        : {
            ...rendered,
            embeds: rendered.embeds.map((embed, i) => {
              const url = images.get(shown[i]?.episode ?? '');
              return url === undefined ? embed : { ...embed, image: { url } };
            }),
          };
    await bounded((signal) =>
      (edit as OpsChannelEditor)(
        job.messageId,
        { embeds: message.embeds, components: message.components },
        signal,
      ),
    );
    const lines = job.batch.flatMap((q) => {
      const line = q.n.kind === 'notice' ? null : replyLine(q.n);
      return line === null ? [] : [line];
    });
    if (lines.length === 0) return;
    attempts.push(clock.now());
    await bounded((signal) =>
      post(
        {
          embeds: [],
          content: joinLines(lines, droppedTotal(announcing) > 0 ? dropNoteText(announcing) : ''),
          reply_to: job.messageId,
          allowed_mentions: { parse: [] },
        },
        signal,
      ),
    );
  };

  /** How many calls a job makes, for the budget. */
  const callsOf = (job: Job): number =>
    job.kind === 'post' ? 1 : job.batch.some((q) => q.n.kind !== 'notice' && replyLine(q.n) !== null) ? 2 : 1;

  /** Delivers the next job; false when closing cut it short. */
  const deliver = async (): Promise<boolean> => {
    for (;;) {
      if (closed) return false;
      let job = nextJob();
      if (job === undefined) {
        // Only new messages wait, inside their digest window (Alertmanager's group_wait).
        const wait = untilDue();
        if (wait === undefined) return true;
        waitingForDigest = true;
        try {
          if (!(await waitWithinDeadline(Math.max(1, wait)))) return false;
        } finally {
          waitingForDigest = false;
        }
        continue;
      }
      const now = clock.now();
      const delay = Math.max(budgetDelay(now, callsOf(job)), pausedUntil - now);
      if (!(await waitWithinDeadline(delay))) return false;
      if (closed) return false;
      if (clock.now() < pausedUntil) continue;
      // Chosen afresh after the wait, so a critical raised meanwhile goes ahead of what waited.
      job = nextJob();
      if (job === undefined) return true;
      if (budgetDelay(clock.now(), callsOf(job)) > 0) continue;
      if (closing && clock.now() >= deadline) return false;
      // The dropped count rides on a new message, or on a reply; an edit alone cannot say it.
      const announcing = job.kind === 'post' || callsOf(job) === 2 ? dropped : NO_DROPS;
      const batch = job.batch;
      current = batch;
      for (const q of batch) q.sending = true;
      attempts.push(clock.now());
      let failed: { error: unknown } | undefined;
      try {
        await run(job, announcing);
      } catch (error) {
        failed = { error };
      } finally {
        for (const q of batch) q.sending = false;
        current = [];
      }
      if (closed) return false;
      if (failed === undefined) {
        remove(batch);
        for (const q of batch) {
          if (q.n.kind !== 'notice' && q.n.kind !== 'updated') metrics.alert('delivered', q.n.severity);
        }
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
      const failure = classify(error, job.kind === 'update');
      if (failure.kind === 'message_gone' && job.kind === 'update') {
        // Someone deleted the alert message: what it showed is posted anew, with its buttons.
        lost.add(job.messageId);
        log.warning('alert_message_missing', 'An alert message was deleted; posting it again', {
          keys: [...new Set(batch.map((q) => q.n.key))],
        });
        continue;
      }
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
      const status = failure.kind === 'transient' ? failure.status : undefined;
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
        for (const q of exhausted) {
          if (q.n.kind !== 'notice' && q.n.kind !== 'updated') metrics.alert('dropped', q.n.severity);
        }
        return true;
      }
      const backoff = retryDelays.delay(attempt);
      log.warning('alert_channel_retry', 'Posting to the ops channel failed; retrying', {
        status: status ?? null,
        attempt,
        retry_in_ms: backoff,
        timed_out: error instanceof PostTimeoutError,
        error,
      });
      if (!(await waitWithinDeadline(backoff))) return false;
    }
  };

  const pump = async (): Promise<void> => {
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

  /** With episodes, a newer word on an episode waiting to be posted replaces the older one. */
  const coalesce = (n: AlertNotification, embed: APIEmbed): boolean => {
    if (book === undefined || n.kind === 'notice' || targetOf(n) !== null) return false;
    const waiting = queue.find((q) => !q.sending && q.n.kind !== 'notice' && q.n.episode === n.episode);
    if (waiting === undefined) return false;
    waiting.n = n;
    waiting.embed = embed;
    waiting.size = embedLength(embed);
    waiting.rank = Math.max(waiting.rank, importance(n));
    return true;
  };

  return {
    name: 'ops-channel',
    get queued() {
      return queue.length;
    },
    notify(n) {
      if (n.kind !== 'notice') {
        const shown = targetOf(n) !== null;
        // Not shown yet and nothing to show; or shown, and a reminder that a silence or a hold keeps quiet.
        if (!shown && nothingToPost(n)) return;
        // The end of an episode the channel never saw (held back or silenced all along) is not news.
        if (
          !shown &&
          book !== undefined &&
          n.kind === 'resolved' &&
          !queue.some((q) => q.n.kind !== 'notice' && q.n.episode === n.episode)
        ) {
          return;
        }
        if (shown && n.kind === 'reminder' && (n.silenced || n.inhibited_by !== null)) return;
      }
      if (closing) {
        logUndelivered([n], 'sink closed');
        return;
      }
      const embed = renderNotificationEmbed(n);
      if (coalesce(n, embed)) return;
      queue.push({
        n,
        embed,
        size: embedLength(embed),
        rank: importance(n),
        attempts: 0,
        sending: false,
        queuedAt: clock.now(),
      });
      files.track(n);
      while (queue.length > queueMax) {
        const victim = dropVictim();
        if (victim === undefined) break;
        drop(victim);
      }
      if (waitingForDigest && n.kind !== 'notice' && targetOf(n) !== null) wake?.();
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
    const posted = await client.rest.post(Routes.channelMessages(channelId), {
      body: {
        embeds: message.embeds,
        ...(message.content === undefined ? {} : { content: message.content }),
        ...(message.components === undefined ? {} : { components: message.components }),
        ...(message.reply_to === undefined
          ? {}
          : { message_reference: { message_id: message.reply_to, fail_if_not_exists: false } }),
        ...(attached.length === 0
          ? {}
          : {
              attachments: attached.map((f, id) => ({
                id,
                filename: f.name,
                ...(f.description === undefined ? {} : { description: f.description }),
              })),
            }),
        allowed_mentions: { parse: [] },
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
    const id = (posted as { id?: unknown } | null | undefined)?.id;
    return typeof id === 'string' ? id : undefined;
  };
}

/** An {@link OpsChannelEditor} over a discord.js client: edits the embeds and buttons of a message it posted. */
export function createChannelEditor(client: Pick<Client, 'rest'>, channelId: string): OpsChannelEditor {
  return async (messageId, body, signal) => {
    await client.rest.patch(Routes.channelMessage(channelId, messageId), {
      body: { embeds: body.embeds, components: body.components, allowed_mentions: { parse: [] } },
      signal,
    });
  };
}
