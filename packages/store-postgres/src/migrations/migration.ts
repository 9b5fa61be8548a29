import type { TransactionSql } from 'postgres';
import type { TableNames } from '../sql-identifiers.js';

/**
 * One step of the schema's history. Steps run in `version` order inside `migrate()`'s transaction
 * (under its advisory lock), each recorded in `<table>_migrations` once applied. A released
 * migration never changes; a later layout gets a new version.
 */
export interface Migration {
  /** Position in the history, from 1, without gaps. */
  readonly version: number;
  /** What it does, stored beside the version for people reading the table. */
  readonly name: string;
  /** Applies the step. Identifiers come from `names` and are escaped with `tx(identifier)`. */
  up(tx: TransactionSql, names: TableNames): Promise<void>;
}
