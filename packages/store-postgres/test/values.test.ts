import type { SessionRecord, StoredEntry } from '@sessions/core';
import { createTestKey } from '@sessions/testing';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore, type PostgresStore } from '../src/index.js';
import { connect, databaseAvailable, dropSchema, uniqueSchema } from './support/database.js';
import { managerFor, seedSession } from './support/engine.js';

const available = await databaseAvailable();
const HOUR = 3_600_000;

function record(entries: [string, StoredEntry][], expiresAt = Date.now() + HOUR): SessionRecord {
  return { entries: new Map(entries), meta: { createdAt: Date.now() }, expiresAt };
}

function patchOf(
  set: [string, StoredEntry][],
  options: { remove?: string[]; clear?: boolean } = {},
) {
  return {
    set: new Map(set),
    remove: options.remove ?? [],
    clear: options.clear ?? false,
    expiresAt: Date.now() + HOUR,
  };
}

describe.skipIf(!available)('values, order and instants', () => {
  const schema = uniqueSchema('values');
  let sql: Sql;
  let store: PostgresStore;

  beforeAll(async () => {
    sql = connect();
    store = createPostgresStore(sql, { schema });
    await store.migrate();
  });

  afterAll(async () => {
    await dropSchema(sql, schema);
    await sql.end({ timeout: 5 });
  });

  it('round-trips strings with NUL and lone surrogates through the engine and the JSON codec', async () => {
    const manager = managerFor(store);
    const values = {
      nul: 'a\u0000b',
      onlyNul: '\u0000',
      escapedText: 'literal \\u0000 text',
      nested: { list: ['\u0000', 'x\u0000y'], '\u0000key': 1 },
      emoji: '😀\u0000😀',
    };
    const cookie = await seedSession(manager, values);
    expect(await manager.session(new Headers({ cookie })).getAll()).toEqual(values);
    await expect(
      manager.session(new Headers()).set('bad', 'lone \ud800 surrogate'),
      'core rejects lone surrogates at set(), identically for every store',
    ).rejects.toMatchObject({ code: 'INVALID_VALUE' });
  });

  it('stores opaque values with U+0000 or lone surrogates exactly (custom codecs)', async () => {
    const key = createTestKey();
    const hostile = ['\u0000', 'a\u0000b\u0000', '\ud800', 'x\udc00y', '\udbff\u0000', '"\u0000"'];
    const entries = hostile.map((value, i): [string, StoredEntry] => [`k${i}`, { value }]);
    expect(await store.create(key, record(entries))).toBe('created');
    const loaded = await store.load(key);
    expect([...(loaded?.entries ?? [])].map(([, entry]) => entry.value)).toEqual(hostile);
    const patched = hostile.map((value, i): [string, StoredEntry] => [
      `p${i}`,
      { value, expiresAt: Date.now() + 60_000 + i },
    ]);
    expect(await store.patch(key, patchOf(patched, { clear: true }))).toBe('ok');
    const after = await store.load(key);
    expect([...(after?.entries ?? [])]).toEqual(patched);
  });

  it('accepts engine keys with U+0001-U+001F and rejects keys Postgres cannot hold', async () => {
    const key = createTestKey();
    const names = ['\u0001flash:notice', '\u001f\t\n', '\u0002'];
    const entries = names.map((name): [string, StoredEntry] => [name, { value: name }]);
    expect(await store.create(key, record(entries))).toBe('created');
    expect([...((await store.load(key))?.entries.keys() ?? [])]).toEqual(names);
    await expect(
      store.create(createTestKey(), record([['a\u0000b', { value: '1' }]])),
    ).rejects.toMatchObject({
      code: 'INVALID_KEY',
    });
  });

  it('returns entries in insertion order, as a Map does', async () => {
    const key = createTestKey();
    const names = ['zeta', 'a', 'longer key', '0', 'b', '__proto__', '10', '9'];
    const entries = names.map((name): [string, StoredEntry] => [name, { value: name }]);
    await store.create(key, record(entries));
    const order = async () => [...((await store.load(key))?.entries.keys() ?? [])];
    expect(await order()).toEqual(names);

    // Replacing a key keeps its place; new keys go last in the patch's order; removed keys go.
    const expected = new Map(entries);
    const set: [string, StoredEntry][] = [
      ['new2', { value: 'n2' }],
      ['a', { value: 'replaced' }],
      ['new1', { value: 'n1' }],
    ];
    await store.patch(key, patchOf(set, { remove: ['zeta', '0'] }));
    expected.delete('zeta');
    expected.delete('0');
    for (const [name, entry] of set) expected.set(name, entry);
    expect(await order()).toEqual([...expected.keys()]);

    // A removed key set again later goes last.
    await store.patch(key, patchOf([['zeta', { value: 'back' }]]));
    expect((await order()).at(-1)).toBe('zeta');

    // Clear restarts the order from the patch's own.
    await store.patch(
      key,
      patchOf(
        [
          ['y', { value: '1' }],
          ['x', { value: '2' }],
        ],
        { clear: true },
      ),
    );
    expect(await order()).toEqual(['y', 'x']);

    // Rotation keeps the order too.
    const to = createTestKey();
    expect(
      await store.rotate(
        key,
        to,
        patchOf([
          ['a', { value: '3' }],
          ['y', { value: '4' }],
        ]),
      ),
    ).toBe('ok');
    expect([...((await store.load(to))?.entries.keys() ?? [])]).toEqual(['y', 'x', 'a']);
  });

  it('round-trips instants exactly: whole ms across years 1-9999, and µs fractions', async () => {
    const instants = [
      Date.now() + HOUR,
      Date.UTC(2038, 0, 19, 3, 14, 8, 1),
      Date.UTC(2106, 1, 7, 6, 28, 16, 999),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      Date.UTC(2400, 1, 29, 12, 0, 0, 1),
      Date.now() + HOUR + 0.5,
      Date.now() + HOUR + 0.001,
      ...Array.from({ length: 40 }, () =>
        Math.floor(Date.now() + Math.random() * 200_000_000_000_000),
      ),
    ].filter((instant) => instant <= Date.UTC(9999, 11, 31, 23, 59, 59, 999));
    for (const expiresAt of instants) {
      const key = createTestKey();
      const entries: [string, StoredEntry][] = [['x', { value: '1', expiresAt: expiresAt - 7.25 }]];
      const meta = { createdAt: expiresAt - 1, absoluteExpiresAt: expiresAt + 0.125 };
      await store.create(key, { entries: new Map(entries), meta, expiresAt });
      const loaded = await store.load(key);
      expect(loaded?.expiresAt, `expiresAt ${expiresAt}`).toBe(expiresAt);
      expect(loaded?.entries.get('x')?.expiresAt).toBe(expiresAt - 7.25);
      expect(loaded?.meta).toEqual(meta);
      expect(await store.touch(key, expiresAt - 1)).toBe('ok');
      expect((await store.load(key))?.expiresAt).toBe(expiresAt - 1);
    }
  });

  it('rejects instants it cannot store with INVALID_VALUE, before any I/O', async () => {
    for (const expiresAt of [Number.NaN, Number.POSITIVE_INFINITY, 8.64e15, -8.64e15]) {
      await expect(store.create(createTestKey(), record([], expiresAt))).rejects.toMatchObject({
        code: 'INVALID_VALUE',
      });
      await expect(store.touch(createTestKey(), expiresAt)).rejects.toMatchObject({
        code: 'INVALID_VALUE',
      });
    }
  });

  it('answers the README queries: live sessions, sessions by a data key, decoded values', async () => {
    const manager = managerFor(store);
    const marker = `user-${createTestKey()}`;
    await seedSession(manager, { userId: marker, roles: ['admin'] });
    await seedSession(manager, { userId: marker, roles: [] });
    await seedSession(manager, { userId: 'someone else' });

    const [live] = await sql`
      select count(*)::int as live from ${sql(schema)}.sessions where expires_at > now()
    `;
    expect(live?.live).toBeGreaterThanOrEqual(3);

    const mine = await sql`
      select key, (data->'roles'->>'v')::jsonb as roles, expires_at
      from ${sql(schema)}.sessions
      where expires_at > now() and data->'userId'->>'v' = ${JSON.stringify(marker)}
      order by created_at
    `;
    expect(mine.map((row) => row.roles)).toEqual([['admin'], []]);

    const [logout] = await sql`
      with gone as (
        delete from ${sql(schema)}.sessions
        where data->'userId'->>'v' = ${JSON.stringify(marker)}
        returning 1
      )
      select count(*)::int as n from gone
    `;
    expect(logout?.n).toBe(2);
  });
});
