import type { PendingQuery, Row } from 'postgres';
import { type StoreContext, sessionsTable } from '../store-context.js';
import { deadlineGuard } from './deadline-guard.js';
import { type EncodedPatchData, patchedData } from './patched-data.js';

/** A patch's parts as statement parameters. */
export interface EncodedPatch extends EncodedPatchData {
  /** JSON text of the replacement meta, or `null` to keep the stored meta. */
  readonly meta: string | null;
  /** The replacement meta's `userId` (`null` when it has none, or when `meta` is `null`). */
  readonly userId: string | null;
  /** The new expiry as an ISO timestamp. */
  readonly expiresAt: string;
}

/**
 * One `UPDATE` of a live record: only the patch's keys change (jsonb operators on the row's
 * current `data`), meta is replaced when given, the expiry always moves. `expires_at > now()` in
 * the `WHERE` makes a destroyed or expired record affect no row, reported as `missing`: nothing is
 * written and nothing is resurrected.
 *
 * `user_id` (the per-user index) follows the meta in the same statement: a patch with meta sets it
 * to that meta's `userId` (binding, re-binding or, with none, unbinding the record); a patch
 * without meta leaves it, as it leaves the meta.
 *
 * A patch starting after `deadline` fails and writes nothing (see `deadlineGuard`).
 *
 * Concurrent patches of one record queue on its row lock; under READ COMMITTED each re-evaluates
 * its `SET` against the row the previous one committed, so every patch's keys survive.
 */
export function patchStatement(
  context: StoreContext,
  key: string,
  patch: EncodedPatch,
  deadline: string,
): PendingQuery<Row[]> {
  const { sql } = context;
  return sql`
    update ${sessionsTable(context)} as t set
      data = ${patchedData(context, sql`t.data`, patch)},
      meta = coalesce(${patch.meta}::text::jsonb, t.meta),
      user_id = case when ${patch.meta}::text is null then t.user_id else ${patch.userId}::text end,
      expires_at = ${patch.expiresAt}::text::timestamptz,
      updated_at = now()
    where t.key = ${key}::text and t.expires_at > now() and ${deadlineGuard(context, deadline)}
  `;
}
