import { positiveNumber } from '../check-option.ts';
import type { Clock, Timer } from '../clock.ts';
import type { Logger } from '../logging/logger.ts';

export interface LivenessWatchdogOptions {
  readonly clock: Clock;
  readonly log: Logger;
  /**
   * How often the watchdog ticks.
   * @default 500
   */
  readonly tickMs?: number;
  /**
   * A tick this much later than due (or no tick for this long) means the event loop was blocked.
   * @default 2000
   */
  readonly blockedAfterMs?: number;
  /**
   * How many blocked episodes are kept.
   * @default 20
   */
  readonly history?: number;
}

const DEFAULTS = {
  tickMs: 500,
  blockedAfterMs: 2000,
  history: 20,
} as const satisfies Partial<LivenessWatchdogOptions>;

export interface BlockedEpisode {
  /** When the loop came back, ISO 8601 UTC. */
  readonly at: string;
  /** How late the tick was, ms. */
  readonly duration_ms: number;
}

export interface LivenessSnapshot {
  readonly live: boolean;
  readonly last_tick_at: string | null;
  readonly blocked_episodes: number;
  readonly longest_block_ms: number;
  readonly recent_blocks: readonly BlockedEpisode[];
}

/**
 * Notices a blocked event loop: a timer that should tick every `tickMs` and
 * records how late each tick was. While the loop is blocked no tick can run,
 * so `isLive()` (asked by `/livez` the moment the loop answers again) sees the
 * gap before the late tick records the episode.
 */
export interface LivenessWatchdog {
  start(): void;
  stop(): void;
  /** False while the last tick is older than `blockedAfterMs`; true before `start()`. */
  isLive(): boolean;
  snapshot(): LivenessSnapshot;
}

/** Creates the event-loop liveness watchdog. */
export function createLivenessWatchdog(options: LivenessWatchdogOptions): LivenessWatchdog {
  const { clock } = options;
  const tickMs = positiveNumber('tickMs', options.tickMs ?? DEFAULTS.tickMs);
  const blockedAfterMs = options.blockedAfterMs ?? DEFAULTS.blockedAfterMs;
  const history = options.history ?? DEFAULTS.history;
  if (!(blockedAfterMs > tickMs)) {
    throw new RangeError(`blockedAfterMs (${blockedAfterMs}) must exceed tickMs (${tickMs})`);
  }
  const log = options.log.child({ name: 'health', subsys: 'health' });
  let timer: Timer | null = null;
  let lastTick: number | null = null;
  let count = 0;
  let longest = 0;
  const recent: BlockedEpisode[] = [];

  const tick = (): void => {
    const now = clock.now();
    if (lastTick !== null) {
      const late = now - lastTick - tickMs;
      if (late >= blockedAfterMs - tickMs) {
        count += 1;
        longest = Math.max(longest, late);
        recent.push({ at: new Date(now).toISOString(), duration_ms: late });
        if (recent.length > history) recent.shift();
        log.warning('event_loop_blocked', `Event loop was blocked for ${late} ms`, { blocked_ms: late });
      }
    }
    lastTick = now;
  };

  const isLive = (): boolean => lastTick === null || clock.now() - lastTick <= blockedAfterMs;

  return {
    start() {
      if (timer !== null) return;
      lastTick = clock.now();
      timer = clock.setInterval(tick, tickMs, { unref: true });
    },
    stop() {
      timer?.cancel();
      timer = null;
      lastTick = null;
    },
    isLive,
    snapshot() {
      return {
        live: isLive(),
        last_tick_at: lastTick === null ? null : new Date(lastTick).toISOString(),
        blocked_episodes: count,
        longest_block_ms: longest,
        recent_blocks: [...recent],
      };
    },
  };
}
