import { SessionError } from '@sessions/core';
import { type TableNames, tableNames } from './sql-identifiers.js';

/** Options for `createPostgresStore`. */
export interface PostgresStoreOptions {
  /**
   * Schema holding the sessions table (created by `migrate()` when missing). Lowercase letters,
   * digits and `_`, up to 63 characters; used as a quoted identifier, escaped by postgres.js.
   * @default 'public'
   */
  readonly schema?: string | undefined;
  /**
   * The sessions table. Lowercase letters, digits and `_`, up to 48 characters (room for the
   * derived `<table>_migrations` and `<table>_expires_at_idx`).
   * @default 'sessions'
   */
  readonly table?: string | undefined;
  /**
   * Deadline of each operation in milliseconds. A query still running then is cancelled
   * (postgres.js `query.cancel()`) and the operation fails, which the engine reports as
   * `SessionError('STORE_UNAVAILABLE')`: a slow or unreachable database costs a request at most
   * this long. It includes time spent queued for a pool connection. `deleteExpired()` applies it
   * to each batch statement; `migrate()` called directly is not bounded by it.
   * @default 2000
   */
  readonly timeoutMs?: number | undefined;
  /**
   * Run `migrate()` before the first operation (once per store; a failure is retried by the next
   * operation rather than remembered). Handy in development and for single-instance apps; in
   * production prefer calling `await store.migrate()` at startup or in a deploy step, so a
   * missing privilege fails the deploy instead of the first request.
   * @default false
   */
  readonly migrate?: boolean | undefined;
}

/** Options with defaults applied, validated. */
export interface ResolvedPostgresStoreOptions {
  readonly names: TableNames;
  readonly timeoutMs: number;
  readonly migrate: boolean;
}

/** Default {@link PostgresStoreOptions.schema}. */
export const DEFAULT_SCHEMA = 'public';
/** Default {@link PostgresStoreOptions.table}. */
export const DEFAULT_TABLE = 'sessions';
/** Default {@link PostgresStoreOptions.timeoutMs}. */
export const DEFAULT_TIMEOUT_MS = 2_000;
/** setTimeout's largest delay. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * Applies defaults and checks types and ranges, throwing `SessionError('MISCONFIGURED')` for a
 * bad option (including schema and table names; see `tableNames`).
 */
export function resolveOptions(options: PostgresStoreOptions): ResolvedPostgresStoreOptions {
  if (typeof options !== 'object' || options === null) {
    throw new SessionError('MISCONFIGURED', 'postgres store: options must be an object');
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (
    typeof timeoutMs !== 'number' ||
    !Number.isFinite(timeoutMs) ||
    timeoutMs <= 0 ||
    timeoutMs > MAX_TIMEOUT_MS
  ) {
    throw new SessionError(
      'MISCONFIGURED',
      `postgres store: timeoutMs must be a positive number of milliseconds up to ${MAX_TIMEOUT_MS}`,
    );
  }
  const migrate = options.migrate ?? false;
  if (typeof migrate !== 'boolean') {
    throw new SessionError('MISCONFIGURED', 'postgres store: migrate must be a boolean');
  }
  const names = tableNames(options.schema ?? DEFAULT_SCHEMA, options.table ?? DEFAULT_TABLE);
  return { names, timeoutMs, migrate };
}
