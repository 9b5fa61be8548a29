import {
  createMemoryStore,
  type EntryCondition,
  isSessionError,
  type RecordLimits,
  type SessionMeta,
  type SessionPatch,
  type SessionRecord,
  type StoredEntry,
  storedValueByteLength,
} from '@sessions/core';
import { createTestKey } from '@sessions/testing';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore, type PostgresStore } from '../src/index.js';
import { migrate } from '../src/migrate.js';
import { ALL_MIGRATIONS } from '../src/migrations/all-migrations.js';
import { tableNames } from '../src/sql-identifiers.js';
import { uniqueApplicationName, waitForLockWait } from './support/activity.js';
import { connect, databaseAvailable, dropSchema, sleep, uniqueSchema } from './support/database.js';

const available = await databaseAvailable();

const HOUR = 3_600_000;
const encoder = new TextEncoder();

/** The engine's measure (`RecordLimits`): UTF-8 bytes of every key and value, and the key count. */
function measure(entries: ReadonlyMap<string, StoredEntry>): { bytes: number; keys: number } {
  let bytes = 0;
  for (const [key, entry] of entries) {
    bytes += encoder.encode(key).length + storedValueByteLength(entry.value);
  }
  return { bytes, keys: entries.size };
}

function entriesOf(values: Record<string, string>): Map<string, StoredEntry> {
  return new Map(Object.entries(values).map(([key, value]) => [key, { value }]));
}

function record(values: Record<string, string>, meta?: Partial<SessionMeta>): SessionRecord {
  return {
    entries: entriesOf(values),
    meta: { createdAt: Date.now(), ...meta },
    expiresAt: Date.now() + HOUR,
  };
}

interface PatchSpec {
  readonly set?: Record<string, string>;
  readonly remove?: string[];
  readonly clear?: boolean;
  readonly meta?: SessionMeta;
  readonly limits?: RecordLimits;
}

function patchOf(spec: PatchSpec): SessionPatch {
  return {
    set: entriesOf(spec.set ?? {}),
    remove: spec.remove ?? [],
    clear: spec.clear ?? false,
    expiresAt: Date.now() + 2 * HOUR,
    ...(spec.meta === undefined ? {} : { meta: spec.meta }),
    ...(spec.limits === undefined ? {} : { limits: spec.limits }),
  };
}

/** A small deterministic PRNG (mulberry32), so a failing sequence can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Values covering both stored forms: plain (`v`) ones with 1-4 byte characters, and ones with
 * U+0000 or a lone surrogate (stored as a JSON literal in `j`, with every kind of escape).
 */
const VALUES = [
  '',
  '1',
  'é',
  '😀',
  '日本語',
  '"quoted" \\ back',
  '\u2028\u0080\u07ff\u0800\uffff',
  'x'.repeat(300),
  'a\u0000b',
  '\ud800',
  '\udc00x\u0000',
  'line\nbreak\ttab\\back"quote\u0001\u007f\u0000\b\f\r/é😀\ud83d',
];
const KEYS = [
  'a',
  'b',
  'é',
  '😀k',
  '\u0001flash:notice',
  '__proto__',
  'k space',
  `l${'k'.repeat(40)}`,
];

describe.skipIf(!available)('record limits', () => {
  const schema = uniqueSchema('limits');
  const schemas = [schema];
  let admin: Sql;
  /** The store's own client: one connection, every statement it sends recorded. */
  let sql: Sql;
  let store: PostgresStore;
  const sent: string[] = [];
  const clients: Sql[] = [];

  /** A fresh schema name, dropped after the file. */
  function freshSchema(label: string): string {
    const name = uniqueSchema(label);
    schemas.push(name);
    return name;
  }

  /** A store on a client of its own, whose backends carry a unique application_name. */
  function ownStore(label: string, options: { max?: number; inSchema?: string } = {}) {
    const applicationName = uniqueApplicationName(label);
    const client = connect({
      max: options.max ?? 2,
      connection: { application_name: applicationName },
    });
    clients.push(client);
    return {
      store: createPostgresStore(client, { schema: options.inSchema ?? schema, timeoutMs: 10_000 }),
      applicationName,
    };
  }

  /** The row behind the store's back: its version, every column, and whether totals are current. */
  async function row(key: string, inSchema = schema) {
    const [found] = await admin`
      select xmin::text as version, ctid::text as ctid, data::text, meta::text, user_id,
        expires_at::text, updated_at::text, data_bytes, data_keys, sized_at::text,
        coalesce(sized_at = updated_at, false) as fresh
      from ${admin(inSchema)}.sessions where key = ${key}
    `;
    return found;
  }

  /** Asserts the row's running totals are current and equal the engine's measure of its record. */
  async function expectExactTotals(
    key: string,
    label: string,
    target: PostgresStore = store,
    inSchema = schema,
  ): Promise<void> {
    const loaded = await target.load(key);
    expect(loaded, label).toBeDefined();
    const stored = await row(key, inSchema);
    expect(
      { bytes: stored?.data_bytes, keys: stored?.data_keys, fresh: stored?.fresh },
      label,
    ).toEqual({ ...measure(loaded?.entries ?? new Map()), fresh: true });
  }

  beforeAll(async () => {
    admin = connect({ max: 6 });
    sql = connect({ max: 1, debug: (_connection, query) => sent.push(query) });
    store = createPostgresStore(sql, { schema });
    await store.migrate();
    // Warm up: the connection is open and the statements prepared before anything is counted.
    const key = createTestKey();
    await store.create(key, record({ n: '0' }));
    await store.patch(key, patchOf({ set: { n: '1' }, limits: { maxBytes: 100, maxKeys: 10 } }));
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.end({ timeout: 1 })));
    for (const name of schemas) await dropSchema(admin, name);
    await Promise.all([admin.end({ timeout: 5 }), sql.end({ timeout: 5 })]);
  });

  it('running totals stay exact through a random mix of writes, deciding as the memory store does', async () => {
    const next = random(20_261_122);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
    const memory = createMemoryStore();
    const both = [store, memory] as const;
    const now = Date.now();
    const entry = (): StoredEntry => {
      const roll = next();
      const value = pick(VALUES);
      if (roll < 0.1) return { value, expiresAt: now - 60_000 }; // expired, still stored and counted
      if (roll < 0.2) return { value, expiresAt: now + HOUR };
      return { value };
    };
    /** Limits around the record's current size, so some writes fit and some do not. */
    const limitsNear = async (key: string): Promise<RecordLimits | undefined> => {
      const roll = next();
      if (roll < 0.2) return undefined;
      const current = measure((await memory.load(key))?.entries ?? new Map());
      return {
        maxBytes: Math.max(0, current.bytes + Math.floor(next() * 40) - 15),
        maxKeys: Math.max(0, current.keys + Math.floor(next() * 3) - 1),
      };
    };
    const outcomes = new Map<string, number>();
    let key = createTestKey();
    for (const target of both) {
      await target.create(key, {
        entries: new Map([['a', { value: 'é' }]]),
        meta: { createdAt: now },
        expiresAt: now + HOUR,
      });
    }
    for (let step = 0; step < 250; step++) {
      const set = new Map<string, StoredEntry>();
      for (let i = Math.floor(next() * 4); i > 0; i--) set.set(pick(KEYS), entry());
      const remove = KEYS.filter((name) => !set.has(name) && next() < 0.15);
      const patch: SessionPatch = {
        set,
        remove,
        clear: next() < 0.08,
        expiresAt: now + 2 * HOUR + step,
        ...(next() < 0.3 ? { meta: { createdAt: now, userId: `user-${step % 3}` } } : {}),
        ...(await limitsNear(key).then((limits) => (limits === undefined ? {} : { limits }))),
      };
      const roll = next();
      let operation: string;
      let results: unknown[];
      if (roll < 0.6) {
        operation = 'patch';
        results = await Promise.all(both.map((target) => target.patch(key, patch)));
      } else if (roll < 0.8) {
        operation = 'patchIf';
        const name = pick(KEYS);
        const held = (await memory.load(key))?.entries.get(name);
        const condition: EntryCondition = {
          key: name,
          value: next() < 0.7 ? held?.value : pick(VALUES),
        };
        results = await Promise.all(both.map((target) => target.patchIf?.(key, condition, patch)));
      } else if (roll < 0.9) {
        operation = 'rotate';
        const to = createTestKey();
        results = await Promise.all(both.map((target) => target.rotate(key, to, patch)));
        if (results[0] === 'ok') key = to;
      } else {
        operation = 'touch';
        results = await Promise.all(both.map((target) => target.touch(key, now + 3 * HOUR + step)));
      }
      const label = `step ${step}: ${operation}`;
      expect(results[0], label).toBe(results[1]);
      outcomes.set(
        `${operation} ${String(results[0])}`,
        (outcomes.get(`${operation} ${String(results[0])}`) ?? 0) + 1,
      );
      const [stored, modelled] = await Promise.all(both.map((target) => target.load(key)));
      expect(stored, label).toEqual(modelled);
      await expectExactTotals(key, label);
    }
    // The sequence exercised every outcome that matters.
    for (const expected of [
      'patch ok',
      'patch too-large',
      'patchIf ok',
      'patchIf conflict',
      'patchIf too-large',
      'rotate ok',
      'rotate too-large',
    ]) {
      expect(
        outcomes.get(expected) ?? 0,
        `${expected} in ${JSON.stringify([...outcomes])}`,
      ).toBeGreaterThan(0);
    }
  });

  it('counts the `j` form as the text it stands for, and literals with any escape', async () => {
    const key = createTestKey();
    const values = Object.fromEntries(VALUES.map((value, i) => [`v${i}`, value]));
    await store.create(key, record(values));
    await expectExactTotals(key, 'created');
    // Escapes JSON.stringify never writes (a row from elsewhere): counted as the characters.
    await admin`
      update ${admin(schema)}.sessions set
        data = data || ${JSON.stringify({
          raw: { j: '"\\u00e9\\u0800\\u007f\\/\\u0000"', o: 99 },
        })}::text::jsonb,
        updated_at = now()
      where key = ${key}
    `;
    expect((await store.load(key))?.entries.get('raw')?.value).toBe('é\u0800\u007f/\u0000');
    expect(await store.patch(key, patchOf({ set: { n: '1' } }))).toBe('ok');
    await expectExactTotals(key, 'after a full count');
    expect(await store.patch(key, patchOf({ remove: ['raw', 'v8'] }))).toBe('ok');
    await expectExactTotals(key, 'after removing `j` entries');
  });

  it('rows written by something else (an earlier release) are counted in full at their next write', async () => {
    const table = admin`${admin(schema)}.sessions`;
    // An earlier release removes a big entry: it moves updated_at, not the totals.
    const shrunk = createTestKey();
    await store.create(shrunk, record({ big: 'x'.repeat(1_000), s: '1' }));
    await admin`update ${table} set data = data - 'big', updated_at = now() where key = ${shrunk}`;
    expect((await row(shrunk))?.fresh).toBe(false);
    expect(
      await store.patch(
        shrunk,
        patchOf({ set: { t: '22' }, limits: { maxBytes: 10, maxKeys: 5 } }),
      ),
      'decided on the real size (6 bytes), not the stale 1,004',
    ).toBe('ok');
    await expectExactTotals(shrunk, 'after the recount');

    // ... or adds one: a stale total below the real size must not let the record grow.
    const grown = createTestKey();
    await store.create(grown, record({ s: '1' }));
    await admin`
      update ${table} set updated_at = now(),
        data = data || jsonb_build_object('big', jsonb_build_object('v', ${'x'.repeat(100)}::text, 'o', 9))
      where key = ${grown}
    `;
    expect(
      await store.patch(grown, patchOf({ set: { t: '2' }, limits: { maxBytes: 50, maxKeys: 5 } })),
    ).toBe('too-large');
    expect((await row(grown))?.fresh, 'a refusal writes nothing, not even the recount').toBe(false);
    expect(await store.patch(grown, patchOf({ set: { t: '2' } }))).toBe('ok');
    await expectExactTotals(grown, 'a write without limits sizes it too');

    // A row inserted without the columns at all.
    const bare = createTestKey();
    await admin`
      insert into ${table} (key, data, meta, expires_at)
      values (${bare}, '{"é": {"v": "😀", "o": 1}}', '{"createdAt": 1}', now() + interval '1 hour')
    `;
    // é 2 + 😀 4 = 6 bytes; adding b 1 + 1 makes 8.
    expect(
      await store.patch(bare, patchOf({ set: { b: '1' }, limits: { maxBytes: 7, maxKeys: 2 } })),
    ).toBe('too-large');
    expect(
      await store.patch(bare, patchOf({ set: { b: '1' }, limits: { maxBytes: 8, maxKeys: 2 } })),
    ).toBe('ok');
    await expectExactTotals(bare, 'a row without totals');

    // A touch keeps current totals current, and stale ones stale.
    expect(await store.touch(bare, Date.now() + HOUR)).toBe('ok');
    expect((await row(bare))?.fresh).toBe(true);
    await admin`update ${table} set updated_at = now() where key = ${bare}`;
    expect(await store.touch(bare, Date.now() + HOUR)).toBe('ok');
    expect((await row(bare))?.fresh).toBe(false);
  });

  it('a refused write writes nothing: no row version, meta, user_id, expiry or target', async () => {
    const key = createTestKey();
    await store.create(key, record({ a: '1' }, { userId: 'ada' }));
    const before = await row(key);
    const tight = { maxBytes: 100, maxKeys: 1 };
    const rebinding = patchOf({
      set: { b: '2' },
      meta: { createdAt: 1, userId: 'bob' },
      limits: tight,
    });
    expect(await store.patch(key, rebinding)).toBe('too-large');
    expect(await store.patchIf(key, { key: 'a', value: '1' }, rebinding)).toBe('too-large');
    const to = createTestKey();
    expect(await store.rotate(key, to, rebinding)).toBe('too-large');
    expect(await row(key), 'the same row version, every column as it was').toEqual(before);
    expect(await row(to)).toBeUndefined();
    expect(await store.listUserSessions('bob')).toEqual([]);
    // And the outcomes that are not about size still win where the contract orders them.
    expect(await store.patchIf(key, { key: 'a', value: '0' }, rebinding)).toBe('conflict');
    expect(await store.patch(createTestKey(), rebinding)).toBe('missing');
    expect(await store.patchIf(createTestKey(), { key: 'a', value: '1' }, rebinding)).toBe(
      'missing',
    );
    expect(await store.rotate(createTestKey(), to, rebinding)).toBe('missing');
    expect(await store.rotate(key, key, rebinding)).toBe('conflict');
    expect(await row(key)).toEqual(before);
  });

  it('is one statement per call, whatever the outcome', async () => {
    const key = createTestKey();
    await store.create(key, record({ a: '1' }));
    const fits = { maxBytes: 1_000, maxKeys: 10 };
    const full = { maxBytes: 1_000, maxKeys: 1 };
    const calls: [string, () => Promise<unknown>, string][] = [
      ['patch', () => store.patch(key, patchOf({ set: { a: '2' }, limits: fits })), 'ok'],
      ['patch', () => store.patch(key, patchOf({ set: { b: '2' }, limits: full })), 'too-large'],
      ['patch', () => store.patch(createTestKey(), patchOf({ limits: fits })), 'missing'],
      ['patch', () => store.patch(key, patchOf({ set: { a: '1' } })), 'ok'],
      [
        'patchIf',
        () => store.patchIf(key, { key: 'a', value: '1' }, patchOf({ limits: fits })),
        'ok',
      ],
      [
        'patchIf',
        () =>
          store.patchIf(key, { key: 'a', value: '1' }, patchOf({ set: { b: '2' }, limits: full })),
        'too-large',
      ],
      [
        'patchIf',
        () => store.patchIf(key, { key: 'a', value: '9' }, patchOf({ limits: fits })),
        'conflict',
      ],
      [
        'patchIf',
        () => store.patchIf(createTestKey(), { key: 'a', value: '1' }, patchOf({})),
        'missing',
      ],
      [
        'rotate',
        () => store.rotate(key, createTestKey(), patchOf({ set: { b: '2' }, limits: full })),
        'too-large',
      ],
      ['rotate', () => store.rotate(key, key, patchOf({ limits: fits })), 'conflict'],
      ['rotate', () => store.rotate(createTestKey(), createTestKey(), patchOf({})), 'missing'],
      ['touch', () => store.touch(key, Date.now() + HOUR), 'ok'],
      ['create', () => store.create(createTestKey(), record({ a: '1' })), 'created'],
      ['rotate', () => store.rotate(key, createTestKey(), patchOf({ limits: fits })), 'ok'],
    ];
    for (const [name, call, expected] of calls) {
      sent.length = 0;
      expect(await call(), name).toBe(expected);
      expect(sent, `${name} → ${expected}`).toHaveLength(1);
    }
  });

  it('validates limits before any I/O; Infinity is no bound and 0 allows nothing new', async () => {
    const key = createTestKey();
    await store.create(key, record({ a: '1' }));
    sent.length = 0;
    for (const limits of [
      { maxBytes: -1, maxKeys: 10 },
      { maxBytes: Number.NaN, maxKeys: 10 },
      { maxBytes: 10, maxKeys: '10' },
      null,
    ]) {
      const error = await store
        .patch(key, { ...patchOf({}), limits: limits as unknown as RecordLimits })
        .catch((caught: unknown) => caught);
      expect(isSessionError(error, 'INVALID_VALUE'), String(error)).toBe(true);
    }
    expect(sent).toEqual([]);
    const unbounded = { maxBytes: Number.POSITIVE_INFINITY, maxKeys: Number.POSITIVE_INFINITY };
    expect(
      await store.patch(key, patchOf({ set: { b: 'x'.repeat(10_000) }, limits: unbounded })),
    ).toBe('ok');
    const nothing = { maxBytes: 0, maxKeys: 0 };
    expect(await store.patch(key, patchOf({ set: { c: '' }, limits: nothing }))).toBe('too-large');
    expect(await store.patch(key, patchOf({ remove: ['b'], limits: nothing })), 'shrinking').toBe(
      'ok',
    );
    expect(await store.patch(key, patchOf({ clear: true, limits: nothing }))).toBe('ok');
    await expectExactTotals(key, 'cleared');
    expect((await row(key))?.data_keys).toBe(0);
  });

  describe('under concurrency', () => {
    it('50 parallel patches each adding a key under maxKeys 10, on 10 connections, leave 10 keys', async () => {
      const key = createTestKey();
      await store.create(key, record({}));
      const { store: parallel } = ownStore('limits-parallel', { max: 10 });
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          parallel.patch(
            key,
            patchOf({ set: { [`k${i}`]: 'v' }, limits: { maxKeys: 10, maxBytes: 10_000 } }),
          ),
        ),
      );
      expect(results.filter((result) => result === 'ok')).toHaveLength(10);
      expect(results.filter((result) => result === 'too-large')).toHaveLength(40);
      expect((await store.load(key))?.entries.size).toBe(10);
      await expectExactTotals(key, 'after the race');
    });

    it('and by bytes, and through patchIf: never past the bound', async () => {
      const key = createTestKey();
      await store.create(key, record({}));
      const { store: parallel } = ownStore('limits-parallel-bytes', { max: 10 });
      const limits = { maxKeys: 1_000, maxBytes: 1_000 };
      // Each entry is 'bN' + 98 bytes: 100 or 101 bytes, so at most nine or ten fit.
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          i % 2 === 0
            ? parallel.patch(key, patchOf({ set: { [`b${i}`]: 'x'.repeat(98) }, limits }))
            : parallel.patchIf(
                key,
                { key: `b${i}`, value: undefined },
                patchOf({ set: { [`b${i}`]: 'x'.repeat(98) }, limits }),
              ),
        ),
      );
      expect(new Set(results)).toEqual(new Set(['ok', 'too-large']));
      const stored = measure((await store.load(key))?.entries ?? new Map());
      expect(stored.bytes).toBeLessThanOrEqual(1_000);
      expect(stored.bytes).toBeGreaterThan(900);
      expect(results.filter((result) => result === 'ok')).toHaveLength(stored.keys);
      await expectExactTotals(key, 'after the race');
    });

    /**
     * Holds the row in a transaction that runs `write`, starts `call` (which then waits on the row
     * lock), and commits once it is really waiting; returns what `call` answered.
     */
    async function behind(
      write: (tx: Sql) => Promise<unknown>,
      call: (waiting: PostgresStore) => Promise<unknown>,
    ) {
      const { store: waiting, applicationName } = ownStore('limits-lock');
      let pending: Promise<unknown> | undefined;
      await admin.begin(async (tx) => {
        await write(tx as unknown as Sql);
        pending = call(waiting);
        await waitForLockWait(admin, applicationName);
      });
      return pending;
    }

    const limits = { maxKeys: 2, maxBytes: 1_000 };
    const addKey = (tx: Sql, key: string) => tx`
      update ${tx(schema)}.sessions set updated_at = now(),
        data = data || '{"other": {"v": "o", "o": 9}}'::jsonb
      where key = ${key}
    `;

    it('a write waiting on the row lock is checked against the version committed ahead of it', async () => {
      // The committed write adds a key without maintaining the totals (as an earlier release
      // would), so the waiting statement must both re-read the row and count it afresh.
      for (const call of [
        (s: PostgresStore, key: string) => s.patch(key, patchOf({ set: { b: '2' }, limits })),
        (s: PostgresStore, key: string) =>
          s.patchIf(key, { key: 'a', value: '1' }, patchOf({ set: { b: '2' }, limits })),
        (s: PostgresStore, key: string) =>
          s.rotate(key, createTestKey(), patchOf({ set: { b: '2' }, limits })),
      ]) {
        const key = createTestKey();
        await store.create(key, record({ a: '1' }));
        const result = await behind(
          (tx) => addKey(tx, key),
          (waiting) => call(waiting, key),
        );
        expect(result).toBe('too-large');
        expect([...((await store.load(key))?.entries.keys() ?? [])]).toEqual(['a', 'other']);
      }
    });

    it('two writes that each fit alone, released together: exactly one lands', async () => {
      const key = createTestKey();
      await store.create(key, record({ a: '1' }));
      const { store: first } = ownStore('limits-first');
      const { store: second, applicationName } = ownStore('limits-second');
      let pending: Promise<unknown>[] = [];
      await admin.begin(async (tx) => {
        await tx`select 1 from ${tx(schema)}.sessions where key = ${key} for update`;
        pending = [
          first.patch(key, patchOf({ set: { b: '2' }, limits })),
          second.patchIf(key, { key: 'a', value: '1' }, patchOf({ set: { c: '3' }, limits })),
        ];
        await waitForLockWait(admin, applicationName);
      });
      const results = await Promise.all(pending);
      expect([...results].sort()).toEqual(['ok', 'too-large']);
      expect((await store.load(key))?.entries.size).toBe(2);
      await expectExactTotals(key, 'after the race');
    });

    it('behind a destroy it is missing, not too-large, and resurrects nothing', async () => {
      for (const call of [
        (s: PostgresStore, key: string) => s.patch(key, patchOf({ set: { b: '2' }, limits })),
        (s: PostgresStore, key: string) =>
          s.patchIf(key, { key: 'a', value: '1' }, patchOf({ set: { b: '2' }, limits })),
        (s: PostgresStore, key: string) =>
          s.rotate(key, createTestKey(), patchOf({ set: { b: '2' }, limits })),
      ]) {
        const key = createTestKey();
        await store.create(key, record({ a: '1', z: '1' }));
        const result = await behind(
          (tx) => tx`delete from ${tx(schema)}.sessions where key = ${key}`,
          (waiting) => call(waiting, key),
        );
        expect(result).toBe('missing');
        expect(await store.load(key)).toBeUndefined();
      }
    });
  });

  describe('upgrading a table created by the previous release (version 2)', () => {
    /** A schema migrated to version 2 only: the table as the previous release created it. */
    async function previousRelease(label: string): Promise<string> {
      const name = freshSchema(label);
      await migrate(
        { sql: admin, names: tableNames(name, 'sessions') },
        ALL_MIGRATIONS.slice(0, 2),
      );
      return name;
    }

    /** Rows as the previous release wrote them: `v` and `j` forms, empty, signed in, expired. */
    async function seedPrevious(name: string) {
      const rows = {
        mixed: createTestKey(),
        empty: createTestKey(),
        signedIn: createTestKey(),
        expired: createTestKey(),
      };
      const insert = async (key: string, data: object, extra: string, userId: string | null) => {
        await admin`
          insert into ${admin(name)}.sessions (key, data, meta, user_id, expires_at, updated_at)
          values (
            ${key}, ${JSON.stringify(data)}::text::jsonb, '{"createdAt": 1}', ${userId},
            now() + ${extra}::interval, now() - interval '1 minute'
          )
        `;
      };
      await insert(
        rows.mixed,
        {
          plain: { v: '"v"', o: 1 },
          é: { v: '😀日本', x: 1, o: 2 },
          '\u0001flash:n': { j: JSON.stringify('a\u0000\ud800\n"é'), o: 3 },
          raw: { j: '"\\u00e9\\u0800\\t"', o: 4 },
        },
        '1 hour',
        null,
      );
      await insert(rows.empty, {}, '1 hour', null);
      await insert(rows.signedIn, { user: { v: '{"id":1}', o: 1 } }, '2 hours', 'ada');
      await insert(rows.expired, { gone: { v: 'x', o: 1 } }, '-1 minute', null);
      return rows;
    }

    const columns = (name: string) => admin`
      select key, data::text, meta::text, user_id, expires_at::text, created_at::text,
        updated_at::text
      from ${admin(name)}.sessions order by key
    `;

    it('adds the columns in place, keeps every row, backfills the live ones exactly', async () => {
      const name = await previousRelease('limits_upgrade');
      const rows = await seedPrevious(name);
      const before = await columns(name);
      const upgraded = createPostgresStore(admin, { schema: name });
      await upgraded.migrate();

      const ledger = await admin`
        select version from ${admin(name)}.sessions_migrations order by version
      `;
      expect(ledger.map((entry) => entry.version)).toEqual([1, 2, 3]);
      expect(await columns(name), 'every row kept as it was, updated_at included').toEqual(before);
      for (const key of [rows.mixed, rows.empty, rows.signedIn]) {
        await expectExactTotals(key, 'backfilled', upgraded, name);
      }
      // plain 5 + "v" 3; é 2 + 😀日本 10; \u0001flash:n 8 + a␀(lone surrogate)\n"é 9 (the lone
      // surrogate counts 3, as U+FFFD); raw 3 + é\u0800\t 6.
      expect((await row(rows.mixed, name))?.data_bytes).toBe(5 + 3 + 2 + 10 + 8 + 9 + 3 + 6);
      const expired = await row(rows.expired, name);
      expect(
        { bytes: expired?.data_bytes, sized: expired?.sized_at },
        'expired: left alone',
      ).toEqual({
        bytes: null,
        sized: null,
      });

      // The limits hold on the upgraded rows, to the byte.
      const bytes = Number((await row(rows.mixed, name))?.data_bytes);
      const adding = (maxBytes: number) =>
        patchOf({ set: { n: '1' }, limits: { maxBytes, maxKeys: 10 } });
      expect(await upgraded.patch(rows.mixed, adding(bytes + 1))).toBe('too-large');
      expect(await upgraded.patch(rows.mixed, adding(bytes + 2))).toBe('ok');
      await expectExactTotals(rows.mixed, 'after a patch', upgraded, name);

      // Migrating again changes nothing.
      const settled = await admin`select * from ${admin(name)}.sessions order by key`;
      await upgraded.migrate();
      expect(await admin`select * from ${admin(name)}.sessions order by key`).toEqual(settled);
      expect(
        (await admin`select count(*)::int as n from ${admin(name)}.sessions_migrations`)[0]?.n,
      ).toBe(3);
    });

    it('with the columns added beforehand, the backfill skips rows a request holds instead of waiting', async () => {
      const name = await previousRelease('limits_upgrade_locked');
      const rows = await seedPrevious(name);
      await admin`
        alter table ${admin(name)}.sessions
          add column data_bytes integer, add column data_keys integer, add column sized_at timestamptz
      `;
      await admin.begin(async (tx) => {
        // A request (of the previous release) holds one row while the upgrade runs.
        await tx`update ${tx(name)}.sessions set updated_at = now() where key = ${rows.mixed}`;
        const client = connect({ max: 1 });
        try {
          const migrated = createPostgresStore(client, { schema: name }).migrate();
          const outcome = await Promise.race([
            migrated.then(() => 'migrated'),
            sleep(5_000).then(() => 'blocked'),
          ]);
          expect(outcome).toBe('migrated');
        } finally {
          await client.end({ timeout: 5 });
        }
      });
      const upgraded = createPostgresStore(admin, { schema: name });
      expect((await row(rows.mixed, name))?.sized_at, 'skipped').toBeNull();
      await expectExactTotals(rows.empty, 'backfilled', upgraded, name);
      // The skipped row is counted by its next write, and bounded by it.
      expect(
        await upgraded.patch(
          rows.mixed,
          patchOf({ set: { n: '1' }, limits: { maxBytes: 10, maxKeys: 10 } }),
        ),
      ).toBe('too-large');
      expect(await upgraded.patch(rows.mixed, patchOf({ set: { n: '1' } }))).toBe('ok');
      await expectExactTotals(rows.mixed, 'sized by its next write', upgraded, name);
    });

    it('three instances upgrading at once: one applies the step, all succeed', async () => {
      const name = await previousRelease('limits_upgrade_concurrent');
      const rows = await seedPrevious(name);
      const instances = Array.from({ length: 3 }, () => connect({ max: 1 }));
      try {
        const results = await Promise.allSettled(
          instances.map((client) => createPostgresStore(client, { schema: name }).migrate()),
        );
        expect(results.map((result) => result.status)).toEqual(Array(3).fill('fulfilled'));
      } finally {
        await Promise.all(instances.map((client) => client.end({ timeout: 5 })));
      }
      const ledger = await admin`
        select version from ${admin(name)}.sessions_migrations order by version
      `;
      expect(ledger.map((entry) => entry.version)).toEqual([1, 2, 3]);
      await expectExactTotals(
        rows.mixed,
        'backfilled',
        createPostgresStore(admin, { schema: name }),
        name,
      );
    });
  });
});
