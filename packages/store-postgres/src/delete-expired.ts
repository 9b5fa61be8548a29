import type { StoreContext } from './store-context.js';
import { sessionsTable } from './store-context.js';

/** Rows one `deleteExpired` statement removes at most. */
export const DELETE_BATCH_SIZE = 1_000;

/**
 * Deletes up to {@link DELETE_BATCH_SIZE} expired rows in one statement and returns how many.
 *
 * - Bounded batches keep each statement (its locks, WAL and the time it holds a connection) small
 *   however many sessions expired; the caller loops until a batch comes back short.
 * - `FOR UPDATE SKIP LOCKED` passes over rows a request is writing right now, so cleanup never
 *   waits on (or deadlocks with) request traffic, and two cleanup jobs on different instances
 *   split the work instead of queueing on each other.
 * - The row lock re-checks `expires_at <= now()` on the row's latest version, so a record a
 *   concurrent touch or patch kept alive is not deleted. Only rows already expired (absent for
 *   every method) are removed: nothing live is ever lost.
 */
export function deleteExpiredBatch(context: StoreContext): PromiseLike<readonly unknown[][]> & {
  cancel(): void;
} {
  const { sql } = context;
  const table = sessionsTable(context);
  return sql`
    with removed as (
      delete from ${table}
      where key in (
        select key from ${sessionsTable(context)}
        where expires_at <= now()
        limit ${DELETE_BATCH_SIZE}
        for update skip locked
      )
      and expires_at <= now()
      returning 1
    )
    select count(*)::text from removed
  `.values();
}
