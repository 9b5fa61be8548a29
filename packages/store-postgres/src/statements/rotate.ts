import type { PendingValuesQuery, Row } from 'postgres';
import { type StoreContext, sessionsTable } from '../store-context.js';
import { deadlineGuard } from './deadline-guard.js';
import type { EncodedPatch } from './patch.js';
import { patchedRow, withinLimits } from './record-size.js';

/**
 * Text of the error the rotate statement raises on purpose (see {@link rotateStatement}); a
 * failure whose message contains it means "the target became live meanwhile": nothing changed.
 */
export const ROTATE_TARGET_TAKEN = 'sessions rotate: target became live';

/** What {@link rotateStatement} answers, in its one row's first column. */
export type RotateOutcome = 'ok' | 'missing' | 'conflict' | 'too-large';

/**
 * Atomic rotation in one statement, so the record is never absent under both keys or present
 * under both. One row comes back; its first column is the answer (`ok`, `missing`, `conflict` or
 * `too-large`).
 *
 * - `moving` deletes the live source, unless the target is live (or is the source) or the patch
 *   would grow it past its limits, and returns it. Under READ COMMITTED a patch that committed
 *   first is re-read before the delete (the moved record includes it, and the limits are checked
 *   against it: the check is in the `DELETE`'s own `WHERE`, re-evaluated by EvalPlanQual); a
 *   patch arriving later finds no row (`missing`): none is lost.
 * - `moved` inserts it under the new key with the patch applied and its running size totals
 *   carried over, moved by the patch's changes (see `patchedTotals`); an expired row squatting on
 *   the target key is replaced (`ON CONFLICT ... WHERE expired`), as an expired target counts as
 *   absent.
 * - `user_id` (the per-user index) moves with the record: the patch's meta `userId` when it has
 *   meta, else the source's. The old key's index entry leaves with its row, in the same statement.
 * - `source` / `target` tell `missing` from `conflict` when nothing moved. They are read from the
 *   statement's snapshot, as the contract orders them: a missing source wins. When the source was
 *   live and the target free but nothing moved, `source_now` (a locking read, which sees the
 *   newest row version and runs only then) tells a source destroyed meanwhile (`missing`) from a
 *   refusal by the limits (`too-large`).
 *
 * A rotation starting after `deadline` fails and moves nothing (see `deadlineGuard`).
 *
 * Why the odd cast in the second column: if a live record appeared under the target key after the
 * snapshot (only two writers minting the same random 256-bit key could do that), `ON CONFLICT ...
 * WHERE` leaves it alone and inserts nothing, but the source is already deleted. Plain SQL cannot
 * raise an error, so a failing cast of a message does: the whole statement aborts and rolls back,
 * the source stays where it was, and the store reports `conflict`.
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
          and ${withinLimits(context, patch)}
          and ${deadlineGuard(context, deadline)}
        returning t.data, t.meta, t.user_id, t.created_at,
          t.data_bytes, t.data_keys, t.sized_at, t.updated_at
      ),
      moved as (
        insert into ${sessionsTable(context)} as s
          (key, data, data_bytes, data_keys, sized_at, meta, user_id, expires_at, created_at)
        select
          ${toKey}::text,
          r.data,
          r.bytes::integer,
          r.keys::integer,
          now(),
          coalesce(${patch.meta}::text::jsonb, t.meta),
          case when ${patch.meta}::text is null then t.user_id else ${patch.userId}::text end,
          ${patch.expiresAt}::text::timestamptz,
          t.created_at
        from moving as t, lateral ${patchedRow(context, patch)} as r
        on conflict (key) do update set
          data = excluded.data,
          data_bytes = excluded.data_bytes,
          data_keys = excluded.data_keys,
          sized_at = excluded.sized_at,
          meta = excluded.meta,
          user_id = excluded.user_id,
          expires_at = excluded.expires_at,
          created_at = excluded.created_at,
          updated_at = excluded.updated_at
        where s.expires_at <= now()
        returning 1
      ),
      source_now as (
        select 1 from ${sessionsTable(context)}
        where key = ${fromKey}::text and expires_at > now()
        for update
      )
    select
      case
        when exists (select 1 from moved) then 'ok'
        when not exists (select 1 from source) then 'missing'
        when exists (select 1 from target) or ${fromKey}::text = ${toKey}::text then 'conflict'
        when exists (select 1 from moving) then 'conflict'
        when not exists (select 1 from source_now) then 'missing'
        else 'too-large'
      end,
      (
        select (${ROTATE_TARGET_TAKEN}::text || ': ' || count(*))::int from moving
        having count(*) > (select count(*) from moved)
      )
  `.values();
}
