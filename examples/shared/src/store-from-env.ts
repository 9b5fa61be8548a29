import { createMemoryStore, type SessionStore } from '@sessions/core';
import { createLayeredStore } from '@sessions/store-layered';
import { createRedisStore } from '@sessions/store-redis';
import { Redis } from 'ioredis';
import { postgresDemoStore } from './postgres-demo-store.js';

/** A store chosen by the demo's environment, and how to release it on shutdown. */
export interface DemoStore {
  readonly name: string;
  readonly store: SessionStore;
  close(): Promise<void>;
}

/** Store names `SESSION_STORE` accepts. */
export const DEMO_STORES = ['memory', 'redis', 'postgres', 'layered'] as const;

/**
 * An ioredis client with the options @sessions/store-redis recommends: fail fast while Redis is
 * down (the store answers within its 1 s deadline) and keep reconnecting, so service resumes by
 * itself when Redis is back.
 */
function demoRedisClient(env: NodeJS.ProcessEnv): Redis {
  const client = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
    enableAutoPipelining: true,
  });
  client.on('error', (error: Error) => console.warn(`redis: ${error.message}`));
  return client;
}

/** Closes a client made by {@link demoRedisClient}, politely when it is connected. */
async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'ready') await client.quit();
  else client.disconnect();
}

/**
 * Builds the store named by `SESSION_STORE` (default `memory`). Stores backed by servers read
 * `REDIS_URL` / `DATABASE_URL`; `layered` uses both (Redis as a cache over Postgres).
 */
export async function storeFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<DemoStore> {
  const name = env.SESSION_STORE ?? 'memory';
  switch (name) {
    case 'memory': {
      const store = createMemoryStore();
      return { name, store, close: async () => store.close() };
    }
    case 'redis': {
      const client = demoRedisClient(env);
      const store = createRedisStore(client);
      return { name, store, close: () => closeRedis(client) };
    }
    case 'postgres':
      return postgresDemoStore(env);
    case 'layered': {
      // Postgres stays the authority; Redis holds copies of active sessions under a prefix of
      // its own (so the `redis` demo's sessions never mix with these copies). With Redis down,
      // the demo keeps working from Postgres.
      const cold = await postgresDemoStore(env);
      const client = demoRedisClient(env);
      const store = createLayeredStore({
        hot: createRedisStore(client, { prefix: 'sess:hot:' }),
        cold: cold.store,
        onEvent: (event) => {
          if (event.type === 'hot-suspended' || event.type === 'hot-resumed') {
            console.warn(`session cache: ${event.type}`);
          }
        },
      });
      return {
        name,
        store,
        async close() {
          await closeRedis(client);
          await cold.close();
        },
      };
    }
    default:
      throw new Error(
        `SESSION_STORE=${name} is not supported; use one of: ${DEMO_STORES.join(', ')}`,
      );
  }
}
