import { ALL_MIGRATIONS } from './migrations/all-migrations.js';
import type { Migration } from './migrations/migration.js';
import type { StoreContext } from './store-context.js';

/**
 * Brings the schema up to date: creates the schema if needed, the `<table>_migrations` table, and
 * applies every migration not yet recorded there, then checks the sessions table exists.
 *
 * - One transaction: a failure leaves nothing half-applied, and success is reported only after
 *   the commit, so when this resolves the table is there (it never reports success without having
 *   migrated; a recorded migration whose table was dropped by hand is an error, not a success).
 * - `pg_advisory_xact_lock` on a key derived from the schema and table name serializes every
 *   instance migrating the same table: when ten app instances start at once, one migrates and the
 *   others wait, then find the work done. The lock ends with the transaction.
 * - Upgrades in place: a table created by an earlier release gets only the steps it lacks.
 * - Idempotent: run it on every start. With everything applied it only reads (no DDL), so an app
 *   role without CREATE privileges can run it once the schema has been migrated by another role.
 */
export async function migrate(
  context: StoreContext,
  /** The history to apply; tests pass a prefix of it to build an earlier release's schema. */
  history: readonly Migration[] = ALL_MIGRATIONS,
): Promise<void> {
  const { sql, names } = context;
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtextextended(${names.lockName}::text, 0))`;
    // Checked before creating: CREATE SCHEMA IF NOT EXISTS demands CREATE privilege on the
    // database even when the schema exists.
    const [schema] =
      await tx`select (to_regnamespace(${names.schema}::text) is not null)::text`.values();
    if (schema?.[0] !== 'true') await tx`create schema if not exists ${tx(names.schema)}`;
    const migrations = () => tx`${tx(names.schema)}.${tx(names.migrationsTable)}`;
    const [ledger] = await tx`
      select (to_regclass(format('%I.%I', ${names.schema}::text, ${names.migrationsTable}::text)) is not null)::text
    `.values();
    if (ledger?.[0] !== 'true') {
      await tx`
        create table if not exists ${migrations()} (
          version integer primary key,
          name text not null,
          applied_at timestamptz not null default now()
        )
      `;
    }
    const rows = await tx`select version::text from ${migrations()}`.values();
    const applied = new Set(rows.map((row) => Number(row[0])));
    for (const migration of history) {
      if (applied.has(migration.version)) continue;
      await migration.up(tx, names);
      await tx`
        insert into ${migrations()} (version, name)
        values (${migration.version}::integer, ${migration.name}::text)
      `;
    }
    const [table] = await tx`
      select (to_regclass(format('%I.%I', ${names.schema}::text, ${names.table}::text)) is not null)::text
    `.values();
    if (table?.[0] !== 'true') {
      throw new Error(
        `postgres store: ${names.schema}.${names.migrationsTable} records the migrations as applied, but the table ${names.schema}.${names.table} does not exist; drop the migrations table to recreate it`,
      );
    }
  });
}
