import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

/** The shared Postgres the Postgres and layered scenarios use (each in a schema of its own). */
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * The Redis scenarios kill and restart their Redis, so they never touch the shared one at
 * `REDIS_URL`: they start throwaway `redis-server` processes (this binary) on ports of their own.
 */
export const REDIS_SERVER_BIN = process.env.REDIS_SERVER_BIN ?? 'redis-server';

/** True in CI, where a missing service fails the run instead of skipping it. */
export const IN_CI = Boolean(process.env.CI);

/** A name no other run uses (Postgres schema, Redis key prefix): `faults_<label>_<hex>`. */
export function uniqueName(label: string): string {
  return `faults_${label}_${randomBytes(5).toString('hex')}`;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function unavailable(what: string, cause?: unknown): false {
  if (IN_CI) throw new Error(`${what} is required in CI`, { cause });
  console.warn(`Skipping: ${what} is not available (${String(cause ?? 'not found')})`);
  return false;
}

/** Whether `redis-server` can be started here. In CI a missing binary throws. */
export function redisServerAvailable(): boolean {
  const result = spawnSync(REDIS_SERVER_BIN, ['--version'], { encoding: 'utf8' });
  if (result.status === 0) return true;
  return unavailable(`the ${REDIS_SERVER_BIN} binary`, result.error ?? result.stderr);
}

/** Whether the Postgres at {@link DATABASE_URL} answers. In CI an unreachable server throws. */
export async function postgresAvailable(): Promise<boolean> {
  const sql = postgres(DATABASE_URL, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch (error) {
    return unavailable(`Postgres at ${DATABASE_URL}`, error);
  } finally {
    await sql.end({ timeout: 1 });
  }
}
