import { isSessionError, type SessionPatch } from '@sessions/core';
import { createTestKey } from '@sessions/testing';
import postgres, { type Sql } from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore, type PostgresStore } from '../src/index.js';
import { activeStatements, uniqueApplicationName, waitForLockWait } from './support/activity.js';
import {
  connect,
  DATABASE_URL,
  databaseAvailable,
  dropSchema,
  sleep,
  uniqueSchema,
} from './support/database.js';
import { managerFor, seedSession } from './support/engine.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

const available = await databaseAvailable();

const patchSetting = (name: string): SessionPatch => ({
  set: new Map([[name, { value: `"${name}"` }]]),
  remove: [],
  clear: false,
  expiresAt: Date.now() + 3_600_000,
});

/** Settles `promise` and reports how long it took and what it gave. */
async function timed<T>(promise: Promise<T>) {
  const start = Date.now();
  try {
    return { ok: true as const, value: await promise, ms: Date.now() - start };
  } catch (error) {
    return { ok: false as const, error, ms: Date.now() - start };
  }
}

describe.skipIf(!available)('faults', () => {
  const schema = uniqueSchema('faults');
  let admin: Sql;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  const clients: Sql[] = [];

  /** A client whose backends carry a unique application_name, ended after the file. */
  function client(label: string, options: Parameters<typeof connect>[0] = {}) {
    const applicationName = uniqueApplicationName(label);
    const sql = connect({ ...options, connection: { application_name: applicationName } });
    clients.push(sql);
    return { sql, applicationName };
  }

  /** Runs `during` while another transaction holds `mode` on the table or a row lock on `key`. */
  async function whileLocked(
    lock: { table: true } | { key: string },
    during: () => Promise<void>,
  ): Promise<void> {
    await admin.begin(async (tx) => {
      if ('table' in lock) {
        await tx`lock table ${tx(schema)}.sessions in access exclusive mode`;
      } else {
        await tx`select 1 from ${tx(schema)}.sessions where key = ${lock.key} for update`;
      }
      await during();
    });
  }

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    admin = connect({ max: 6 });
    await createPostgresStore(admin, { schema }).migrate();
  });

  afterEach(async () => {
    // Give late rejections (cancelled queries, cancel requests) time to surface.
    await sleep(200);
    expect(unhandled.splice(0), 'unhandled rejections').toEqual([]);
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await Promise.all(clients.map((sql) => sql.end({ timeout: 1 })));
    await dropSchema(admin, schema);
    await admin.end({ timeout: 5 });
  });

  it('pg_terminate_backend mid-load: that request gets STORE_UNAVAILABLE, the next one works', async () => {
    const { sql, applicationName } = client('terminate', { max: 2 });
    const store = createPostgresStore(sql, { schema, timeoutMs: 10_000 });
    const manager = managerFor(store);
    const cookie = await seedSession(manager, { user: 'ada' });

    let inFlight: ReturnType<typeof timed<unknown>> | undefined;
    await whileLocked({ table: true }, async () => {
      inFlight = timed(manager.session(new Headers({ cookie })).get('user'));
      await waitForLockWait(admin, applicationName);
      const killed = await admin`
        select pg_terminate_backend(pid) as done from pg_stat_activity
        where application_name = ${applicationName}
      `;
      expect(killed.length).toBeGreaterThan(0);
      const outcome = await inFlight;
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) {
        expect(isSessionError(outcome.error, 'STORE_UNAVAILABLE'), String(outcome.error)).toBe(
          true,
        );
        expect(outcome.ms).toBeLessThan(5_000);
      }
    });

    // The client reconnects on its own: the next request reads the session.
    expect(await manager.session(new Headers({ cookie })).get('user')).toBe('ada');
  });

  it('a write blocked by a row lock hits the deadline, is cancelled on the server, applies nothing', async () => {
    const { sql, applicationName } = client('deadline', { max: 2 });
    const store = createPostgresStore(sql, { schema, timeoutMs: 500 });
    const manager = managerFor(store);
    const cookie = await seedSession(manager, { user: 'ada' });
    const key = (
      await admin`
      select key from ${admin(schema)}.sessions where data->'user'->>'v' = '"ada"'
      order by created_at desc limit 1
    `
    )[0]?.key as string;

    await whileLocked({ key }, async () => {
      const session = manager.session(new Headers({ cookie }));
      expect(await session.get('user')).toBe('ada'); // a read is not blocked by a row lock
      await session.set('late', 'write');
      const outcome = await timed(session.commit());
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) {
        expect(isSessionError(outcome.error, 'STORE_UNAVAILABLE'), String(outcome.error)).toBe(
          true,
        );
        expect(String((outcome.error as Error).cause)).toMatch(/500 ms deadline/);
      }
      // The deadline is the feature under test: 500 ms, plus generous slack for a loaded machine.
      expect(outcome.ms).toBeGreaterThanOrEqual(450);
      expect(outcome.ms).toBeLessThan(3_000);
      // Cancelled on the server, not merely abandoned: nothing of ours is still running.
      const deadline = Date.now() + 3_000;
      while ((await activeStatements(admin, applicationName)) > 0 && Date.now() < deadline) {
        await sleep(20);
      }
      expect(await activeStatements(admin, applicationName)).toBe(0);
    });

    // The lock is gone and the cancelled patch never applied.
    await sleep(100);
    const loaded = await store.load(key);
    expect(loaded?.entries.has('late')).toBe(false);
    expect(await store.patch(key, patchSetting('after'))).toBe('ok');
  });

  it('a load blocked behind an exclusive lock hits the deadline too', async () => {
    const { sql } = client('load-deadline', { max: 2 });
    const store = createPostgresStore(sql, { schema, timeoutMs: 500 });
    await whileLocked({ table: true }, async () => {
      const outcome = await timed(store.load(createTestKey()));
      expect(outcome.ok).toBe(false);
      expect(outcome.ms).toBeLessThan(3_000);
    });
    expect(await store.load(createTestKey())).toBeUndefined();
  });

  it('50 parallel operations on a pool of 2 complete; blocked, they fail within the deadline; then the pool works', async () => {
    const { sql, applicationName } = client('pool', { max: 2 });
    const store = createPostgresStore(sql, { schema, timeoutMs: 2_000 });
    const key = createTestKey();
    await store.create(key, {
      entries: new Map(),
      meta: { createdAt: Date.now() },
      expiresAt: Date.now() + 3_600_000,
    });
    const burst = (s: PostgresStore, round: string) =>
      Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          timed<unknown>(i % 2 === 0 ? s.load(key) : s.patch(key, patchSetting(`${round}-${i}`))),
        ),
      );

    const free = await burst(store, 'free');
    expect(free.filter((outcome) => !outcome.ok)).toEqual([]);
    const after = await store.load(key);
    for (let i = 1; i < 50; i += 2) expect(after?.entries.has(`free-${i}`)).toBe(true);

    const tight = createPostgresStore(sql, { schema, timeoutMs: 500 });
    await whileLocked({ table: true }, async () => {
      const start = Date.now();
      const blocked = await burst(tight, 'blocked');
      expect(blocked.filter((outcome) => outcome.ok)).toEqual([]);
      expect(Date.now() - start, 'every operation gave up within its deadline').toBeLessThan(3_000);
    });
    const deadline = Date.now() + 3_000;
    while ((await activeStatements(admin, applicationName)) > 0 && Date.now() < deadline) {
      await sleep(20);
    }
    await sleep(200);
    const recovered = await burst(store, 'recovered');
    expect(recovered.filter((outcome) => !outcome.ok)).toEqual([]);
    const final = await store.load(key);
    for (let i = 1; i < 50; i += 2) {
      expect(final?.entries.has(`blocked-${i}`), `blocked-${i} was cancelled`).toBe(false);
      expect(final?.entries.has(`recovered-${i}`)).toBe(true);
    }
  });

  describe('through a proxy that can break the network', () => {
    let proxy: TcpProxy;

    beforeAll(async () => {
      proxy = await startTcpProxy(Number(new URL(DATABASE_URL).port || 5432));
    });

    afterAll(async () => {
      await proxy.close();
    });

    function proxied(label: string) {
      const url = new URL(DATABASE_URL);
      url.host = `127.0.0.1:${proxy.port}`;
      const sql = postgres(url.toString(), {
        onnotice: () => {},
        max: 2,
        connect_timeout: 2,
        connection: { application_name: uniqueApplicationName(label) },
      });
      clients.push(sql);
      return sql;
    }

    it('a dropped connection mid-load: STORE_UNAVAILABLE, and the next request works', async () => {
      const store = createPostgresStore(proxied('drop'), { schema, timeoutMs: 10_000 });
      const manager = managerFor(store);
      const cookie = await seedSession(manager, { user: 'grace' });
      await whileLocked({ table: true }, async () => {
        const inFlight = timed(manager.session(new Headers({ cookie })).get('user'));
        await sleep(200);
        proxy.cutAll();
        const outcome = await inFlight;
        expect(outcome.ok).toBe(false);
        if (!outcome.ok) {
          expect(isSessionError(outcome.error, 'STORE_UNAVAILABLE')).toBe(true);
        }
      });
      expect(await manager.session(new Headers({ cookie })).get('user')).toBe('grace');
    });

    it('a server that stops answering: every request fails within the deadline, none hangs', async () => {
      const store = createPostgresStore(proxied('partition'), { schema, timeoutMs: 500 });
      const manager = managerFor(store);
      const cookie = await seedSession(manager, { user: 'linus' });
      proxy.blackhole();
      try {
        const start = Date.now();
        const outcomes = await Promise.all(
          Array.from({ length: 10 }, () =>
            timed(manager.session(new Headers({ cookie })).get('user')),
          ),
        );
        for (const outcome of outcomes) {
          expect(outcome.ok).toBe(false);
          if (!outcome.ok) expect(isSessionError(outcome.error, 'STORE_UNAVAILABLE')).toBe(true);
        }
        expect(Date.now() - start).toBeLessThan(3_000);
      } finally {
        proxy.heal();
        // The partition ends the way TCP ends such connections: they are reset.
        proxy.cutAll();
      }
      await sleep(100);
      expect(await manager.session(new Headers({ cookie })).get('user')).toBe('linus');
    });

    it('loads that time out while the client is still connecting: after the partition heals, the store serves again', async () => {
      // Regression: cancelling a query that a connecting connection holds as its first query
      // left that connection stuck (postgres.js skips a cancelled first query once connected and
      // never reports the connection as open), so every later query waited forever.
      const store = createPostgresStore(proxied('connecting'), { schema, timeoutMs: 500 });
      const key = createTestKey();
      await store.create(key, {
        entries: new Map(),
        meta: { createdAt: Date.now() },
        expiresAt: Date.now() + 3_600_000,
      });
      // A partition: the open connections are reset, new ones connect to nothing that answers.
      proxy.blackhole();
      proxy.cutAll();
      try {
        // The write goes first, so a connecting connection holds it: it runs once the network
        // heals, after its deadline, and must change nothing.
        const outcomes = await Promise.all([
          timed<unknown>(store.patch(key, patchSetting('partitioned'))),
          timed<unknown>(store.load(key)),
          timed<unknown>(store.load(key)),
        ]);
        for (const outcome of outcomes) {
          expect(outcome.ok).toBe(false);
          if (!outcome.ok) expect(outcome.ms).toBeLessThan(3_000);
        }
      } finally {
        proxy.heal();
        proxy.cutAll();
      }
      // Every later operation succeeds within its deadline, loads and writes alike.
      for (let round = 0; round < 3; round++) {
        const loads = await Promise.all(Array.from({ length: 4 }, () => timed(store.load(key))));
        expect(loads.filter((outcome) => !outcome.ok)).toEqual([]);
        const write = await timed(store.patch(key, patchSetting(`healed-${round}`)));
        expect(write.ok && write.value, String(!write.ok && write.error)).toBe('ok');
      }
      const loaded = await store.load(key);
      expect(loaded?.entries.has('partitioned'), 'the timed-out write applied late').toBe(false);
      for (let round = 0; round < 3; round++) {
        expect(loaded?.entries.has(`healed-${round}`)).toBe(true);
      }
    });

    it('unreachable mid-query: deadline errors, and the failing cancel requests are handled', async () => {
      // A proxy of its own, so it can stop listening: the cancel requests the deadline sends
      // then fail (connection refused), which must not become unhandled rejections.
      const own = await startTcpProxy(Number(new URL(DATABASE_URL).port || 5432));
      const url = new URL(DATABASE_URL);
      url.host = `127.0.0.1:${own.port}`;
      const sql = postgres(url.toString(), { onnotice: () => {}, max: 2, connect_timeout: 2 });
      clients.push(sql);
      try {
        const store = createPostgresStore(sql, { schema, timeoutMs: 300 });
        expect(await store.load(createTestKey())).toBeUndefined();
        own.blackhole();
        await own.refuseNew();
        const outcomes = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            timed<unknown>(i % 2 ? store.load(createTestKey()) : store.destroy(createTestKey())),
          ),
        );
        expect(outcomes.filter((outcome) => outcome.ok)).toEqual([]);
        // Let the cancel requests fail.
        await sleep(500);
      } finally {
        own.cutAll();
        await own.close();
      }
    });

    it('a server that refuses connections: STORE_UNAVAILABLE at once', async () => {
      const sql = postgres('postgres://postgres@127.0.0.1:1/test', { max: 1, connect_timeout: 2 });
      clients.push(sql);
      const manager = managerFor(createPostgresStore(sql, { schema }));
      const outcome = await timed(
        manager
          .session(
            new Headers({
              cookie: await seedSession(managerFor(createPostgresStore(admin, { schema })), {
                a: 1,
              }),
            }),
          )
          .get('a'),
      );
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) expect(isSessionError(outcome.error, 'STORE_UNAVAILABLE')).toBe(true);
      expect(outcome.ms).toBeLessThan(2_500);
    });
  });
});
