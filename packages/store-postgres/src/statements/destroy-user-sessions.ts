import type { PendingValuesQuery, Row } from 'postgres';
import { type StoreContext, sessionsTable } from '../store-context.js';
import type { EncodedDestroyOptions } from '../user-ids.js';
import { deadlineGuard } from './deadline-guard.js';

/**
 * One `DELETE ... RETURNING key` of a user's live records, narrowed by `only` / `except`: the
 * revoked keys come back as one-column rows.
 *
 * - Found through the `(user_id, expires_at)` index, as `listUserSessionsStatement` finds them.
 * - Each row is deleted only if it is still bound to the user when it is deleted: under READ
 *   COMMITTED a row a concurrent patch re-bound (or a patch extended) is re-checked against this
 *   `WHERE` once that patch commits, so a session re-bound to another user meanwhile survives. The
 *   meta is re-checked too (see `listUserSessionsStatement`): a stale column never revokes a
 *   session whose meta names someone else.
 * - Revocation is effective on the next request: once this commits the rows are gone, so `load`
 *   finds nothing, and a patch or touch queued on a row's lock finds no row (`missing`).
 * - `only` and `except` are added as SQL only when given (two shapes of one statement), so the
 *   usual call is a plain index scan; an empty `only` deletes nothing.
 * - Guarded by the operation's deadline (see `deadlineGuard`): a revocation reaching the server
 *   late fails and deletes nothing.
 */
export function destroyUserSessionsStatement(
  context: StoreContext,
  userId: string,
  options: EncodedDestroyOptions,
  deadline: string,
): PendingValuesQuery<Row[]> {
  const { sql } = context;
  const only =
    options.only === null
      ? sql``
      : sql`and s.key in (select jsonb_array_elements_text(${options.only}::text::jsonb))`;
  const except = options.except === null ? sql`` : sql`and s.key <> ${options.except}::text`;
  return sql`
    delete from ${sessionsTable(context)} as s
    where s.user_id = ${userId}::text and s.expires_at > now()
      and s.meta->>'userId' = ${userId}::text
      ${only}
      ${except}
      and ${deadlineGuard(context, deadline)}
    returning s.key
  `.values();
}
