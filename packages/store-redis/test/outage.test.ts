import { isSessionError } from '@sessions/core';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore, type RedisStore } from '../src/index.js';
import { recommendedRedisOptions } from './support/client-options.js';
import { cookieFrom, eventually, managerFor, rejectionOf } from './support/engine.js';
import type { RedisServer } from './support/redis-server.js';
import { startRedisServer } from './support/redis-server.js';
import { canStartRedisServers } from './support/require-redis-server.js';

/** Generous upper bound for "within the deadline" (timeoutMs is 1000 ms). */
const WITHIN_MS = 3_000;

function expectUnavailable(error: unknown): void {
  expect(isSessionError(error, 'STORE_UNAVAILABLE'), String(error)).toBe(true);
}

async function timed<T>(run: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await run();
  return { result, ms: performance.now() - started };
}

describe.skipIf(!canStartRedisServers())('outages of a redis-server this test owns', () => {
  let server: RedisServer;
  let client: Redis;
  let store: RedisStore;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    server = await startRedisServer();
    client = new Redis(server.url, recommendedRedisOptions);
    // ioredis reports connection errors as events; an app logs them, a test just observes them.
    client.on('error', () => {});
    store = createRedisStore(client, { prefix: 'outage:' });
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    client.disconnect();
    await server.stop();
  });

  afterEach(async () => {
    server.resume();
    // Late failures of abandoned commands surface after the deadline: give them time to appear.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(unhandled, 'unhandled rejections').toEqual([]);
  });

  it('a frozen server: every operation fails with STORE_UNAVAILABLE at the deadline; service resumes', async () => {
    const manager = managerFor(store);
    const first = manager.session(new Headers());
    await first.set('n', 1);
    const cookie = cookieFrom(await first.commit());

    server.pause(); // SIGSTOP: the connection stays open, nothing is answered
    const request = manager.session(new Headers({ cookie }));
    const { result: error, ms } = await timed(() => rejectionOf(request.get('n')));
    expectUnavailable(error);
    expect(ms).toBeGreaterThanOrEqual(store.timeoutMs - 50);
    expect(ms).toBeLessThan(WITHIN_MS);
    // The failed load is never mistaken for "no session": the commit writes nothing and sends no
    // cookie, so the client keeps the one it has.
    const committed = await request.commit();
    expect(committed.outcome).toBe('unchanged');
    expect(committed.headers.filter(([name]) => name.toLowerCase() === 'set-cookie')).toEqual([]);

    const record = { entries: new Map(), meta: { createdAt: 1 }, expiresAt: Date.now() + 60_000 };
    const patch = { set: new Map(), remove: [], clear: false, expiresAt: Date.now() + 60_000 };
    const direct = await timed(() =>
      Promise.all(
        [
          store.load('k'.repeat(43)),
          store.create('c'.repeat(43), record),
          store.patch('p'.repeat(43), patch),
          store.touch('t'.repeat(43), Date.now() + 60_000),
          store.rotate('r'.repeat(43), 's'.repeat(43), patch),
          store.destroy('d'.repeat(43)),
        ].map((operation) => rejectionOf(operation)),
      ),
    );
    for (const failure of direct.result) expect(failure).toBeInstanceOf(Error);
    expect(direct.ms).toBeLessThan(WITHIN_MS);

    server.resume();
    const again = manager.session(new Headers({ cookie }));
    expect(await eventually(() => again.get('n'))).toBe(1);
  });

  it('a write that reaches Redis after its deadline changes nothing', async () => {
    const later = () => Date.now() + 600_000;
    const key = (name: string) => name.repeat(43);
    const record = (value: string) => ({
      entries: new Map([['x', { value }]]),
      meta: { createdAt: 1 },
      expiresAt: later(),
    });
    const seeded = record('0');
    for (const name of ['a', 'b', 'd']) await store.create(key(name), seeded);
    const before = await store.load(key('a'));

    server.pause(); // every command below is sent, and only read by Redis after the deadline
    const late = await Promise.all(
      [
        store.patch(key('a'), {
          set: new Map([['x', { value: 'late' }]]),
          remove: [],
          clear: false,
          expiresAt: later(),
        }),
        store.touch(key('a'), later() + 1_000),
        store.destroy(key('b')),
        store.create(key('c'), record('late')),
        store.rotate(key('d'), key('e'), {
          set: new Map(),
          remove: [],
          clear: false,
          expiresAt: later(),
        }),
      ].map((operation) => rejectionOf(operation)),
    );
    for (const failure of late) expect(String(failure)).toMatch(/did not complete within/);
    server.resume();
    await client.ping(); // after the queued scripts on the same connection

    expect(await store.load(key('a'))).toEqual(before);
    expect(await store.load(key('b'))).toBeDefined();
    expect(await store.load(key('c'))).toBeUndefined();
    expect(await store.load(key('d'))).toBeDefined();
    expect(await store.load(key('e'))).toBeUndefined();
  });

  it('killed mid-load and restarted: typed errors within the deadline, then recovery by itself', async () => {
    const manager = managerFor(store);
    const first = manager.session(new Headers());
    await first.set('n', 7);
    const cookie = cookieFrom(await first.commit());

    server.pause();
    const pending = manager.session(new Headers({ cookie }));
    const load = timed(() => rejectionOf(pending.get('n')));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await server.kill('SIGKILL'); // the load is in flight
    const { result: error, ms } = await load;
    expectUnavailable(error);
    expect(ms).toBeLessThan(WITHIN_MS);

    // While Redis is down: reads and new sessions fail fast with the typed error, no cookie.
    const down = manager.session(new Headers({ cookie }));
    const whileDown = await timed(() => rejectionOf(down.get('n')));
    expectUnavailable(whileDown.result);
    expect(whileDown.ms).toBeLessThan(WITHIN_MS);
    const fresh = manager.session(new Headers());
    await fresh.set('n', 1);
    const creating = await timed(() => rejectionOf(fresh.commit()));
    expectUnavailable(creating.result);
    expect(creating.ms).toBeLessThan(WITHIN_MS);

    await server.start(); // same port, empty (no persistence)
    const cookieAfter = await eventually(async () => {
      const session = manager.session(new Headers());
      await session.set('n', 2);
      return cookieFrom(await session.commit());
    });
    expect(await manager.session(new Headers({ cookie: cookieAfter })).get('n')).toBe(2);
    // The old session died with the server's memory: it now reads as absent, not as an error.
    expect(await manager.session(new Headers({ cookie })).get('n')).toBeUndefined();
  });

  it('keeps working across SCRIPT FLUSH between operations (NOSCRIPT falls back to EVAL)', async () => {
    const manager = managerFor(store);
    await client.script('FLUSH');
    const first = manager.session(new Headers());
    await first.set('n', 1);
    const cookie = cookieFrom(await first.commit()); // create

    await client.script('FLUSH');
    const second = manager.session(new Headers({ cookie }));
    await second.set('note', 'patched');
    await second.commit(); // patch

    await client.script('FLUSH');
    const third = manager.session(new Headers({ cookie }));
    await third.set('user', 'ada');
    await third.regenerate();
    const rotated = cookieFrom(await third.commit()); // rotate
    expect(rotated).not.toBe(cookie);

    await client.script('FLUSH');
    const fourth = manager.session(new Headers({ cookie: rotated }));
    expect(await fourth.getAll()).toEqual({ n: 1, note: 'patched', user: 'ada' });
    expect(await manager.session(new Headers({ cookie })).get('n')).toBeUndefined();

    await client.script('FLUSH');
    const key = 'f'.repeat(43);
    await store.create(key, {
      entries: new Map(),
      meta: { createdAt: 1 },
      expiresAt: Date.now() + 60_000,
    });
    await client.script('FLUSH');
    expect(await store.touch(key, Date.now() + 120_000)).toBe('ok');
    await client.script('FLUSH');
    await fourth.destroy();
    await fourth.commit();
    expect(await manager.session(new Headers({ cookie: rotated })).get('n')).toBeUndefined();
  });
});
