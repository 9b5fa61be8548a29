import { createPostgresStore } from '@sessions/store-postgres';
import { createRedisStore } from '@sessions/store-redis';
import { Redis } from 'ioredis';
import type { Sql } from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLayeredStore, type LayeredStore, type LayeredStoreEvent } from '../src/index.js';
import { eventually, managerFor, readValue, signIn, sleep } from './support/engine.js';
import { type CallLog, logged } from './support/layers.js';
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

async function timed<T>(promise: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await promise;
  return { value, ms: performance.now() - started };
}

/**
 * The hot store is a redis-server this test starts, freezes, kills and restarts; the cold store
 * is the shared Postgres. Every request goes through core's session manager, as in an app.
 */
describe.skipIf(!canStartRedisServers() || !postgresUp)(
  'hot store outages (a real redis-server)',
  () => {
    const schema = uniqueSchema('layered_hot_outage');
    let server: RedisServer;
    let client: Redis;
    let sql: Sql;
    let hotLog: CallLog;
    let coldLog: CallLog;
    let store: LayeredStore;
    const events: LayeredStoreEvent[] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);

    beforeAll(async () => {
      process.on('unhandledRejection', onUnhandled);
      server = await startRedisServer();
      client = new Redis(server.url, recommendedRedisOptions);
      client.on('error', () => {}); // an app logs these; the test observes the store instead
      sql = connectPostgres({ max: 4 });
      const postgres = createPostgresStore(sql, { schema });
      await postgres.migrate();
      const hot = logged(createRedisStore(client, { prefix: 'hot:' }));
      const cold = logged(postgres);
      hotLog = hot.log;
      coldLog = cold.log;
      store = createLayeredStore({
        hot: hot.store,
        cold: cold.store,
        hotTimeoutMs: 250,
        hotFailureThreshold: 3,
        hotBackoffMs: 1_000,
        onEvent: (event) => events.push(event),
      });
    });

    afterEach(async () => {
      server.resume();
      // Late outcomes of abandoned hot calls surface after their deadlines: give them time.
      await sleep(300);
      expect(unhandled, 'unhandled rejections').toEqual([]);
    });

    afterAll(async () => {
      process.off('unhandledRejection', onUnhandled);
      client.disconnect();
      await server.stop();
      await dropSchema(sql, schema);
      await sql.end({ timeout: 5 });
    });

    /** Waits until hot serves again: a read that fills, then a read that is a hit. */
    async function cacheRefilled(cookie: string, key: string, expected: unknown): Promise<void> {
      const manager = managerFor(store);
      await eventually(async () => {
        expect(await readValue(manager, cookie, key)).toEqual(expected);
        coldLog.take();
        expect(await readValue(manager, cookie, key)).toEqual(expected);
        expect(coldLog.take(), 'a read with hot back is a hit').toEqual([]);
      }, 20_000);
    }

    it('killed mid-load: requests keep succeeding from Postgres, then the cache refills', async () => {
      const manager = managerFor(store);
      const cookie = await signIn(manager, { user: 'ada', n: 0 });
      coldLog.take();
      expect(await readValue(manager, cookie, 'user')).toBe('ada');
      expect(coldLog.take()).toEqual([]); // a hit

      server.pause();
      const inFlight = timed(readValue(manager, cookie, 'user'));
      await sleep(100);
      await server.kill('SIGKILL'); // the hot read is in flight
      const { value, ms } = await inFlight;
      expect(value).toBe('ada');
      expect(ms).toBeLessThan(2_000);
      // A timeout while frozen, or the client's error when the connection dropped: either way.
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'hot-failed', operation: 'load' }),
      );

      // Redis is gone: reads, writes, sign-ins, regeneration and sign-outs all succeed on Postgres.
      for (let n = 1; n <= 4; n++) {
        const session = manager.session(new Headers({ cookie }));
        await session.set('n', n);
        expect((await session.commit()).outcome).toBe('updated');
        expect(await readValue(manager, cookie, 'n')).toBe(n);
      }
      const bob = await signIn(manager, { user: 'bob' });
      const regenerating = manager.session(new Headers({ cookie: bob }));
      await regenerating.get('user');
      await regenerating.regenerate();
      const rotated = (await regenerating.commit()).headers
        .find(([name]) => name === 'set-cookie')?.[1]
        .split(';')[0];
      expect(await readValue(manager, rotated ?? '', 'user')).toBe('bob');
      expect(await readValue(manager, bob, 'user')).toBeUndefined();
      const signOut = manager.session(new Headers({ cookie: rotated ?? '' }));
      await signOut.destroy();
      await signOut.commit();
      expect(await readValue(manager, rotated ?? '', 'user')).toBeUndefined();
      expect(events).toContainEqual(expect.objectContaining({ type: 'hot-suspended' }));

      // Redis returns (empty: no persistence). After the backoff, hot is tried again by itself and
      // the cache refills: the next read fills it, the one after is a hit.
      await server.start();
      await cacheRefilled(cookie, 'n', 4);
      expect(events).toContainEqual({ type: 'hot-resumed' });
    });

    it('frozen: the first requests pay hotTimeoutMs, then hot is skipped until it answers', async () => {
      const manager = managerFor(store);
      const cookie = await signIn(manager, { user: 'ada' });
      await cacheRefilled(cookie, 'user', 'ada');

      server.pause(); // SIGSTOP: connections stay open, nothing is answered
      const first = await timed(readValue(manager, cookie, 'user'));
      expect(first.value).toBe('ada');
      expect(first.ms).toBeGreaterThanOrEqual(240);
      expect(first.ms).toBeLessThan(2_000);
      // Two more failures reach the threshold; after that no request waits for Redis.
      await readValue(manager, cookie, 'user');
      await readValue(manager, cookie, 'user');
      hotLog.take();
      for (let i = 0; i < 3; i++) expect(await readValue(manager, cookie, 'user')).toBe('ada');
      expect(hotLog.take()).toEqual([]);

      server.resume();
      await cacheRefilled(cookie, 'user', 'ada');
    });
  },
);
