import type { PendingValuesQuery, Row } from 'postgres';
import { type StoreContext, sessionsTable } from '../store-context.js';
import { deadlineGuard } from './deadline-guard.js';
import type { EncodedPatchData } from './patched-data.js';
import { type EncodedChange, type EncodedLimits, patchedRow, withinLimits } from './record-size.js';

/** A patch's parts as statement parameters. */
export interface EncodedPatch extends EncodedPatchData, EncodedChange, EncodedLimits {
  /** JSON text of the replacement meta, or `null` to keep the stored meta. */
  readonly meta: string | null;
  /** The replacement meta's `userId` (`null` when it has none, or when `meta` is `null`). */
  readonly userId: string | null;
  /** The new expiry as an ISO timestamp. */
  readonly expiresAt: string;
}

/** What {@link patchStatement} answers, in its one row's one column. */
export type PatchOutcome = 'ok' | 'missing' | 'too-large';

/**
 * One `UPDATE` of a live record, in one statement that answers `ok`, `missing` or `too-large`.
 *
 * - Only the patch's keys change (jsonb operators on the row's current `data`), meta is replaced
 *   when given, the expiry always moves. `expires_at > now()` in the `WHERE` makes a destroyed or
 *   expired record affect no row: nothing is written and nothing is resurrected.
 * - The new `data` and the running totals `data_bytes` / `data_keys` are computed together from
 *   one fetch of the row's `data` (see `patchedRow`): the totals move by what the patch's keys add
 *   and take away, and `sized_at = updated_at = now()` marks them as describing this `data`.
 * - The patch's limits are checked in the `UPDATE`'s own `WHERE` (see `withinLimits`: a bound from
 *   the stored totals first, the exact size only near the limits). That placement is what makes
 *   the bound hold under concurrency:
 *   concurrent patches of one record queue on its row lock, and under READ COMMITTED the waiting
 *   one re-evaluates its `WHERE` and `SET` against the row the previous one committed
 *   (EvalPlanQual), so fifty parallel patches each adding a key under `maxKeys: 10` leave ten.
 *   A patch over its limits writes nothing: no data, meta, `user_id`, expiry or row version.
 * - `user_id` (the per-user index) follows the meta in the same statement: a patch with meta sets
 *   it to that meta's `userId` (binding, re-binding or, with none, unbinding the record); a patch
 *   without meta leaves it, as it leaves the meta.
 * - The answer, when the `UPDATE` wrote nothing, comes from two reads that run only then (a `CASE`
 *   evaluates its subqueries lazily, so an applied patch costs the `UPDATE` alone): `missing` when
 *   the record was not live in the statement's snapshot, or is not live now (`now_live` locks the
 *   newest row version, so it sees a destroy that committed meanwhile); otherwise `too-large`, the
 *   only other reason the `UPDATE` can skip a live row. A refusal decided on the snapshot's row
 *   version while a concurrent shrink committed is still a correct answer: the two overlapped, and
 *   the patch is ordered before the shrink.
 *
 * A patch starting after `deadline` fails and writes nothing (see `deadlineGuard`).
 */
export function patchStatement(
  context: StoreContext,
  key: string,
  patch: EncodedPatch,
  deadline: string,
): PendingValuesQuery<Row[]> {
  const { sql } = context;
  return sql`
    with
      updated as (
        update ${sessionsTable(context)} as t set
          (data, data_bytes, data_keys) = (
            select r.data, r.bytes::integer, r.keys::integer
            from ${patchedRow(context, patch)} as r
          ),
          sized_at = now(),
          meta = coalesce(${patch.meta}::text::jsonb, t.meta),
          user_id = case when ${patch.meta}::text is null then t.user_id else ${patch.userId}::text end,
          expires_at = ${patch.expiresAt}::text::timestamptz,
          updated_at = now()
        where t.key = ${key}::text and t.expires_at > now()
          and ${withinLimits(context, patch)}
          and ${deadlineGuard(context, deadline)}
        returning 1
      ),
      was_live as (
        select 1 from ${sessionsTable(context)} as s
        where s.key = ${key}::text and s.expires_at > now()
      ),
      now_live as (
        select 1 from ${sessionsTable(context)} as s
        where s.key = ${key}::text and s.expires_at > now()
        for no key update
      )
    select case
      when exists (select 1 from updated) then 'ok'
      when not exists (select 1 from was_live) then 'missing'
      when not exists (select 1 from now_live) then 'missing'
      else 'too-large'
    end
  `.values();
}
