import { Buffer } from 'node:buffer';
import type { SessionPatch, SessionRecord } from '@sessions/core';
import { createTestKey } from '@sessions/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { encodePatch } from '../src/encode-record.js';
import { createRedisStore } from '../src/index.js';
import { createKeyLayout } from '../src/key-layout.js';
import { storeCommands } from '../src/redis-client.js';
import { rotateAcrossSlots } from '../src/rotate-across-slots.js';
import {
  connectSharedRedis,
  deleteKeysWithPrefix,
  keysWithPrefix,
  REDIS_URL,
  uniquePrefix,
} from './support/shared-redis.js';

const client = await connectSharedRedis();
const prefix = uniquePrefix('layout');

function record(entries: [string, string, number?][], expiresAt: number): SessionRecord {
  return {
    entries: new Map(
      entries.map(([key, value, at]) => [
        key,
        at === undefined ? { value } : { value, expiresAt: at },
      ]),
    ),
    meta: { createdAt: 1_700_000_000_000, persistent: true },
    expiresAt,
  };
}

function patch(over: Partial<SessionPatch>): SessionPatch {
  return { set: new Map(), remove: [], clear: false, expiresAt: Date.now() + 600_000, ...over };
}

describe.skipIf(client === undefined)(`key layout and TTLs (Redis at ${REDIS_URL})`, () => {
  if (client === undefined) return;
  const store = createRedisStore(client, { prefix });

  afterAll(async () => {
    await deleteKeysWithPrefix(client, prefix);
    await client.quit();
  });

  it('stores one hash per session at <prefix>{<store key>} with internal fields beside the entries', async () => {
    const key = createTestKey();
    const expiresAt = Date.now() + 600_000.5;
    await store.create(
      key,
      record(
        [
          ['user', '"ada"'],
          ['\u0001flash:n', '"hi"', expiresAt - 1],
        ],
        expiresAt,
      ),
    );
    const redisKey = `${prefix}{${key}}`;
    expect(await client.type(redisKey)).toBe('hash');
    const fields = new Map(Object.entries(await client.hgetall(redisKey)));
    expect(fields.get('user')).toBe('"ada"');
    expect(fields.get('\u0001flash:n')).toBe('"hi"');
    expect(fields.get('\u0000e\u0001flash:n')).toBe(String(expiresAt - 1));
    expect(JSON.parse(fields.get('\u0000m') ?? '')).toEqual({
      createdAt: 1_700_000_000_000,
      persistent: true,
    });
    expect(fields.get('\u0000x')).toBe(String(expiresAt));
    expect(fields.get('\u0000o')).toMatch(/^[A-Za-z0-9_-]{12}$/);
    // Size totals (bytes of keys and values, entries), stamped with the last write id.
    expect(fields.get('\u0000s')).toBe(`${4 + 5 + 8 + 4}:2:${fields.get('\u0000o')}`);
    expect(fields.size).toBe(7);
    // Redis keeps a key while now <= PEXPIRETIME, the contract while now < expiresAt.
    expect(await client.pexpiretime(redisKey)).toBe(Math.ceil(expiresAt) - 1);
  });

  it('stores text as its UTF-8 bytes and binary values behind one 0x00 byte, and loads each in its form', async () => {
    const key = createTestKey();
    const msgpack = Uint8Array.of(0x81, 0xa1, 0x61, 0x01); // {"a":1} in MessagePack
    await store.create(key, {
      entries: new Map([
        ['text', { value: '"héllo"' }],
        ['empty text', { value: '' }],
        ['bytes', { value: msgpack }],
        ['empty bytes', { value: new Uint8Array(0) }],
        ['nul bytes', { value: Uint8Array.of(0, 0) }],
      ]),
      meta: { createdAt: 1 },
      expiresAt: Date.now() + 600_000,
    });
    const redisKey = `${prefix}{${key}}`;
    // What any other client sees (HGETALL, read as bytes).
    const fields = new Map(Object.entries(await client.hgetallBuffer(redisKey)));
    expect(fields.get('text')).toEqual(Buffer.from('"héllo"', 'utf8'));
    expect(fields.get('empty text')).toEqual(Buffer.alloc(0));
    expect(fields.get('bytes')).toEqual(Buffer.from([0x00, 0x81, 0xa1, 0x61, 0x01]));
    expect(fields.get('empty bytes')).toEqual(Buffer.from([0x00]));
    expect(fields.get('nul bytes')).toEqual(Buffer.from([0x00, 0x00, 0x00]));
    // The measure counts the bytes without their marker: 4+8, 10+0, 5+4, 11+0, 9+2.
    expect(fields.get('\u0000s')?.toString()).toBe(
      `${12 + 10 + 9 + 11 + 11}:5:${fields.get('\u0000o')?.toString()}`,
    );

    const loaded = await store.load(key);
    expect(loaded?.entries.get('text')?.value).toBe('"héllo"');
    expect(loaded?.entries.get('empty text')?.value).toBe('');
    for (const [name, bytes] of [
      ['bytes', msgpack],
      ['empty bytes', new Uint8Array(0)],
      ['nul bytes', Uint8Array.of(0, 0)],
    ] as const) {
      const value = loaded?.entries.get(name)?.value;
      // A plain Uint8Array of its own, never a Buffer or a view into the reply.
      expect(Object.getPrototypeOf(value), name).toBe(Uint8Array.prototype);
      expect(value, name).toEqual(bytes);
      expect((value as Uint8Array).byteOffset, name).toBe(0);
      expect((value as Uint8Array).buffer.byteLength, name).toBe(bytes.byteLength);
    }
  });

  it('writes the same hash with the one-script rotation and the cross-slot (Cluster) protocol', async () => {
    /** The same history for both keys: create, replace, add, remove and re-add. */
    const build = async (key: string) => {
      // A value over 64 bytes makes Redis store the hash as a hashtable.
      const entries: [string, string, number?][] = [
        ['b', 'x'.repeat(100)],
        ['a', '1', Date.now() + 30_000],
        ['__proto__', '2'],
      ];
      await store.create(key, record(entries, Date.now() + 60_000));
      await store.patch(
        key,
        patch({
          set: new Map([
            ['c', { value: '3' }],
            ['b', { value: '4' }],
          ]),
        }),
      );
      await store.patch(key, patch({ remove: ['b'] }));
      await store.patch(key, patch({ set: new Map([['b', { value: '5' }]]) }));
      // Binary values, one of them not valid UTF-8: the cross-slot copy must keep every byte.
      await store.patch(
        key,
        patch({
          set: new Map([
            ['bin', { value: Uint8Array.of(0xff, 0x00, 0xc0, 0xaf) }],
            ['was text', { value: Uint8Array.of(0x61) }],
          ]),
        }),
      );
    };
    const one = createTestKey();
    const two = createTestKey();
    await build(one);
    await build(two);
    const change = patch({
      remove: ['__proto__'],
      set: new Map([
        ['d', { value: '6', expiresAt: Date.now() + 10_000 }],
        ['a', { value: '7' }],
      ]),
      meta: { createdAt: 5 },
    });
    const viaScript = createTestKey();
    const viaSlots = createTestKey();
    expect(await store.rotate(one, viaScript, change)).toBe('ok');
    const layout = createKeyLayout(prefix);
    expect(
      await rotateAcrossSlots(
        storeCommands(client),
        layout.keysFor(two),
        layout.keysFor(viaSlots),
        encodePatch(change),
        Date.now() + 1_000,
        new AbortController().signal,
      ),
    ).toBe('ok');
    const withoutOps = async (storeKey: string) => {
      const fields = await client.hgetallBuffer(layout.keysFor(storeKey).record);
      // The write ids differ, and so does the size field's stamp (its last one): compare the rest,
      // byte for byte (hex, so binary values compare exactly).
      return Object.entries(fields)
        .filter(([field]) => field !== '\u0000o')
        .map(([field, value]): [string, string] =>
          field === '\u0000s'
            ? [field, value.toString().replace(/:[^:]*$/, '')]
            : [field, value.toString('hex')],
        )
        .sort();
    };
    expect(await withoutOps(viaSlots)).toEqual(await withoutOps(viaScript));
    expect(await client.pexpiretime(layout.keysFor(viaSlots).record)).toBe(
      await client.pexpiretime(layout.keysFor(viaScript).record),
    );
    expect((await store.load(viaSlots))?.entries.get('bin')?.value).toEqual(
      Uint8Array.of(0xff, 0x00, 0xc0, 0xaf),
    );
    expect(await store.load(one)).toBeUndefined();
    expect(await store.load(two)).toBeUndefined();
  });

  it('keeps a record with no entries', async () => {
    const key = createTestKey();
    await store.create(key, record([], Date.now() + 60_000));
    expect(await client.exists(`${prefix}{${key}}`)).toBe(1);
    expect((await store.load(key))?.entries.size).toBe(0);
    await store.patch(key, patch({ clear: true }));
    expect(await client.exists(`${prefix}{${key}}`)).toBe(1);
    expect((await store.load(key))?.entries.size).toBe(0);
  });

  it('gives every key it writes a TTL, through every operation', async () => {
    const a = createTestKey();
    const b = createTestKey();
    const c = createTestKey();
    await store.create(a, record([['x', '1', Date.now() + 10_000]], Date.now() + 60_000));
    await store.patch(a, patch({ set: new Map([['y', { value: '2' }]]), remove: ['x'] }));
    await store.touch(a, Date.now() + 120_000);
    await store.rotate(a, b, patch({ clear: true, set: new Map([['z', { value: '3' }]]) }));
    await store.create(c, record([['k', 'v']], Date.now() + 60_000));
    await store.patch(c, patch({ clear: true }));
    // An instant already past deletes instead of leaving a key without a TTL.
    const gone = createTestKey();
    expect(await store.create(gone, record([['k', 'v']], Date.now() - 1_000))).toBe('created');
    expect(await client.exists(`${prefix}{${gone}}`)).toBe(0);
    await store.patch(c, patch({ expiresAt: Date.now() - 1 }));
    expect(await client.exists(`${prefix}{${c}}`)).toBe(0);

    const keys = await keysWithPrefix(client, prefix);
    expect(keys.length).toBeGreaterThanOrEqual(2);
    for (const redisKey of keys) {
      const ttl = await client.pttl(redisKey);
      expect(ttl, `${redisKey} has no TTL`).toBeGreaterThan(0);
    }
    const tombstone = `${prefix}{${a}}:moved`;
    expect(keys).toContain(tombstone);
    expect(await client.pttl(tombstone)).toBeLessThanOrEqual(60_000);
  });

  it('round-trips fractional and far-future instants exactly', async () => {
    const key = createTestKey();
    const expiresAt = Date.now() + 3_600_000 + 0.25;
    const far = 8.64e15;
    await store.create(key, record([['far', 'v', far]], expiresAt));
    const loaded = await store.load(key);
    expect(loaded?.expiresAt).toBe(expiresAt);
    expect(loaded?.entries.get('far')?.expiresAt).toBe(far);
    expect(await store.touch(key, far)).toBe('ok');
    expect((await store.load(key))?.expiresAt).toBe(far);
    expect(await client.pttl(`${prefix}{${key}}`)).toBeGreaterThan(0);
  });
});
