import type { PendingValuesQuery, Row } from 'postgres';
import { type StoreContext, sessionsTable } from '../store-context.js';

/**
 * `SELECT count(*)` of the live records, as one row of one text (a bigint as text, so no type
 * parser configured on the client applies).
 *
 * - `expires_at > now()` is the same liveness test `load` uses, against the same timestamptz
 *   `now()`, so expired rows not yet deleted are never counted.
 * - It is a range scan of the `expires_at` index over the live rows (index-only where the
 *   visibility map allows): the cost grows with the number of live sessions, not with the expired
 *   rows awaiting `deleteExpired()`, and it takes no lock that blocks writers.
 * - One statement sees one snapshot, so the count is exact at one instant.
 */
export function countStatement(context: StoreContext): PendingValuesQuery<Row[]> {
  const { sql } = context;
  return sql`
    select count(*)::text from ${sessionsTable(context)} where expires_at > now()
  `.values();
}
