// The store behind our adapters, chosen by BENCH_STORE: core's memory store (default options:
// maxEntries 10,000), the Redis store, or the layered store in its in-process configuration
// (memory hot over Redis cold, as in packages/store-layered/README.md "Memory over Redis").
import { createMemoryStore, type SessionStore } from '@sessions/core';
import { createLayeredStore } from '@sessions/store-layered';
import { createRedisStore } from '@sessions/store-redis';
import { Redis } from 'ioredis';
import { REDIS_PREFIX, REDIS_URL, STORE } from './common.js';

async function redisClient(): Promise<Redis> {
  // The client options @sessions/store-redis recommends (its README: "Recommended client options").
  const redis = new Redis(REDIS_URL, {
    maxRetriesPerRequest: 1,
    enableAutoPipelining: true,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  });
  redis.on('error', (error) => console.error('redis:', error.message));
  await redis.ping();
  return redis;
}

export async function oursStore(): Promise<SessionStore> {
  switch (STORE) {
    case 'memory':
      return createMemoryStore();
    case 'redis':
      return createRedisStore(await redisClient(), { prefix: REDIS_PREFIX });
    case 'layered':
      return createLayeredStore({
        hot: createMemoryStore({ maxEntries: 50_000 }),
        cold: createRedisStore(await redisClient(), { prefix: REDIS_PREFIX }),
        hotTtlMs: 10_000,
      });
    default:
      throw new Error(`unknown BENCH_STORE ${STORE}`);
  }
}
