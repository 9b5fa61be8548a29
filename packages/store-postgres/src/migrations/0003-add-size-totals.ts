import { entryBytes } from '../statements/record-size.js';
import { sessionsTable } from '../store-context.js';
import type { Migration } from './migration.js';

/**
 * Running size totals, so a write can bound the record's size (`SessionPatch.limits`) at the cost
 * of its changed keys instead of a count of the whole record:
 *
 * - `data_bytes`: Σ over the entries in `data` of the UTF-8 bytes of key and value, the engine's
 *   measure (see `entryBytes`); `data_keys`: the number of entries.
 * - `sized_at`: set to `now()` with `updated_at` by every write of this store, so the totals
 *   describe `data` exactly while `sized_at = updated_at`. A row written by anything that does not
 *   keep them (an instance still on an earlier release during a rolling deploy) moves only
 *   `updated_at`; its totals then count as unknown and the next write counts the record in full
 *   once (see `patchedTotals`). Null means never sized.
 *
 * Upgrading in place, like migration 2: the nullable columns without a default are added without
 * rewriting the table (skipped when they exist already, so an operator can add them beforehand
 * and the step takes no table lock), then live rows are backfilled. The backfill skips rows a
 * request holds locked (`SKIP LOCKED`) rather than wait on them, and rows already sized: those
 * are counted by their next write instead, so it never blocks on traffic and never has to be
 * complete.
 */
export const addSizeTotals: Migration = {
  version: 3,
  name: 'add the data_bytes, data_keys and sized_at columns (running size totals)',
  async up(tx, names) {
    const context = { sql: tx, names };
    const present = await tx`
      select attname::text from pg_attribute
      where attrelid = to_regclass(format('%I.%I', ${names.schema}::text, ${names.table}::text))
        and attname in ('data_bytes', 'data_keys', 'sized_at') and not attisdropped
    `.values();
    // ALTER TABLE takes its lock even when every column exists: only run it when one is missing.
    if (present.length < 3) {
      await tx`
        alter table ${sessionsTable(context)}
          add column if not exists data_bytes integer,
          add column if not exists data_keys integer,
          add column if not exists sized_at timestamptz
      `;
    }
    await tx`
      update ${sessionsTable(context)} as t set
        (data_bytes, data_keys) = (
          select coalesce(sum(s.bytes), 0)::integer, count(*)::integer
          from jsonb_each(t.data) as x(key, entry), lateral (select ${entryBytes(context)} as bytes) as s
        ),
        sized_at = t.updated_at
      where t.key in (
        select s.key from ${sessionsTable(context)} as s
        where s.expires_at > now() and s.sized_at is distinct from s.updated_at
        for update skip locked
      )
    `;
  },
};
