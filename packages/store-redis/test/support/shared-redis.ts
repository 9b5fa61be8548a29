import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { recommendedRedisOptions } from './client-options.js';

/** The shared Redis the conformance suite runs against. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** True in CI, where a missing Redis or redis-server must fail the run instead of skipping. */
export const IN_CI = Boolean(process.env.CI);

/** A key prefix unique to this run and file, so parallel runs on one Redis never meet. */
export function uniquePrefix(label: string): string {
  return `test:${label}:${randomBytes(6).toString('hex')}:`;
}

/**
 * Connects to {@link REDIS_URL}. Returns `undefined` when it is unreachable outside CI (the caller
 * skips); in CI an unreachable Redis throws, failing the file.
 */
export async function connectSharedRedis(): Promise<Redis | undefined> {
  const client = new Redis(REDIS_URL, {
    ...recommendedRedisOptions,
    lazyConnect: true,
    retryStrategy: (attempt: number) => (attempt > 3 ? null : attempt * 100),
  });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    if (IN_CI) throw new Error(`Redis at ${REDIS_URL} is required in CI`, { cause: error });
    return undefined;
  }
  // From here on, behave like a production client: keep reconnecting.
  client.options.retryStrategy = recommendedRedisOptions.retryStrategy;
  return client;
}

/** Every key under `prefix` (SCAN, for tests only). */
export async function keysWithPrefix(client: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found;
}

/**
 * Deletes every key under `prefix` (and nothing else). SCAN is fine here, in test teardown; the
 * store itself scans only to count sessions on a Cluster.
 */
export async function deleteKeysWithPrefix(client: Redis, prefix: string): Promise<number> {
  const keys = await keysWithPrefix(client, prefix);
  return keys.length === 0 ? 0 : client.unlink(...keys);
}
