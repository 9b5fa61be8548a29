export type { CleanupJob, CleanupOptions, ExpiredRecordSweeper } from './cleanup-job.js';
export { startCleanup } from './cleanup-job.js';
export type { PostgresStore } from './create-postgres-store.js';
export { createPostgresStore } from './create-postgres-store.js';
export type { PostgresStoreOptions } from './postgres-store-options.js';
