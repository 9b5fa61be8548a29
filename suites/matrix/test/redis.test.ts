import { createRedisStore } from '@sessions/store-redis';
import { afterAll } from 'vitest';
import { describeMatrix } from '../src/describe-matrix.js';
import { connectRedis, deleteKeysUnder, uniqueName } from '../src/services.js';

// The shared Redis; a missing server fails this file. Every scenario gets a key prefix of its own
// under this run's prefix (so user indexes never meet), and the run's keys are removed afterwards.
const redis = await connectRedis();
const runPrefix = `matrix:${uniqueName('redis')}:`;
let scenario = 0;

afterAll(async () => {
  await deleteKeysUnder(redis, runPrefix);
  await redis.quit();
});

describeMatrix('redis', {
  store: () => createRedisStore(redis, { prefix: `${runPrefix}${++scenario}:` }),
  usesClock: false,
});
