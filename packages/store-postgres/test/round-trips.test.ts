import type { SessionManager } from '@sessions/core';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore, type PostgresStore } from '../src/index.js';
import { connect, databaseAvailable, dropSchema, sleep, uniqueSchema } from './support/database.js';
import { type AnyData, cookieFrom, managerFor, seedSession } from './support/engine.js';

const available = await databaseAvailable();

/**
 * What one request costs, seen twice: the statements postgres.js sends (its `debug` hook on the
 * store's own client) and, on the server, the scans and row writes Postgres counted for this
 * test's table (`pg_stat_user_tables`; the store's single backend flushes its counters on demand
 * with `pg_stat_force_next_flush()`).
 */
describe.skipIf(!available)('round trips per request', () => {
  const schema = uniqueSchema('roundtrips');
  let admin: Sql;
  let sql: Sql;
  let store: PostgresStore;
  let manager: SessionManager<AnyData>;
  const sent: string[] = [];

  interface TableStats {
    scans: number;
    inserted: number;
    updated: number;
    deleted: number;
  }

  async function tableStats(): Promise<TableStats> {
    // Flush the store's backend (one connection: max 1), then read from another.
    await sql`select pg_stat_force_next_flush()`;
    await sql`select 1`;
    const [row] = await admin`
      select
        (coalesce(seq_scan, 0) + coalesce(idx_scan, 0))::int as scans,
        n_tup_ins::int as inserted, n_tup_upd::int as updated, n_tup_del::int as deleted
      from pg_stat_user_tables where schemaname = ${schema} and relname = 'sessions'
    `;
    return row as unknown as TableStats;
  }

  /** Runs `request`, returning the statements it sent and the server's counters' deltas. */
  async function cost(request: () => Promise<unknown>) {
    const before = await stableStats();
    sent.length = 0;
    await request();
    const statements = [...sent];
    const after = await stableStats();
    return {
      statements,
      server: {
        scans: after.scans - before.scans,
        inserted: after.inserted - before.inserted,
        updated: after.updated - before.updated,
        deleted: after.deleted - before.deleted,
      },
    };
  }

  /** Stats read twice in a row with the same result (counters are flushed asynchronously). */
  async function stableStats(): Promise<TableStats> {
    let previous = await tableStats();
    for (let i = 0; i < 50; i++) {
      await sleep(50);
      const next = await tableStats();
      if (JSON.stringify(next) === JSON.stringify(previous)) return next;
      previous = next;
    }
    return previous;
  }

  beforeAll(async () => {
    admin = connect();
    sql = connect({ max: 1, debug: (_connection, query) => sent.push(query) });
    store = createPostgresStore(sql, { schema });
    await store.migrate();
    manager = managerFor(store);
    // Warm up: the connection is open and every statement prepared before counting.
    const cookie = await seedSession(manager, { warm: 1 });
    const session = manager.session(new Headers({ cookie }));
    await session.set('warm', 2);
    await session.commit();
  });

  afterAll(async () => {
    await dropSchema(admin, schema);
    await Promise.all([admin.end({ timeout: 5 }), sql.end({ timeout: 5 })]);
  });

  it('a reading request is one statement: one SELECT, one scan, nothing written', async () => {
    const cookie = await seedSession(manager, { user: 'ada', views: 1 });
    const { statements, server } = await cost(async () => {
      const session = manager.session(new Headers({ cookie }));
      expect(await session.get('user')).toBe('ada');
      expect(await session.get('views')).toBe(1);
      await session.commit();
    });
    expect(statements.length).toBe(1);
    expect(statements[0]).toMatch(/^\s*select/);
    expect(server).toEqual({ scans: 1, inserted: 0, updated: 0, deleted: 0 });
  });

  it('a changing request is one load and one write (a patch of the changed keys)', async () => {
    const cookie = await seedSession(manager, { user: 'ada', views: 1 });
    const { statements, server } = await cost(async () => {
      const session = manager.session(new Headers({ cookie }));
      const views = (await session.get('views')) as number;
      await session.set('views', views + 1);
      await session.commit();
    });
    expect(statements.length).toBe(2);
    expect(statements[0]).toMatch(/^\s*select/);
    // One statement: the UPDATE, and reads that tell missing from too-large only when it wrote
    // nothing (so an applied patch scans the table once, like a bare UPDATE).
    expect(statements[1]).toMatch(/^\s*with\s+updated as \(\s*update/);
    expect(server).toEqual({ scans: 2, inserted: 0, updated: 1, deleted: 0 });
  });

  it('a new session is one insert; a logout one delete; a regeneration one load and one statement', async () => {
    const created = await cost(async () => {
      await seedSession(manager, { user: 'grace' });
    });
    expect(created.statements.length).toBe(1);
    expect(created.server).toMatchObject({ inserted: 1, updated: 0, deleted: 0 });

    const cookie = await seedSession(manager, { user: 'grace' });
    const rotated = await cost(async () => {
      const session = manager.session(new Headers({ cookie }));
      await session.regenerate();
      await session.commit();
    });
    expect(rotated.statements.length).toBe(2);
    expect(rotated.server).toMatchObject({ inserted: 1, deleted: 1 });

    const other = await seedSession(manager, { user: 'linus' });
    const destroyed = await cost(async () => {
      const session = manager.session(new Headers({ cookie: other }));
      await session.destroy();
      await session.commit();
    });
    expect(destroyed.statements.length).toBe(1);
    expect(destroyed.server).toMatchObject({ inserted: 0, updated: 0, deleted: 1 });
  });

  it("listing a user's sessions is one SELECT, revoking them one DELETE, each one scan", async () => {
    const user = `user-${Math.random().toString(36).slice(2)}`;
    const cookies: string[] = [];
    for (const agent of ['phone', 'laptop', 'tablet']) {
      const session = manager.session(new Headers());
      await session.signIn(user, { info: { userAgent: agent } });
      cookies.push(cookieFrom(await session.commit()));
    }
    const current = () => manager.session(new Headers({ cookie: cookies[0] as string }));
    await manager.listUserSessions(user, { current: current() }); // warm-up: prepared, loaded

    const listing = await cost(async () => {
      expect(await manager.listUserSessions(user)).toHaveLength(3);
    });
    expect(listing.statements.length).toBe(1);
    expect(listing.statements[0]).toMatch(/^\s*select/);
    expect(listing.server).toEqual({ scans: 1, inserted: 0, updated: 0, deleted: 0 });

    const session = current();
    await session.get('anything'); // the current session's key is known once it is loaded
    const revoking = await cost(async () => {
      expect(await manager.revokeUserSessions(user, { except: session })).toBe(2);
    });
    expect(revoking.statements.length).toBe(1);
    expect(revoking.statements[0]).toMatch(/^\s*delete/);
    expect(revoking.server).toEqual({ scans: 1, inserted: 0, updated: 0, deleted: 2 });
  });

  it('a request that never touches its session costs nothing', async () => {
    const cookie = await seedSession(manager, { user: 'ada' });
    const { statements, server } = await cost(async () => {
      await manager.session(new Headers({ cookie })).commit();
    });
    expect(statements).toEqual([]);
    expect(server).toEqual({ scans: 0, inserted: 0, updated: 0, deleted: 0 });
  });
});
