import type { Clock } from '../core/clock.ts';
import { IDENTIFY_INTERVAL_MS } from './identify-rounds.ts';

export interface IdentifyGateOptions {
  /** From {@link identifyRounds}: the shards of round 0, then round 1… */
  readonly rounds: readonly (readonly number[])[];
  readonly clock: Pick<Clock, 'now' | 'sleep'>;
  /** Between the openings of two rounds, at least. @default IDENTIFY_INTERVAL_MS */
  readonly intervalMs?: number;
  /**
   * How long a round waits for the previous one's shards to be ready (or given up on)
   * before it opens anyway, so a shard that never becomes ready does not hold the rest.
   * @default 15000
   */
  readonly settleMs?: number;
}

const DEFAULTS = { intervalMs: IDENTIFY_INTERVAL_MS, settleMs: 15_000 } as const satisfies Pick<
  Required<IdentifyGateOptions>,
  'intervalMs' | 'settleMs'
>;

/** Lets each shard spawn when its identify round opens. */
export interface IdentifyGate {
  /** Resolves when the round of shard `id` may spawn; rejects when `signal` aborts first. */
  turn(id: number, signal?: AbortSignal): Promise<void>;
  /** Shard `id` is ready, or given up on: its round no longer holds the next one. */
  settled(id: number): void;
  /** The round index of shard `id`. */
  roundOf(id: number): number;
  /** The longest a shard of round `round` may wait for its turn. */
  maxWaitMs(round: number): number;
}

/**
 * Round r opens once round r − 1 opened at least `intervalMs` ago and its shards are
 * ready or given up on, or `settleMs` after it opened, whichever comes first. One shard
 * per identify bucket per round, so no bucket identifies twice within Discord's 5 s.
 */
export function createIdentifyGate(options: IdentifyGateOptions): IdentifyGate {
  const intervalMs = options.intervalMs ?? DEFAULTS.intervalMs;
  const settleMs = Math.max(options.settleMs ?? DEFAULTS.settleMs, intervalMs);
  const { clock, rounds } = options;
  const roundIndex = new Map<number, number>();
  rounds.forEach((round, r) => {
    for (const id of round) roundIndex.set(id, r);
  });
  const pending = rounds.map((round) => new Set(round));
  const settledWaiters = rounds.map(() => [] as (() => void)[]);
  const opened: (Promise<number> | undefined)[] = [];

  const allSettled = (r: number): Promise<void> =>
    pending[r]?.size === 0
      ? Promise.resolve()
      : new Promise((resolve) => {
          settledWaiters[r]?.push(resolve);
        });

  /** When round r opened (clock time). */
  const openRound = (r: number): Promise<number> => {
    const known = opened[r];
    if (known !== undefined) return known;
    const opening =
      r === 0
        ? Promise.resolve(clock.now())
        : openRound(r - 1).then(async (previous) => {
            const waitCap = clock.sleep(Math.max(0, previous + settleMs - clock.now()));
            await Promise.race([allSettled(r - 1), waitCap]);
            const earliest = previous + intervalMs;
            if (clock.now() < earliest) await clock.sleep(earliest - clock.now());
            return clock.now();
          });
    opened[r] = opening;
    return opening;
  };

  return {
    async turn(id, signal) {
      const r = roundIndex.get(id);
      if (r === undefined) throw new RangeError(`shard ${id} is in no identify round`);
      if (signal?.aborted) throw signal.reason;
      let onAbort = (): void => {};
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(signal?.reason);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
      aborted.catch(() => {});
      try {
        await Promise.race([openRound(r), aborted]);
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    },
    settled(id) {
      const r = roundIndex.get(id);
      if (r === undefined) return;
      const set = pending[r];
      if (set === undefined || !set.delete(id) || set.size > 0) return;
      for (const resolve of settledWaiters[r]?.splice(0) ?? []) resolve();
    },
    roundOf: (id) => roundIndex.get(id) ?? 0,
    maxWaitMs: (round) => round * settleMs,
  };
}
