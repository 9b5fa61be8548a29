import { SessionError } from '@sessions/core';
import type { Sql } from 'postgres';

/**
 * Accepted schema and table names: lowercase ASCII letters, digits and `_`, not starting with a
 * digit. Why so strict: every name is still escaped by postgres.js (`sql(name)`), but lowercase
 * names also mean the quoted identifier is the same table an unquoted `select * from sessions`
 * finds, and postgres.js's built-in column transforms (`postgres.camel`, `kebab`, `pascal`), which
 * it also applies to identifiers, leave such names unchanged.
 */
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** Postgres truncates identifiers to 63 bytes; a longer name would silently name another object. */
const MAX_SCHEMA_LENGTH = 63;

/**
 * The table name leaves room for the longest derived name, `<table>_expires_at_idx` (15 more
 * characters; `<table>_user_id_idx` needs 12), within 63 bytes, so no derived name is ever
 * truncated into a collision.
 */
export const MAX_TABLE_LENGTH = 48;

/** The names one store uses, validated once at construction. */
export interface TableNames {
  /** Schema holding both tables. */
  readonly schema: string;
  /** The sessions table. */
  readonly table: string;
  /** The table recording applied migrations: `<table>_migrations`. */
  readonly migrationsTable: string;
  /** The index on `expires_at`: `<table>_expires_at_idx`. */
  readonly expiresIndex: string;
  /** The per-user index on `(user_id, expires_at)`: `<table>_user_id_idx`. */
  readonly userIndex: string;
  /** Names the advisory lock `migrate()` holds: one lock per schema and table. */
  readonly lockName: string;
}

/** Throws `MISCONFIGURED` unless `name` is an accepted identifier of at most `maxLength` characters. */
function checkIdentifier(what: string, name: unknown, maxLength: number): string {
  if (typeof name !== 'string' || !IDENTIFIER.test(name) || name.length > maxLength) {
    throw new SessionError(
      'MISCONFIGURED',
      `postgres store: ${what} must be 1-${maxLength} lowercase letters, digits or "_", not starting with a digit (got ${JSON.stringify(String(name)).slice(0, 80)})`,
    );
  }
  return name;
}

/** Validates the schema and table names and derives the others. */
export function tableNames(schema: unknown, table: unknown): TableNames {
  const checkedSchema = checkIdentifier('schema', schema, MAX_SCHEMA_LENGTH);
  const checkedTable = checkIdentifier('table', table, MAX_TABLE_LENGTH);
  return {
    schema: checkedSchema,
    table: checkedTable,
    migrationsTable: `${checkedTable}_migrations`,
    expiresIndex: `${checkedTable}_expires_at_idx`,
    userIndex: `${checkedTable}_user_id_idx`,
    lockName: `@sessions/store-postgres:${checkedSchema}.${checkedTable}`,
  };
}

/**
 * Throws `MISCONFIGURED` when the client's column transform (which postgres.js also applies to
 * identifiers) would rewrite one of our names, so a query could never reach another table.
 */
export function checkTransformKeepsNames(sql: Sql, names: TableNames): void {
  const to: unknown = sql.options?.transform?.column?.to;
  if (typeof to !== 'function') return;
  const identifiers = [
    names.schema,
    names.table,
    names.migrationsTable,
    names.expiresIndex,
    names.userIndex,
  ];
  for (const name of identifiers) {
    const transformed: unknown = to(name);
    if (transformed !== name) {
      throw new SessionError(
        'MISCONFIGURED',
        `postgres store: the client's transform.column.to turns the identifier "${name}" into ${JSON.stringify(transformed)}; choose names it leaves unchanged`,
      );
    }
  }
}
