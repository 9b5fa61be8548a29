import { createPostgresStore } from '@sessions/store-postgres';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { describeMatrix } from '../src/describe-matrix.js';
import { connectPostgres, dropSchema, truncate, uniqueName } from '../src/services.js';

// The shared Postgres; a missing server fails this file. A schema of this run's own, migrated
// first and dropped at the end; the table is emptied after each scenario, so the user-session
// scenarios (which reuse user names) never see another scenario's sessions.
const sql = await connectPostgres();
const schema = uniqueName('matrix');
const { table } = createPostgresStore(sql, { schema });

beforeAll(async () => {
  await createPostgresStore(sql, { schema }).migrate();
});

afterEach(async () => {
  await truncate(sql, schema, table);
});

afterAll(async () => {
  await dropSchema(sql, schema);
  await sql.end({ timeout: 5 });
});

describeMatrix('postgres', {
  store: () => createPostgresStore(sql, { schema }),
  usesClock: false,
});
