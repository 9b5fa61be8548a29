import { randomBytes } from 'node:crypto';
import postgres, { type Options, type Sql } from 'postgres';

/** The test database: `DATABASE_URL`, or the local `test` database as user `postgres`. */
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A client for tests: quiet about notices, quick to give up on a missing server. */
export function connect(options: Partial<Options<Record<string, never>>> = {}): Sql {
  return postgres(DATABASE_URL, {
    onnotice: () => {},
    connect_timeout: 5,
    max: 4,
    ...options,
  });
}

/**
 * Whether the test database answers. Outside CI a missing server skips the Postgres tests (with
 * the reason printed); in CI (`CI` set) it throws, so the run fails instead of passing hollow.
 */
export async function databaseAvailable(): Promise<boolean> {
  const sql = connect({ max: 1 });
  try {
    await sql`select 1`;
    return true;
  } catch (error) {
    if (process.env.CI) {
      throw new Error(`Postgres at ${DATABASE_URL} is required in CI and did not answer`, {
        cause: error,
      });
    }
    console.warn(`Skipping Postgres tests: ${DATABASE_URL} did not answer (${String(error)})`);
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** A schema name no other test file or run uses: `sessions_test_<random hex>`. */
export function uniqueSchema(label: string): string {
  return `sessions_test_${label}_${randomBytes(6).toString('hex')}`;
}

/** Drops a test schema and everything in it. */
export async function dropSchema(sql: Sql, schema: string): Promise<void> {
  await sql`drop schema if exists ${sql(schema)} cascade`;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
