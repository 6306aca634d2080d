import type { REST } from '@discordjs/rest';
import { Routes } from 'discord.js';
import type { ShardingConfig } from '../config.ts';
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
