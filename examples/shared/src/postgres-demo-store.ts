import { createPostgresStore } from '@sessions/store-postgres';
import postgres from 'postgres';
import type { DemoStore } from './store-from-env.js';

/** The database the demos use when `DATABASE_URL` is not set. */
const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/**
 * The Postgres store for `SESSION_STORE=postgres`: connects to `DATABASE_URL` (default the local
 * `test` database as user `postgres`), migrates the `public.sessions` table, and sweeps expired
 * sessions every five minutes until closed.
 */
export async function postgresDemoStore(env: NodeJS.ProcessEnv = process.env): Promise<DemoStore> {
  const sql = postgres(env.DATABASE_URL ?? DEFAULT_DATABASE_URL, { onnotice: () => {} });
  const store = createPostgresStore(sql);
  try {
    await store.migrate();
  } catch (error) {
    await sql.end({ timeout: 1 });
    throw error;
  }
  const cleanup = store.startCleanup();
  return {
    name: 'postgres',
    store,
    async close() {
      await cleanup.stop();
      await sql.end({ timeout: 5 });
    },
  };
}
