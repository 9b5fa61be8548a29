import type { SessionRecord } from '@sessions/core';
import { createTestKey, describeStoreConformance } from '@sessions/testing';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from '../src/index.js';
import { connect, databaseAvailable, dropSchema, sleep, uniqueSchema } from './support/database.js';

const available = await databaseAvailable();

/**
 * Zones far from UTC on both sides, one with a half-hour offset and one with DST. The `DateStyle`
 * is changed as well, to prove no instant is ever parsed or printed in the session's style.
 */
const ZONES = [
  { TimeZone: 'America/Los_Angeles', DateStyle: 'SQL, DMY' },
  { TimeZone: 'Asia/Kolkata', DateStyle: 'German, DMY' },
  { TimeZone: 'Pacific/Kiritimati', DateStyle: 'Postgres, MDY' },
] as const;

describe.skipIf(!available)('non-UTC connections', () => {
  const schema = uniqueSchema('timezone');
  let utc: Sql;

  beforeAll(async () => {
    utc = connect({ connection: { TimeZone: 'UTC' } });
    await createPostgresStore(utc, { schema }).migrate();
  });

  afterAll(async () => {
    await dropSchema(utc, schema);
    await utc.end({ timeout: 5 });
  });

  for (const zone of ZONES) {
    describe(`TimeZone=${zone.TimeZone}, DateStyle=${zone.DateStyle}`, () => {
      let sql: Sql;

      beforeAll(async () => {
        sql = connect({ connection: zone });
        const [row] = await sql`select current_setting('TimeZone') as tz`;
        expect(row?.tz, 'the connection really uses the zone').toBe(zone.TimeZone);
      });

      afterAll(async () => {
        await sql.end({ timeout: 5 });
      });

      it('a record expiring in 2 s is live now, round-trips exactly, and expires on time', async () => {
        const store = createPostgresStore(sql, { schema });
        const key = createTestKey();
        const now = Date.now();
        const record: SessionRecord = {
          entries: new Map([['a', { value: '"x"', expiresAt: now + 1_500 }]]),
          meta: { createdAt: now, absoluteExpiresAt: now + 86_400_000 },
          expiresAt: now + 2_000,
        };
        expect(await store.create(key, record)).toBe('created');
        const loaded = await store.load(key);
        expect(loaded, 'live right after create').toBeDefined();
        expect(loaded?.expiresAt).toBe(record.expiresAt);
        expect(loaded?.entries.get('a')).toEqual({ value: '"x"', expiresAt: now + 1_500 });
        expect(loaded?.meta).toEqual(record.meta);

        // A UTC connection sees the very same instants in the table.
        const utcStore = createPostgresStore(utc, { schema });
        expect((await utcStore.load(key))?.expiresAt).toBe(record.expiresAt);
        const [stored] = await utc`
          select (extract(epoch from expires_at) * 1000)::float8 as ms
          from ${utc(schema)}.sessions where key = ${key}
        `;
        expect(stored?.ms).toBe(record.expiresAt);

        // Touch moves it by exactly what was asked; it then expires at that instant, not hours off.
        const touchedTo = Date.now() + 400;
        expect(await store.touch(key, touchedTo)).toBe('ok');
        expect((await store.load(key))?.expiresAt).toBe(touchedTo);
        await sleep(touchedTo - Date.now() + 100);
        expect(await store.load(key), 'absent once its expiresAt has passed').toBeUndefined();
        expect(await store.touch(key, Date.now() + 60_000)).toBe('missing');
        expect(await store.deleteExpired()).toBeGreaterThanOrEqual(1);
        expect(await utcStore.load(key)).toBeUndefined();
      });

      it('a record written through UTC is read identically, and deleteExpired keeps live ones', async () => {
        const store = createPostgresStore(sql, { schema });
        const utcStore = createPostgresStore(utc, { schema });
        const key = createTestKey();
        const expiresAt = Date.now() + 2_000;
        await utcStore.create(key, {
          entries: new Map(),
          meta: { createdAt: Date.now() },
          expiresAt,
        });
        expect((await store.load(key))?.expiresAt).toBe(expiresAt);
        await store.deleteExpired();
        expect((await store.load(key))?.expiresAt, 'still live after deleteExpired').toBe(
          expiresAt,
        );
      });
    });
  }

  // The whole contract again, on the zone furthest from UTC.
  describe('conformance on Pacific/Kiritimati (UTC+14)', () => {
    let sql: Sql;
    let tables = 0;
    beforeAll(() => {
      sql = connect({ max: 8, connection: { TimeZone: 'Pacific/Kiritimati' } });
    });
    afterAll(async () => {
      await sql.end({ timeout: 5 });
    });
    describeStoreConformance({
      name: 'postgres, TimeZone=Pacific/Kiritimati',
      // A table per test: the count group checks absolute numbers (dropped with the schema).
      createStore: async () => {
        const store = createPostgresStore(sql, { schema, table: `t${++tables}` });
        await store.migrate();
        return { store, usesClock: false };
      },
    });
  });
});
