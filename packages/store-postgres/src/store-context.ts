import type { Fragment, Sql } from 'postgres';
import type { TableNames } from './sql-identifiers.js';

/** What every statement needs: the client and the validated names. */
export interface StoreContext {
  /** The application's postgres.js client (a pool). */
  readonly sql: Sql;
  /** Schema, table and derived names, validated at construction. */
  readonly names: TableNames;
}

/** `"schema"."table"`, escaped by postgres.js. Built per statement, as fragments are single-use. */
export function sessionsTable(context: StoreContext): Fragment {
  const { sql, names } = context;
  return sql`${sql(names.schema)}.${sql(names.table)}`;
}
