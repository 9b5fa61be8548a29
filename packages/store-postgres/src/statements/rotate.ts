import type { PendingValuesQuery, Row } from 'postgres';
import { type StoreContext, sessionsTable } from '../store-context.js';
import { deadlineGuard } from './deadline-guard.js';
import type { EncodedPatch } from './patch.js';
import { patchedData } from './patched-data.js';

/**
 * Text of the error the rotate statement raises on purpose (see {@link rotateStatement}); a
 * failure whose message contains it means "the target became live meanwhile": nothing changed.
 */
export const ROTATE_TARGET_TAKEN = 'sessions rotate: target became live';

/**
 * Atomic rotation in one statement, so the record is never absent under both keys or present
 * under both. One row comes back: `[moved, sourceLive, targetLive]`.
 *
 * - `moving` deletes the live source, unless the target is live (or is the source), and returns
 *   it. Under READ COMMITTED a patch that committed first is re-read before the delete (the moved
 *   record includes it); a patch arriving later finds no row (`missing`): none is lost.
 * - `moved` inserts it under the new key with the patch applied; an expired row squatting on the
 *   target key is replaced (`ON CONFLICT ... WHERE expired`), as an expired target counts as absent.
 * - `user_id` (the per-user index) moves with the record: the patch's meta `userId` when it has
 *   meta, else the source's. The old key's index entry leaves with its row, in the same statement.
 * - `sourceLive` / `targetLive` tell `missing` from `conflict` when nothing moved. They are read
 *   from the statement's snapshot, as the contract orders them: a missing source wins.
 *
 * A rotation starting after `deadline` fails and moves nothing (see `deadlineGuard`).
 *
 * Why the odd cast at the end: if a live record appeared under the target key after the snapshot
 * (only two writers minting the same random 256-bit key could do that), `ON CONFLICT ... WHERE`
 * leaves it alone and inserts nothing, but the source is already deleted. Plain SQL cannot raise
 * an error, so a failing cast of a message does: the whole statement aborts and rolls back, the
 * source stays where it was, and the store reports `conflict`.
 */
export function rotateStatement(
  context: StoreContext,
  fromKey: string,
  toKey: string,
  patch: EncodedPatch,
  deadline: string,
): PendingValuesQuery<Row[]> {
  const { sql } = context;
  return sql`
    with
      source as (
        select 1 from ${sessionsTable(context)}
        where key = ${fromKey}::text and expires_at > now()
      ),
      target as (
        select 1 from ${sessionsTable(context)}
        where key = ${toKey}::text and expires_at > now()
      ),
      moving as (
        delete from ${sessionsTable(context)} as t
        where t.key = ${fromKey}::text and t.expires_at > now()
          and ${fromKey}::text <> ${toKey}::text
          and not exists (select 1 from target)
          and ${deadlineGuard(context, deadline)}
        returning t.data, t.meta, t.user_id, t.created_at
      ),
      moved as (
        insert into ${sessionsTable(context)} as s (key, data, meta, user_id, expires_at, created_at)
        select
          ${toKey}::text,
          ${patchedData(context, sql`moving.data`, patch)},
          coalesce(${patch.meta}::text::jsonb, moving.meta),
          case when ${patch.meta}::text is null then moving.user_id else ${patch.userId}::text end,
          ${patch.expiresAt}::text::timestamptz,
          moving.created_at
        from moving
        on conflict (key) do update set
          data = excluded.data,
          meta = excluded.meta,
          user_id = excluded.user_id,
          expires_at = excluded.expires_at,
          created_at = excluded.created_at,
          updated_at = excluded.updated_at
        where s.expires_at <= now()
        returning 1
      )
    select
      (select count(*) from moved)::text,
      (exists (select 1 from source))::text,
      (exists (select 1 from target))::text,
      (
        select (${ROTATE_TARGET_TAKEN}::text || ': ' || count(*))::int from moving
        having count(*) > (select count(*) from moved)
      )
  `.values();
}
