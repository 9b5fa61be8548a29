import type { ClusterOptions, RedisOptions } from 'ioredis';

/**
 * The client options the README recommends, as the tests use them: fail queued commands after
 * one failed reconnection instead of twenty, give up on a dead connect quickly, and keep
 * reconnecting (with a capped backoff) for as long as it takes, so the store recovers by itself.
 */
export const recommendedRedisOptions = {
  maxRetriesPerRequest: 1,
  connectTimeout: 2_000,
  retryStrategy: (attempt: number) => Math.min(attempt * 100, 2_000),
} satisfies RedisOptions;

/**
 * The Cluster equivalent: the same per-node options (a Cluster client ignores a per-node
 * `retryStrategy`: it reconnects through slot refreshes) and a cluster-level retry strategy.
 */
export const recommendedClusterOptions = {
  redisOptions: { maxRetriesPerRequest: 1, connectTimeout: 2_000 },
  clusterRetryStrategy: (attempt: number) => Math.min(attempt * 100, 2_000),
} satisfies ClusterOptions;
