// connect-redis 9 (express-session's Redis store) over node-redis 5, as its README sets it up.
// Used by express-session and, since @fastify/session accepts express-session stores, by it too.
import { RedisStore } from 'connect-redis';
import { createClient } from 'redis';
import { MAX_AGE_MS, REDIS_PREFIX, REDIS_URL } from './common.js';

export async function connectRedisStore(): Promise<RedisStore> {
  const client = createClient({ url: REDIS_URL });
  client.on('error', (error: Error) => console.error('redis:', error.message));
  await client.connect();
  return new RedisStore({ client, prefix: REDIS_PREFIX, ttl: MAX_AGE_MS / 1000 });
}
