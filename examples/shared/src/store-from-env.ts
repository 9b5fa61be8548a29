import { createMemoryStore, type SessionStore } from '@sessions/core';
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
export const DEMO_STORES = ['memory', 'redis', 'postgres'] as const;

/**
 * Builds the store named by `SESSION_STORE` (default `memory`). Stores backed by servers read
 * `REDIS_URL` / `DATABASE_URL`.
 */
export async function storeFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<DemoStore> {
  const name = env.SESSION_STORE ?? 'memory';
  switch (name) {
    case 'memory': {
      const store = createMemoryStore();
      return { name, store, close: async () => store.close() };
    }
    case 'redis': {
      // The client options @sessions/store-redis recommends: fail fast while Redis is down (the
      // store answers 503 within its 1 s deadline) and keep reconnecting, so service resumes by
      // itself when Redis is back.
      const client = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
        maxRetriesPerRequest: 1,
        connectTimeout: 2_000,
        retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
      });
      client.on('error', (error: Error) => console.warn(`redis: ${error.message}`));
      const store = createRedisStore(client);
      return {
        name,
        store,
        close: async () => {
          if (client.status === 'ready') await client.quit();
          else client.disconnect();
        },
      };
    }
    case 'postgres':
      return postgresDemoStore(env);
    default:
      throw new Error(
        `SESSION_STORE=${name} is not supported; use one of: ${DEMO_STORES.join(', ')}`,
      );
  }
}
