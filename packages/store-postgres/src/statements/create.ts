import type { PendingQuery, Row } from 'postgres';
import { type StoreContext, sessionsTable } from '../store-context.js';
import { deadlineGuard } from './deadline-guard.js';
import { patchedData } from './patched-data.js';
import { entriesTotals } from './record-size.js';

/** A new record's parts as statement parameters. */
export interface EncodedRecord {
  /** JSON text of `[[key, entry], ...]`. */
  readonly entries: string;
  /** JSON text of the meta object. */
  readonly meta: string;
  /** `meta.userId` for the `user_id` column, or `null` when nobody is signed in. */
  readonly userId: string | null;
  /** The expiry as an ISO timestamp (see `instantToTimestamp`). */
  readonly expiresAt: string;
}

/**
 * Insert-only create as one `INSERT ... ON CONFLICT (key) DO UPDATE ... WHERE <the existing row
 * has expired>`: it affects one row when the key was free or held only an expired record (which
 * the contract counts as absent), and none when a live record holds the key, so a live session is
 * never overwritten. Why not `ON CONFLICT DO NOTHING`: an expired row not yet deleted would then
 * block the key until cleanup ran, and handling it would take a second statement.
 *
 * A create starting after `deadline` fails and writes nothing (see `deadlineGuard`).
 *
 * Twenty concurrent creates of one key: Postgres serializes them on the unique index; the first
 * inserts, the others find its live row and affect nothing (`conflict`).
 *
 * `user_id` (the per-user index, see migration 2) is written from `meta.userId` in the same
 * statement as the meta, so the record and its index entry appear together; the running size
 * totals (migration 3) are the entries' own, with `sized_at = updated_at = now()`. A create
 * carries no limits (the engine checked the whole record it sends).
 */
export function createStatement(
  context: StoreContext,
  key: string,
  record: EncodedRecord,
  deadline: string,
): PendingQuery<Row[]> {
  const { sql } = context;
  const data = patchedData(context, sql`'{}'::jsonb`, {
    set: record.entries,
    remove: '[]',
    clear: true,
  });
  return sql`
    insert into ${sessionsTable(context)} as s
      (key, data, data_bytes, data_keys, sized_at, meta, user_id, expires_at)
    select
      ${key}::text,
      ${data},
      z.bytes::integer,
      z.keys::integer,
      now(),
      ${record.meta}::text::jsonb,
      ${record.userId}::text,
      ${record.expiresAt}::text::timestamptz
    from ${entriesTotals(context, record.entries)} as z
    where ${deadlineGuard(context, deadline)}
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
  `;
}
