import type { REST } from 'discord.js';
import { Routes } from 'discord.js';
import type { ShardingConfig } from '../config.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logging/logger.ts';
import { identifyRounds } from './identify-rounds.ts';

/** What the manager runs: which shards of how many, and how many may identify together. */
export interface ShardPlan {
  readonly totalShards: number;
  readonly shardIds: readonly number[];
  /** `session_start_limit.max_concurrency` of `GET /gateway/bot`. */
  readonly maxConcurrency: number;
  /** The count Discord recommends now. */
  readonly recommendedShards: number;
  readonly rounds: readonly (readonly number[])[];
}

interface GatewayBotAnswer {
  readonly shards?: unknown;
  readonly session_start_limit?: { readonly max_concurrency?: unknown };
}

const positiveInt = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) && value >= 1 ? value : undefined;

/**
 * Asks `GET /gateway/bot` through the configured API (discord.js's own `'auto'` would
 * always ask discord.com) for the recommended count and `max_concurrency`, and settles
 * the plan: `DISCORD_SHARDS` (a number, or the recommendation for `auto`) and the
 * `DISCORD_SHARD_IDS` of this machine (default all).
 */
export async function fetchShardPlan(
  rest: Pick<REST, 'get'>,
  sharding: ShardingConfig,
  signal?: AbortSignal,
): Promise<ShardPlan> {
  let answer: GatewayBotAnswer;
  try {
    answer = (await rest.get(
      Routes.gatewayBot(),
      signal === undefined ? {} : { signal },
    )) as GatewayBotAnswer;
  } catch (error) {
    const status = (error as { status?: unknown } | null)?.status;
    if (status === 401) {
      throw Object.assign(
        new Error('Discord rejected the bot token (401 Unauthorized): check DISCORD_TOKEN'),
        {
          permanent: true,
        },
      );
    }
    throw new Error(`GET /gateway/bot failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const recommended = positiveInt(answer.shards);
  const maxConcurrency = positiveInt(answer.session_start_limit?.max_concurrency) ?? 1;
  if (recommended === undefined) throw new Error('GET /gateway/bot answered without a shard count');
  const totalShards = sharding.shards === 'auto' ? recommended : sharding.shards;
  const shardIds = sharding.shardIds ?? Array.from({ length: totalShards }, (_, i) => i);
  return {
    totalShards,
    shardIds,
    maxConcurrency,
    recommendedShards: recommended,
    rounds: identifyRounds(shardIds, maxConcurrency),
  };
}

/** `0-3`, `4,6,7`, `0-3,8`: ids as `DISCORD_SHARD_IDS` writes them. */
export function describeIds(ids: readonly number[]): string {
  const parts: string[] = [];
  let from: number | undefined;
  let to: number | undefined;
  const close = (): void => {
    if (from === undefined || to === undefined) return;
    parts.push(from === to ? `${from}` : to === from + 1 ? `${from},${to}` : `${from}-${to}`);
  };
  for (const id of ids) {
    if (to !== undefined && id === to + 1) to = id;
    else {
      close();
      from = id;
      to = id;
    }
  }
  close();
  return parts.join(',');
}

/**
 * The plan, from {@link fetchShardPlan} with up to 3 attempts (1 s, then 2 s apart; a
 * rejected token is not retried), logged as `shard_plan`; a count below Discord's
 * recommendation is warned about. Rejects when it cannot be made (logged `shard_plan_failed`).
 */
export async function planShards(
  rest: Pick<REST, 'get'>,
  sharding: ShardingConfig,
  context: { readonly clock: Clock; readonly log: Logger; readonly signal: AbortSignal },
): Promise<ShardPlan> {
  const { clock, log, signal } = context;
  const attempts = 3;
  let plan: ShardPlan | undefined;
  for (let attempt = 1; plan === undefined; attempt += 1) {
    try {
      plan = await fetchShardPlan(rest, sharding, signal);
    } catch (error) {
      const permanent = (error as { permanent?: unknown } | null)?.permanent === true;
      if (signal.aborted || permanent || attempt >= attempts) {
        log.critical(
          'shard_plan_failed',
          `Could not plan the shards: ${error instanceof Error ? error.message : String(error)}`,
          { attempts: attempt, error },
        );
        throw error;
      }
      const delay = 1_000 * 2 ** (attempt - 1);
      log.warning('shard_plan_retry', `GET /gateway/bot failed; retrying in ${delay} ms`, { attempt, error });
      await clock.sleep(delay, signal);
    }
  }
  const rounds = plan.rounds.length;
  log.info(
    'shard_plan',
    `Running shard${plan.shardIds.length === 1 ? '' : 's'} ${describeIds(plan.shardIds)} of ${plan.totalShards}; ${plan.maxConcurrency} may identify at once (${rounds} round${rounds === 1 ? '' : 's'})`,
    {
      total_shards: plan.totalShards,
      shard_ids: describeIds(plan.shardIds),
      recommended_shards: plan.recommendedShards,
      max_concurrency: plan.maxConcurrency,
      identify_rounds: rounds,
    },
  );
  if (plan.totalShards < plan.recommendedShards) {
    log.warning(
      'shards_below_recommended',
      `DISCORD_SHARDS is ${plan.totalShards} but Discord recommends ${plan.recommendedShards}: Discord may refuse the shards (4011)`,
      { total_shards: plan.totalShards, recommended_shards: plan.recommendedShards },
    );
  }
  return plan;
}
