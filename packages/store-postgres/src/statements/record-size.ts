import type { Fragment } from 'postgres';
import type { FragmentContext } from '../store-context.js';
import { type EncodedPatchData, patchedData } from './patched-data.js';

/*
 * Size limits (`SessionPatch.limits`) and the running totals behind them (migration 3).
 *
 * The fragments here refer to fixed names, so they are built from few postgres.js fragments (each
 * is an object the client assembles on every call; nesting many made a patch several times more
 * expensive on the client): `t` is the sessions row (its `data_bytes`, `data_keys`, `sized_at`,
 * `updated_at`), `d.base` its `data` fetched once (see `patchedRow`), `x` an entry being measured
 * (`x.key`, `x.entry`) and `z` the totals of `patchedTotals`.
 */

/**
 * SQL for the size of the entry `x` (`x.key` text, `x.entry` jsonb, not null) in the contract's
 * measure (`RecordLimits`): the UTF-8 bytes of its key plus those of its value, as the engine
 * counts them (`utf8ByteLength`).
 *
 * - `v` form: `octet_length` of the text, which in a UTF8 database is its UTF-8 length (the text
 *   is well-formed and holds no U+0000, or it would be in the `j` form).
 * - `j` form: the value is `JSON.stringify(text)`: its bytes are the literal's, without the two
 *   quotes, once each escape is replaced by as many placeholder characters as the character it
 *   stands for takes in UTF-8. Four passes: `\` and one character other than `u` (`\n`, `\"`,
 *   `\\`: one byte; this pass also consumes escaped backslashes, so every backslash left starts a
 *   `\uXXXX`), then `\uXXXX` below U+0080 (one byte), below U+0800 (two), and any other, a lone
 *   surrogate included (three: the engine counts a lone surrogate as the 3 bytes of U+FFFD).
 *   `[[.backslash.]]` is the POSIX name of `\` in a bracket expression, so the patterns need no
 *   escaping in any layer. Only this rare form pays for them (`coalesce` stops at the `v` form).
 *
 * - `b` form (bytes from a binary codec): the length of the decoded base64, as the engine counts
 *   bytes. Placed after `v`, so text entries never evaluate it.
 *
 * Every statement and the backfill of migration 3 use this one expression, so an entry counted in
 * when it is written is counted out identically when it is replaced or removed, and running
 * totals never drift.
 */
export function entryBytes(context: FragmentContext): Fragment {
  const { sql } = context;
  return sql`(octet_length(x.key) + coalesce(
    octet_length(x.entry->>'v'),
    octet_length(decode(x.entry->>'b', 'base64')),
    octet_length(
      regexp_replace(regexp_replace(regexp_replace(regexp_replace(x.entry->>'j',
        '[[.backslash.]][^u]', 'x', 'g'),
        '[[.backslash.]]u00[0-7][0-9a-fA-F]', 'x', 'g'),
        '[[.backslash.]]u0[0-7][0-9a-fA-F]{2}', 'xx', 'g'),
        '[[.backslash.]]u[0-9a-fA-F]{4}', 'xxx', 'g')
    ) - 2
  ))`;
}

/** What the size fragments need of a patch, as statement parameters (see `encodePatch`). */
export interface EncodedChange {
  /** JSON text of the set entries, `[[key, entry], ...]`. */
  readonly set: string;
  /** JSON text of every key the patch removes or sets, each once. */
  readonly changed: string;
  /** Drop every stored entry first. */
  readonly clear: boolean;
  /**
   * An upper bound of the set entries' bytes in any server encoding (4 per UTF-16 code unit of
   * key and value), as integer text: see {@link withinLimits}.
   */
  readonly setBytesBound: string;
  /** The number of set entries, as integer text. */
  readonly setKeys: string;
}

/** The patch's bounds as statement parameters; both `null` when it has none. */
export interface EncodedLimits {
  /** `limits.maxBytes` as numeric text (`Infinity` allowed), or `null`. */
  readonly maxBytes: string | null;
  /** `limits.maxKeys` as numeric text, or `null`. */
  readonly maxKeys: string | null;
}

/**
 * SQL for a one-row subquery with the size of the row `t` (whose `data` is `d.base`) before and
 * after `patch`, in the contract's measure: columns `bytes`, `keys` (after) and `base_bytes`,
 * `base_keys` (before), all `bigint`. Use it as `lateral <it> as z`.
 *
 * - Before: the row's running totals (`data_bytes`, `data_keys`) when they describe its `data`,
 *   which is when `sized_at = updated_at`: every write of this store sets both to `now()`, while a
 *   write by anything else (an instance still on an earlier release, during a rolling deploy)
 *   moves only `updated_at`. Otherwise (and for a row nobody sized yet) the `data` is counted
 *   entry by entry, once: the write then stores exact totals again.
 * - After: before, minus the stored entries of the patch's keys (removed or set; each key once),
 *   plus the set entries, measured from the patch itself. `clear`: the set entries alone.
 *
 * One aggregate over the entries to measure, tagged by where they come from (1: set, 2: stored
 * under a changed key, 3: every stored entry, only when the totals are stale; the `where` of each
 * branch depends only on the row, so a branch not needed is not run). So a write costs a lookup
 * per changed key, whatever the record's size. `offset 0` keeps the planner from inlining the
 * subquery's expressions into each use of its columns.
 */
export function patchedTotals(context: FragmentContext, patch: EncodedChange): Fragment {
  const { sql } = context;
  return sql`(
    select
      a.new_bytes + case when ${patch.clear}::boolean then 0 else a.base_bytes - a.old_bytes end as bytes,
      a.new_keys + case when ${patch.clear}::boolean then 0 else a.base_keys - a.old_keys end as keys,
      a.base_bytes,
      a.base_keys
    from (
      select
        coalesce(sum(s.bytes) filter (where x.source = 1), 0) as new_bytes,
        count(*) filter (where x.source = 1) as new_keys,
        coalesce(sum(s.bytes) filter (where x.source = 2), 0) as old_bytes,
        count(*) filter (where x.source = 2) as old_keys,
        case when t.sized_at = t.updated_at then t.data_bytes::bigint
          else coalesce(sum(s.bytes) filter (where x.source = 3), 0)
        end as base_bytes,
        case when t.sized_at = t.updated_at then t.data_keys::bigint
          else count(*) filter (where x.source = 3)
        end as base_keys
      from
        (
          select 1, p->>0, p->1 from jsonb_array_elements(${patch.set}::text::jsonb) as p
          union all
          select 2, k.key, d.base->k.key
          from jsonb_array_elements_text(${patch.changed}::text::jsonb) as k(key)
          where not ${patch.clear}::boolean and d.base ? k.key
          union all
          select 3, e.key, e.value from jsonb_each(d.base) as e
          where t.sized_at is distinct from t.updated_at
        ) as x(source, key, entry),
        lateral (select ${entryBytes(context)} as bytes) as s
      offset 0
    ) as a
    offset 0
  )`;
}

/**
 * SQL for a one-row subquery with the row `t` as `patch` leaves it: columns `data` (see
 * `patchedData`), `bytes` and `keys` (see {@link patchedTotals}). The row's `data` is fetched once
 * (`|| '{}'` returns the detoasted object, and `offset 0` keeps it from being inlined into each
 * use), so the removal, the old entries' lookups and the positions all work on one in-memory copy
 * instead of each fetching and decompressing a TOASTed value again.
 */
export function patchedRow(
  context: FragmentContext,
  patch: EncodedChange & EncodedPatchData,
): Fragment {
  const { sql } = context;
  return sql`(
    select ${patchedData(context, sql`d.base`, patch)} as data, z.bytes, z.keys
    from
      (select t.data || '{}'::jsonb as base offset 0) as d,
      lateral ${patchedTotals(context, patch)} as z
  )`;
}

/**
 * A boolean SQL condition on the row `t`: `patch` may be applied under its limits. True without
 * limits; with them, when the record it leaves is within both bounds, or is no larger in either
 * measure than it was (a write that does not grow a record already over its limits, say after the
 * limits were lowered, always lands, so a session can get back under).
 *
 * First a bound that needs no lookup and no measuring in SQL: with current totals, the record plus
 * an upper bound of every set entry (as if none replaced anything) fits. Only when that fails (a
 * record near its limits, a large write, or totals to recount) is the exact size computed. `OR`
 * evaluates its arms in order and stops at the first true one.
 */
export function withinLimits(
  context: FragmentContext,
  patch: EncodedChange & EncodedLimits,
): Fragment {
  const { sql } = context;
  return sql`(
    ${patch.maxBytes}::text is null
    or (t.sized_at = t.updated_at
      and t.data_bytes + ${patch.setBytesBound}::text::bigint <= ${patch.maxBytes}::text::numeric
      and t.data_keys + ${patch.setKeys}::text::bigint <= ${patch.maxKeys}::text::numeric)
    or (
      select ${fitsLimits(context, patch)}
      from (select t.data || '{}'::jsonb as base offset 0) as d, lateral ${patchedTotals(context, patch)} as z
    )
  )`;
}

/** A boolean SQL condition on the {@link patchedTotals} row `z` (see {@link withinLimits}). */
export function fitsLimits(context: FragmentContext, limits: EncodedLimits): Fragment {
  const { sql } = context;
  return sql`(
    ${limits.maxBytes}::text is null
    or (z.bytes <= ${limits.maxBytes}::text::numeric and z.keys <= ${limits.maxKeys}::text::numeric)
    or (z.bytes <= z.base_bytes and z.keys <= z.base_keys)
  )`;
}

/**
 * SQL for a one-row subquery with the size of the entries `entries` (the JSON text of
 * `[[key, entry], ...]`, see `encodeEntries`): columns `bytes` and `keys`, both `bigint`. For a
 * new record; measured with the same {@link entryBytes} that later counts the stored entries out.
 */
export function entriesTotals(context: FragmentContext, entries: string): Fragment {
  const { sql } = context;
  return sql`(
    select coalesce(sum(s.bytes), 0)::bigint as bytes, count(*) as keys
    from
      (select p->>0, p->1 from jsonb_array_elements(${entries}::text::jsonb) as p) as x(key, entry),
      lateral (select ${entryBytes(context)} as bytes) as s
  )`;
}
