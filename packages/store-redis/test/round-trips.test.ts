import { msgpackCodec } from '@sessions/codec-msgpack';
import { createSessionManager } from '@sessions/core';
import { createTestKey } from '@sessions/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../src/index.js';
import { patchIfCountedScript, patchIfIndexedCountedScript } from '../src/lua/patch-if-script.js';
import { patchCountedScript } from '../src/lua/patch-script.js';
import { recommendedRedisOptions } from './support/client-options.js';
import { cookieFrom, managerFor, TEST_SECRET } from './support/engine.js';
import { type RedisServer, startRedisServer } from './support/redis-server.js';
import { canStartRedisServers } from './support/require-redis-server.js';

/** One command as Redis's MONITOR reports it. */
interface Seen {
  readonly name: string;
  readonly args: readonly string[];
  readonly source: string;
}

/**
 * Counts what Redis itself sees, through MONITOR on a server only this test uses: commands sent by
 * clients (round trips), and separately those run inside scripts (source "lua").
 */
describe.skipIf(!canStartRedisServers())('round trips, observed by Redis (MONITOR)', () => {
  let server: RedisServer;
  let client: Redis;
  let marker: Redis;
  let monitor: Awaited<ReturnType<Redis['monitor']>>;
  const seen: Seen[] = [];

  beforeAll(async () => {
    server = await startRedisServer();
    client = new Redis(server.url, recommendedRedisOptions);
    marker = new Redis(server.url, recommendedRedisOptions);
    await Promise.all([client.ping(), marker.ping()]);
    monitor = await new Redis(server.url, recommendedRedisOptions).monitor();
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      seen.push({ name: String(args[0]).toLowerCase(), args, source });
    });
  });

  afterAll(async () => {
    monitor.disconnect();
    client.disconnect();
    marker.disconnect();
    await server.stop();
  });

  /** Runs `work` and returns the client commands Redis received meanwhile (script calls apart). */
  async function observe(work: () => Promise<unknown>): Promise<string[]> {
    await settle();
    seen.length = 0;
    await work();
    const end = await settle();
    return seen
      .slice(0, end)
      .filter((command) => command.source !== 'lua')
      .map((command) => command.name);
  }

  /** The scripts (by SHA) run with EVALSHA during the last observation. */
  function scriptsRun(): string[] {
    return seen
      .filter((command) => command.source !== 'lua' && command.name === 'evalsha')
      .map((command) => command.args[1] ?? '');
  }

  let markers = 0;
  /**
   * Waits until MONITOR has delivered everything sent so far: a unique marker sent by another
   * client after it. Returns the marker's index in `seen`.
   */
  async function settle(): Promise<number> {
    const token = `marker-${++markers}`;
    await marker.echo(token);
    for (;;) {
      const index = seen.findIndex(
        (command) => command.name === 'echo' && command.args[1] === token,
      );
      if (index >= 0) return index;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  it('a read costs one command; a change costs the load and one write', async () => {
    const manager = managerFor(createRedisStore(client, { prefix: 'trips:' }));

    // On a server that has not seen the scripts yet, EVALSHA answers NOSCRIPT once and EVAL
    // both runs and caches the script: the only time a write costs two round trips.
    let warmCookie = '';
    expect(
      await observe(async () => {
        const session = manager.session(new Headers());
        await session.set('n', 0);
        warmCookie = cookieFrom(await session.commit());
      }),
      'first create on a fresh server',
    ).toEqual(['evalsha', 'eval']);
    const warmPatch = manager.session(new Headers({ cookie: warmCookie }));
    await warmPatch.set('n', 1);
    await warmPatch.commit();
    const warmUpdate = manager.session(new Headers({ cookie: warmCookie }));
    await warmUpdate.update('n', (n) => (n ?? 0) + 1);
    await warmUpdate.commit();
    const warmRotate = manager.session(new Headers({ cookie: warmCookie }));
    await warmRotate.set('n', 2);
    await warmRotate.regenerate();
    const warmRotated = cookieFrom(await warmRotate.commit());
    const warmDestroy = manager.session(new Headers({ cookie: warmRotated }));
    await warmDestroy.destroy();
    await warmDestroy.commit();

    let cookie = '';
    expect(
      await observe(async () => {
        const session = manager.session(new Headers());
        await session.set('n', 1);
        cookie = cookieFrom(await session.commit());
      }),
      'new session: one create',
    ).toEqual(['evalsha']);

    expect(
      await observe(async () => {
        const session = manager.session(new Headers({ cookie }));
        expect(await session.get('n')).toBe(1);
        await session.commit();
      }),
      'read: one load',
    ).toEqual(['hgetall']);

    expect(
      await observe(async () => {
        await manager.session(new Headers()).commit();
        await manager.session(new Headers({ cookie })).commit();
      }),
      'untouched sessions: nothing',
    ).toEqual([]);

    expect(
      await observe(async () => {
        const session = manager.session(new Headers({ cookie }));
        await session.set('n', ((await session.get('n')) ?? 0) + 1);
        await session.set('note', 'two keys, one write');
        await session.commit();
      }),
      'change: one load and one write',
    ).toEqual(['hgetall', 'evalsha']);

    expect(
      await observe(async () => {
        const session = manager.session(new Headers({ cookie }));
        expect(await session.update('n', (n) => (n ?? 0) + 1)).toBe(3);
        await session.commit();
      }),
      'uncontended update(): the load and one conditional write (commit adds nothing)',
    ).toEqual(['hgetall', 'evalsha']);
    expect(scriptsRun(), 'the conditional patch script').toEqual([patchIfCountedScript.sha]);

    let rotated = '';
    expect(
      await observe(async () => {
        const session = manager.session(new Headers({ cookie }));
        await session.set('user', 'ada');
        await session.regenerate();
        rotated = cookieFrom(await session.commit());
      }),
      'regenerate with a change: one load and one rotate',
    ).toEqual(['hgetall', 'evalsha']);

    expect(
      await observe(async () => {
        const session = manager.session(new Headers({ cookie: rotated }));
        await session.destroy();
        await session.commit();
      }),
      'destroy: one script, no load',
    ).toEqual(['evalsha']);
  });

  it('with the MessagePack codec (binary values): the same round trips as JSON', async () => {
    const manager = createSessionManager<{ n: number; note: string }>({
      store: createRedisStore(client, { prefix: 'trips:msgpack:' }),
      secrets: [TEST_SECRET],
      codec: msgpackCodec,
    });
    // The scripts are cached by the JSON test above or by this first request (NOSCRIPT + EVAL).
    const first = manager.session(new Headers());
    await first.set('n', 1);
    const cookie = cookieFrom(await first.commit());
    const warm = manager.session(new Headers({ cookie }));
    await warm.update('n', (n) => (n ?? 0) + 1);
    await warm.commit();

    expect(
      await observe(async () => {
        const session = manager.session(new Headers({ cookie }));
        expect(await session.get('n')).toBe(2);
        await session.commit();
      }),
      'read: one load',
    ).toEqual(['hgetall']);
    expect(
      await observe(async () => {
        const session = manager.session(new Headers({ cookie }));
        await session.set('n', ((await session.get('n')) ?? 0) + 1);
        await session.set('note', 'bytes, one write');
        await session.commit();
      }),
      'change: one load and one write',
    ).toEqual(['hgetall', 'evalsha']);
    expect(
      await observe(async () => {
        const session = manager.session(new Headers({ cookie }));
        expect(await session.update('n', (n) => (n ?? 0) + 1)).toBe(4);
        await session.commit();
      }),
      'update(): the load and one conditional write',
    ).toEqual(['hgetall', 'evalsha']);
    expect(await manager.session(new Headers({ cookie })).get('note')).toBe('bytes, one write');

    // After a restart (a fresh store), the first load meeting bytes reads its hash again as bytes,
    // once; every later load is one HGETALL again.
    const restarted = createSessionManager<{ n: number; note: string }>({
      store: createRedisStore(client, { prefix: 'trips:msgpack:' }),
      secrets: [TEST_SECRET],
      codec: msgpackCodec,
    });
    for (const [label, expected] of [
      ['first load after a restart: read again as bytes', ['hgetall', 'hgetall']],
      ['then: one load', ['hgetall']],
    ] as const) {
      expect(
        await observe(async () => {
          const session = restarted.session(new Headers({ cookie }));
          expect(await session.get('n')).toBe(4);
          await session.commit();
        }),
        label,
      ).toEqual(expected);
    }
  });

  it('a patch carrying limits is one script, whether it lands or is refused as too-large', async () => {
    const store = createRedisStore(client, { prefix: 'trips:' });
    const key = createTestKey();
    const entries = new Map([['a', { value: '1' }]]);
    await store.create(key, { entries, meta: { createdAt: 1 }, expiresAt: Date.now() + 60_000 });
    const limits = { maxBytes: 1_000, maxKeys: 2 };
    const adding = (name: string) => ({
      set: new Map([[name, { value: '1' }]]),
      remove: [],
      clear: false,
      expiresAt: Date.now() + 60_000,
      limits,
    });
    // Warm up the script (NOSCRIPT, then EVAL), as a fresh server would.
    await store.patch(createTestKey(), adding('x'));
    let result = '';
    expect(
      await observe(async () => {
        result = await store.patch(key, adding('b'));
      }),
      'a patch within the limits',
    ).toEqual(['evalsha']);
    expect(result).toBe('ok');
    expect(
      await observe(async () => {
        result = await store.patch(key, adding('c'));
      }),
      'a patch over the limits',
    ).toEqual(['evalsha']);
    expect(result).toBe('too-large');
    expect(scriptsRun()).toEqual([patchCountedScript.sha]);
  });

  it('a signed-in session: its writes also update the user index in the same script', async () => {
    const store = createRedisStore(client, { prefix: 'trips:' });
    const manager = managerFor(store);
    const user = 'grace';

    // Warm up the indexed scripts (create, patch, rotate) and the revocation scripts, so each
    // observation below sees them cached (no NOSCRIPT round).
    const warm = manager.session(new Headers());
    await warm.signIn('warm-up');
    const warmCookie = cookieFrom(await warm.commit());
    const warmPatch = manager.session(new Headers({ cookie: warmCookie }));
    await warmPatch.set('n', 1);
    await warmPatch.commit();
    const warmUpdate = manager.session(new Headers({ cookie: warmCookie }));
    await warmUpdate.update('n', (n) => (n ?? 0) + 1);
    await warmUpdate.commit();
    const warmRotate = manager.session(new Headers({ cookie: warmCookie }));
    await warmRotate.signIn('warm-up');
    await warmRotate.commit();
    await manager.revokeUserSessions('warm-up');

    let cookie = '';
    expect(
      await observe(async () => {
        const session = manager.session(new Headers());
        await session.set('n', 1);
        await session.signIn(user, { info: { userAgent: 'trips' } });
        cookie = cookieFrom(await session.commit());
      }),
      'a new session signed in: one create, indexed in the same script',
    ).toEqual(['evalsha']);

    expect(
      await observe(async () => {
        const session = manager.session(new Headers({ cookie }));
        await session.set('n', 2);
        await session.commit();
      }),
      'a change to a signed-in session: one load and one write (meta and index included)',
    ).toEqual(['hgetall', 'evalsha']);

    expect(
      await observe(async () => {
        const session = manager.session(new Headers({ cookie }));
        expect(await session.update('n', (n) => (n ?? 0) + 1)).toBe(3);
        await session.commit();
      }),
      'update() of a signed-in session: the load and one conditional write, index included',
    ).toEqual(['hgetall', 'evalsha']);
    expect(scriptsRun(), 'the indexed conditional patch script').toEqual([
      patchIfIndexedCountedScript.sha,
    ]);

    let signedIn = '';
    expect(
      await observe(async () => {
        const session = manager.session(new Headers({ cookie }));
        await session.signIn(user);
        signedIn = cookieFrom(await session.commit());
      }),
      'signing in again (a rotation to a new key): one load and one rotate',
    ).toEqual(['hgetall', 'evalsha']);

    expect(
      await observe(async () => {
        expect((await manager.listUserSessions(user)).length).toBe(1);
      }),
      'listing: the index, the records (old and new key, pipelined), then pruning the old key',
    ).toEqual(['zrange', 'hmget', 'hmget', 'evalsha']);

    expect(
      await observe(async () => {
        expect((await manager.listUserSessions(user)).length).toBe(1);
      }),
      'listing a clean index: the index, then one HMGET per session',
    ).toEqual(['zrange', 'hmget']);

    expect(
      await observe(async () => {
        expect(await manager.revokeUserSessions(user)).toBe(1);
      }),
      'revoking: the index, one script per session (pipelined), one prune',
    ).toEqual(['zrange', 'evalsha', 'evalsha']);
    expect(await manager.session(new Headers({ cookie: signedIn })).getUserId()).toBeUndefined();
  });
});
