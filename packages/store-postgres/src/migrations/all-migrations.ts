import { createSessionsTable } from './0001-create-sessions-table.js';
import { addUserId } from './0002-add-user-id.js';
import { addSizeTotals } from './0003-add-size-totals.js';
import type { Migration } from './migration.js';

/** Every migration, in version order. Append only. */
export const ALL_MIGRATIONS: readonly Migration[] = [createSessionsTable, addUserId, addSizeTotals];

/** The schema version this release reads and writes. */
export const LATEST_VERSION = ALL_MIGRATIONS.length;
