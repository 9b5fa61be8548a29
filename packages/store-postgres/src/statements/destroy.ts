import type { PendingQuery, Row } from 'postgres';
import { type StoreContext, sessionsTable } from '../store-context.js';
import { deadlineGuard } from './deadline-guard.js';

/**
 * One `DELETE` of the record, live or expired. Deleting an absent key affects nothing. Guarded by
 * the operation's deadline (see `deadlineGuard`).
 */
export function destroyStatement(
  context: StoreContext,
  key: string,
  deadline: string,
): PendingQuery<Row[]> {
  const { sql } = context;
  return sql`
    delete from ${sessionsTable(context)}
    where key = ${key}::text and ${deadlineGuard(context, deadline)}
  `;
}
