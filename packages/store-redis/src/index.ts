export { createRedisStore } from './create-redis-store.js';
export type { RedisClient } from './redis-client.js';
export type { RedisStore } from './redis-store.js';
export type { RedisStoreOptions } from './redis-store-options.js';
