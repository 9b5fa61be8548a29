import type { Fragment, ISql, Sql } from 'postgres';
import type { TableNames } from './sql-identifiers.js';

/**
 * What SQL fragment builders need: something that makes fragments (the pool, or a transaction
 * inside a migration) and the validated names.
 */
export interface FragmentContext {
  /** A postgres.js client or transaction; fragments are built with it and run inside it. */
  readonly sql: ISql;
  /** Schema, table and derived names, validated at construction. */
  readonly names: TableNames;
}

/** What every statement needs: the client and the validated names. */
export interface StoreContext extends FragmentContext {
  /** The application's postgres.js client (a pool). */
  readonly sql: Sql;
}

/** `"schema"."table"`, escaped by postgres.js. Built per statement, as fragments are single-use. */
export function sessionsTable(context: FragmentContext): Fragment {
  const { sql, names } = context;
  return sql`${sql(names.schema)}.${sql(names.table)}`;
}
