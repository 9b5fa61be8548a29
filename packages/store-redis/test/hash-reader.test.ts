import type { SessionRecord } from '@sessions/core';
import { createTestKey, expectSameRecord } from '@sessions/testing';
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../src/index.js';
import {
  connectSharedRedis,
  deleteKeysWithPrefix,
  REDIS_URL,
  uniquePrefix,
} from './support/shared-redis.js';

const client = await connectSharedRedis();
const prefix = uniquePrefix('reader');

/** `client`, counting the whole-hash reads by how their reply is decoded. */
function counting(redis: Redis): { client: Redis; reads: string[] } {
  const reads: string[] = [];
  const proxy = new Proxy(redis, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (property !== 'hgetall' && property !== 'hgetallBuffer') return value.bind(target);
      return (...args: unknown[]) => {
        reads.push(property);
        return value.apply(target, args);
      };
    },
  });
  return { client: proxy, reads };
}

function record(entries: [string, string | Uint8Array][]): SessionRecord {
  return {
    entries: new Map(entries.map(([key, value]) => [key, { value }])),
    meta: { createdAt: 1 },
    expiresAt: Date.now() + 600_000,
  };
}

const text = record([['n', '1']]);
const bytes = record([
  ['b', Uint8Array.of(0xff, 0x00, 0xc0, 0xaf)],
  ['t', 'text beside bytes'],
]);

describe.skipIf(client === undefined)(`reading as text or as bytes (Redis at ${REDIS_URL})`, () => {
  if (client === undefined) return;

  afterAll(async () => {
    await deleteKeysWithPrefix(client, prefix);
    await client.quit();
  });

  it('a store that never met a binary value reads as text (the JSON path: unchanged)', async () => {
    const { client: spy, reads } = counting(client);
    const store = createRedisStore(spy, { prefix });
    const key = createTestKey();
    await store.create(key, text);
    await store.patch(key, {
      set: new Map([['m', { value: '"x"' }]]),
      remove: [],
      clear: false,
      expiresAt: text.expiresAt,
    });
    expect((await store.load(key))?.entries.get('m')?.value).toBe('"x"');
    expect(await store.load(createTestKey())).toBeUndefined();
    expect(reads).toEqual(['hgetall', 'hgetall']);
  });

  it('a store reads as bytes once it has written a binary value', async () => {
    const { client: spy, reads } = counting(client);
    const store = createRedisStore(spy, { prefix });
    const key = createTestKey();
    await store.create(key, bytes);
    expectSameRecord(await store.load(key), bytes);
    expect(reads).toEqual(['hgetallBuffer']);
  });

  it('a store meeting a binary value in a text read reads that hash again as bytes, then always as bytes', async () => {
    const key = createTestKey();
    const plain = createTestKey();
    await createRedisStore(client, { prefix }).create(key, bytes);
    await createRedisStore(client, { prefix }).create(plain, text);

    // A fresh store, as after a restart of an app whose sessions hold MessagePack values.
    const { client: spy, reads } = counting(client);
    const store = createRedisStore(spy, { prefix });
    expectSameRecord(await store.load(plain), text);
    expect(reads.splice(0)).toEqual(['hgetall']);
    expectSameRecord(await store.load(key), bytes);
    expect(reads.splice(0), 'the bytes lost to the text read are read again').toEqual([
      'hgetall',
      'hgetallBuffer',
    ]);
    expectSameRecord(await store.load(key), bytes);
    expectSameRecord(await store.load(plain), text);
    expect(reads.splice(0), 'from then on, one read as bytes').toEqual([
      'hgetallBuffer',
      'hgetallBuffer',
    ]);
  });

  it('a patchIf expecting bytes switches the store to reading bytes', async () => {
    const { client: spy, reads } = counting(client);
    const store = createRedisStore(spy, { prefix });
    const key = createTestKey();
    await store.create(key, text);
    const write = { set: new Map(), remove: [], clear: false, expiresAt: text.expiresAt };
    expect(await store.patchIf(key, { key: 'n', value: Uint8Array.of(1) }, write)).toBe('conflict');
    await store.load(key);
    expect(reads).toEqual(['hgetallBuffer']);
  });
});
