import { createMemoryStore, type SessionStore } from '@sessions/core';

/** A store chosen by the demo's environment, and how to release it on shutdown. */
export interface DemoStore {
  readonly name: string;
  readonly store: SessionStore;
  close(): Promise<void>;
}

/** Store names `SESSION_STORE` accepts. */
export const DEMO_STORES = ['memory'] as const;

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
    default:
      throw new Error(
        `SESSION_STORE=${name} is not supported; use one of: ${DEMO_STORES.join(', ')}`,
      );
  }
}
