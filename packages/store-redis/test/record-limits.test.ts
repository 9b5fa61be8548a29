import { Buffer } from 'node:buffer';
import {
  type SessionMeta,
  type SessionPatch,
  type SessionRecord,
  type StoredEntry,
  storedValueByteLength,
} from '@sessions/core';
import { createTestKey } from '@sessions/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePatch } from '../src/encode-record.js';
import { createRedisStore, type RedisStore } from '../src/index.js';
import { createKeyLayout, FIELD_OPS, FIELD_SIZE, INTERNAL_FIELD_MARK } from '../src/key-layout.js';
import { patchArgs } from '../src/lua/apply-patch.js';
import { patchScript } from '../src/lua/patch-script.js';
import { LUA_RECORD_SIZE } from '../src/lua/record-size.js';
import { rotateCopyScript } from '../src/lua/rotate-copy-script.js';
import { newOpId, OP_ID_LENGTH } from '../src/op-id.js';
import { storeCommands } from '../src/redis-client.js';
import { rotateAcrossSlots } from '../src/rotate-across-slots.js';
import { runScript } from '../src/run-script.js';
import { recommendedRedisOptions } from './support/client-options.js';
import { type RedisServer, startRedisServer } from './support/redis-server.js';
import { canStartRedisServers } from './support/require-redis-server.js';

const PREFIX = 'limits:';
const layout = createKeyLayout(PREFIX);
const LOOSE = { maxBytes: 10_000_000, maxKeys: 100_000 };
/** A deadline comfortably ahead, for scripts run directly. */
const soon = () => Date.now() + 5_000;

type Entries = Iterable<readonly [string, string | StoredEntry]>;

function entryMap(entries: Entries): Map<string, StoredEntry> {
  return new Map(
    [...entries].map(([key, entry]) => [key, typeof entry === 'string' ? { value: entry } : entry]),
  );
}

function record(entries: Entries): SessionRecord {
  return {
    entries: entryMap(entries),
    meta: { createdAt: 1 },
    expiresAt: Date.now() + 600_000,
  };
}

function patch(
  over: Omit<Partial<SessionPatch>, 'set'> & { readonly set?: Entries } = {},
): SessionPatch {
  const { set = [], ...rest } = over;
  return {
    remove: [],
    clear: false,
    expiresAt: Date.now() + 600_000,
    ...rest,
    set: entryMap(set),
  };
}

/** A small deterministic PRNG (mulberry32), so a failing sequence can be replayed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Calls per command (`INFO commandstats`), scripts' own calls included. */
function parseCommandStats(text: string): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    const name = match?.[1];
    if (name === undefined || name.startsWith('config') || name.startsWith('info')) continue;
    calls[name] = Number(match?.[2]);
  }
  return calls;
}

describe.skipIf(!canStartRedisServers())('record limits (a Redis server of its own)', () => {
  let server: RedisServer;
  let client: Redis;
  let store: RedisStore;

  beforeAll(async () => {
    server = await startRedisServer();
    client = new Redis(server.url, recommendedRedisOptions);
    await client.ping();
    store = createRedisStore(client, { prefix: PREFIX });
  });

  afterAll(async () => {
    client.disconnect();
    await server.stop();
  });

  const hashOf = (key: string) => layout.keysFor(key).record;

  /** The raw hash, internal fields included. */
  async function raw(key: string): Promise<Record<string, string>> {
    return client.hgetall(hashOf(key));
  }

  /** The raw hash as bytes (binary values intact), internal fields included. */
  async function rawBytes(key: string): Promise<Record<string, Buffer>> {
    return client.hgetallBuffer(hashOf(key));
  }

  /**
   * The contract's measure of the hash's entries, by a full recount: a binary value (stored
   * behind a 0x00 byte) counts its bytes without that marker.
   */
  function recount(fields: Record<string, string | Buffer>): { bytes: number; keys: number } {
    let bytes = 0;
    let keys = 0;
    for (const [field, value] of Object.entries(fields)) {
      if (field.startsWith(INTERNAL_FIELD_MARK)) continue;
      const length = Buffer.byteLength(value);
      bytes +=
        Buffer.byteLength(field) + (Buffer.isBuffer(value) && value[0] === 0 ? length - 1 : length);
      keys += 1;
    }
    return { bytes, keys };
  }

  /** Asserts the size field holds the recount, stamped with the last write id (so trusted). */
  async function expectTotalsCurrent(key: string, label: string): Promise<void> {
    const fields = await rawBytes(key);
    const { bytes, keys } = recount(fields);
    const ops = fields[FIELD_OPS]?.toString() ?? '';
    expect(fields[FIELD_SIZE]?.toString(), label).toBe(
      `${bytes}:${keys}:${ops.slice(-OP_ID_LENGTH)}`,
    );
    // The engine's measure of what `load` returns agrees too.
    const loaded = await store.load(key);
    let engineBytes = 0;
    for (const [entryKey, entry] of loaded?.entries ?? []) {
      engineBytes += Buffer.byteLength(entryKey) + storedValueByteLength(entry.value);
    }
    expect({ bytes: engineBytes, keys: loaded?.entries.size }, `${label} (load)`).toEqual({
      bytes,
      keys,
    });
  }

  /** Runs `work` and returns the commands Redis ran meanwhile, with their call counts. */
  async function callsDuring(work: () => Promise<unknown>): Promise<Record<string, number>> {
    await client.config('RESETSTAT');
    await work();
    return parseCommandStats(await client.info('commandstats'));
  }

  it('create stores the totals: UTF-8 keys and values, per-key expiry fields not counted', async () => {
    const key = createTestKey();
    const at = Date.now() + 60_000;
    await store.create(
      key,
      record([
        ['a', '1'],
        ['ключ', 'é😀'],
        ['empty', ''],
        ['\u0001flash:n', { value: '"hi"', expiresAt: at }],
      ]),
    );
    const fields = await raw(key);
    // a+1, 8+6, 5+0, 8+4
    expect(fields[FIELD_SIZE]).toBe(`${2 + 14 + 5 + 12}:4:${fields[FIELD_OPS]}`);
    await expectTotalsCurrent(key, 'after create');
  });

  it('binary values count their bytes, not their marker byte: create, patch, a full scan, the Cluster copy', async () => {
    const key = createTestKey();
    await store.create(
      key,
      record([
        ['b', { value: Uint8Array.of(0, 1, 0xff) }],
        ['t', 'é'],
        ['e', { value: new Uint8Array(0) }],
      ]),
    );
    // b+3, t+2, e+0
    const fields = await rawBytes(key);
    expect(fields[FIELD_SIZE]?.toString()).toBe(`8:3:${fields[FIELD_OPS]?.toString()}`);
    await expectTotalsCurrent(key, 'after create');
    const at = (maxBytes: number) => ({ maxBytes, maxKeys: 3 });

    // Text replaced by bytes of the same measure, exactly at the bound; one byte more is refused.
    expect(
      await store.patch(
        key,
        patch({ set: [['t', { value: Uint8Array.of(1, 2) }]], limits: at(8) }),
      ),
    ).toBe('ok');
    expect(
      await store.patch(
        key,
        patch({ set: [['t', { value: Uint8Array.of(1, 2, 3) }]], limits: at(8) }),
      ),
    ).toBe('too-large');
    // Bytes replaced by text, and the patchIf condition on bytes.
    expect(
      await store.patchIf(
        key,
        { key: 't', value: Uint8Array.of(1, 2) },
        patch({ set: [['t', 'ü']], limits: at(8) }),
      ),
    ).toBe('ok');
    await expectTotalsCurrent(key, 'after the patches');

    // Measured again by a full scan (no totals): the same count.
    await client.hdel(hashOf(key), FIELD_SIZE);
    expect(
      await store.patch(key, patch({ set: [['e', { value: Uint8Array.of(7) }]], limits: at(8) })),
    ).toBe('too-large');
    expect(
      await store.patch(key, patch({ set: [['e', { value: new Uint8Array(0) }]], limits: at(8) })),
    ).toBe('ok');
    await expectTotalsCurrent(key, 'after the full scan');

    // The Cluster rotation measures its snapshot and its copy the same way.
    const to = createTestKey();
    const across = (change: SessionPatch) =>
      rotateAcrossSlots(
        storeCommands(client),
        layout.keysFor(key),
        layout.keysFor(to),
        encodePatch(change),
        soon(),
        new AbortController().signal,
      );
    expect(await across(patch({ set: [['e', { value: Uint8Array.of(7) }]], limits: at(8) }))).toBe(
      'too-large',
    );
    expect(await across(patch({ set: [['e', { value: Uint8Array.of(0) }]], limits: at(9) }))).toBe(
      'ok',
    );
    await expectTotalsCurrent(to, 'the copy');
    expect((await store.load(to))?.entries.get('b')?.value).toEqual(Uint8Array.of(0, 1, 0xff));
    expect((await store.load(to))?.entries.get('e')?.value).toEqual(Uint8Array.of(0));
    await client.unlink(hashOf(to));
  });

  it('the totals follow every kind of write (a seeded random sequence, recounted after each)', async () => {
    const random = prng(0x5e55_1075);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    const names = ['a', 'b', 'ключ', '😀', '\u0001flash:x', '__proto__', 'long', 'k7', 'e'];
    const values: (string | Uint8Array)[] = [
      ...['', '1', 'é', '😀😀', 'x'.repeat(200), '"json"', '\u0001', 'ü'.repeat(40)],
      // Binary values: empty, NUL, not UTF-8, the bytes of the text 'é', 200 bytes.
      ...[new Uint8Array(0), Uint8Array.of(0), Uint8Array.of(0xff, 0, 0xc0)],
      ...[new TextEncoder().encode('é'), Uint8Array.from({ length: 200 }, (_, i) => i)],
    ];
    const entry = (): StoredEntry =>
      random() < 0.2
        ? { value: pick(values), expiresAt: Date.now() + 60_000 }
        : { value: pick(values) };
    const somePatch = (): SessionPatch => {
      const set = new Map<string, StoredEntry>();
      const remove: string[] = [];
      for (let i = Math.floor(random() * 4); i > 0; i--) set.set(pick(names), entry());
      for (let i = Math.floor(random() * 3); i > 0; i--) {
        const name = pick(names);
        if (!set.has(name)) remove.push(name);
      }
      const limits =
        random() < 0.5
          ? { maxBytes: Math.floor(random() * 600), maxKeys: Math.floor(random() * 8) }
          : undefined;
      const meta: SessionMeta | undefined =
        random() < 0.2 ? { createdAt: 2, userId: pick(['u1', 'u2']) } : undefined;
      return {
        set,
        remove,
        clear: random() < 0.08,
        expiresAt: Date.now() + 600_000,
        ...(limits === undefined ? {} : { limits }),
        ...(meta === undefined ? {} : { meta }),
      };
    };

    let key = createTestKey();
    await store.create(key, record([['a', '1']]));
    const outcomes: Record<string, number> = {};
    for (let step = 0; step < 400; step++) {
      const before = await rawBytes(key);
      const roll = random();
      let operation: string;
      let outcome: string;
      if (roll < 0.5) {
        operation = 'patch';
        outcome = await store.patch(key, somePatch());
      } else if (roll < 0.7) {
        operation = 'patchIf';
        const condition = pick(names);
        const current = (await store.load(key))?.entries.get(condition)?.value;
        const expected = random() < 0.8 ? current : 'not-it';
        outcome = await store.patchIf(key, { key: condition, value: expected }, somePatch());
      } else if (roll < 0.8) {
        operation = 'touch';
        outcome = await store.touch(key, Date.now() + 600_000);
      } else if (roll < 0.9) {
        operation = 'rotate';
        const to = createTestKey();
        outcome = await store.rotate(key, to, somePatch());
        if (outcome === 'ok') key = to;
      } else {
        operation = 'rotate (Cluster protocol)';
        const to = createTestKey();
        outcome = await rotateAcrossSlots(
          storeCommands(client),
          layout.keysFor(key),
          layout.keysFor(to),
          encodePatch(somePatch()),
          soon(),
          new AbortController().signal,
        );
        if (outcome === 'ok') key = to;
      }
      outcomes[`${operation}: ${outcome}`] = (outcomes[`${operation}: ${outcome}`] ?? 0) + 1;
      if (outcome === 'too-large' || outcome === 'conflict') {
        expect(await rawBytes(key), `step ${step}: ${operation} ${outcome} wrote nothing`).toEqual(
          before,
        );
      }
      await expectTotalsCurrent(key, `step ${step}: ${operation} → ${outcome}`);
    }
    // The sequence exercised every path, refusals included.
    for (const seen of [
      'patch: ok',
      'patch: too-large',
      'patchIf: ok',
      'patchIf: too-large',
      'patchIf: conflict',
      'touch: ok',
      'rotate: ok',
      'rotate: too-large',
      'rotate (Cluster protocol): ok',
      'rotate (Cluster protocol): too-large',
    ]) {
      expect(outcomes[seen], `${seen} in ${JSON.stringify(outcomes)}`).toBeGreaterThan(0);
    }
  });

  it('a hash written without totals is measured once by a full scan, then kept from the stored totals', async () => {
    const key = createTestKey();
    const entries: [string, string][] = Array.from({ length: 50 }, (_, i) => [
      `k${i}`,
      'v'.repeat(i),
    ]);
    await store.create(key, record(entries));
    // As a hash written by the store before the size field existed.
    await client.hdel(hashOf(key), FIELD_SIZE);

    // A too-large patch writes nothing, not even the totals it measured.
    const tooMany = patch({ set: [['new', '1']], limits: { maxBytes: 100_000, maxKeys: 50 } });
    const before = await raw(key);
    expect(await store.patch(key, tooMany)).toBe('too-large');
    expect(await raw(key)).toEqual(before);

    const first = await callsDuring(() =>
      store.patch(key, patch({ set: [['k1', 'w']], limits: LOOSE })),
    );
    expect(first.hkeys, 'the first patch scans the hash').toBe(1);
    await expectTotalsCurrent(key, 'after the scan');
    const second = await callsDuring(() =>
      store.patch(key, patch({ set: [['k2', 'ww']], limits: LOOSE })),
    );
    expect(second.hkeys, 'the next patch does not').toBeUndefined();
    await expectTotalsCurrent(key, 'after the next patch');
    const touched = await callsDuring(async () => {
      await store.touch(key, Date.now() + 600_000);
      await store.patch(key, patch({ remove: ['k3'], limits: LOOSE }));
    });
    expect(touched.hkeys, 'a touch keeps the totals trusted').toBeUndefined();
    await expectTotalsCurrent(key, 'after a touch and a patch');
  });

  it('totals left stale by an older store version (a rolling deploy) are not trusted', async () => {
    const key = createTestKey();
    await store.create(key, record([['a', '1']]));
    // What an older version's patch does: change entries and push its write id, leaving the size
    // field as it was.
    const ops = (await raw(key))[FIELD_OPS] ?? '';
    await client.hset(hashOf(key), 'big', 'x'.repeat(500), FIELD_OPS, `${ops}${newOpId()}`);
    const limits = { maxBytes: 100, maxKeys: 10 };
    expect(
      await store.patch(key, patch({ set: [['b', '2']], limits })),
      'measured by a scan: already 505 bytes over a limit of 100',
    ).toBe('too-large');
    expect(await store.patch(key, patch({ remove: ['big'], limits }))).toBe('ok');
    await expectTotalsCurrent(key, 'after the rescan');
    expect(await store.patch(key, patch({ set: [['b', '2']], limits }))).toBe('ok');
  });

  it('50 parallel patches each adding a key under maxKeys 10: exactly 10 land, the rest are too-large', async () => {
    for (const legacy of [false, true]) {
      const key = createTestKey();
      await store.create(key, record([]));
      if (legacy) await client.hdel(hashOf(key), FIELD_SIZE);
      const limits = { maxBytes: 64 * 1024, maxKeys: 10 };
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          i % 2 === 0
            ? store.patch(key, patch({ set: [[`k${i}`, 'v']], limits }))
            : store.patchIf(
                key,
                { key: `k${i}`, value: undefined },
                patch({ set: [[`k${i}`, 'v']], limits }),
              ),
        ),
      );
      expect(results.filter((result) => result === 'ok').length, `legacy: ${legacy}`).toBe(10);
      expect(results.filter((result) => result === 'too-large').length).toBe(40);
      expect((await store.load(key))?.entries.size).toBe(10);
      await expectTotalsCurrent(key, `after the race (legacy: ${legacy})`);
    }
  });

  it('parallel growth under maxBytes stops at the bound', async () => {
    const key = createTestKey();
    await store.create(key, record([]));
    // Each entry is 'kNN' + 97 bytes = 100 bytes; 1,000 bytes allow 10 of them.
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        store.patch(
          key,
          patch({
            set: [[`k${String(i).padStart(2, '0')}`, 'x'.repeat(97)]],
            limits: { maxBytes: 1_000, maxKeys: 1_000 },
          }),
        ),
      ),
    );
    expect(results.filter((result) => result === 'ok').length).toBe(10);
    expect(recount(await raw(key))).toEqual({ bytes: 1_000, keys: 10 });
  });

  it('a too-large write changes nothing: not the expiry, the meta, the write ids or the user index', async () => {
    const key = createTestKey();
    await store.create(key, record([['a', '1']]));
    const before = await raw(key);
    const ttl = await client.pexpiretime(hashOf(key));
    const signIn = patch({
      set: [['b', '2']],
      meta: { createdAt: 1, userId: 'limits-user' },
      expiresAt: Date.now() + 3_600_000,
      limits: { maxBytes: 1_000, maxKeys: 1 },
    });
    expect(await store.patch(key, signIn)).toBe('too-large');
    expect(await store.patchIf(key, { key: 'a', value: '1' }, signIn)).toBe('too-large');
    const to = createTestKey();
    expect(await store.rotate(key, to, signIn)).toBe('too-large');
    expect(await raw(key)).toEqual(before);
    expect(await client.pexpiretime(hashOf(key))).toBe(ttl);
    expect(await client.exists(hashOf(to), layout.keysFor(key).tombstone)).toBe(0);
    expect(await client.exists(layout.indexFor('limits-user'))).toBe(0);
    expect(await store.listUserSessions('limits-user')).toEqual([]);
  });

  it('a record already over its limits may shrink or keep its size, by every write path', async () => {
    let key = createTestKey();
    await store.create(
      key,
      record([
        ['a', 'x'.repeat(50)],
        ['b', 'x'.repeat(50)],
        ['c', '1'],
      ]),
    );
    const limits = { maxBytes: 10, maxKeys: 1 };
    expect(await store.patch(key, patch({ remove: ['a'], limits }))).toBe('ok');
    expect(
      await store.patchIf(key, { key: 'c', value: '1' }, patch({ set: [['c', '2']], limits })),
    ).toBe('ok');
    const to = createTestKey();
    expect(await store.rotate(key, to, patch({ set: [['c', '3']], limits }))).toBe('ok');
    key = to;
    const across = createTestKey();
    const rotateAcross = (change: SessionPatch) =>
      rotateAcrossSlots(
        storeCommands(client),
        layout.keysFor(key),
        layout.keysFor(across),
        encodePatch(change),
        soon(),
        new AbortController().signal,
      );
    expect(await rotateAcross(patch({ set: [['c', '44']], limits })), 'growing').toBe('too-large');
    expect(await rotateAcross(patch({ set: [['c', '4']], limits })), 'same size').toBe('ok');
    expect(recount(await raw(across))).toEqual({ bytes: 53, keys: 2 });
    await expectTotalsCurrent(across, 'after the rotations');
  });

  it('replays: an applied write re-sent answers ok; a too-large one re-sent is evaluated again', async () => {
    const key = createTestKey();
    await store.create(key, record([['a', '1']]));
    const keys = [hashOf(key), layout.keysFor(key).tombstone];
    const limits = { maxBytes: 1_000, maxKeys: 2 };

    const applied = patchArgs(newOpId(), encodePatch(patch({ set: [['b', '2']], limits })));
    expect(await runScript(storeCommands(client), patchScript, keys, applied, soon())).toBe('ok');
    // Now at the bound: the same write would be refused, but the copy recognises itself.
    expect(await runScript(storeCommands(client), patchScript, keys, applied, soon())).toBe('ok');

    const refused = patchArgs(newOpId(), encodePatch(patch({ set: [['c', '3']], limits })));
    expect(await runScript(storeCommands(client), patchScript, keys, refused, soon())).toBe(
      'too-large',
    );
    expect(await store.patch(key, patch({ remove: ['b'] }))).toBe('ok');
    // Nothing recorded the refused write: its copy is evaluated against the record as it is now.
    expect(await runScript(storeCommands(client), patchScript, keys, refused, soon())).toBe('ok');
    expect(await runScript(storeCommands(client), patchScript, keys, refused, soon())).toBe('ok');
    expect([...((await store.load(key))?.entries.keys() ?? [])].sort()).toEqual(['a', 'c']);
    await expectTotalsCurrent(key, 'after the replays');
  });

  it('Cluster rotation: the copy step enforces the limits and removes an earlier attempt’s copy', async () => {
    const from = createTestKey();
    const to = createTestKey();
    await store.create(from, record([['a', '1']]));
    const grow = patch({ set: [['b', '2']], limits: { maxBytes: 1_000, maxKeys: 1 } });
    expect(
      await rotateAcrossSlots(
        storeCommands(client),
        layout.keysFor(from),
        layout.keysFor(to),
        encodePatch(grow),
        soon(),
        new AbortController().signal,
      ),
    ).toBe('too-large');
    expect(await client.exists(hashOf(to))).toBe(0);
    expect((await store.load(from))?.entries.size).toBe(1);

    // A copy left by an earlier attempt of the same rotation (whose snapshot then changed) is
    // removed when the new attempt is refused.
    const opId = newOpId();
    const copy = (maxKeys: string) => [
      opId,
      String(Date.now() + 60_000),
      '{"createdAt":1}',
      String(Date.now() + 60_000),
      '',
      '',
      maxKeys,
      '2',
      '1',
      'a',
      '1',
      'b',
      '2',
    ];
    const copyKeys = [hashOf(to), layout.keysFor(to).revoked];
    expect(
      await runScript(storeCommands(client), rotateCopyScript, copyKeys, copy(''), soon()),
    ).toBe('ok');
    await expectTotalsCurrent(to, 'the copy');
    expect(
      await runScript(storeCommands(client), rotateCopyScript, copyKeys, copy('1'), soon()),
    ).toBe('too-large');
    expect(await client.exists(hashOf(to))).toBe(0);
    await client.unlink(hashOf(from));
  });

  it('a patch costs the same commands in a 1 KB and a 100 KB session (no whole-hash read)', async () => {
    const small = createTestKey();
    const big = createTestKey();
    const filler = (bytes: number): [string, string][] =>
      Array.from({ length: Math.round(bytes / 100) }, (_, i) => [`k${i}`, 'x'.repeat(95)]);
    await store.create(small, record([...filler(1_024), ['views', '0']]));
    await store.create(big, record([...filler(100 * 1_024), ['views', '0']]));
    expect(recount(await raw(big)).bytes).toBeGreaterThan(100_000);

    const limits = { maxBytes: 1_000_000, maxKeys: 10_000 };
    // Every write moves the expiry (a write keeping it skips the expiry commands; see below), so
    // both runs do the same work whatever the clock says.
    let expiresAt = Date.now() + 600_000;
    const moved = () => ++expiresAt;
    const work = (key: string) => async () => {
      await store.patch(key, patch({ set: [['views', '1']], limits, expiresAt: moved() }));
      await store.patch(
        key,
        patch({ set: [['fresh', '1']], remove: ['k3'], limits, expiresAt: moved() }),
      );
      await store.patchIf(
        key,
        { key: 'views', value: '1' },
        patch({ set: [['views', '2']], limits, expiresAt: moved() }),
      );
      await store.touch(key, moved());
      const to = createTestKey();
      await store.rotate(key, to, patch({ set: [['views', '3']], limits, expiresAt: moved() }));
      await store.rotate(to, key, patch({ limits, expiresAt: moved() }));
    };
    // Warm the script cache, so both runs use EVALSHA alone.
    await work(createTestKey())().catch(() => {});
    const onSmall = await callsDuring(work(small));
    const onBig = await callsDuring(work(big));
    expect(onBig).toEqual(onSmall);
    for (const whole of ['hgetall', 'hkeys', 'hvals', 'hscan', 'hlen']) {
      expect(onBig[whole], `${whole} in ${JSON.stringify(onBig)}`).toBeUndefined();
    }
    // Per changed entry: one HGET of its old value (its first byte tells bytes from text), never
    // an HSTRLEN or HEXISTS on top.
    expect(onBig.hstrlen).toBeUndefined();
    expect(onBig.hexists).toBeUndefined();
    // The measuring code reads the whole hash only in its fallback scan, by HKEYS.
    expect(LUA_RECORD_SIZE).not.toMatch(/HGETALL|HVALS/);
  });

  it('a patch that keeps the expiry skips the expiry and live-index commands', async () => {
    const key = createTestKey();
    const expiresAt = Date.now() + 600_000;
    await store.create(key, record([['views', '0']]));
    await store.patch(key, patch({ set: [['views', '1']], expiresAt }));
    const moving = await callsDuring(() =>
      store.patch(key, patch({ set: [['views', '2']], expiresAt: expiresAt + 1 })),
    );
    const keeping = await callsDuring(() =>
      store.patch(key, patch({ set: [['views', '3']], expiresAt: expiresAt + 1 })),
    );
    expect(moving.pexpireat).toBeGreaterThan(0);
    expect(keeping.pexpireat).toBeUndefined();
    expect(keeping.zadd).toBeUndefined();
    // The TTL set by the moving write still holds.
    expect(await client.pttl(hashOf(key))).toBeGreaterThan(590_000);
  });
});
