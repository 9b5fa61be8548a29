import type { PendingQuery, Row } from 'postgres';
import { type StoreContext, sessionsTable } from '../store-context.js';
import { deadlineGuard } from './deadline-guard.js';

/**
 * One `UPDATE` of the expiry (and `updated_at`) of a live record, nothing else: a touch racing a
 * patch can never write back stale data. No row affected means `missing`. Guarded by the
 * operation's deadline (see `deadlineGuard`).
 *
 * `sized_at` moves with `updated_at` while the running size totals are current (see
 * `patchedTotals`), so a touch does not make them look stale; stale ones stay stale.
 */
export function touchStatement(
  context: StoreContext,
  key: string,
  expiresAt: string,
  deadline: string,
): PendingQuery<Row[]> {
  const { sql } = context;
  return sql`
    update ${sessionsTable(context)} set
      expires_at = ${expiresAt}::text::timestamptz,
      sized_at = case when sized_at = updated_at then now() end,
      updated_at = now()
    where key = ${key}::text and expires_at > now() and ${deadlineGuard(context, deadline)}
  `;
}
