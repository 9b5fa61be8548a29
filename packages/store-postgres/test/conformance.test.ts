import { describeStoreConformance } from '@sessions/testing';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe } from 'vitest';
import { createPostgresStore } from '../src/index.js';
import { connect, databaseAvailable, dropSchema, uniqueSchema } from './support/database.js';

const available = await databaseAvailable();

describe.skipIf(!available)('postgres store', () => {
  const schema = uniqueSchema('conformance');
  let sql: Sql;
  let unprepared: Sql;

  beforeAll(async () => {
    sql = connect({ max: 8 });
    // Without prepared statements, as behind PgBouncer in transaction mode: parameter types are
    // then inferred by the server alone, so every cast in the statements must stand on its own.
    unprepared = connect({ max: 8, prepare: false });
    await createPostgresStore(sql, { schema }).migrate();
  });

  afterAll(async () => {
    await dropSchema(sql, schema);
    await Promise.all([sql.end({ timeout: 5 }), unprepared.end({ timeout: 5 })]);
  });

  // A fresh store per test on one shared pool: the store holds no state of its own.
  describeStoreConformance({
    name: 'postgres',
    createStore: () => ({ store: createPostgresStore(sql, { schema }), usesClock: false }),
  });

  describeStoreConformance({
    name: 'postgres, prepare: false',
    createStore: () => ({ store: createPostgresStore(unprepared, { schema }), usesClock: false }),
  });
});
