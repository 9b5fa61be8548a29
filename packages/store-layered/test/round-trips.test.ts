import { createPostgresStore } from '@sessions/store-postgres';
import { createRedisStore } from '@sessions/store-redis';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLayeredStore, type LayeredStore } from '../src/index.js';
import { controlledStore } from './support/controlled-store.js';
import { managerFor, readValue, signIn } from './support/engine.js';
import { type CallLog, logged } from './support/layers.js';
import {
  connectPostgres,
  connectSharedRedis,
  databaseAvailable,
  deleteKeysWithPrefix,
  dropSchema,
  uniquePrefix,
  uniqueSchema,
} from './support/servers.js';

const redis = await connectSharedRedis();
const postgresUp = await databaseAvailable();

/**
 * What one request costs on each layer, counted with core's `observeStore` on Redis (hot) and
 * Postgres (cold), through the session engine as an app uses it.
 */
describe.skipIf(redis === undefined || !postgresUp)('round trips, Redis over Postgres', () => {
  const prefix = uniquePrefix('layered-trips');
  const schema = uniqueSchema('layered_trips');
  let sql: Sql;
  let hotLog: CallLog;
  let coldLog: CallLog;
  let store: LayeredStore;
  let cold: ReturnType<typeof controlledStore>;

  beforeAll(async () => {
    sql = connectPostgres({ max: 4 });
    const postgresStore = createPostgresStore(sql, { schema });
    await postgresStore.migrate();
    if (redis === undefined) throw new Error('unreachable');
    cold = controlledStore(postgresStore);
    const hot = logged(createRedisStore(redis, { prefix }));
    const coldLogged = logged(cold);
    hotLog = hot.log;
    coldLog = coldLogged.log;
    // A generous hot deadline: a loaded CI machine must not turn a hit into a counted miss.
    store = createLayeredStore({ hot: hot.store, cold: coldLogged.store, hotTimeoutMs: 5_000 });
  });

  afterAll(async () => {
    if (redis !== undefined) {
      await deleteKeysWithPrefix(redis, prefix);
      await redis.quit();
    }
    await dropSchema(sql, schema);
    await sql.end({ timeout: 5 });
  });

  async function cost(request: () => Promise<unknown>) {
    hotLog.take();
    coldLog.take();
    await request();
    return { hot: hotLog.take(), cold: coldLog.take() };
  }

  it('sign-in, hit, miss, write, regenerate and sign-out', async () => {
    const manager = managerFor(store);
    let cookie = '';

    // A new session: lease, create in Postgres, fill. The next request is a hit.
    expect(
      await cost(async () => {
        cookie = await signIn(manager, { user: 'ada' });
      }),
    ).toEqual({ hot: ['create', 'patch'], cold: ['create'] });

    // A hit: one Redis read, no Postgres.
    expect(await cost(() => readValue(manager, cookie, 'user'))).toEqual({
      hot: ['load'],
      cold: [],
    });

    // A write: the load (a hit), then Postgres and the removal of the Redis copy.
    expect(
      await cost(async () => {
        const session = manager.session(new Headers({ cookie }));
        await session.set('cart', 2);
        await session.commit();
      }),
    ).toEqual({ hot: ['load', 'destroy'], cold: ['patch'] });

    // A miss: Redis read, lease, one Postgres read, fill. Then hits again.
    expect(await cost(() => readValue(manager, cookie, 'cart'))).toEqual({
      hot: ['load', 'create', 'patch'],
      cold: ['load'],
    });
    expect(await cost(() => readValue(manager, cookie, 'cart'))).toEqual({
      hot: ['load'],
      cold: [],
    });

    // Regenerate: the load, one atomic rotation in Postgres, both keys' copies removed.
    expect(
      await cost(async () => {
        const session = manager.session(new Headers({ cookie }));
        await session.get('user');
        await session.regenerate();
        const result = await session.commit();
        cookie = result.headers.find(([name]) => name === 'set-cookie')?.[1].split(';')[0] ?? '';
      }),
    ).toEqual({ hot: ['load', 'destroy', 'destroy'], cold: ['rotate'] });
    expect(await readValue(manager, cookie, 'user')).toBe('ada');

    // Sign-out needs no load: Postgres, then the copy.
    expect(
      await cost(async () => {
        const session = manager.session(new Headers({ cookie }));
        await session.destroy();
        await session.commit();
      }),
    ).toEqual({ hot: ['destroy'], cold: ['destroy'] });
    expect(await readValue(manager, cookie, 'user')).toBeUndefined();
  });

  it('concurrent misses for one session share one Postgres read', async () => {
    const manager = managerFor(store);
    const cookie = await signIn(manager, { user: 'ada' });
    // Take the session out of Redis, then hold the one Postgres read until every request waits.
    const session = manager.session(new Headers({ cookie }));
    await session.set('n', 1);
    await session.commit();
    const gate = cold.pauseAfter('load');
    const costs = cost(async () => {
      const reads = Array.from({ length: 12 }, () => readValue(manager, cookie, 'user'));
      await gate.reached;
      // Every request has verified its cookie and is waiting on the one flight by now.
      await new Promise((resolve) => setTimeout(resolve, 50));
      gate.release();
      const values: unknown[] = await Promise.all(reads);
      expect(values).toEqual(Array(12).fill('ada'));
    });
    const { hot, cold: coldCalls } = await costs;
    expect(coldCalls).toEqual(['load']);
    expect(hot).toEqual(['load', 'create', 'patch']);
  });

  it('a burst of parallel requests on a cached session costs one Redis read', async () => {
    const manager = managerFor(store);
    const cookie = await signIn(manager, { user: 'ada' });
    const { hot, cold: coldCalls } = await cost(() =>
      Promise.all(Array.from({ length: 5 }, () => readValue(manager, cookie, 'user'))),
    );
    expect(coldCalls).toEqual([]);
    // Concurrent loads share a flight; how many share one depends on timing, never more than 5.
    expect(hot.every((operation) => operation === 'load')).toBe(true);
    expect(hot.length).toBeGreaterThanOrEqual(1);
    expect(hot.length).toBeLessThanOrEqual(5);
  });
});
