import type { Migration } from './migration.js';

/**
 * The per-user session index: a `user_id` column holding `meta.userId` (null for a session nobody
 * signed in to) and a partial index on `(user_id, expires_at)` for the rows that have one.
 *
 * - The column is written by the same statement that writes `meta` (create, patch with meta,
 *   rotate), so a row and its index entry never disagree and concurrent sign-ins of one user
 *   each write their own row: there is no shared list to lose an entry from.
 * - `collate "C"`: user IDs are compared byte for byte (exact, and the cheapest comparison); no
 *   locale ever makes two different IDs equal.
 * - `(user_id, expires_at) where user_id is not null`: a listing or revocation is one range scan
 *   starting at `now()` within the user's entries, which skips the user's expired rows without
 *   visiting them; anonymous sessions (most rows on many sites) take no space in the index.
 * - Upgrading in place: a nullable column without a default is added without rewriting the table,
 *   then live rows whose meta already names a user (written by an earlier release, where
 *   `signIn` worked but was not indexed) are backfilled, so revoking a user reaches them too.
 *   Each step is skipped when its object already exists, so on a large table an operator can add
 *   the column and `create index concurrently` by hand beforehand (see the README) and this step
 *   then takes no lock that blocks requests.
 */
export const addUserId: Migration = {
  version: 2,
  name: 'add the user_id column and its (user_id, expires_at) index',
  async up(tx, names) {
    const table = () => tx`${tx(names.schema)}.${tx(names.table)}`;
    const [column] = await tx`
      select exists (
        select 1 from pg_attribute
        where attrelid = to_regclass(format('%I.%I', ${names.schema}::text, ${names.table}::text))
          and attname = 'user_id' and not attisdropped
      )::text
    `.values();
    if (column?.[0] !== 'true') {
      await tx`alter table ${table()} add column user_id text collate "C"`;
    }
    await tx`
      update ${table()} set user_id = meta->>'userId'
      where user_id is null and jsonb_typeof(meta->'userId') = 'string' and expires_at > now()
    `;
    // An index made beforehand under this name is kept if it leads with user_id on this table.
    // Anything else holding the name (an earlier README suggested an expression index named
    // `<table>_user_id_idx` on `data->'userId'`) would silently leave the lookups without an
    // index, so it stops the migration instead: nothing is recorded, and the message says why.
    const [existing] = await tx`
      select
        (i.indrelid = to_regclass(format('%I.%I', ${names.schema}::text, ${names.table}::text))
          and a.attname is not distinct from 'user_id')::text
      from pg_index i
      left join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
      where i.indexrelid = to_regclass(format('%I.%I', ${names.schema}::text, ${names.userIndex}::text))
    `.values();
    if (existing === undefined) {
      await tx`
        create index ${tx(names.userIndex)} on ${table()} (user_id, expires_at)
        where user_id is not null
      `;
    } else if (existing[0] !== 'true') {
      throw new Error(
        `postgres store: ${names.schema}.${names.userIndex} already exists and is not an index on ${names.table} (user_id, ...); rename or drop it, then migrate again`,
      );
    }
  },
};
