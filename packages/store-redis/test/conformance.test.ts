import { msgpackCodec } from '@sessions/codec-msgpack';
import { describeStoreConformance } from '@sessions/testing';
import { afterAll, describe, it } from 'vitest';
import { createRedisStore } from '../src/index.js';
import {
  connectSharedRedis,
  deleteKeysWithPrefix,
  REDIS_URL,
  uniquePrefix,
} from './support/shared-redis.js';

// The shared Redis at REDIS_URL, isolated by a prefix unique to this run; only our keys are
// removed afterwards (never FLUSHALL/FLUSHDB).
const client = await connectSharedRedis();
const prefix = uniquePrefix('conformance');

if (client === undefined) {
  describe.skip(`redis conformance (no Redis at ${REDIS_URL}; CI fails instead)`, () => {
    it('needs Redis', () => {});
  });
} else {
  afterAll(async () => {
    await deleteKeysWithPrefix(client, prefix);
    await client.quit();
  });

  // A prefix per test under the run's (removed with it): the count group checks absolute numbers.
  let stores = 0;
  describeStoreConformance({
    name: 'redis',
    createStore: () => ({
      store: createRedisStore(client, { prefix: `${prefix}t${++stores}:` }),
      usesClock: false,
    }),
  });

  // The MessagePack codec: binary values (stored behind a 0x00 marker byte) through the engine
  // checks and the codec values group.
  describeStoreConformance({
    name: 'redis',
    codec: msgpackCodec,
    createStore: () => ({
      store: createRedisStore(client, { prefix: `${prefix}t${++stores}:` }),
      usesClock: false,
    }),
  });
}
