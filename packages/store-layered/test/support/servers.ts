// The real servers these tests use, through the Redis and Postgres stores' own test helpers (one
// implementation of "shared server, unique prefix or schema per run; in CI a missing server
// fails, elsewhere it skips" for the whole repository).

export {
  connect as connectPostgres,
  DATABASE_URL,
  databaseAvailable,
  dropSchema,
  uniqueSchema,
} from '../../../store-postgres/test/support/database.js';
export type { TcpProxy } from '../../../store-postgres/test/support/tcp-proxy.js';
export { startTcpProxy } from '../../../store-postgres/test/support/tcp-proxy.js';
export { recommendedRedisOptions } from '../../../store-redis/test/support/client-options.js';
export { findFreePort } from '../../../store-redis/test/support/free-port.js';
export type { RedisServer } from '../../../store-redis/test/support/redis-server.js';
export { startRedisServer } from '../../../store-redis/test/support/redis-server.js';
export { canStartRedisServers } from '../../../store-redis/test/support/require-redis-server.js';
export {
  connectSharedRedis,
  deleteKeysWithPrefix,
  IN_CI,
  keysWithPrefix,
  REDIS_URL,
  uniquePrefix,
} from '../../../store-redis/test/support/shared-redis.js';
