import { Redis, type RedisOptions } from 'ioredis';
import postgres, { type Sql } from 'postgres';
import { DATABASE_URL } from '../env.js';

/** The client options @sessions/store-redis recommends (README, "Recommended client options"). */
export const recommendedRedisOptions = {
  maxRetriesPerRequest: 1,
  connectTimeout: 2_000,
  retryStrategy: (attempt: number) => Math.min(attempt * 100, 2_000),
} satisfies RedisOptions;

/** An ioredis client as an app would make it; its `error` events are counted, not logged. */
export function redisClient(url: string): { client: Redis; errors: () => number } {
  const client = new Redis(url, recommendedRedisOptions);
  let errors = 0;
  client.on('error', () => {
    errors++;
  });
  return { client, errors: () => errors };
}

/**
 * A reconnect backoff for postgres.js that stays short: 0.1 s per consecutive failure, at most 1 s.
 * (Its default, `(0.5 + random / 2) * min(3^n / 100, 20)` seconds with `n` counting connection
 * errors across the whole pool until one connection succeeds, reaches 10-20 s after a burst of
 * terminated backends, and a connection waits out the delay it drew even once the database is
 * back.)
 */
export const CAPPED_BACKOFF = (retries: number) => Math.min(0.1 * retries, 1);

/** A postgres.js pool whose backends carry `applicationName` (so the fault can find them). */
export function postgresClient(
  applicationName: string,
  options: { readonly max?: number; readonly backoff?: (retries: number) => number } = {},
): Sql {
  return postgres(DATABASE_URL, {
    max: options.max ?? 4,
    connect_timeout: 5,
    onnotice: () => {},
    connection: { application_name: applicationName },
    ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
  });
}

/** A small admin pool for the fault itself and the cleanup. */
export function postgresAdmin(): Sql {
  return postgres(DATABASE_URL, { max: 1, connect_timeout: 5, onnotice: () => {} });
}
