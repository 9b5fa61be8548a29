import type { Fragment, PendingValuesQuery, Row } from 'postgres';
import { type StoreContext, sessionsTable } from '../store-context.js';
import { deadlineGuard } from './deadline-guard.js';
import type { EncodedPatch } from './patch.js';
import { fitsLimits, patchedRow, patchedTotals, withinLimits } from './record-size.js';

/** A `patchIf` condition as statement parameters, built by `encodeCondition`. */
export interface EncodedCondition {
  /** The entry to compare. */
  readonly key: string;
  /**
   * Where the expected text sits in a stored entry (see `stored-entries.ts`): `v`, `j` for a
   * text holding U+0000 or a lone surrogate, `b` for bytes (base64). `null` when the entry must
   * be absent.
   */
  readonly field: 'v' | 'j' | 'b' | null;
  /** The text that field must hold, byte for byte; `null` when the entry must be absent. */
  readonly text: string | null;
}

/**
 * A boolean SQL condition on the `data` object `data`: the entry `condition.key` holds exactly the
 * expected value, or is absent when that is what is expected. An entry whose per-key expiry `x`
 * has passed on the database's clock (`now()`, as every expiry check of this store) counts as
 * absent. The expected value is encoded exactly as a stored one, so comparing the stored field's
 * text compares the values byte for byte (`collate "C"`: no collation ever equates two texts).
 */
function entryHolds(context: StoreContext, data: Fragment, condition: EncodedCondition): Fragment {
  const { sql } = context;
  return sql`coalesce((
    select case
      when e.entry is not null
        and (e.entry->'x' is null or (e.entry->'x')::numeric > extract(epoch from now()) * 1000)
      then ${condition.text}::text is not null
        and jsonb_typeof(e.entry->${condition.field}::text) = 'string'
        and (e.entry->>${condition.field}::text) collate "C" = ${condition.text}::text
      else ${condition.text}::text is null
    end
    from (select ${data}->${condition.key}::text as entry) e
  ), false)`;
}

/** What {@link patchIfStatement} answers, in its one row's one column. */
export type PatchIfOutcome = 'ok' | 'missing' | 'conflict' | 'too-large';

/**
 * A conditional patch in one statement, answering `ok`, `missing`, `conflict` or `too-large`.
 *
 * - `live` selects the live row and locks it (`FOR NO KEY UPDATE`, the lock an `UPDATE` takes
 *   anyway). Under READ COMMITTED a lock wait ends on the row's newest version: a row a concurrent
 *   write deleted (or expired) meanwhile is not returned, so `live` says whether the record exists
 *   *now*, not at the statement's snapshot. Without the lock, a `patchIf` racing a destroy would
 *   report `conflict` for a record that is gone. It returns that newest version's `data` and
 *   size columns, which nobody can change until this statement ends.
 * - `updated` is the `UPDATE` of `patchStatement` (only the patch's keys; the running size totals;
 *   meta and `user_id` together; the expiry; the deadline guard), joined to `live`, with the entry
 *   condition and the size limits in its own `WHERE`. That placement is what makes it atomic:
 *   when the row changed after the snapshot, Postgres re-evaluates an `UPDATE`'s `WHERE` against
 *   the newest row version before writing (EvalPlanQual), and the row stays locked until the
 *   transaction ends. Two concurrent `patchIf` calls expecting the same value therefore serialize
 *   on the row lock and the second finds its condition false; parallel growth finds the totals
 *   the previous write left. (A condition evaluated only in a CTE's `SELECT` would be checked
 *   against the snapshot and never re-checked: both would write.)
 * - The answer: `ok` when the row was updated; `missing` when `live` found none; otherwise
 *   `too-large` when the locked row holds the expected entry but the patch would grow it past its
 *   limits, and `conflict` in every other case. Nothing is written unless both held. (In a race
 *   where the snapshot's version failed a check the newest one passes, this answers `conflict`,
 *   which `Session.update` retries: never a refusal the record as it now stands would not give.)
 *
 * A statement starting after `deadline` writes nothing (see `deadlineGuard`).
 */
export function patchIfStatement(
  context: StoreContext,
  key: string,
  condition: EncodedCondition,
  patch: EncodedPatch,
  deadline: string,
): PendingValuesQuery<Row[]> {
  const { sql } = context;
  return sql`
    with
      live as materialized (
        select s.key, s.data, s.data_bytes, s.data_keys, s.sized_at, s.updated_at
        from ${sessionsTable(context)} as s
        where s.key = ${key}::text and s.expires_at > now()
        for no key update
      ),
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
        from live
        where t.key = live.key and t.key = ${key}::text and t.expires_at > now()
          and ${entryHolds(context, sql`t.data`, condition)}
          and ${withinLimits(context, patch)}
          and ${deadlineGuard(context, deadline)}
        returning 1
      )
    select case
      when exists (select 1 from updated) then 'ok'
      when not exists (select 1 from live) then 'missing'
      when (
        select ${entryHolds(context, sql`t.data`, condition)} and not ${fitsLimits(context, patch)}
        from
          live as t,
          lateral (select t.data || '{}'::jsonb as base offset 0) as d,
          lateral ${patchedTotals(context, patch)} as z
      ) then 'too-large'
      else 'conflict'
    end
  `.values();
}
