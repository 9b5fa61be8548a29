import type { PendingValuesQuery, Row } from 'postgres';
import { type StoreContext, sessionsTable } from '../store-context.js';

/**
 * `SELECT` of one live record, as one row of three texts (`rowToRecord` reads it) or no row.
 *
 * - `expires_at > now()` hides an expired record (the contract: live while `now < expiresAt`).
 *   `now()` is a timestamptz, compared with a timestamptz: the connection's `TimeZone` plays no
 *   part. (Never `now() at time zone 'utc'`, which yields a zone-less timestamp that Postgres then
 *   reads in the session's zone, shifting every comparison on a non-UTC connection.)
 * - Entries come back as `[[key, entry], ...]` sorted by insertion position, so the order and the
 *   keys survive without any plain-object indexing in JS.
 * - `extract(epoch ...)` is an exact numeric (Postgres 14+), so `* 1000` is the exact epoch ms.
 * - Every column is text, so no type parser or value transform configured on the client applies.
 */
export function loadStatement(context: StoreContext, key: string): PendingValuesQuery<Row[]> {
  const { sql } = context;
  return sql`
    select
      (
        select coalesce(
          jsonb_agg(jsonb_build_array(e.key, e.value) order by (e.value->>'o')::numeric, e.key),
          '[]'::jsonb
        )
        from jsonb_each(s.data) e
      )::text,
      s.meta::text,
      (extract(epoch from s.expires_at) * 1000)::text
    from ${sessionsTable(context)} s
    where s.key = ${key}::text and s.expires_at > now()
  `.values();
}
