import { msgpackCodec } from '@sessions/codec-msgpack';
import { createMemoryStore } from '@sessions/core';
import { createPostgresStore } from '@sessions/store-postgres';
import { createRedisStore } from '@sessions/store-redis';
import { describeStoreConformance } from '@sessions/testing';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createLayeredStore } from '../src/index.js';
import {
  connectPostgres,
  connectSharedRedis,
  DATABASE_URL,
  databaseAvailable,
  deleteKeysWithPrefix,
  dropSchema,
  REDIS_URL,
  uniquePrefix,
  uniqueSchema,
} from './support/servers.js';

// The shared Redis (REDIS_URL) and Postgres (DATABASE_URL), isolated by a key prefix and a schema
// unique to this run and removed afterwards. Both helpers throw in CI when their server is missing.
const redis = await connectSharedRedis();
const postgresUp = await databaseAvailable();

if (redis === undefined || !postgresUp) {
  describe.skip(`layered conformance (needs Redis at ${REDIS_URL} and Postgres at ${DATABASE_URL}; CI fails instead)`, () => {
    it('needs Redis and Postgres', () => {});
  });
} else {
  const hotPrefix = uniquePrefix('layered-hot');
  const coldPrefix = uniquePrefix('layered-cold');
  const schema = uniqueSchema('layered');
  let sql: Sql;

  beforeAll(async () => {
    sql = connectPostgres({ max: 8 });
    await createPostgresStore(sql, { schema }).migrate();
  });

  afterAll(async () => {
    await Promise.all([
      deleteKeysWithPrefix(redis, hotPrefix),
      deleteKeysWithPrefix(redis, coldPrefix),
      dropSchema(sql, schema),
    ]);
    await Promise.all([redis.quit(), sql.end({ timeout: 5 })]);
  });

  // Each test gets prefixes and a table of its own (the count group checks absolute numbers),
  // under the run's, and removed with them.
  let tests = 0;

  // Redis over Postgres: both compare expiry with their servers' real clocks.
  describeStoreConformance({
    name: 'layered: redis over postgres',
    createStore: async () => {
      const n = ++tests;
      const cold = createPostgresStore(sql, { schema, table: `t${n}` });
      await cold.migrate();
      return {
        store: createLayeredStore({
          hot: createRedisStore(redis, { prefix: `${hotPrefix}t${n}:` }),
          cold,
        }),
        usesClock: false,
      };
    },
  });

  // Memory over Postgres with the MessagePack codec: binary values through both layers (the Redis
  // store does not hold binary values yet).
  describeStoreConformance({
    name: 'layered: memory over postgres',
    codec: msgpackCodec,
    createStore: async () => {
      const cold = createPostgresStore(sql, { schema, table: `t${++tests}` });
      await cold.migrate();
      return { store: createLayeredStore({ hot: createMemoryStore(), cold }), usesClock: false };
    },
  });

  // Memory over Redis: a fresh per-process cache each test, on the real clock like Redis.
  describeStoreConformance({
    name: 'layered: memory over redis',
    createStore: () => ({
      store: createLayeredStore({
        hot: createMemoryStore(),
        cold: createRedisStore(redis, { prefix: `${coldPrefix}t${++tests}:` }),
      }),
      usesClock: false,
    }),
  });
}

// Memory over memory on the suite's manual clock: every expiry check exact and instant.
describeStoreConformance({
  name: 'layered: memory over memory, manual clock',
  createStore: ({ clock }) => ({
    store: createLayeredStore({
      hot: createMemoryStore({ clock: clock.clock }),
      cold: createMemoryStore({ clock: clock.clock }),
      clock: clock.clock,
    }),
    usesClock: true,
  }),
});
