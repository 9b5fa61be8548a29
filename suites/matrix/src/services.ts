import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import postgres, { type Sql } from 'postgres';

/** The shared Redis: `REDIS_URL`, else the local default. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The shared Postgres: `DATABASE_URL`, else the local `test` database as user `postgres`. */
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A name no other run uses: `<label>_<hex>`. */
export function uniqueName(label: string): string {
  return `${label}_${randomBytes(6).toString('hex')}`;
}

/**
 * Connects to the shared Redis. A missing server FAILS the file (the matrix never skips): the
 * client gives up after a few quick attempts and the error names {@link REDIS_URL}.
 */
export async function connectRedis(): Promise<Redis> {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt: number) => (attempt > 3 ? null : attempt * 100),
  });
  // Connection errors surface through the commands that fail (and the connect below).
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    throw new Error(
      `the matrix suite needs Redis at ${REDIS_URL} (set REDIS_URL); it does not skip`,
      { cause: error },
    );
  }
  // From here on, keep reconnecting like a production client.
  client.options.retryStrategy = (attempt: number) => Math.min(attempt * 100, 2_000);
  return client;
}

/** Every key under `prefix` (SCAN: teardown only; the stores never scan). */
export async function keysUnder(client: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found;
}

/** Deletes every key under `prefix` and nothing else; throws when any is left. */
export async function deleteKeysUnder(client: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(client, prefix);
  for (let i = 0; i < keys.length; i += 500) await client.unlink(...keys.slice(i, i + 500));
  const left = await keysUnder(client, prefix);
  if (left.length > 0) throw new Error(`${left.length} Redis keys left under ${prefix}`);
}

/**
 * Connects to the shared Postgres and checks it answers. A missing server FAILS the file (the
 * matrix never skips), naming {@link DATABASE_URL}.
 */
export async function connectPostgres(): Promise<Sql> {
  const sql = postgres(DATABASE_URL, { onnotice: () => {}, connect_timeout: 5, max: 8 });
  try {
    await sql`select 1`;
  } catch (error) {
    await sql.end({ timeout: 1 });
    throw new Error(
      `the matrix suite needs Postgres at ${DATABASE_URL} (set DATABASE_URL); it does not skip`,
      { cause: error },
    );
  }
  return sql;
}

/** Drops `schema` and everything in it; throws when it is still there. */
export async function dropSchema(sql: Sql, schema: string): Promise<void> {
  await sql`drop schema if exists ${sql(schema)} cascade`;
  const [left] = await sql`select count(*)::int as n from pg_namespace where nspname = ${schema}`;
  if (left?.n !== 0) throw new Error(`schema ${schema} is still there`);
}

/** Empties the sessions table of a migrated store, between scenarios. */
export async function truncate(sql: Sql, schema: string, table: string): Promise<void> {
  await sql`truncate ${sql(schema)}.${sql(table)}`;
}

/** Connects to both shared servers; when one is missing, closes the other and fails. */
export async function connectBoth(): Promise<[Redis, Sql]> {
  const [redis, sql] = await Promise.allSettled([connectRedis(), connectPostgres()]);
  if (redis.status === 'fulfilled' && sql.status === 'fulfilled') return [redis.value, sql.value];
  if (redis.status === 'fulfilled') redis.value.disconnect();
  if (sql.status === 'fulfilled') await sql.value.end({ timeout: 1 });
  throw redis.status === 'rejected' ? redis.reason : (sql as PromiseRejectedResult).reason;
}
