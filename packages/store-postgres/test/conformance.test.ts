import { msgpackCodec } from '@sessions/codec-msgpack';
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

  // A fresh store per test on one shared pool: the store holds no state of its own. Each test gets
  // a table of its own (the count group checks absolute numbers), dropped with the schema.
  let tables = 0;
  const freshStore = async (client: Sql) => {
    const store = createPostgresStore(client, { schema, table: `t${++tables}` });
    await store.migrate();
    return { store, usesClock: false };
  };

  describeStoreConformance({
    name: 'postgres',
    createStore: () => freshStore(sql),
  });

  describeStoreConformance({
    name: 'postgres, prepare: false',
    createStore: () => freshStore(unprepared),
  });

  // Binary values (base64 in the jsonb entry) through the engine, with the MessagePack codec.
  describeStoreConformance({
    name: 'postgres',
    codec: msgpackCodec,
    createStore: () => freshStore(sql),
  });
});
