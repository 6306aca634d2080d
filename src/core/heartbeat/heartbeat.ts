import type { Clock, Timer } from '../clock.ts';
import type { OverallStatus } from '../health/types.ts';
import type { Logger } from '../logging/logger.ts';

/** A GET with a signal: `globalThis.fetch`, or a stand-in in tests. */
export type HeartbeatFetch = (
  url: string,
  init: { signal: AbortSignal },
) => Promise<{ readonly status: number }>;

export interface HeartbeatOptions {
  /** `HEARTBEAT_URL`: a ping URL in the healthchecks.io convention. Treated as a secret: never logged. */
  readonly url: string;
  /** `HEARTBEAT_INTERVAL_MS`: how often a ping goes out while the bot is ready or degraded. */
  readonly intervalMs: number;
  readonly clock: Clock;
  readonly log: Logger;
  /** The bot's overall status now. */
  readonly status: () => OverallStatus;
  /** @default globalThis.fetch */
  readonly fetch?: HeartbeatFetch;
  /** How long one request may take before it is given up. @default the smaller of 10 s and the interval */
  readonly timeoutMs?: number;
  /** Each interval is this fraction longer or shorter at random, so a fleet does not ping in step. @default 0.1 */
  readonly jitter?: number;
  /** Uniform in [0, 1). @default Math.random */
  readonly random?: () => number;
  /** Consecutive failures before the `heartbeat` component is degraded. @default 3 */
  readonly failuresBeforeDegraded?: number;
  /** Told when the endpoint keeps failing (`degraded`) and answers again (`ready`). */
  readonly onHealth?: (state: 'ready' | 'degraded', note: string) => void;
}

export interface Heartbeat {
  /** The start begins: `GET <url>/start`. */
  begin(): void;
  /** The start ended: pings begin when it ended ready or degraded; a failed start sends `/fail`. */
  startFinished(outcome: 'ready' | 'degraded' | 'failed' | 'cancelled'): void;
  /** Something in health changed: `/fail` at once when the bot turned `not_ready`, a ping at once when it is back. */
  statusChanged(): void;
  /** Stops the pings; a request in flight is let go (bounded by its timeout). */
  stop(): void;
}

/** `HEARTBEAT_INTERVAL_MS`'s default, and the bounds of each request. */
export const HEARTBEAT_DEFAULTS = {
  intervalMs: 60_000,
  timeoutMs: 10_000,
  jitter: 0.1,
  failuresBeforeDegraded: 3,
} as const satisfies Required<
  Pick<HeartbeatOptions, 'intervalMs' | 'timeoutMs' | 'jitter' | 'failuresBeforeDegraded'>
>;
const DEFAULTS = HEARTBEAT_DEFAULTS;

type Signal = 'start' | 'ping' | 'fail';

/** `<url>/start`, `<url>`, `<url>/fail`, keeping any query string where it belongs. */
export function heartbeatUrl(base: string, signal: Signal): string {
  if (signal === 'ping') return base;
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${signal}`;
  return url.toString();
}

/** The host alone, which is what the log may say about the endpoint (the URL itself is a secret). */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the heartbeat endpoint';
  }
}

/**
 * A dead man's switch in the healthchecks.io convention (Uptime Kuma push monitors and
 * Cronitor accept the same): `/start` when the start begins, a ping every interval
 * (jittered) while the bot is ready or degraded, `/fail` at once when it turns not_ready.
 * One request at a time, each bounded by a timeout, never retried in a loop: the next
 * interval is the retry, and a signal that comes while one is in flight waits for it (a
 * newer one replaces it). A failing or slow endpoint never blocks the bot.
 */
export function createHeartbeat(options: HeartbeatOptions): Heartbeat {
  const { clock, url, intervalMs } = options;
  const log = options.log.child({ name: 'bot.heartbeat', subsys: 'heartbeat' });
  const fetcher: HeartbeatFetch =
    options.fetch ??
    ((target, init) => globalThis.fetch(target, { ...init, method: 'GET', redirect: 'follow' }));
  const jitter = options.jitter ?? DEFAULTS.jitter;
  const random = options.random ?? Math.random;
  const timeoutMs = options.timeoutMs ?? Math.min(DEFAULTS.timeoutMs, intervalMs);
  const failuresBeforeDegraded = options.failuresBeforeDegraded ?? DEFAULTS.failuresBeforeDegraded;
  if (!(intervalMs > 0)) throw new Error(`intervalMs must be positive (got ${intervalMs})`);
  if (!(jitter >= 0 && jitter < 1)) throw new Error(`jitter must be in [0, 1) (got ${jitter})`);
  if (!(timeoutMs > 0)) throw new Error(`timeoutMs must be positive (got ${timeoutMs})`);
  new URL(url);
  const host = hostOf(url);

  let inFlight = false;
  let pending: Signal | undefined;
  let timer: Timer | undefined;
  let running = false;
  let stopped = false;
  let failures = 0;
  let lastSent: Signal | undefined;
  let lastStatus: OverallStatus | undefined;

  const health = (state: 'ready' | 'degraded', note: string): void => {
    try {
      options.onHealth?.(state, note);
    } catch (error) {
      log.error('heartbeat_health_hook_failed', 'The heartbeat health hook failed', { error });
    }
  };

  const failed = (signal: Signal, problem: string, extra: Record<string, unknown>): void => {
    failures += 1;
    const detail = { signal, host, failures, ...extra };
    if (failures === 1)
      log.warning('heartbeat_failed', `Heartbeat ${signal} to ${host} failed: ${problem}`, detail);
    else log.debug('heartbeat_failed', `Heartbeat ${signal} to ${host} failed again: ${problem}`, detail);
    if (failures === failuresBeforeDegraded) health('degraded', `heartbeat endpoint failing: ${problem}`);
  };

  const send = (signal: Signal): void => {
    if (stopped) return;
    if (inFlight) {
      // One at a time; the newest word waits (a pending /start is never replaced by a ping).
      if (pending !== 'start') pending = signal;
      return;
    }
    inFlight = true;
    lastSent = signal;
    const controller = new AbortController();
    const timeout = clock.setTimeout(() => controller.abort(new Error('timed out')), timeoutMs, {
      unref: true,
    });
    const began = clock.now();
    fetcher(heartbeatUrl(url, signal), { signal: controller.signal })
      .then(
        (response) => {
          if (response.status >= 200 && response.status < 300) {
            if (failures > 0) {
              log.info('heartbeat_recovered', `Heartbeat to ${host} answers again`, { host, failures });
              if (failures >= failuresBeforeDegraded) health('ready', 'heartbeat endpoint answering');
            }
            failures = 0;
            log.debug('heartbeat_sent', `Heartbeat ${signal} sent`, {
              signal,
              status: response.status,
              duration_ms: clock.now() - began,
            });
          } else {
            failed(signal, `HTTP ${response.status}`, { status: response.status });
          }
        },
        (error: unknown) => {
          const message = controller.signal.aborted
            ? `no answer within ${timeoutMs} ms`
            : error instanceof Error
              ? (error.cause instanceof Error ? error.cause.message : error.message).replaceAll(url, host)
              : 'request failed';
          failed(signal, message, { timed_out: controller.signal.aborted });
        },
      )
      .finally(() => {
        timeout.cancel();
        inFlight = false;
        const next = pending;
        pending = undefined;
        if (next !== undefined) send(next);
      });
  };

  const schedule = (): void => {
    timer?.cancel();
    if (stopped || !running) return;
    const spread = 1 + jitter * (2 * random() - 1);
    timer = clock.setTimeout(tick, Math.max(1, Math.round(intervalMs * spread)), { unref: true });
  };

  function tick(): void {
    timer = undefined;
    const status = options.status();
    lastStatus = status;
    if (status !== 'not_ready') send('ping');
    else if (lastSent !== 'fail') send('fail');
    schedule();
  }

  return {
    begin() {
      send('start');
    },
    startFinished(outcome) {
      if (stopped) return;
      if (outcome === 'failed') {
        send('fail');
        return;
      }
      if (outcome === 'cancelled') return;
      running = true;
      lastStatus = options.status();
      send(lastStatus === 'not_ready' ? 'fail' : 'ping');
      schedule();
    },
    statusChanged() {
      if (!running || stopped) return;
      const status = options.status();
      const was = lastStatus;
      lastStatus = status;
      if (status === was) return;
      if (status === 'not_ready') {
        send('fail');
        schedule();
      } else if (was === 'not_ready') {
        send('ping');
        schedule();
      }
    },
    stop() {
      stopped = true;
      running = false;
      timer?.cancel();
      timer = undefined;
      pending = undefined;
    },
  };
}
