import { isSessionError, type SessionMeta, type SessionRecord } from '@sessions/core';
import { createTestKey } from '@sessions/testing';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore, type PostgresStore } from '../src/index.js';
import { migrate } from '../src/migrate.js';
import { ALL_MIGRATIONS } from '../src/migrations/all-migrations.js';
import { tableNames } from '../src/sql-identifiers.js';
import { activeStatements, uniqueApplicationName, waitForLockWait } from './support/activity.js';
import { connect, databaseAvailable, dropSchema, sleep, uniqueSchema } from './support/database.js';

const available = await databaseAvailable();

const HOUR = 3_600_000;

/** Meta of a session signed in as `userId` (or anonymous). */
function meta(userId?: string): SessionMeta {
  const now = Date.now();
  return userId === undefined
    ? { createdAt: now - 100 }
    : { createdAt: now - 100, userId, userInfo: { userAgent: 'test' }, lastActiveAt: now };
}

function record(userId?: string, expiresAt = Date.now() + HOUR): SessionRecord {
  return { entries: new Map([['k', { value: '"v"' }]]), meta: meta(userId), expiresAt };
}

function patchWith(metaValue?: SessionMeta) {
  return {
    set: new Map([['p', { value: '1' }]]),
    remove: [],
    clear: false,
    meta: metaValue,
    expiresAt: Date.now() + HOUR,
  };
}

/** A user ID unique to one test. */
function user(label = 'user'): string {
  return `${label}-${createTestKey()}`;
}

/** Every `Index Name` and every `Seq Scan` relation in an EXPLAIN (FORMAT JSON) plan tree. */
function planScans(plan: unknown): { indexes: string[]; seqScans: string[] } {
  const indexes: string[] = [];
  const seqScans: string[] = [];
  const visit = (node: Record<string, unknown>) => {
    if (typeof node['Index Name'] === 'string') indexes.push(node['Index Name']);
    if (node['Node Type'] === 'Seq Scan') seqScans.push(String(node['Relation Name']));
    for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) visit(child);
  };
  visit(plan as Record<string, unknown>);
  return { indexes, seqScans };
}

describe.skipIf(!available)('the per-user session index', () => {
  const schema = uniqueSchema('userindex');
  const schemas = [schema];
  let admin: Sql;
  let store: PostgresStore;
  /** Statements the `counting` client sent (its postgres.js `debug` hook), with parameters. */
  const sent: { query: string; parameters: unknown[] }[] = [];
  let counting: Sql;
  let countingStore: PostgresStore;

  /** A fresh schema name, dropped after the file. */
  function freshSchema(label: string): string {
    const name = uniqueSchema(label);
    schemas.push(name);
    return name;
  }

  /** The `user_id` column of `key`'s row (`undefined` when there is no row). */
  async function userIdColumn(key: string, inSchema = schema): Promise<string | null | undefined> {
    const rows = await admin`
      select user_id from ${admin(inSchema)}.sessions where key = ${key}
    `;
    return rows.length === 0 ? undefined : (rows[0]?.user_id as string | null);
  }

  async function listed(userId: string, from: PostgresStore = store): Promise<string[]> {
    return (await from.listUserSessions(userId)).map((entry) => entry.key).sort();
  }

  beforeAll(async () => {
    admin = connect({ max: 6 });
    counting = connect({
      max: 1,
      debug: (_connection, query, parameters) => sent.push({ query, parameters }),
    });
    store = createPostgresStore(admin, { schema });
    countingStore = createPostgresStore(counting, { schema });
    await store.migrate();
    // Connect now: a first connection fetches array types, which would count as a statement.
    await counting`select 1`;
  });

  afterAll(async () => {
    for (const name of schemas) await dropSchema(admin, name);
    await Promise.all([admin.end({ timeout: 5 }), counting.end({ timeout: 5 })]);
  });

  describe('the user_id column', () => {
    it('is written from meta.userId by create, patch with meta and rotate, in the same statement', async () => {
      const alice = user('alice');
      const bob = user('bob');
      const bound = createTestKey();
      const anonymous = createTestKey();
      expect(await store.create(bound, record(alice))).toBe('created');
      expect(await store.create(anonymous, record())).toBe('created');
      expect(await userIdColumn(bound), 'create with a userId').toBe(alice);
      expect(await userIdColumn(anonymous), 'create without one').toBeNull();

      expect(await store.patch(anonymous, patchWith(meta(bob))), 'sign-in by patch').toBe('ok');
      expect(await userIdColumn(anonymous)).toBe(bob);
      expect(await store.patch(anonymous, patchWith(meta(alice))), 're-bind').toBe('ok');
      expect(await userIdColumn(anonymous)).toBe(alice);
      expect(await store.patch(anonymous, patchWith(meta())), 'unbind').toBe('ok');
      expect(await userIdColumn(anonymous)).toBeNull();

      const rotated = createTestKey();
      expect(await store.rotate(bound, rotated, patchWith(meta(bob))), 'rotate, re-bound').toBe(
        'ok',
      );
      expect(await userIdColumn(bound), 'the old row is gone with its entry').toBeUndefined();
      expect(await userIdColumn(rotated)).toBe(bob);
      const signedIn = createTestKey();
      expect(await store.rotate(anonymous, signedIn, patchWith(meta(alice))), 'sign-in').toBe('ok');
      expect(await userIdColumn(signedIn)).toBe(alice);
    });

    it('is left alone by patch without meta, touch and rotate without meta', async () => {
      const alice = user('alice');
      const key = createTestKey();
      await store.create(key, record(alice));
      expect(await store.patch(key, patchWith(undefined))).toBe('ok');
      expect(await userIdColumn(key), 'patch without meta').toBe(alice);
      expect(await store.touch(key, Date.now() + 2 * HOUR)).toBe('ok');
      expect(await userIdColumn(key), 'touch').toBe(alice);
      const to = createTestKey();
      expect(await store.rotate(key, to, patchWith(undefined))).toBe('ok');
      expect(await userIdColumn(to), 'rotate without meta keeps the source binding').toBe(alice);
      expect(await listed(alice)).toEqual([to]);
    });

    it('a create over an expired row replaces its binding too', async () => {
      const alice = user('alice');
      const key = createTestKey();
      await store.create(key, record(alice, Date.now() + 150));
      await sleep(250);
      expect(await listed(alice), 'expired: not listed').toEqual([]);
      expect(await store.create(key, record())).toBe('created');
      expect(await userIdColumn(key)).toBeNull();
    });

    it('is text collate "C", nullable, with a partial (user_id, expires_at) index', async () => {
      const [column] = await admin`
        select data_type, collation_name, is_nullable from information_schema.columns
        where table_schema = ${schema} and table_name = 'sessions' and column_name = 'user_id'
      `;
      expect(column).toEqual({ data_type: 'text', collation_name: 'C', is_nullable: 'YES' });
      const [index] = await admin`
        select indexdef from pg_indexes
        where schemaname = ${schema} and indexname = 'sessions_user_id_idx'
      `;
      expect(index?.indexdef).toMatch(/\(user_id, expires_at\) WHERE \(user_id IS NOT NULL\)$/);
    });
  });

  describe('statements', () => {
    it('listing is one SELECT, revoking one DELETE, with or without only / except', async () => {
      const alice = user('alice');
      const keys = [createTestKey(), createTestKey(), createTestKey(), createTestKey()];
      for (const key of keys) await store.create(key, record(alice));
      await countingStore.listUserSessions(user('warm-up'));

      const cost = async (call: () => Promise<unknown>) => {
        sent.length = 0;
        const result = await call();
        return { result, statements: sent.map((entry) => entry.query.trim().split(/\s/)[0]) };
      };
      const list = await cost(() => countingStore.listUserSessions(alice));
      expect(list.statements).toEqual(['select']);
      expect((list.result as unknown[]).length).toBe(4);
      const [a, b, c, d] = keys as [string, string, string, string];
      expect(await cost(() => countingStore.destroyUserSessions(alice, { only: [a] }))).toEqual({
        result: [a],
        statements: ['delete'],
      });
      expect(
        await cost(() => countingStore.destroyUserSessions(alice, { only: [b, c], except: c })),
      ).toEqual({ result: [b], statements: ['delete'] });
      expect(await cost(() => countingStore.destroyUserSessions(alice, { except: d }))).toEqual({
        result: [c],
        statements: ['delete'],
      });
      expect(await cost(() => countingStore.destroyUserSessions(alice))).toEqual({
        result: [d],
        statements: ['delete'],
      });
      expect(await cost(() => countingStore.destroyUserSessions(alice, { only: [] }))).toEqual({
        result: [],
        statements: ['delete'],
      });
    });

    it('user IDs are bound parameters, never SQL text, and hostile ones are exact', async () => {
      const hostile = [
        `'; drop table ${schema}.sessions; --${createTestKey()}`,
        `%_\\${createTestKey()}`,
        `$1 ${createTestKey()}`,
        `üñí 😀 ${createTestKey()}`,
      ];
      const keys = new Map<string, string>();
      for (const id of hostile) {
        const key = createTestKey();
        keys.set(id, key);
        await countingStore.create(key, record(id));
      }
      // A LIKE pattern that would match every hostile ID names nobody.
      expect(await listed('%', countingStore)).toEqual([]);
      sent.length = 0;
      for (const id of hostile) {
        expect(await listed(id, countingStore)).toEqual([keys.get(id)]);
        expect(await countingStore.destroyUserSessions(id, { except: createTestKey() })).toEqual([
          keys.get(id),
        ]);
      }
      expect(sent.length).toBe(2 * hostile.length);
      for (const { query, parameters } of sent) {
        for (const id of hostile) expect(query.includes(id), query).toBe(false);
        expect(parameters.some((parameter) => hostile.includes(String(parameter)))).toBe(true);
      }
      const [table] = await admin`select to_regclass(${`${schema}.sessions`}) is not null as ok`;
      expect(table?.ok).toBe(true);
    });

    it('input Postgres cannot hold fails with INVALID_VALUE before any I/O', async () => {
      const bad: [string, () => Promise<unknown>][] = [
        ['NUL in a listed ID', () => countingStore.listUserSessions('a\u0000b')],
        ['lone surrogate', () => countingStore.listUserSessions('a\ud800')],
        ['non-string ID', () => countingStore.destroyUserSessions(42 as unknown as string)],
        [
          'only of non-keys',
          () => countingStore.destroyUserSessions('u', { only: [1] as unknown as string[] }),
        ],
        [
          'except not a key',
          () => countingStore.destroyUserSessions('u', { except: 1 as unknown as string }),
        ],
        [
          'meta.userId with a lone surrogate',
          () => countingStore.create(createTestKey(), record('x\udc00')),
        ],
        [
          'meta.userId not a string',
          () =>
            countingStore.create(createTestKey(), {
              ...record(),
              meta: { createdAt: 1, userId: 7 as unknown as string },
            }),
        ],
      ];
      sent.length = 0;
      for (const [what, call] of bad) {
        const error = await call().catch((caught: unknown) => caught);
        expect(isSessionError(error, 'INVALID_VALUE'), `${what}: ${String(error)}`).toBe(true);
      }
      expect(sent, 'nothing sent').toEqual([]);
    });
  });

  describe('plans', () => {
    /**
     * Runs `call` on the counting client and returns the one statement it sent, EXPLAINed twice:
     * as planned for its parameters (custom plan) and as a prepared statement's generic plan,
     * which is what postgres.js's prepared statements end up running.
     */
    async function plansOf(call: () => Promise<unknown>) {
      sent.length = 0;
      await call();
      expect(sent.length).toBe(1);
      const [{ query, parameters }] = sent as [{ query: string; parameters: unknown[] }];
      const reserved = await admin.reserve();
      try {
        const [custom] = await reserved.unsafe(
          `explain (format json) ${query}`,
          parameters as string[],
        );
        await reserved.unsafe(`prepare user_index_plan as ${query}`);
        await reserved.unsafe('set plan_cache_mode = force_generic_plan');
        // EXECUTE's arguments are not type-inferred as bound parameters: quote them server-side.
        const [quoted] = await reserved`
          select string_agg(quote_literal(p.value), ', ' order by p.n) as list
          from unnest(${parameters.map(String)}::text[]) with ordinality as p(value, n)
        `;
        const [generic] = await reserved.unsafe(
          `explain (format json) execute user_index_plan(${String(quoted?.list)})`,
        );
        return [custom, generic].map((row) => {
          const explained = (row as Record<string, { Plan: unknown }[]>)['QUERY PLAN'];
          return planScans(explained?.[0]?.Plan);
        });
      } finally {
        await reserved.unsafe('deallocate user_index_plan').catch(() => {});
        await reserved.unsafe('reset plan_cache_mode').catch(() => {});
        reserved.release();
      }
    }

    /**
     * Scans of the user index Postgres counted, once the counting client's backend has flushed
     * its counters (asynchronously: polled until `atLeast` shows up, or 5 s have passed).
     */
    async function userIndexScans(atLeast = 0): Promise<number> {
      const deadline = Date.now() + 5_000;
      for (;;) {
        await counting`select pg_stat_force_next_flush()`;
        await counting`select 1`;
        const [row] = await admin`
          select coalesce(idx_scan, 0)::int as scans from pg_stat_user_indexes
          where schemaname = ${schema} and indexrelname = 'sessions_user_id_idx'
        `;
        const scans = Number(row?.scans);
        if (scans >= atLeast || Date.now() > deadline) return scans;
        await sleep(50);
      }
    }

    it('listing and revoking scan the user index, never the whole table', async () => {
      // 40,000 rows: 2,000 users with 10 sessions each, 20,000 anonymous ones; then fresh stats.
      await admin`
        insert into ${admin(schema)}.sessions (key, data, meta, user_id, expires_at)
        select
          'bulk-' || g,
          '{}'::text::jsonb,
          case when g % 2 = 0 then jsonb_build_object('createdAt', 0, 'userId', 'bulk-' || (g % 4000))
            else jsonb_build_object('createdAt', 0) end,
          case when g % 2 = 0 then 'bulk-' || (g % 4000) end,
          now() + interval '1 hour'
        from generate_series(1, 40000) g
      `;
      await admin`analyze ${admin(schema)}.sessions`;
      const target = 'bulk-42';
      expect(await listed(target)).toHaveLength(10);

      const calls: [string, () => Promise<unknown>][] = [
        ['list', () => countingStore.listUserSessions(target)],
        ['destroy', () => countingStore.destroyUserSessions(user('nobody'))],
        ['destroy only', () => countingStore.destroyUserSessions(user('nobody'), { only: ['x'] })],
        ['destroy except', () => countingStore.destroyUserSessions(user('no'), { except: 'x' })],
      ];
      for (const [what, call] of calls) {
        for (const [i, scans] of (await plansOf(call)).entries()) {
          const plan = `${what}, ${i === 0 ? 'custom' : 'generic'} plan`;
          expect(scans.indexes, plan).toContain('sessions_user_id_idx');
          expect(scans.seqScans, plan).toEqual([]);
        }
      }

      // And when they run: Postgres counts one scan of the user index per call.
      for (const call of [
        () => countingStore.listUserSessions(target),
        () => countingStore.destroyUserSessions(target, { except: 'bulk-42' }),
      ]) {
        const before = await userIndexScans();
        await call();
        expect(await userIndexScans(before + 1)).toBe(before + 1);
      }
      expect(await listed(target)).toEqual(['bulk-42']);
      await admin`delete from ${admin(schema)}.sessions where key like 'bulk-%'`;
    });
  });

  describe('concurrency and revocation', () => {
    it('a session re-bound while a revocation waits on it survives; the others are revoked', async () => {
      const alice = user('alice');
      const bob = user('bob');
      const rebound = createTestKey();
      const others = [createTestKey(), createTestKey()];
      for (const key of [rebound, ...others]) await store.create(key, record(alice));
      const applicationName = uniqueApplicationName('revoke-race');
      const sql = connect({ max: 2, connection: { application_name: applicationName } });
      try {
        const revoker = createPostgresStore(sql, { schema, timeoutMs: 10_000 });
        let revoked: Promise<string[]> | undefined;
        await admin.begin(async (tx) => {
          // An uncommitted re-bind, exactly as the store's patch writes it.
          await tx`
            update ${tx(schema)}.sessions
            set meta = ${JSON.stringify(meta(bob))}::text::jsonb, user_id = ${bob}
            where key = ${rebound}
          `;
          revoked = revoker.destroyUserSessions(alice);
          await waitForLockWait(admin, applicationName);
        });
        expect((await revoked)?.sort()).toEqual([...others].sort());
        expect(await store.load(rebound), 'the re-bound session').toBeDefined();
        expect(await listed(bob)).toEqual([rebound]);
      } finally {
        await sql.end({ timeout: 5 });
      }
    });

    it('a write queued behind a revocation finds no session; nothing is resurrected', async () => {
      const alice = user('alice');
      const key = createTestKey();
      await store.create(key, record(alice));
      const applicationName = uniqueApplicationName('revoke-write');
      const sql = connect({ max: 4, connection: { application_name: applicationName } });
      try {
        const other = createPostgresStore(sql, { schema, timeoutMs: 10_000 });
        let revoked: Promise<string[]> | undefined;
        let patched: Promise<string> | undefined;
        await admin.begin(async (tx) => {
          await tx`select 1 from ${tx(schema)}.sessions where key = ${key} for update`;
          revoked = other.destroyUserSessions(alice);
          await waitForLockWait(admin, applicationName);
          patched = other.patch(key, patchWith(meta(alice)));
          await sleep(100);
        });
        expect(await revoked).toEqual([key]);
        expect(['ok', 'missing']).toContain(await patched);
        expect(await store.load(key), 'revoked, whatever the order').toBeUndefined();
        expect(await store.patch(key, patchWith(meta(alice)))).toBe('missing');
        expect(await listed(alice)).toEqual([]);
      } finally {
        await sql.end({ timeout: 5 });
      }
    });

    it('a revocation that hits its deadline is cancelled on the server and deletes nothing', async () => {
      const alice = user('alice');
      const keys = [createTestKey(), createTestKey(), createTestKey()];
      for (const key of keys) await store.create(key, record(alice));
      const applicationName = uniqueApplicationName('revoke-deadline');
      const sql = connect({ max: 2, connection: { application_name: applicationName } });
      try {
        const hurried = createPostgresStore(sql, { schema, timeoutMs: 500 });
        await admin.begin(async (tx) => {
          // One of the user's rows is locked: the DELETE deletes the others, then waits on it.
          await tx`select 1 from ${tx(schema)}.sessions where key = ${keys[2] as string} for update`;
          const started = Date.now();
          await expect(hurried.destroyUserSessions(alice)).rejects.toThrow(/500 ms deadline/);
          expect(Date.now() - started).toBeLessThan(3_000);
          // As in the fault tests: the lock is held until the server has cancelled the statement.
          const deadline = Date.now() + 3_000;
          while ((await activeStatements(admin, applicationName)) > 0 && Date.now() < deadline) {
            await sleep(20);
          }
          expect(await activeStatements(admin, applicationName)).toBe(0);
        });
        await sleep(200);
        expect(await listed(alice), 'one statement, rolled back whole').toEqual([...keys].sort());
      } finally {
        await sql.end({ timeout: 5 });
      }
    });

    it('trusts the meta over a stale column: a row re-bound by an older release is not revoked', async () => {
      const alice = user('alice');
      const bob = user('bob');
      const key = createTestKey();
      await store.create(key, record(alice));
      // What an instance still running the previous release writes: meta only.
      await admin`
        update ${admin(schema)}.sessions set meta = ${JSON.stringify(meta(bob))}::text::jsonb
        where key = ${key}
      `;
      expect(await userIdColumn(key)).toBe(alice);
      expect(await listed(alice)).toEqual([]);
      expect(await store.destroyUserSessions(alice)).toEqual([]);
      expect(await store.load(key)).toBeDefined();
      // The next write by this release brings the column back in step.
      expect(await store.patch(key, patchWith(meta(bob)))).toBe('ok');
      expect(await listed(bob)).toEqual([key]);
    });
  });

  it("the README's post-rollout statement brings stale and missing columns in step", async () => {
    const alice = user('alice');
    const bob = user('bob');
    const [missing, stale, unbound] = [createTestKey(), createTestKey(), createTestKey()];
    for (const key of [missing, stale, unbound]) await store.create(key, record(alice));
    // As instances on the previous release leave them: meta written, user_id not.
    await admin`update ${admin(schema)}.sessions set user_id = null where key = ${missing}`;
    await admin`
      update ${admin(schema)}.sessions set meta = ${JSON.stringify(meta(bob))}::text::jsonb
      where key = ${stale}
    `;
    await admin`
      update ${admin(schema)}.sessions set meta = ${JSON.stringify(meta())}::text::jsonb
      where key = ${unbound}
    `;
    await admin`
      update ${admin(schema)}.sessions
      set user_id = case when jsonb_typeof(meta->'userId') = 'string' then meta->>'userId' end
      where expires_at > now()
        and user_id is distinct from (case when jsonb_typeof(meta->'userId') = 'string' then meta->>'userId' end)
    `;
    expect(await userIdColumn(missing)).toBe(alice);
    expect(await userIdColumn(stale)).toBe(bob);
    expect(await userIdColumn(unbound)).toBeNull();
    expect(await listed(alice)).toEqual([missing]);
    expect(await listed(bob)).toEqual([stale]);
  });

  describe('upgrading a table created by the previous release', () => {
    /** A schema migrated to version 1 only: the table as the previous release created it. */
    async function previousRelease(label: string, sql: Sql = admin): Promise<string> {
      const name = freshSchema(label);
      await migrate({ sql, names: tableNames(name, 'sessions') }, ALL_MIGRATIONS.slice(0, 1));
      return name;
    }

    /** Rows as the previous release wrote them (no user_id column to write). */
    async function seedPrevious(name: string) {
      const rows = {
        alice1: createTestKey(),
        alice2: createTestKey(),
        aliceExpired: createTestKey(),
        anonymous: createTestKey(),
        numericUser: createTestKey(),
      };
      const insert = async (key: string, metaValue: object, expires: string) => {
        await admin`
          insert into ${admin(name)}.sessions (key, data, meta, expires_at)
          values (
            ${key}, '{"k": {"v": "\\"v\\"", "o": 1}}'::jsonb, ${JSON.stringify(metaValue)}::text::jsonb,
            now() + ${expires}::interval
          )
        `;
      };
      await insert(rows.alice1, meta('alice'), '1 hour');
      await insert(rows.alice2, meta('alice'), '2 hours');
      await insert(rows.aliceExpired, meta('alice'), '-1 minute');
      await insert(rows.anonymous, meta(), '1 hour');
      await insert(rows.numericUser, { createdAt: 1, userId: 7 }, '1 hour');
      return rows;
    }

    it('adds the column and index in place, keeps every row, backfills live signed-in ones', async () => {
      const name = await previousRelease('upgrade');
      const rows = await seedPrevious(name);
      const before = await admin`
        select key, data::text, meta::text, expires_at::text from ${admin(name)}.sessions
        order by key
      `;
      const upgraded = createPostgresStore(admin, { schema: name });
      await upgraded.migrate();

      const ledger = await admin`
        select version from ${admin(name)}.sessions_migrations order by version
      `;
      expect(ledger.map((row) => row.version)).toEqual([1, 2, 3]);
      const after = await admin`
        select key, data::text, meta::text, expires_at::text from ${admin(name)}.sessions
        order by key
      `;
      expect(after, 'every row kept as it was').toEqual(before);
      expect(await userIdColumn(rows.alice1, name)).toBe('alice');
      expect(await userIdColumn(rows.alice2, name)).toBe('alice');
      expect(await userIdColumn(rows.aliceExpired, name), 'expired: left alone').toBeNull();
      expect(await userIdColumn(rows.anonymous, name)).toBeNull();
      expect(await userIdColumn(rows.numericUser, name), 'not a string user ID').toBeNull();
      const indexes = await admin`
        select indexname from pg_indexes
        where schemaname = ${name} and tablename = 'sessions' order by indexname
      `;
      expect(indexes.map((row) => row.indexname)).toEqual([
        'sessions_expires_at_idx',
        'sessions_pkey',
        'sessions_user_id_idx',
      ]);

      // Sessions signed in before the upgrade are listed and revocable after it.
      expect(await listed('alice', upgraded)).toEqual([rows.alice1, rows.alice2].sort());
      expect((await upgraded.load(rows.alice1))?.entries.get('k')).toEqual({ value: '"v"' });
      expect((await upgraded.destroyUserSessions('alice')).sort()).toEqual(
        [rows.alice1, rows.alice2].sort(),
      );
      expect(await upgraded.load(rows.anonymous)).toBeDefined();

      // Migrating again changes nothing.
      await upgraded.migrate();
      expect(
        (await admin`select count(*)::int as n from ${admin(name)}.sessions_migrations`)[0]?.n,
      ).toBe(3);
    });

    it('stops, recording nothing, when another index holds the name (an old README suggestion)', async () => {
      const name = await previousRelease('upgrade_squatter');
      await seedPrevious(name);
      await admin`
        create index sessions_user_id_idx on ${admin(name)}.sessions ((data->'userId'->>'v'))
      `;
      const upgraded = createPostgresStore(admin, { schema: name });
      await expect(upgraded.migrate()).rejects.toThrow(/sessions_user_id_idx already exists/);
      const ledger = await admin`
        select version from ${admin(name)}.sessions_migrations order by version
      `;
      expect(
        ledger.map((row) => row.version),
        'nothing recorded',
      ).toEqual([1]);
      const [column] = await admin`
        select count(*)::int as n from information_schema.columns
        where table_schema = ${name} and table_name = 'sessions' and column_name = 'user_id'
      `;
      expect(column?.n, 'the whole step rolled back').toBe(0);
      await admin`alter index ${admin(name)}.sessions_user_id_idx rename to sessions_data_user_id_idx`;
      await upgraded.migrate();
      expect(await listed('alice', upgraded)).toHaveLength(2);
    });

    it('three instances upgrading at once: one applies the step, all succeed', async () => {
      const name = await previousRelease('upgrade_concurrent');
      await seedPrevious(name);
      const clients = Array.from({ length: 3 }, () => connect({ max: 1 }));
      try {
        const results = await Promise.allSettled(
          clients.map((sql) => createPostgresStore(sql, { schema: name }).migrate()),
        );
        expect(results.map((result) => result.status)).toEqual(Array(3).fill('fulfilled'));
        const ledger = await admin`
          select version from ${admin(name)}.sessions_migrations order by version
        `;
        expect(ledger.map((row) => row.version)).toEqual([1, 2, 3]);
      } finally {
        await Promise.all(clients.map((sql) => sql.end({ timeout: 5 })));
      }
    });

    it('with the column and index made beforehand (concurrently), the upgrade does not block writes', async () => {
      const name = await previousRelease('upgrade_prepared');
      const rows = await seedPrevious(name);
      // What the README suggests for a large table, before deploying the new release.
      await admin`alter table ${admin(name)}.sessions add column user_id text collate "C"`;
      await admin.unsafe(
        `create index concurrently sessions_user_id_idx on "${name}".sessions (user_id, expires_at) where user_id is not null`,
      );
      // And migration 3's columns (see the README's "Size limits").
      await admin`
        alter table ${admin(name)}.sessions
          add column data_bytes integer, add column data_keys integer, add column sized_at timestamptz
      `;
      // A request's write stays open on the table while the upgrade runs: the upgrade must not
      // need a lock that conflicts with it (ALTER TABLE or CREATE INDEX would wait for it).
      await admin.begin(async (tx) => {
        await tx`
          update ${tx(name)}.sessions set updated_at = now() where key = ${rows.anonymous}
        `;
        const sql = connect({ max: 1 });
        try {
          const migrated = createPostgresStore(sql, { schema: name }).migrate();
          const outcome = await Promise.race([
            migrated.then(() => 'migrated'),
            sleep(5_000).then(() => 'blocked'),
          ]);
          expect(outcome).toBe('migrated');
        } finally {
          await sql.end({ timeout: 5 });
        }
      });
      expect(await userIdColumn(rows.alice1, name), 'backfilled').toBe('alice');
      expect(await listed('alice', createPostgresStore(admin, { schema: name }))).toEqual(
        [rows.alice1, rows.alice2].sort(),
      );
    });
  });
});
