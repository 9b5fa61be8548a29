import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** The Redis the Redis pass uses (the same variable as the Redis store's own tests). */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** True in CI, where a missing Redis fails the Redis pass instead of skipping it. */
const IN_CI = Boolean(process.env.CI);

/**
 * Every key this run writes starts with it: unique per run, so runs sharing one Redis never
 * meet, and removed when the run ends (never FLUSHALL/FLUSHDB: the Redis may hold other data).
 */
export const RUN_PREFIX = `sessions:runtimes:${randomBytes(6).toString('hex')}:`;

let connecting: Promise<Redis | string> | undefined;

/**
 * The host's connection to {@link REDIS_URL}, opened on first use, for checking and cleaning up
 * keys. Resolves to a string saying why when Redis is unreachable outside CI (the caller skips
 * with it); in CI an unreachable Redis rejects, failing the test.
 */
export function hostRedis(): Promise<Redis | string> {
  connecting ??= (async () => {
    const client = new Redis(REDIS_URL, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      retryStrategy: () => null,
    });
    let cause: unknown;
    client.on('error', (error: unknown) => {
      cause ??= error;
    });
    try {
      await client.connect();
      await client.ping();
      return client;
    } catch (error) {
      client.disconnect();
      cause ??= error;
      const reason = `no Redis at ${REDIS_URL} (${cause instanceof Error ? cause.message : String(cause)})`;
      if (IN_CI) throw new Error(`${reason}: the Redis pass needs it in CI`);
      return `${reason}: set REDIS_URL or start redis-server; CI fails here instead of skipping`;
    }
  })();
  return connecting;
}

/** Every key under `prefix` (SCAN: for test bookkeeping only). */
export async function keysUnder(client: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found;
}

/** Deletes every key under `prefix`, and nothing else; returns how many there were. */
export async function deleteKeysUnder(client: Redis, prefix: string): Promise<number> {
  const keys = await keysUnder(client, prefix);
  return keys.length === 0 ? 0 : client.unlink(...keys);
}

/** Removes whatever this run left under {@link RUN_PREFIX} and closes the host connection. */
export async function closeHostRedis(): Promise<void> {
  const client = await connecting?.catch(() => undefined);
  connecting = undefined;
  if (client === undefined || typeof client === 'string') return;
  await deleteKeysUnder(client, RUN_PREFIX);
  await client.quit();
}
