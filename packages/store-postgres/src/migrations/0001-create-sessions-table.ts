import type { Migration } from './migration.js';

/**
 * The sessions table and the index `deleteExpired()` scans.
 *
 * - `key`: the engine's store key (a SHA-256 hash of the session ID, 43 base64url characters; the
 *   raw ID is never stored). `collate "C"` compares bytes, which is all the key needs and is the
 *   cheapest collation for the primary-key index.
 * - `data`: entry key → `{ "v": value text, "x": per-key expiry ms, "o": position }` (see
 *   `stored-entries.ts`). `meta`: the engine's bookkeeping, as the engine wrote it.
 * - `expires_at`: when the record stops existing, compared with `now()` (both timestamptz).
 * - `created_at` / `updated_at`: server time of the first write and of the latest write or touch;
 *   informational, for queries and operations (the engine keeps its own times in `meta`).
 */
export const createSessionsTable: Migration = {
  version: 1,
  name: 'create the sessions table and its expires_at index',
  async up(tx, names) {
    const table = () => tx`${tx(names.schema)}.${tx(names.table)}`;
    await tx`
      create table ${table()} (
        key text collate "C" primary key,
        data jsonb not null,
        meta jsonb not null,
        expires_at timestamptz not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )
    `;
    await tx`create index ${tx(names.expiresIndex)} on ${table()} (expires_at)`;
  },
};
