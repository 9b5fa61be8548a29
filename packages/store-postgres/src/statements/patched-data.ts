import type { Fragment } from 'postgres';
import type { FragmentContext } from '../store-context.js';

/** A patch's parts as statement parameters (JSON texts), built by `encodePatch`. */
export interface EncodedPatchData {
  /** JSON text of `[[key, entry], ...]` (see `encodeEntries`). */
  readonly set: string;
  /** JSON text of the keys to remove. */
  readonly remove: string;
  /** Drop every stored entry before `set`. */
  readonly clear: boolean;
}

/**
 * SQL for the `data` object after applying a patch to `base` (a jsonb expression: the row's
 * `data`, or `'{}'` for a new record), in the contract's order: `clear`, then `remove`, then `set`.
 *
 * Only the patch's keys are touched, with jsonb operators evaluated against the row as it is when
 * the statement runs (`base - removed || set`), so concurrent patches of different keys all
 * survive. Each set entry gets its insertion position `o`: a replaced key keeps its old one, a new
 * key gets the next one after the highest kept, in the patch's order (see `stored-entries.ts`).
 *
 * `offset 0` keeps each subquery from being inlined into the uses of its columns: inlined, `kept`
 * (`base - removed`) would be evaluated once per use, and on a TOASTed `data` each evaluation
 * fetches and decompresses the whole value again.
 */
export function patchedData(
  context: FragmentContext,
  base: Fragment,
  patch: EncodedPatchData,
): Fragment {
  const { sql } = context;
  return sql`(
    select k.kept || coalesce((
      select jsonb_object_agg(
        s.pair->>0,
        (s.pair->1) || jsonb_build_object('o', coalesce(k.kept->(s.pair->>0)->'o', to_jsonb(k.top + s.n)))
      )
      from jsonb_array_elements(${patch.set}::text::jsonb) with ordinality as s(pair, n)
    ), '{}'::jsonb)
    from (
      select b.kept, coalesce((select max((x.value->>'o')::numeric) from jsonb_each(b.kept) x), 0) as top
      from (
        select case when ${patch.clear}::boolean then '{}'::jsonb
          else ${base} - array(select jsonb_array_elements_text(${patch.remove}::text::jsonb))
        end as kept
        offset 0
      ) b
      offset 0
    ) k
  )`;
}
