import type {
  ConditionalWriteResult,
  CreateResult,
  DestroyUserSessionsOptions,
  EntryCondition,
  PatchResult,
  RotateResult,
  SessionPatch,
  SessionRecord,
  SessionStore,
  UserSessionRecord,
  WriteResult,
} from '@sessions/core';
import type { Sql } from 'postgres';
import { type CleanupJob, type CleanupOptions, startCleanup } from './cleanup-job.js';
import { DELETE_BATCH_SIZE, deleteExpiredBatch } from './delete-expired.js';
import { encodeCondition, encodePatch, encodeRecord } from './encode-record.js';
import { instantToTimestamp } from './instants.js';
import { migrate } from './migrate.js';
import { type PostgresStoreOptions, resolveOptions } from './postgres-store-options.js';
import { rowToRecord, rowToUserSession } from './row-to-record.js';
import { checkTransformKeepsNames } from './sql-identifiers.js';
import { createStatementRunner } from './statement-runner.js';
import { countStatement } from './statements/count.js';
import { createStatement } from './statements/create.js';
import { destroyStatement } from './statements/destroy.js';
import { destroyUserSessionsStatement } from './statements/destroy-user-sessions.js';
import { listUserSessionsStatement } from './statements/list-user-sessions.js';
import { loadStatement } from './statements/load.js';
import { type PatchOutcome, patchStatement } from './statements/patch.js';
import { type PatchIfOutcome, patchIfStatement } from './statements/patch-if.js';
import { ROTATE_TARGET_TAKEN, type RotateOutcome, rotateStatement } from './statements/rotate.js';
import { touchStatement } from './statements/touch.js';
import type { StoreContext } from './store-context.js';
import { checkUserId, encodeDestroyOptions } from './user-ids.js';

/**
 * A {@link SessionStore} on Postgres through postgres.js. Every method is async and makes one
 * statement (a round trip on a warm connection), bounded by `timeoutMs`.
 */
export interface PostgresStore extends SessionStore {
  /** See {@link SessionStore.load}. One `SELECT`; returns fresh objects the caller may mutate. */
  load(key: string): Promise<SessionRecord | undefined>;
  /** See {@link SessionStore.create}. One `INSERT ... ON CONFLICT`; never overwrites a live record. */
  create(key: string, record: SessionRecord): Promise<CreateResult>;
  /**
   * See {@link SessionStore.patch}. One statement: an `UPDATE` of the changed keys only, while
   * live and within the patch's limits (checked on the newest row version).
   */
  patch(key: string, patch: SessionPatch): Promise<PatchResult>;
  /**
   * See {@link SessionStore.patchIf}. One statement: the `UPDATE` of `patch` with the entry
   * condition and the limits in its `WHERE` (re-checked on the newest row version after a lock
   * wait), and a locking `SELECT` of the live row that tells `missing`, `conflict` and `too-large`
   * apart.
   */
  patchIf(
    key: string,
    condition: EntryCondition,
    patch: SessionPatch,
  ): Promise<ConditionalWriteResult>;
  /** See {@link SessionStore.touch}. One `UPDATE` of the expiry only, while live. */
  touch(key: string, expiresAt: number): Promise<WriteResult>;
  /** See {@link SessionStore.rotate}. One atomic statement (delete and insert in a CTE). */
  rotate(fromKey: string, toKey: string, patch: SessionPatch): Promise<RotateResult>;
  /** See {@link SessionStore.destroy}. One `DELETE`. */
  destroy(key: string): Promise<void>;
  /**
   * See {@link SessionStore.listUserSessions}. One `SELECT`: a range scan of the
   * `(user_id, expires_at)` index over the user's live sessions.
   */
  listUserSessions(userId: string): Promise<UserSessionRecord[]>;
  /**
   * See {@link SessionStore.destroyUserSessions}. One `DELETE ... RETURNING key` through the same
   * index, re-checking each row is still bound to `userId`.
   */
  destroyUserSessions(userId: string, options?: DestroyUserSessionsOptions): Promise<string[]>;
  /**
   * Deletes every expired record, in statements of at most 1,000 rows (each bounded by
   * `timeoutMs`, skipping rows a request is writing), and returns how many it deleted. Call it
   * from a scheduled job, or use {@link PostgresStore.startCleanup}.
   */
  deleteExpired(): Promise<number>;
  /**
   * See {@link SessionStore.countSessions}: exact. One `SELECT count(*) ... WHERE expires_at >
   * now()`, a range scan of the `expires_at` index over the live rows: O(live sessions), bounded
   * by `timeoutMs` like every operation (give an admin job's store a longer one on a big table).
   */
  countSessions(): Promise<number>;
  /**
   * Creates or upgrades the schema (see the README): idempotent, versioned, safe to run from many
   * instances at once. When it resolves, the table exists. Not bounded by `timeoutMs`: it may
   * wait for another instance's migration.
   */
  migrate(): Promise<void>;
  /**
   * Starts a periodic, `unref`'d, jittered `deleteExpired()` (see `startCleanup`). Opt-in; stop
   * it with `await job.stop()` before closing the client.
   */
  startCleanup(options?: CleanupOptions): CleanupJob;
  /** The schema holding the table. */
  readonly schema: string;
  /** The sessions table's name. */
  readonly table: string;
}

const PATCH_OUTCOMES: readonly PatchOutcome[] = ['ok', 'missing', 'too-large'];
const PATCH_IF_OUTCOMES: readonly PatchIfOutcome[] = ['ok', 'missing', 'conflict', 'too-large'];
const ROTATE_OUTCOMES: readonly RotateOutcome[] = ['ok', 'missing', 'conflict', 'too-large'];

/** The answer in the first column of a statement's row, checked against what it may answer. */
function outcome<T extends string>(
  row: readonly unknown[] | undefined,
  allowed: readonly T[],
  operation: string,
): T {
  const answer = row?.[0];
  if (!allowed.includes(answer as T)) {
    throw new Error(`postgres store: ${operation} got an unexpected answer ${String(answer)}`);
  }
  return answer as T;
}

/** True for the failure the rotate statement raises on purpose (see `rotateStatement`). */
function isTargetTaken(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    error.code === '22P02' &&
    error instanceof Error &&
    error.message.includes(ROTATE_TARGET_TAKEN)
  );
}

/**
 * Creates a session store on the application's postgres.js client (`postgres(url)`), which the
 * store never closes. Nothing is sent to the database until the first call: run
 * `await store.migrate()` at startup (or pass `migrate: true`).
 *
 * Throws `SessionError('MISCONFIGURED')` for invalid options; its methods throw
 * `SessionError('INVALID_VALUE')` / `('INVALID_KEY')` for input Postgres cannot hold, and plain
 * errors (which the engine reports as `STORE_UNAVAILABLE`) when the database fails or is late.
 *
 * @example
 * ```ts
 * import postgres from 'postgres';
 * import { createPostgresStore } from '@sessions/store-postgres';
 *
 * const sql = postgres(process.env.DATABASE_URL!);
 * const store = createPostgresStore(sql, { timeoutMs: 1_000 });
 * await store.migrate();
 * ```
 */
export function createPostgresStore(sql: Sql, options: PostgresStoreOptions = {}): PostgresStore {
  const { names, timeoutMs, migrate: autoMigrate } = resolveOptions(options);
  checkTransformKeepsNames(sql, names);
  const context: StoreContext = { sql, names };

  /** The `migrate: true` migration: shared while pending or done, forgotten once it fails. */
  let migration: Promise<void> | undefined;
  function migrated(): Promise<void> {
    if (migration === undefined) {
      const attempt = migrate(context);
      migration = attempt;
      attempt.catch(() => {
        if (migration === attempt) migration = undefined;
      });
    }
    return migration;
  }

  const run = createStatementRunner({
    timeoutMs,
    before: autoMigrate ? migrated : undefined,
  });

  async function deleteExpired(): Promise<number> {
    let removed = 0;
    for (;;) {
      const [row] = await run('deleteExpired', () => deleteExpiredBatch(context));
      const batch = Number(row?.[0] ?? 0);
      removed += batch;
      if (batch < DELETE_BATCH_SIZE) return removed;
    }
  }

  const store = {
    name: 'postgres',
    capabilities: {
      atomicRotate: true,
      deleteExpired: true,
      userIndex: true,
      conditionalPatch: true,
      recordLimits: true,
      count: 'exact',
      // Bytes are kept base64-encoded in the jsonb entry (see `stored-entries.ts`).
      binaryValues: true,
    },
    schema: names.schema,
    table: names.table,

    async load(key: string): Promise<SessionRecord | undefined> {
      const [row] = await run('load', () => loadStatement(context, key));
      return row === undefined ? undefined : rowToRecord(row);
    },

    async create(key: string, record: SessionRecord): Promise<CreateResult> {
      const encoded = encodeRecord(record);
      const result = await run('create', (deadline) =>
        createStatement(context, key, encoded, deadline),
      );
      return result.count === 1 ? 'created' : 'conflict';
    },

    async patch(key: string, patch: SessionPatch): Promise<PatchResult> {
      const encoded = encodePatch(patch);
      const [row] = await run('patch', (deadline) =>
        patchStatement(context, key, encoded, deadline),
      );
      return outcome(row, PATCH_OUTCOMES, 'patch');
    },

    async patchIf(
      key: string,
      condition: EntryCondition,
      patch: SessionPatch,
    ): Promise<ConditionalWriteResult> {
      const expected = encodeCondition(condition);
      const encoded = encodePatch(patch);
      const [row] = await run('patchIf', (deadline) =>
        patchIfStatement(context, key, expected, encoded, deadline),
      );
      return outcome(row, PATCH_IF_OUTCOMES, 'patchIf');
    },

    async touch(key: string, expiresAt: number): Promise<WriteResult> {
      const instant = instantToTimestamp(expiresAt, 'expiresAt');
      const result = await run('touch', (deadline) =>
        touchStatement(context, key, instant, deadline),
      );
      return result.count === 1 ? 'ok' : 'missing';
    },

    async rotate(fromKey: string, toKey: string, patch: SessionPatch): Promise<RotateResult> {
      const encoded = encodePatch(patch);
      let row: readonly unknown[] | undefined;
      try {
        [row] = await run('rotate', (deadline) =>
          rotateStatement(context, fromKey, toKey, encoded, deadline),
        );
      } catch (error) {
        // The statement rolled back: the source is untouched and a live record holds the target.
        if (isTargetTaken(error)) return 'conflict';
        throw error;
      }
      return outcome(row, ROTATE_OUTCOMES, 'rotate');
    },

    async destroy(key: string): Promise<void> {
      await run('destroy', (deadline) => destroyStatement(context, key, deadline));
    },

    async listUserSessions(userId: string): Promise<UserSessionRecord[]> {
      const user = checkUserId(userId, 'userId');
      const rows = await run('listUserSessions', () => listUserSessionsStatement(context, user));
      return rows.map(rowToUserSession);
    },

    async destroyUserSessions(
      userId: string,
      options?: DestroyUserSessionsOptions,
    ): Promise<string[]> {
      const user = checkUserId(userId, 'userId');
      const encoded = encodeDestroyOptions(options);
      const rows = await run('destroyUserSessions', (deadline) =>
        destroyUserSessionsStatement(context, user, encoded, deadline),
      );
      return rows.map((row) => String(row[0]));
    },

    deleteExpired,

    async countSessions(): Promise<number> {
      const [row] = await run('countSessions', () => countStatement(context));
      const counted = Number(row?.[0]);
      if (!Number.isSafeInteger(counted)) {
        throw new Error(`postgres store: count(*) returned ${String(row?.[0])}`);
      }
      return counted;
    },

    async migrate(): Promise<void> {
      await migrate(context);
      // The schema is current: the `migrate: true` option has nothing left to do.
      migration = Promise.resolve();
    },

    startCleanup(cleanupOptions?: CleanupOptions): CleanupJob {
      return startCleanup({ deleteExpired }, cleanupOptions);
    },
  } satisfies PostgresStore;

  return store;
}
