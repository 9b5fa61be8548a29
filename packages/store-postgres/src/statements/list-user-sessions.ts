import type { PendingValuesQuery, Row } from 'postgres';
import { type StoreContext, sessionsTable } from '../store-context.js';

/**
 * `SELECT` of a user's live records, as rows of three texts: `[key, meta, expiresAt]` (read by
 * `rowToUserSession`).
 *
 * - `user_id = $1 and expires_at > now()` is one range scan of the `(user_id, expires_at)` index
 *   (`<table>_user_id_idx`): the user's live entries only. Expired rows sort before `now()` and
 *   are never visited; destroyed ones are gone with their row (the row is the index entry, so it
 *   cannot outlive the record). Expired rows are reclaimed with their index entries by
 *   `deleteExpired()`.
 * - `meta->>'userId' = $1` re-checks the binding against the meta itself, which is what the
 *   contract lists by. The column always agrees for rows this release wrote; the check keeps a row
 *   an earlier release re-bound during a rolling deploy (or one edited by hand) from being listed
 *   under its old user. It filters only the user's rows, so it costs nothing measurable.
 * - The user ID is a bound parameter (never SQL text), compared byte for byte (`collate "C"`).
 * - A read: no deadline guard, as for `load` (a late read changes nothing).
 */
export function listUserSessionsStatement(
  context: StoreContext,
  userId: string,
): PendingValuesQuery<Row[]> {
  const { sql } = context;
  return sql`
    select
      s.key,
      s.meta::text,
      (extract(epoch from s.expires_at) * 1000)::text
    from ${sessionsTable(context)} s
    where s.user_id = ${userId}::text and s.expires_at > now()
      and s.meta->>'userId' = ${userId}::text
  `.values();
}
