import {
  createMemoryStore,
  isSessionError,
  type SessionManager,
  type SessionStore,
} from '@sessions/core';
import { createPostgresStore } from '@sessions/store-postgres';
import { createRedisStore } from '@sessions/store-redis';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHotRecord } from '../src/hot-copy.js';
import { createLayeredStore } from '../src/index.js';
import { type AnyData, cookieFrom, managerFor, rejectionOf, storeKeyOf } from './support/engine.js';
import { type MemoryLayers, memoryLayers } from './support/layers.js';
import {
  connectPostgres,
  connectSharedRedis,
  databaseAvailable,
  deleteKeysWithPrefix,
  dropSchema,
  uniquePrefix,
  uniqueSchema,
} from './support/servers.js';

// Listing and revoking a user's sessions through the layered store: the index is cold's, and a
// revocation removes the hot copies of what it destroyed exactly as a sign-out does. On two
// memory stores with fault injection; the conformance suite runs the same contract on every
// layering whose cold store has an index.

/** Signs `user` in on a new session (one request) and returns its cookie. */
async function signedIn(
  manager: SessionManager<AnyData>,
  user: string,
  agent: string,
): Promise<string> {
  const session = manager.session(new Headers());
  await session.set('cart', agent);
  await session.signIn(user, { info: { userAgent: agent } });
  return cookieFrom(await session.commit());
}

/** The user a request presenting `cookie` is signed in as (committed, as an adapter would). */
async function userOf(
  manager: SessionManager<AnyData>,
  cookie: string,
): Promise<string | undefined> {
  const session = manager.session(new Headers({ cookie }));
  const user = await session.getUserId();
  await session.commit();
  return user;
}

/** Whether hot holds a servable copy of `key` (looked up in the hot memory store directly). */
function hotHasCopy(l: MemoryLayers, key: string): boolean {
  return readHotRecord(l.hotMemory.load(key)).kind === 'copy';
}

/** Three signed-in sessions of one user, each read once so hot holds a copy of it. */
async function cachedSessions(l: MemoryLayers, manager: SessionManager<AnyData>, user: string) {
  const cookies: string[] = [];
  const keys: string[] = [];
  for (const agent of ['phone', 'laptop', 'tablet']) {
    const cookie = await signedIn(manager, user, agent);
    expect(await userOf(manager, cookie), 'signed in').toBe(user);
    cookies.push(cookie);
    keys.push(await storeKeyOf(cookie));
  }
  for (const key of keys) expect(hotHasCopy(l, key), 'hot holds a copy').toBe(true);
  // Every request is now a hit: the copies are what would be served.
  l.coldLog.take();
  expect(await userOf(manager, cookies[0] as string)).toBe(user);
  expect(l.coldLog.take(), 'served from hot').toEqual([]);
  l.hotLog.take();
  return { cookies, keys };
}

describe('revoking while hot copies exist', () => {
  it('revokeUserSessions: the very next request of every session is anonymous', async () => {
    const l = memoryLayers();
    const manager = managerFor(l.store);
    const { cookies, keys } = await cachedSessions(l, manager, 'ada');
    const bob = await signedIn(manager, 'bob', 'phone');
    const bobKey = await storeKeyOf(bob);
    l.coldLog.take();
    l.hotLog.take();

    expect(await manager.revokeUserSessions('ada')).toBe(3);
    // Cold lists (for the failure path), then revokes; hot loses one copy per revoked session.
    expect(l.coldLog.take()).toEqual(['listUserSessions', 'destroyUserSessions']);
    expect(l.hotLog.take()).toEqual(['destroy', 'destroy', 'destroy']);
    for (const key of keys) expect(l.hotMemory.load(key), 'copy removed').toBeUndefined();

    for (const cookie of cookies) expect(await userOf(manager, cookie)).toBeUndefined();
    // Another process sharing this hot store sees it at once as well.
    const elsewhere = managerFor(l.another());
    for (const cookie of cookies) expect(await userOf(elsewhere, cookie)).toBeUndefined();
    // Bob's session and its copy are untouched.
    expect(hotHasCopy(l, bobKey)).toBe(true);
    expect(await userOf(manager, bob)).toBe('bob');
    expect(l.events.filter((event) => event.type === 'hot-invalidation-failed')).toEqual([]);
  });

  it('"sign out everywhere else": the current session and its copy survive', async () => {
    const l = memoryLayers();
    const manager = managerFor(l.store);
    const { cookies, keys } = await cachedSessions(l, manager, 'ada');
    const current = manager.session(new Headers({ cookie: cookies[0] as string }));
    expect(await manager.revokeUserSessions('ada', { except: current })).toBe(2);
    expect(hotHasCopy(l, keys[0] as string), 'the current copy stays cached').toBe(true);
    expect(await userOf(manager, cookies[0] as string)).toBe('ada');
    expect(await userOf(manager, cookies[1] as string)).toBeUndefined();
    expect(await userOf(manager, cookies[2] as string)).toBeUndefined();
  });

  it('revokeUserSession by handle: that session’s next request is anonymous, the others stay', async () => {
    const l = memoryLayers();
    const manager = managerFor(l.store);
    const { cookies, keys } = await cachedSessions(l, manager, 'ada');
    const listed = await manager.listUserSessions('ada');
    const laptop = listed.find((session) => session.info.userAgent === 'laptop');
    l.coldLog.take();
    l.hotLog.take();

    expect(await manager.revokeUserSession('ada', laptop?.handle ?? '')).toBe(true);
    // The manager lists to resolve the handle, then revokes `only` that key: no extra listing.
    expect(l.coldLog.take()).toEqual(['listUserSessions', 'destroyUserSessions']);
    expect(l.hotLog.take()).toEqual(['destroy']);
    expect(l.hotMemory.load(keys[1] as string)).toBeUndefined();

    expect(await userOf(manager, cookies[1] as string)).toBeUndefined();
    expect(await userOf(manager, cookies[0] as string)).toBe('ada');
    expect(await userOf(manager, cookies[2] as string)).toBe('ada');
    expect(hotHasCopy(l, keys[0] as string)).toBe(true);
    expect(hotHasCopy(l, keys[2] as string)).toBe(true);
    expect(await manager.revokeUserSession('ada', laptop?.handle ?? ''), 'twice').toBe(false);
  });

  it('listUserSessions comes from cold, never from hot copies', async () => {
    const l = memoryLayers();
    const manager = managerFor(l.store);
    const { keys } = await cachedSessions(l, manager, 'ada');
    // Revoked behind the layered store's back: hot still holds the copy, cold does not.
    l.coldMemory.destroy(keys[2] as string);
    expect(hotHasCopy(l, keys[2] as string)).toBe(true);
    l.hotLog.take();
    l.coldLog.take();

    const listed = await manager.listUserSessions('ada');
    expect(listed.map((session) => session.info.userAgent).sort()).toEqual(['laptop', 'phone']);
    expect(l.hotLog.take(), 'hot is not asked').toEqual([]);
    expect(l.coldLog.take()).toEqual(['listUserSessions']);
    // A session cold does not know of is not listed even though hot has a copy of one.
    expect(await l.store.listUserSessions?.('ada')).toHaveLength(2);
  });
});

describe('revocation racing reads', () => {
  it('a backfill that read cold before the revocation does not put a copy back', async () => {
    const l = memoryLayers();
    const manager = managerFor(l.store);
    const { cookies, keys } = await cachedSessions(l, manager, 'ada');
    const key = keys[0] as string;
    // Drop the copy so the next read is a miss that backfills.
    await l.store.invalidate(key);
    expect(l.hotMemory.load(key)).toBeUndefined();

    const gate = l.cold.pauseAfter('load');
    const slow = l.store.load(key); // leases, reads the live record, then waits before filling
    await gate.reached;
    expect(l.hotMemory.load(key), 'the reader’s lease').toBeDefined();
    expect(await manager.revokeUserSessions('ada')).toBe(3);
    gate.release();
    expect((await slow)?.meta.userId, 'it read before the revocation: fine').toBe('ada');

    expect(l.hotMemory.load(key), 'its fill found the lease gone').toBeUndefined();
    expect(await userOf(manager, cookies[0] as string)).toBeUndefined();
    expect(await userOf(managerFor(l.another()), cookies[0] as string)).toBeUndefined();
  });

  it('a backfill in another process sharing hot does not put a copy back either', async () => {
    const l = memoryLayers();
    const manager = managerFor(l.store);
    const { cookies, keys } = await cachedSessions(l, manager, 'ada');
    const key = keys[1] as string;
    await l.store.invalidate(key);
    const other = l.another(); // no shared flight, same hot store

    const gate = l.cold.pauseAfter('load');
    const slow = other.load(key);
    await gate.reached;
    expect(await manager.revokeUserSessions('ada')).toBe(3);
    gate.release();
    await slow;

    expect(l.hotMemory.load(key)).toBeUndefined();
    expect(await userOf(manager, cookies[1] as string)).toBeUndefined();
    expect(await userOf(managerFor(other), cookies[1] as string)).toBeUndefined();
  });

  it('a load starting after the revocation resolved never joins a read that found the copy', async () => {
    const l = memoryLayers();
    const manager = managerFor(l.store);
    const { keys } = await cachedSessions(l, manager, 'ada');
    const key = keys[0] as string;
    const gate = l.hot.pauseAfter('load');
    const before = l.store.load(key); // a hit on the copy, slow to answer
    await gate.reached;
    expect(await manager.revokeUserSessions('ada')).toBe(3);
    expect(await l.store.load(key)).toBeUndefined();
    gate.release();
    expect((await before)?.meta.userId).toBe('ada');
    expect(await l.store.load(key)).toBeUndefined();
  });
});

describe('failures', () => {
  it('a copy hot cannot remove is tainted, as after a sign-out: never served by this process', async () => {
    const l = memoryLayers();
    const manager = managerFor(l.store);
    const { cookies, keys } = await cachedSessions(l, manager, 'ada');
    l.hot.fail('destroy');

    expect(await manager.revokeUserSessions('ada'), 'cold is the authority').toBe(3);
    for (const key of keys) {
      expect(l.events).toContainEqual({ type: 'hot-invalidation-failed', key });
      expect(hotHasCopy(l, key), 'the copy is still in hot...').toBe(true);
    }
    for (const cookie of cookies) {
      expect(await userOf(manager, cookie), '...and never served').toBeUndefined();
    }
    // Three failures in a row suspended hot. Once it works again and the backoff has passed, the
    // next read removes the copy for every process.
    expect(l.events).toContainEqual(expect.objectContaining({ type: 'hot-suspended' }));
    l.hot.heal();
    l.clock.advance(5_000);
    expect(await userOf(manager, cookies[0] as string)).toBeUndefined();
    expect(l.hotMemory.load(keys[0] as string)).toBeUndefined();
  });

  it('cold fails after revoking: the copies of the listed sessions are removed all the same', async () => {
    const l = memoryLayers();
    const manager = managerFor(l.store);
    const { cookies, keys } = await cachedSessions(l, manager, 'ada');
    l.cold.failAfter('destroyUserSessions'); // applied, then the reply is lost (a timeout)

    const error = await rejectionOf(manager.revokeUserSessions('ada'));
    expect(isSessionError(error) && error.code).toBe('STORE_UNAVAILABLE');
    for (const key of keys) {
      expect(l.coldMemory.load(key), 'revoked in cold').toBeUndefined();
      expect(l.hotMemory.load(key), 'copy removed').toBeUndefined();
    }
    expect(await manager.revokeUserSessions('ada'), 'a retry finds nothing left').toBe(0);
    for (const cookie of cookies) expect(await userOf(manager, cookie)).toBeUndefined();
    for (const cookie of cookies) {
      expect(await userOf(managerFor(l.another()), cookie)).toBeUndefined();
    }
  });

  it('cold fails after revoking one by handle: that copy is removed', async () => {
    const l = memoryLayers();
    const manager = managerFor(l.store);
    const { cookies, keys } = await cachedSessions(l, manager, 'ada');
    const tablet = (await manager.listUserSessions('ada')).find(
      (session) => session.info.userAgent === 'tablet',
    );
    l.cold.failAfter('destroyUserSessions');
    const error = await rejectionOf(manager.revokeUserSession('ada', tablet?.handle ?? ''));
    expect(isSessionError(error) && error.code).toBe('STORE_UNAVAILABLE');
    expect(l.hotMemory.load(keys[2] as string)).toBeUndefined();
    expect(await userOf(manager, cookies[2] as string)).toBeUndefined();
    expect(hotHasCopy(l, keys[0] as string), 'others keep their copies').toBe(true);
  });

  it('cold fails to list: nothing is revoked, nothing is invalidated, the error is cold’s', async () => {
    const l = memoryLayers();
    const manager = managerFor(l.store);
    const { cookies, keys } = await cachedSessions(l, manager, 'ada');
    l.cold.fail('listUserSessions');
    const error = await rejectionOf(manager.revokeUserSessions('ada'));
    expect(isSessionError(error) && error.code).toBe('STORE_UNAVAILABLE');
    expect(l.coldLog.calls).not.toContain('destroyUserSessions');
    expect(l.events).toContainEqual(
      expect.objectContaining({ type: 'cold-failed', operation: 'listUserSessions' }),
    );
    l.cold.heal();
    expect(hotHasCopy(l, keys[0] as string)).toBe(true);
    expect(await userOf(manager, cookies[0] as string)).toBe('ada');
    expect(await manager.revokeUserSessions('ada')).toBe(3);
    expect(await userOf(manager, cookies[0] as string)).toBeUndefined();
  });
});

describe('several instances', () => {
  it('per-instance memory hot: immediate where revoked, elsewhere within hotTtlMs or on invalidate()', async () => {
    const l = memoryLayers({ hotTtlMs: 10_000 });
    // Two instances, each with its own memory hot store, over the same cold store.
    const secondHot = createMemoryStore({ clock: l.clock.clock });
    const second = createLayeredStore({
      hot: secondHot,
      cold: l.cold,
      clock: l.clock.clock,
      hotTtlMs: 10_000,
    });
    const first = managerFor(l.store);
    const other = managerFor(second);
    const phone = await signedIn(first, 'ada', 'phone');
    const laptop = await signedIn(first, 'ada', 'laptop');
    for (const cookie of [phone, laptop]) {
      expect(await userOf(first, cookie)).toBe('ada');
      expect(await userOf(other, cookie)).toBe('ada'); // now cached in the second instance too
    }
    const phoneKey = await storeKeyOf(phone);
    expect(readHotRecord(secondHot.load(phoneKey)).kind).toBe('copy');

    expect(await first.revokeUserSessions('ada')).toBe(2);
    expect(await userOf(first, phone)).toBeUndefined(); // at once where it happened
    expect(await userOf(first, laptop)).toBeUndefined();
    // The same caveat as a sign-out: the second instance's own copies live out their hot TTL...
    expect(await userOf(other, phone)).toBe('ada');
    // ...unless it is told (a broadcast of the revoked keys)...
    await second.invalidate(phoneKey);
    expect(await userOf(other, phone)).toBeUndefined();
    expect(await userOf(other, laptop)).toBe('ada');
    // ...and never longer.
    l.clock.advance(10_000);
    expect(await userOf(other, laptop)).toBeUndefined();
  });
});

describe('capability', () => {
  /** A cold store with no user index: only the required methods of a memory store. */
  function withoutIndex(inner: SessionStore, declared: boolean | undefined): SessionStore {
    return {
      name: 'no-index',
      capabilities: { atomicRotate: true, deleteExpired: false, userIndex: declared },
      load: (key) => inner.load(key),
      create: (key, record) => inner.create(key, record),
      patch: (key, patch) => inner.patch(key, patch),
      touch: (key, expiresAt) => inner.touch(key, expiresAt),
      rotate: (from, to, patch) => inner.rotate(from, to, patch),
      destroy: (key) => inner.destroy(key),
    };
  }

  it('is cold’s: false (and no index methods) when cold has no index', async () => {
    for (const declared of [undefined, false, true]) {
      // `true` without the methods is a broken cold store: still no index.
      const store = createLayeredStore({
        hot: createMemoryStore(),
        cold: withoutIndex(createMemoryStore(), declared),
      });
      expect(store.capabilities.userIndex).toBe(false);
      expect(store.listUserSessions).toBeUndefined();
      expect(store.destroyUserSessions).toBeUndefined();

      const manager = managerFor(store);
      const cookie = await signedIn(manager, 'ada', 'phone');
      expect(await userOf(manager, cookie), 'sign-in itself works').toBe('ada');
      for (const attempt of [
        manager.listUserSessions('ada'),
        manager.revokeUserSessions('ada'),
        manager.revokeUserSession('ada', 'x'),
      ]) {
        const error = await rejectionOf(attempt);
        expect(isSessionError(error) && error.code).toBe('MISCONFIGURED');
      }
    }
  });

  it('a cold index that declares false is not used even when its methods exist', () => {
    const cold = createMemoryStore();
    const store = createLayeredStore({
      hot: createMemoryStore(),
      cold: {
        ...withoutIndex(cold, false),
        listUserSessions: (user) => cold.listUserSessions(user),
      },
    });
    expect(store.capabilities.userIndex).toBe(false);
    expect(store.listUserSessions).toBeUndefined();
  });

  it('is true over a cold store with an index, whatever hot is', () => {
    const store = createLayeredStore({
      hot: withoutIndex(createMemoryStore(), undefined),
      cold: createMemoryStore(),
    });
    expect(store.capabilities.userIndex).toBe(true);
    expect(typeof store.listUserSessions).toBe('function');
    expect(typeof store.destroyUserSessions).toBe('function');
  });
});

// The same on real servers, when the Postgres store has its index: Redis (shared, under a prefix
// of this run) over Postgres (a schema of this run), both removed afterwards.
const redis = await connectSharedRedis();
const postgresUp = await databaseAvailable();
const sql = postgresUp ? connectPostgres({ max: 4 }) : undefined;
const postgresIndexed =
  sql !== undefined && createPostgresStore(sql).capabilities.userIndex === true;

describe.skipIf(redis === undefined || sql === undefined || !postgresIndexed)(
  'redis over postgres',
  () => {
    const hotPrefix = uniquePrefix('layered-user-index');
    const schema = uniqueSchema('layered_user_index');
    const postgres = sql as Sql;
    const client = redis as NonNullable<typeof redis>;
    const layered = () =>
      createLayeredStore({
        hot: createRedisStore(client, { prefix: hotPrefix }),
        cold: createPostgresStore(postgres, { schema }),
      });

    beforeAll(async () => {
      await createPostgresStore(postgres, { schema }).migrate();
    });

    afterAll(async () => {
      await Promise.all([deleteKeysWithPrefix(client, hotPrefix), dropSchema(postgres, schema)]);
    });

    it('revoking while Redis holds copies: the next request is anonymous in every process', async () => {
      const store = layered();
      const manager = managerFor(store);
      const user = `ada-${hotPrefix}`;
      const cookies = [
        await signedIn(manager, user, 'phone'),
        await signedIn(manager, user, 'laptop'),
      ];
      const keys = await Promise.all(cookies.map(storeKeyOf));
      for (const cookie of cookies) expect(await userOf(manager, cookie)).toBe(user);
      for (const key of keys) {
        expect(readHotRecord(await store.hot.load(key)).kind, 'Redis holds a copy').toBe('copy');
      }

      expect(await manager.revokeUserSessions(user)).toBe(2);
      for (const key of keys) expect(await store.hot.load(key), 'copy removed').toBeUndefined();
      const elsewhere = managerFor(layered());
      for (const cookie of cookies) {
        expect(await userOf(manager, cookie)).toBeUndefined();
        expect(await userOf(elsewhere, cookie)).toBeUndefined();
      }
      expect(await manager.listUserSessions(user)).toEqual([]);
    });
  },
);

afterAll(async () => {
  await Promise.all([redis?.quit(), sql?.end({ timeout: 5 })]);
});
