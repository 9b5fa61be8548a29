import { createHmac, randomBytes } from 'node:crypto';
import { createMemoryStore, createSessionManager } from '@sessions/core';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { importExpressSession } from '../src/express-session-import.js';

// The real Redis (fails when it is missing), isolated by a prefix unique to this run.
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  maxRetriesPerRequest: 1,
});
const prefix = `test:import:${randomBytes(6).toString('hex')}:sess:`;
const OLD_SECRET = 'the express-session secret of the old deployment';
const NEW_SECRET = 'a fresh @sessions signing secret of 32+ bytes';

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

/** A cookie exactly as express-session + cookie-signature write it. */
function legacyCookie(id: string, secret = OLD_SECRET): string {
  const signature = createHmac('sha256', secret).update(id).digest('base64').replace(/=+$/, '');
  return `connect.sid=${encodeURIComponent(`s:${id}.${signature}`)}`;
}

/** What connect-redis 9 stores: the session JSON, `cookie` included, under `sess:<id>`. */
async function storeLegacy(id: string, data: Record<string, unknown>): Promise<void> {
  const cookie = { originalMaxAge: 86_400_000, httpOnly: true, path: '/' };
  await redis.set(`${prefix}${id}`, JSON.stringify({ cookie, ...data }), 'EX', 60);
}

type Data = { views: number };

function setup() {
  const store = createMemoryStore();
  const manager = createSessionManager<Data>({ store, secrets: [NEW_SECRET] });
  const restored: Record<string, unknown>[] = [];
  const run = (cookie: string) => {
    const session = manager.session(new Headers({ cookie }));
    const result = importExpressSession(session, cookie, {
      redis,
      secrets: ['a rotated-out secret', OLD_SECRET],
      prefix,
      restore: async (legacy, target) => {
        restored.push(legacy);
        if (typeof legacy.userId === 'string') await target.signIn(legacy.userId);
        if (typeof legacy.views === 'number') await target.set('views', legacy.views);
      },
    });
    return { session, result };
  };
  return { manager, store, restored, run };
}

describe('importExpressSession', () => {
  it('imports a connect-redis session once, retires the old key and clears the old cookie', async () => {
    const id = randomBytes(24).toString('base64url');
    await storeLegacy(id, { userId: 'ada', views: 7 });
    const { manager, restored, run } = setup();

    const first = run(legacyCookie(id));
    expect(await first.result).toEqual({
      imported: true,
      clearCookie: 'connect.sid=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax',
    });
    expect(restored).toEqual([{ userId: 'ada', views: 7 }]);
    expect(await redis.exists(`${prefix}${id}`)).toBe(0);
    const { headers } = await first.session.commit();
    const cookie = headers.find(([name]) => name === 'set-cookie')?.[1].split(';')[0] ?? '';
    expect(cookie.startsWith('sid=')).toBe(true);

    // The new cookie carries the imported session.
    const next = manager.session(new Headers({ cookie }));
    expect(await next.get('views')).toBe(7);
    expect(await next.getUserId()).toBe('ada');

    // Replaying the old cookie imports nothing: the old record is gone.
    const replay = run(legacyCookie(id));
    expect((await replay.result).imported).toBe(false);
    expect(restored).toHaveLength(1);
  });

  it('rejects a cookie signed with another secret without touching Redis', async () => {
    const id = randomBytes(24).toString('base64url');
    await storeLegacy(id, { views: 1 });
    const { restored, run } = setup();
    const { result } = run(legacyCookie(id, 'not the secret'));
    expect((await result).imported).toBe(false);
    expect((await result).clearCookie).toBeDefined();
    expect(restored).toEqual([]);
    expect(await redis.exists(`${prefix}${id}`)).toBe(1);
  });

  it('rejects a tampered ID and an unsigned cookie', async () => {
    const id = randomBytes(24).toString('base64url');
    await storeLegacy(id, { views: 1 });
    const { restored, run } = setup();
    const signed = legacyCookie(id);
    const tampered = signed.replace(`s%3A${id[0]}`, `s%3A${id[0] === 'A' ? 'B' : 'A'}`);
    expect((await run(tampered).result).imported).toBe(false);
    expect((await run(`connect.sid=${id}`).result).imported).toBe(false);
    expect(restored).toEqual([]);
    expect(await redis.exists(`${prefix}${id}`)).toBe(1);
  });

  it('imports a @fastify/session cookie (no `s:` prefix) with format: fastify-session', async () => {
    const id = randomBytes(24).toString('base64url');
    await storeLegacy(id, { views: 3 });
    const { manager } = setup();
    const signature = createHmac('sha256', OLD_SECRET).update(id).digest('base64');
    const cookie = `sessionId=${encodeURIComponent(`${id}.${signature.replace(/=+$/, '')}`)}`;
    const session = manager.session(new Headers({ cookie }));
    const result = await importExpressSession(session, cookie, {
      redis,
      secrets: [OLD_SECRET],
      prefix,
      format: 'fastify-session',
      restore: async (legacy, target) => {
        if (typeof legacy.views === 'number') await target.set('views', legacy.views);
      },
    });
    expect(result.imported).toBe(true);
    expect(result.clearCookie?.startsWith('sessionId=;')).toBe(true);
    expect(await session.get('views')).toBe(3);
    expect(await redis.exists(`${prefix}${id}`)).toBe(0);
  });

  it('costs nothing without an old cookie', async () => {
    const { run } = setup();
    expect(await run('other=1').result).toEqual({ imported: false });
  });
});
