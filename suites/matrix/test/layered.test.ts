import { createLayeredStore } from '@sessions/store-layered';
import { createPostgresStore } from '@sessions/store-postgres';
import { createRedisStore } from '@sessions/store-redis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { describeMatrix } from '../src/describe-matrix.js';
import { connectBoth, deleteKeysUnder, dropSchema, truncate, uniqueName } from '../src/services.js';

// Redis hot over Postgres cold, both shared; a missing server fails this file. The hot layer gets
// a key prefix per scenario, the cold layer a schema of this run's own (emptied after each
// scenario); both are removed at the end.
const [redis, sql] = await connectBoth();
const runPrefix = `matrix:${uniqueName('layered')}:`;
const schema = uniqueName('matrix_layered');
const { table } = createPostgresStore(sql, { schema });
let scenario = 0;

beforeAll(async () => {
  await createPostgresStore(sql, { schema }).migrate();
});

afterEach(async () => {
  await truncate(sql, schema, table);
});

afterAll(async () => {
  await Promise.all([deleteKeysUnder(redis, runPrefix), dropSchema(sql, schema)]);
  await Promise.all([redis.quit(), sql.end({ timeout: 5 })]);
});

describeMatrix('layered (redis over postgres)', {
  store: () =>
    createLayeredStore({
      hot: createRedisStore(redis, { prefix: `${runPrefix}${++scenario}:` }),
      cold: createPostgresStore(sql, { schema }),
    }),
  usesClock: false,
});
