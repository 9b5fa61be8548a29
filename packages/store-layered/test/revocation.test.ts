import { createMemoryStore } from '@sessions/core';
import { createPostgresStore } from '@sessions/store-postgres';
import { createRedisStore } from '@sessions/store-redis';
import { Redis } from 'ioredis';
import type { Sql } from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLayeredStore, type LayeredStoreEvent } from '../src/index.js';
import { cookieFrom, managerFor, readValue, signIn, sleep, storeKeyOf } from './support/engine.js';
import {
  canStartRedisServers,
  connectPostgres,
  databaseAvailable,
  dropSchema,
  type RedisServer,
  recommendedRedisOptions,
  startRedisServer,
  uniqueSchema,
} from './support/servers.js';

const postgresUp = await databaseAvailable();

/**
 * Revocation (sign-out, regeneration, "log out everywhere") against real servers: Redis (a
 * redis-server this test owns, so it can freeze it) over Postgres.
 */
describe.skipIf(!canStartRedisServers() || !postgresUp)('revocation', () => {
  const schema = uniqueSchema('layered_revocation');
  let server: RedisServer;
  let client: Redis;
  let sql: Sql;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    server = await startRedisServer();
    client = new Redis(server.url, recommendedRedisOptions);
    client.on('error', () => {});
    sql = connectPostgres({ max: 4 });
    await createPostgresStore(sql, { schema }).migrate();
  });

  afterEach(async () => {
    server.resume();
    await sleep(300);
    expect(unhandled.splice(0), 'unhandled rejections').toEqual([]);
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    client.disconnect();
    await server.stop();
    await dropSchema(sql, schema);
    await sql.end({ timeout: 5 });
  });

  /** Redis (prefix per test) over Postgres; `events` collects what the store reports. */
  function redisOverPostgres(prefix: string, events: LayeredStoreEvent[] = [], hotTtlMs = 60_000) {
    return createLayeredStore({
      hot: createRedisStore(client, { prefix }),
      cold: createPostgresStore(sql, { schema }),
      hotTtlMs,
      hotTimeoutMs: 250,
      onEvent: (event) => events.push(event),
    });
  }

  /** Freezes Redis past the Redis store's own 1 s deadline, so queued commands never apply. */
  async function freezeDuring(work: () => Promise<void>): Promise<void> {
    server.pause();
    try {
      await work();
      await sleep(1_300);
    } finally {
      server.resume();
    }
  }

  it('a session revoked in the cold store is rejected even while a hot copy exists', async () => {
    const events: LayeredStoreEvent[] = [];
    const store = redisOverPostgres('revoke-destroy:', events);
    const manager = managerFor(store);
    const cookie = await signIn(manager, { user: 'ada' });
    expect(await readValue(manager, cookie, 'user')).toBe('ada'); // cached in Redis
    const key = await storeKeyOf(cookie);

    // Sign-out while Redis cannot answer: Postgres deletes the session, the Redis copy stays.
    await freezeDuring(async () => {
      const session = manager.session(new Headers({ cookie }));
      await session.destroy();
      expect((await session.commit()).outcome).toBe('destroyed');
    });
    expect(events).toContainEqual({ type: 'hot-invalidation-failed', key });
    expect(await store.hot.load(key)).toBeDefined(); // the hot copy exists...
    expect(await store.cold.load(key)).toBeUndefined();

    // The documented limit: another process sharing this Redis knows nothing of the failure and
    // serves the copy until its hot TTL ends (or until any process removes it).
    const elsewhere = managerFor(redisOverPostgres('revoke-destroy:'));
    expect(await readValue(elsewhere, cookie, 'user')).toBe('ada');

    // This process rejects the session: it remembers it could not remove the copy.
    expect(await readValue(manager, cookie, 'user')).toBeUndefined();
    // That read removed the copy too, now that Redis answers: gone for every process.
    expect(await store.hot.load(key)).toBeUndefined();
    expect(await readValue(elsewhere, cookie, 'user')).toBeUndefined();
  });

  it('a regenerated session’s old ID is rejected even while its hot copy exists', async () => {
    const store = redisOverPostgres('revoke-rotate:');
    const manager = managerFor(store);
    const cookie = await signIn(manager, { user: 'ada', role: 'guest' });
    expect(await readValue(manager, cookie, 'user')).toBe('ada');
    const oldKey = await storeKeyOf(cookie);

    let rotated = '';
    const session = manager.session(new Headers({ cookie }));
    await session.get('user');
    await freezeDuring(async () => {
      await session.set('role', 'admin');
      await session.regenerate();
      rotated = cookieFrom(await session.commit());
    });
    expect(await store.hot.load(oldKey)).toBeDefined();
    expect(await readValue(manager, cookie, 'role')).toBeUndefined();
    expect(await readValue(manager, rotated, 'role')).toBe('admin');
  });

  it('revoked directly in Postgres: served from hot for at most hotTtlMs, or until invalidate()', async () => {
    const store = redisOverPostgres('revoke-direct:', [], 2_500);
    const manager = managerFor(store);
    const cookie = await signIn(manager, { user: 'ada' });
    const key = await storeKeyOf(cookie);
    const revokedAt = Date.now();
    // "Log out everywhere" done in SQL, outside the layered store.
    await sql`delete from ${sql(schema)}.sessions where key = ${key}`;

    // The documented bound: the cached copy is still served until its hot TTL ends...
    expect(await readValue(manager, cookie, 'user')).toBe('ada');
    await sleep(Math.max(0, revokedAt + 2_600 - Date.now()));
    // ...and never after.
    expect(await readValue(manager, cookie, 'user')).toBeUndefined();

    // invalidate() makes it immediate (call it from whatever tells your instances to log out).
    const other = await signIn(manager, { user: 'bob' });
    const otherKey = await storeKeyOf(other);
    await sql`delete from ${sql(schema)}.sessions where key = ${otherKey}`;
    await store.invalidate(otherKey);
    expect(await readValue(manager, other, 'user')).toBeUndefined();
  });

  it('a memory hot store per instance: a sign-out on one instance reaches the others within hotTtlMs', async () => {
    const instance = () =>
      createLayeredStore({
        hot: createMemoryStore(),
        cold: createPostgresStore(sql, { schema }),
        hotTtlMs: 1_000,
      });
    const first = managerFor(instance());
    const second = managerFor(instance());
    const cookie = await signIn(first, { user: 'ada' });
    expect(await readValue(first, cookie, 'user')).toBe('ada'); // cached in the first instance
    expect(await readValue(second, cookie, 'user')).toBe('ada');

    const session = second.session(new Headers({ cookie }));
    await session.destroy();
    await session.commit();
    const signedOutAt = Date.now();
    expect(await readValue(second, cookie, 'user')).toBeUndefined(); // at once where it happened

    // The first instance's copy is its own: it lives out its hot TTL (1 s), never longer.
    for (;;) {
      const askedAt = Date.now();
      if ((await readValue(first, cookie, 'user')) === undefined) break;
      expect(askedAt - signedOutAt).toBeLessThan(1_000);
      await sleep(50);
    }
    expect(await readValue(first, cookie, 'user')).toBeUndefined();
  });
});
