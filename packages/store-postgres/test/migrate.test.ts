import { isSessionError } from '@sessions/core';
import { createTestKey } from '@sessions/testing';
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from '../src/index.js';
import { connect, databaseAvailable, dropSchema, uniqueSchema } from './support/database.js';

const available = await databaseAvailable();

const liveRecord = () => ({
  entries: new Map([['a', { value: '1' }]]),
  meta: { createdAt: Date.now() },
  expiresAt: Date.now() + 60_000,
});

describe.skipIf(!available)('migrate', () => {
  let admin: Sql;
  const schemas: string[] = [];

  /** A fresh schema name, dropped after the file. */
  function freshSchema(label: string): string {
    const schema = uniqueSchema(label);
    schemas.push(schema);
    return schema;
  }

  /** What the catalog says about `schema`: tables, index on expires_at, ledger rows. */
  async function describeSchema(schema: string) {
    const tables = await admin`
      select table_name from information_schema.tables
      where table_schema = ${schema} order by table_name
    `;
    const indexes = await admin`
      select indexname, indexdef from pg_indexes
      where schemaname = ${schema} and tablename = 'sessions' order by indexname
    `;
    const ledger = await admin`
      select version, name from ${admin(schema)}.sessions_migrations order by version
    `;
    return {
      tables: tables.map((row) => row.table_name),
      indexes: indexes.map((row) => row.indexname),
      ledger: ledger.map((row) => row.version),
    };
  }

  beforeAll(() => {
    admin = connect();
  });

  afterAll(async () => {
    for (const schema of schemas) await dropSchema(admin, schema);
    await admin.end({ timeout: 5 });
  });

  it('five clients migrating at once all succeed; the schema is created once, recorded once', async () => {
    const schema = freshSchema('concurrent');
    const clients = Array.from({ length: 5 }, () => connect({ max: 1 }));
    try {
      const results = await Promise.allSettled(
        clients.map((sql) => createPostgresStore(sql, { schema }).migrate()),
      );
      expect(results.map((result) => result.status)).toEqual(Array(5).fill('fulfilled'));
      expect(await describeSchema(schema)).toEqual({
        tables: ['sessions', 'sessions_migrations'],
        indexes: ['sessions_expires_at_idx', 'sessions_pkey', 'sessions_user_id_idx'],
        ledger: [1, 2, 3],
      });
      // Every client can use the table right away.
      for (const sql of clients) {
        expect(
          await createPostgresStore(sql, { schema }).create(createTestKey(), liveRecord()),
        ).toBe('created');
      }
    } finally {
      await Promise.all(clients.map((sql) => sql.end({ timeout: 5 })));
    }
  });

  it('is idempotent, and resolving means the table exists', async () => {
    const schema = freshSchema('idempotent');
    const store = createPostgresStore(admin, { schema, table: 'sessions' });
    await store.migrate();
    await store.migrate();
    await store.migrate();
    expect((await describeSchema(schema)).ledger).toEqual([1, 2, 3]);
    const [table] = await admin`select to_regclass(${`${schema}.sessions`}) is not null as exists`;
    expect(table?.exists).toBe(true);
  });

  it('rejects (never reports success) when the ledger says migrated but the table is gone', async () => {
    const schema = freshSchema('dropped');
    const store = createPostgresStore(admin, { schema });
    await store.migrate();
    await admin`drop table ${admin(schema)}.sessions`;
    await expect(store.migrate()).rejects.toThrow(/does not exist/);
  });

  it('rejects when the DDL fails, and records nothing', async () => {
    const schema = freshSchema('blocked');
    await admin`create schema ${admin(schema)}`;
    await admin`create view ${admin(schema)}.sessions as select 1 as squatter`;
    await expect(createPostgresStore(admin, { schema }).migrate()).rejects.toThrow();
    const [ledger] = await admin`
      select count(*)::int as n from ${admin(schema)}.sessions_migrations
    `.catch(() => [{ n: 0 }]);
    expect(ledger?.n ?? 0).toBe(0);
  });

  it('migrate: true migrates before the first operation, once, and retries after a failure', async () => {
    const schema = freshSchema('auto');
    await admin`create schema ${admin(schema)}`;
    await admin`create view ${admin(schema)}.sessions as select 1 as squatter`;
    const statements: string[] = [];
    const sql = connect({ debug: (_connection, query) => statements.push(query) });
    try {
      const store = createPostgresStore(sql, { schema, migrate: true, timeoutMs: 10_000 });
      expect(statements, 'creating a store sends nothing').toEqual([]);
      const error = await store.load(createTestKey()).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Error);
      await admin`drop view ${admin(schema)}.sessions`;
      // The failure was not cached: the next operation migrates and succeeds.
      const key = createTestKey();
      expect(await store.create(key, liveRecord())).toBe('created');
      statements.length = 0;
      expect(await store.load(key)).toBeDefined();
      expect(await store.touch(key, Date.now() + 60_000)).toBe('ok');
      expect(statements.length, 'no migration once it has succeeded').toBe(2);
      expect((await describeSchema(schema)).ledger).toEqual([1, 2, 3]);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });

  it('a custom schema and table name are used as given, with derived names beside them', async () => {
    const schema = freshSchema('custom');
    const store = createPostgresStore(admin, { schema, table: 'web_sessions_v2' });
    await store.migrate();
    expect(await store.create(createTestKey(), liveRecord())).toBe('created');
    const tables = await admin`
      select table_name from information_schema.tables where table_schema = ${schema}
      order by table_name
    `;
    expect(tables.map((row) => row.table_name)).toEqual([
      'web_sessions_v2',
      'web_sessions_v2_migrations',
    ]);
    expect(store.schema).toBe(schema);
    expect(store.table).toBe('web_sessions_v2');
  });
});

describe('options', () => {
  // No query is sent while validating options, so these run without a database.
  const sql = postgres('postgres://nobody@127.0.0.1:1/none', { max: 1 });
  afterAll(() => sql.end({ timeout: 0 }));

  it.each([
    ['schema', { schema: 'public"; drop table users; --' }],
    ['schema', { schema: 'Public' }],
    ['schema', { schema: '' }],
    ['schema', { schema: 'a.b' }],
    ['schema', { schema: 'x'.repeat(64) }],
    ['table', { table: '1sessions' }],
    ['table', { table: 'sessions-table' }],
    ['table', { table: 'x'.repeat(49) }],
    ['table', { table: 'séssions' }],
    ['timeoutMs', { timeoutMs: 0 }],
    ['timeoutMs', { timeoutMs: -1 }],
    ['timeoutMs', { timeoutMs: Number.NaN }],
    ['timeoutMs', { timeoutMs: Number.POSITIVE_INFINITY }],
    ['timeoutMs', { timeoutMs: '2000' as unknown as number }],
    ['migrate', { migrate: 'yes' as unknown as boolean }],
  ])('rejects a bad %s with MISCONFIGURED: %o', (_name, options) => {
    let thrown: unknown;
    try {
      createPostgresStore(sql, options);
    } catch (error) {
      thrown = error;
    }
    expect(isSessionError(thrown, 'MISCONFIGURED'), String(thrown)).toBe(true);
  });

  it('accepts the longest names and the defaults', () => {
    const store = createPostgresStore(sql, { schema: 's'.repeat(63), table: 't'.repeat(48) });
    expect(store.name).toBe('postgres');
    expect(createPostgresStore(sql).schema).toBe('public');
    expect(createPostgresStore(sql).table).toBe('sessions');
    expect(createPostgresStore(sql).capabilities).toEqual({
      atomicRotate: true,
      deleteExpired: true,
      userIndex: true,
      conditionalPatch: true,
      recordLimits: true,
      binaryValues: true,
      count: 'exact',
    });
  });

  it("works with postgres.js's built-in transforms, rejects a transform that renames tables", () => {
    for (const transform of [postgres.camel, postgres.kebab, postgres.pascal]) {
      const client = postgres('postgres://nobody@127.0.0.1:1/none', { transform });
      expect(() => createPostgresStore(client, { table: 'web_sessions' })).not.toThrow();
      void client.end({ timeout: 0 });
    }
    const renaming = postgres('postgres://nobody@127.0.0.1:1/none', {
      transform: { column: { to: (name: string) => `app_${name}` } },
    });
    expect(() => createPostgresStore(renaming)).toThrow(/transform/);
    void renaming.end({ timeout: 0 });
  });
});
